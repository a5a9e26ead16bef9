"""This node's keys and card: created on first use, kept in ``data_dir/node.key``."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jointprobe.audit import record
from jointprobe.config import Settings
from jointprobe.exchange.card import NodeCard
from jointprobe.exchange.errors import KeyFileError, MalformedEnvelope
from jointprobe.exchange.keys import NodeKeys, load_keys, save_keys
from jointprobe.exchange.peers import peer_status
from jointprobe.exchange.wire import b64d, b64e
from jointprobe.node import Node

KEY_FILE = "node.key"
RETIRED_KEYS_FILE = "node.keys.retired"
_cache: dict[tuple[str, str, int], NodeKeys] = {}
_lock = threading.Lock()


def key_path(settings: Settings) -> Path:
    return settings.data_dir.expanduser() / KEY_FILE


def node_keys(node: Node) -> NodeKeys:
    """The node's private keys, generated (and sealed if a passphrase is set) on first use.

    Remembered per key file and its modification time: a running server picks
    up keys that ``peer rotate-keys`` wrote from another process at its next
    message, instead of refusing what peers seal to the new key.
    """
    path = key_path(node.settings)
    with _lock:
        try:
            cache_key = (str(path), node.identity.id, path.stat().st_mtime_ns)
        except FileNotFoundError:
            keys = NodeKeys.generate(node.identity.id)
            save_keys(keys, path, passphrase=node.settings.key_passphrase)
            cache_key = (str(path), node.identity.id, path.stat().st_mtime_ns)
            _cache[cache_key] = keys
            return keys
        cached = _cache.get(cache_key)
        if cached is None:
            cached = _cache[cache_key] = load_keys(path, passphrase=node.settings.key_passphrase)
    return cached


def old_key_path(settings: Settings) -> Path:
    return key_path(settings).with_name(KEY_FILE + ".old")


_previous: dict[tuple[str, int], NodeKeys] = {}


def previous_keys(node: Node) -> NodeKeys | None:
    """The keys this node had before its last rotation, while ``node.key.old`` is kept.

    Peers that have not applied the card update yet still seal to the old
    encryption key; the inbox opens such envelopes with these. ``None`` when
    there is no usable old key file (none, another node's, or unreadable).
    """
    path = old_key_path(node.settings)
    try:
        cache_key = (str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        return None
    with _lock:
        keys = _previous.get(cache_key)
        if keys is None:
            try:
                keys = load_keys(path, passphrase=node.settings.key_passphrase)
            except KeyFileError:
                return None
            _previous[cache_key] = keys
    return keys if keys.node_id == node.identity.id else None


def endpoint(settings: Settings) -> str:
    return settings.endpoint or f"http://{settings.host}:{settings.port}"


def own_card(node: Node, keys: NodeKeys | None = None) -> NodeCard:
    """This node's card, self-signed, with the configured endpoint."""
    keys = keys or node_keys(node)
    ident = node.identity
    return NodeCard.create(
        keys, name=ident.name, country=ident.country, endpoint=endpoint(node.settings)
    )


def retired_keys_path(settings: Settings) -> Path:
    """Public signing keys this node used before (one JSON line per rotation): what
    its earlier signatures, such as audit anchors, are checked against."""
    return settings.data_dir.expanduser() / RETIRED_KEYS_FILE


def retired_sign_keys(node: Node) -> list[bytes]:
    """The node's earlier public signing keys; unreadable lines are left out."""
    path = retired_keys_path(node.settings)
    if not path.exists():
        return []
    keys = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            if entry.get("node_id") == node.identity.id:
                keys.append(b64d(entry.get("sign"), field="sign", length=32))
        except (ValueError, AttributeError, MalformedEnvelope):
            continue
    return keys


def rotate_keys(node: Node) -> tuple[NodeKeys, dict[str, object]]:
    """Generate new keys; return them and the card update (signed by the old key).

    The old key file is kept as ``node.key.old`` until the operator deletes it.
    """
    from jointprobe.exchange.card import CardUpdate

    old = node_keys(node)
    new = NodeKeys.generate(old.node_id)
    update = CardUpdate.create(old, own_card(node, new))
    path = key_path(node.settings)
    save_keys(old, old_key_path(node.settings), passphrase=node.settings.key_passphrase)
    with retired_keys_path(node.settings).open("a", encoding="utf-8") as retired:
        retired.write(json.dumps({"node_id": old.node_id, "sign": b64e(old.sign_public)}) + "\n")
    save_keys(new, path, passphrase=node.settings.key_passphrase)
    with _lock:
        _cache[(str(path), old.node_id, path.stat().st_mtime_ns)] = new
    return new, update.to_dict()


@dataclass(frozen=True)
class Rotation:
    """What an operator needs after rotating this node's keys."""

    node_id: str
    old_fingerprint: str
    new_fingerprint: str
    #: The card update (signed by the old key) every peer must apply.
    update: dict[str, Any]
    #: Where the old key file is kept until the operator deletes it.
    old_key_file: Path
    #: Messages still queued, sealed and signed with the old key.
    queued_with_old_key: int


def rotate_own_keys(node: Node, *, actor: str = "operator") -> Rotation:
    """Rotate this node's keys (:func:`rotate_keys`) and record it in the audit log.

    Peers keep trusting the old key until they apply the returned card update;
    once they have, they refuse envelopes signed with it, so messages still
    queued (``queued_with_old_key``) should be delivered first.
    """
    old = node_keys(node)
    with node.write_session() as session:
        queued = sum(s.queued for s in peer_status(session))
        new, update = rotate_keys(node)
        record(session, actor, "rotate", "node-keys", old.node_id,
               {"from": old.fingerprint, "to": new.fingerprint})  # fmt: skip
    return Rotation(
        node_id=old.node_id,
        old_fingerprint=old.fingerprint,
        new_fingerprint=new.fingerprint,
        update=update,
        old_key_file=old_key_path(node.settings),
        queued_with_old_key=queued,
    )


__all__ = [
    "Rotation",
    "endpoint",
    "key_path",
    "node_keys",
    "old_key_path",
    "own_card",
    "previous_keys",
    "rotate_keys",
    "rotate_own_keys",
]
