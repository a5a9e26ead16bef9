"""``backup``: an online, consistent copy of a node; ``restore``: into an empty data dir.

A backup is a folder: the database copy (``operations.dumps``), the node's
files copied byte for byte (``node.key`` stays sealed if it was), and
``manifest.json`` naming the node, the schema revision, when it was taken, the
settings in force (secrets left out) and a SHA-256 digest of every file.

A restore checks every digest before it writes anything, refuses a data dir or
database that is not empty, brings the schema to head, records the restore in
the audit log and tells each peer (a ``restored`` notice) so that the channels
mend themselves (docs/protocol.md §8, Restores).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from jointprobe import __version__
from jointprobe.accounts import get_user
from jointprobe.audit import record
from jointprobe.config import Settings
from jointprobe.errors import ConfigError, Conflict, InvalidInput
from jointprobe.exchange.anchors import ANCHOR_FILE
from jointprobe.exchange.identity import KEY_FILE, RETIRED_KEYS_FILE, node_keys
from jointprobe.exchange.keys import load_keys
from jointprobe.exchange.outbox.resync import RESTORED_TOPIC
from jointprobe.exchange.peers import list_peers
from jointprobe.exchange.workflow.sending import send_notice
from jointprobe.node import OPERATOR, Node, open_node
from jointprobe.operations.dumps import SQLITE_FILE, dump, dump_file, load, require_empty
from jointprobe.store import make_engine
from jointprobe.store.migrate import current_revision
from jointprobe.timeutil import utcnow

FORMAT = "jointprobe-backup/1"
MANIFEST = "manifest.json"
#: The node's own files in its data dir, copied as they are when present.
NODE_FILES = (KEY_FILE, KEY_FILE + ".old", RETIRED_KEYS_FILE, ANCHOR_FILE, "web-session.secret")
#: Settings a manifest never records (secrets, and what only the tests read).
SECRET_SETTINGS = frozenset({"database_url", "key_passphrase", "session_secret",
                             "test_database_url"})  # fmt: skip


@dataclass(frozen=True)
class Manifest:
    node_id: str
    schema_revision: str | None
    created: str
    database: str
    files: dict[str, str]
    settings: dict[str, Any] = field(default_factory=dict)
    version: str = __version__

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "node_id": self.node_id, "schema_revision": self.schema_revision,
                "created": self.created, "database": self.database, "version": self.version,
                "files": self.files, "settings": self.settings}  # fmt: skip

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not folder.is_dir():
            raise InvalidInput("not a jointprobe backup: not a folder", where=str(folder))
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError as exc:
            raise InvalidInput(
                "not a jointprobe backup: no manifest.json", where=str(folder)
            ) from exc
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"unreadable manifest: {exc}", where=str(path)) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InvalidInput(f"not a {FORMAT} manifest", where=str(path))
        files = data.get("files")
        if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and "/" not in k and k not in ("", ".", "..")
            for k, v in files.items()
        ):
            raise InvalidInput("manifest lists its files wrongly", where=str(path))
        return cls(node_id=str(data.get("node_id")), schema_revision=data.get("schema_revision"),
                   created=str(data.get("created")), database=str(data.get("database")),
                   files=files, settings=data.get("settings") or {},
                   version=str(data.get("version")))  # fmt: skip


def backup(node: Node, dest: Path) -> Manifest:
    """Copy the running node to ``dest`` (a new or empty folder): database, files, manifest."""
    _require_empty_dir(dest, "backup")
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings = node.settings
    url = settings.resolved_database_url()
    created = utcnow().isoformat()
    database = dump_file(url)
    dump(url, dest / database)
    for name in NODE_FILES:
        source = settings.data_dir.expanduser() / name
        if source.is_file():
            shutil.copyfile(source, dest / name)
            (dest / name).chmod(0o600)
    files = {p.name: _digest(p) for p in sorted(dest.iterdir()) if p.name != MANIFEST}
    manifest = Manifest(
        node_id=node.identity.id, schema_revision=current_revision(node.engine), created=created,
        database="sqlite" if database.endswith(".db") else "postgresql", files=files,
        settings=_public_settings(settings),
    )  # fmt: skip
    (dest / MANIFEST).write_text(json.dumps(manifest.to_dict(), indent=2, sort_keys=True) + "\n")
    (dest / MANIFEST).chmod(0o600)
    with node.write_session() as session:
        record(session, OPERATOR, "backup", "node", node.identity.id,
               {"created": created, "schema_revision": manifest.schema_revision})  # fmt: skip
    return manifest


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    node: Node
    #: peers told of the restore (a ``restored`` notice queued)
    told: list[str]
    #: peers whose agreement does not cover notices: they learn at their next delivery
    untold: list[str]


def restore(settings: Settings, src: Path) -> Restored:
    """Put the backup in ``src`` into an empty data dir (and empty database), digests checked."""
    manifest = Manifest.read(src)
    verify_files(src, manifest)
    url = settings.resolved_database_url()
    database = dump_file(url)
    if database not in manifest.files:
        raise ConfigError(
            f"the backup holds a {manifest.database} database; this node is configured for "
            f"{'SQLite' if database.endswith('.db') else 'PostgreSQL'}",
            where=str(src),
        )  # fmt: skip
    data_dir = settings.data_dir.expanduser()
    _require_empty_dir(data_dir, "restore")
    if settings.database_url is not None:
        engine = make_engine(url)
        try:
            require_empty(engine)
        finally:
            engine.dispose()
    if KEY_FILE in manifest.files:  # the passphrase opens it, before anything is written
        load_keys(src / KEY_FILE, passphrase=settings.key_passphrase)
    existed = data_dir.exists()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        node = _put_back(settings, src, manifest, database)
    except BaseException:
        _undo(data_dir, manifest, existed)  # a failed restore leaves the folder as it was
        raise
    with node.write_session() as session:
        detail = {"backup_created": manifest.created, "schema_revision": manifest.schema_revision}
        record(session, OPERATOR, "restore", "node", node.identity.id, detail)
        told, untold = _tell_peers(session, node, manifest)
    return Restored(manifest, node, told, untold)


def _put_back(settings: Settings, src: Path, manifest: Manifest, database: str) -> Node:
    data_dir = settings.data_dir.expanduser()
    for name in manifest.files:
        if name != database:
            shutil.copyfile(src / name, data_dir / name)
            (data_dir / name).chmod(0o600)
    load(settings.resolved_database_url(), src / database)
    node = open_node(settings)  # brings an older schema to head
    if node.identity.id != manifest.node_id:
        found = node.identity.id
        node.close()
        raise Conflict(f"the database is node {found}, the manifest says {manifest.node_id}: "
                       "the backup is inconsistent", where=str(src))  # fmt: skip
    return node


def _undo(data_dir: Path, manifest: Manifest, existed: bool) -> None:
    for name in [*manifest.files, SQLITE_FILE + "-wal", SQLITE_FILE + "-shm"]:
        (data_dir / name).unlink(missing_ok=True)
    if not existed:
        data_dir.rmdir()


def _tell_peers(session: Session, node: Node, manifest: Manifest) -> tuple[list[str], list[str]]:
    """Queue a ``restored`` notice to each active peer whose agreement covers notices.

    Delivery leases and backoffs copied with the database are cleared first.
    """
    peers = [p for p in list_peers(session) if p.active]
    for peer in peers:  # a delivery lease copied with the database belongs to no one now
        peer.lease_owner, peer.lease_until, peer.next_attempt_at = None, None, None
    told = [p.node_id for p in peers if "notice" in p.allowed_kinds]
    text = (f"{node.identity.id} was restored from a backup taken {manifest.created}; "
            "messages sent to it after that are being sent again")  # fmt: skip
    keys = node_keys(node) if told else None
    for peer_id in told:
        assert keys is not None
        send_notice(session, get_user(session, OPERATOR), keys, to=[peer_id],
                    topic=RESTORED_TOPIC, text=text, tlp="GREEN")  # fmt: skip
    return told, [p.node_id for p in peers if p.node_id not in told]


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Every file the manifest lists is there with its digest; nothing else is."""
    present = {p.name for p in folder.iterdir() if p.name != MANIFEST}
    extra = present - set(manifest.files)
    if extra:
        raise InvalidInput(
            f"files not in the manifest: {', '.join(sorted(extra))}", where=str(folder)
        )
    for name, digest in sorted(manifest.files.items()):
        path = folder / name
        if not path.is_file():
            raise InvalidInput(f"{name} is missing from the backup", where=str(folder))
        if _digest(path) != digest:
            raise InvalidInput(f"{name} does not match its digest in the manifest (damaged or "
                               "altered): nothing was restored", where=str(folder))  # fmt: skip


def _require_empty_dir(folder: Path, what: str) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise Conflict(f"refusing to {what} into a folder that is not empty (a live node's "
                       "data would be overwritten); give a new or empty folder",
                       where=str(folder))  # fmt: skip


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _public_settings(settings: Settings) -> dict[str, Any]:
    values = settings.model_dump(mode="json")
    return {k: v for k, v in sorted(values.items()) if k not in SECRET_SETTINGS}


__all__ = ["FORMAT", "MANIFEST", "Manifest", "Restored", "backup", "restore", "verify_files"]
