"""Audit anchors: the audit chain's head, signed by the node key, held elsewhere.

The hash chain (``jointprobe.audit``) shows an edited or deleted row, but not a
chain rewritten from the start together with its head. An anchor closes that:
it states "entry N of node X's audit log had hash H at time T", signed with the
node's Ed25519 key. The operator hands anchors to someone who does not share
the node's database (a partner node, a court clerk, an auditor). Later, the
chain must still hold entry N with hash H; a rewrite shows up against every
anchor issued before it.

An anchor document is JSON::

    {"anchor": {"type": "audit-anchor", "version": "jp/1", "node_id": ...,
                "last_id": N, "hash": H, "at": T, "sign_public": base64},
     "signature": base64}

The signature covers the domain prefix ``jointprobe-audit-anchor:`` and the
RFC 8785 canonical bytes of ``anchor``. A verifier trusts only keys it already
knows: the node's own (current, ``node.keys.retired`` and ``node.key.old``), or,
for a peer, every signing key of the peer's key history on this node (the card
pinned now and each one a verified card update replaced, ``exchange.peerkeys``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import GENESIS
from jointprobe.errors import InvalidInput
from jointprobe.exchange.card import NodeCard, fingerprints_equal
from jointprobe.exchange.errors import BadSignature, MalformedEnvelope
from jointprobe.exchange.identity import node_keys, previous_keys, retired_sign_keys
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.peerkeys import HistoricKey, key_history
from jointprobe.exchange.wire import b64d, b64e, canonical, parse_time
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, AuditHead
from jointprobe.timeutil import as_utc, iso, utcnow

DOMAIN = b"jointprobe-audit-anchor:"
ANCHOR_FILE = "audit-anchors.jsonl"
MAX_ANCHOR_BYTES = 4096
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Anchor:
    """One signed statement of the audit chain's head."""

    node_id: str
    last_id: int
    hash: str
    at: str
    sign_public: bytes
    signature: bytes

    def body(self) -> dict[str, Any]:
        return {
            "type": "audit-anchor",
            "version": "jp/1",
            "node_id": self.node_id,
            "last_id": self.last_id,
            "hash": self.hash,
            "at": self.at,
            "sign_public": b64e(self.sign_public),
        }

    def to_json(self) -> str:
        document = {"anchor": self.body(), "signature": b64e(self.signature)}
        return json.dumps(document, sort_keys=True, separators=(",", ":"))


def make_anchor(session: Session, keys: NodeKeys) -> Anchor:
    """Sign the chain's current head (an empty chain anchors entry 0, the genesis hash)."""
    head = session.scalar(select(AuditHead).where(AuditHead.name == "main"))
    last_id, digest = (head.last_id, head.last_hash) if head else (0, GENESIS)
    unsigned = Anchor(keys.node_id, last_id, digest, iso(utcnow()), keys.sign_public, b"")
    signature = keys.signing.sign(DOMAIN + canonical(unsigned.body())).signature
    return Anchor(**{**_fields(unsigned), "signature": signature})


def _fields(anchor: Anchor) -> dict[str, Any]:
    return {name: getattr(anchor, name) for name in Anchor.__slots__}


def parse_anchor(text: str | bytes) -> Anchor:
    """Read an anchor document; raise :class:`InvalidInput` naming what is wrong."""
    if len(text) > MAX_ANCHOR_BYTES:
        raise InvalidInput(f"an anchor is at most {MAX_ANCHOR_BYTES} bytes")
    try:
        document = json.loads(text)
        body, signature = document["anchor"], document["signature"]
        if body.get("type") != "audit-anchor" or body.get("version") != "jp/1":
            raise InvalidInput("not a jp/1 audit anchor")
        last_id, digest = body["last_id"], body["hash"]
        if not isinstance(last_id, int) or isinstance(last_id, bool) or not 0 <= last_id < 2**53:
            raise InvalidInput("anchor last_id must be a whole number ≥ 0 (below 2^53)")
        if not (isinstance(digest, str) and _HEX64.fullmatch(digest)):
            raise InvalidInput("anchor hash must be 64 hex digits")
        return Anchor(
            node_id=str(body["node_id"]),
            last_id=last_id,
            hash=digest,
            at=str(body["at"]),
            sign_public=b64d(body["sign_public"], field="sign_public", length=32),
            signature=b64d(signature, field="signature", length=64),
        )
    except MalformedEnvelope as exc:
        raise InvalidInput(f"malformed audit anchor: {exc.message}") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"malformed audit anchor: {type(exc).__name__} {exc}") from exc


def check_signature(anchor: Anchor, node_id: str, trusted_keys: Collection[bytes]) -> None:
    """Raise :class:`BadSignature` unless ``node_id``'s known key signed ``anchor``."""
    if anchor.node_id != node_id:
        raise BadSignature(f"anchor is from {anchor.node_id!r}, not {node_id!r}")
    if anchor.sign_public not in trusted_keys:
        raise BadSignature("anchor is signed with a key this node does not know for its sender")
    unsigned = Anchor(**{**_fields(anchor), "signature": b""})
    try:
        signed = DOMAIN + canonical(unsigned.body())
        VerifyKey(anchor.sign_public).verify(signed, anchor.signature)
    except MalformedEnvelope as exc:
        raise BadSignature(f"anchor cannot be checked: {exc.message}") from exc
    except BadSignatureError as exc:
        raise BadSignature("anchor signature does not verify") from exc


def chain_problem(session: Session, anchor: Anchor) -> str | None:
    """What, if anything, the local chain contradicts in ``anchor``."""
    if anchor.last_id == 0:
        return None if anchor.hash == GENESIS else f"anchor of {anchor.at}: bad genesis hash"
    row = session.get(AuditEntry, anchor.last_id)
    if row is None:
        return f"entry {anchor.last_id} anchored at {anchor.at} is missing"
    if row.hash != anchor.hash:
        return f"entry {anchor.last_id} differs from its anchor of {anchor.at} (chain rewritten)"
    return None


def anchor_problem(
    session: Session, node_id: str, trusted_keys: Collection[bytes], found: Anchor | InvalidInput
) -> str | None:
    """Why an anchor read from a file does not vouch for the local chain, or ``None``."""
    problem = signature_problem(node_id, trusted_keys, found)
    if problem or isinstance(found, InvalidInput):
        return problem
    return chain_problem(session, found)


def signature_problem(
    node_id: str, trusted_keys: Collection[bytes], found: Anchor | InvalidInput
) -> str | None:
    """Why an anchor read from a file is not ``node_id``'s signed statement, or ``None``."""
    if isinstance(found, InvalidInput):
        return found.message
    try:
        check_signature(found, node_id, trusted_keys)
    except BadSignature as exc:
        return exc.message
    return None


def peer_sign_keys(session: Session, peer_id: str, current: NodeCard) -> dict[bytes, HistoricKey]:
    """Every signing key this node accepted for ``peer_id``, by key; ``current`` (the card
    pinned now) is always among them, even where its history row is missing."""
    keys = {key.sign_public: key for key in key_history(session, peer_id)}
    if current.sign_public not in keys:
        keys[current.sign_public] = HistoricKey(
            peer_id, current.sign_public, current.fingerprint, "pinned", current.issued, None
        )
    return keys


SUPERSEDED_SKEW = timedelta(minutes=10)  # clocks of two nodes may differ this much


def check_peer_anchor(
    anchor: Anchor,
    peer_id: str,
    keys: Mapping[bytes, HistoricKey],
    current: bytes,
    revoked: Collection[str] = (),
) -> HistoricKey:
    """Which of the peer's keys signed ``anchor``; :class:`BadSignature` saying why none did.

    ``keys`` is :func:`peer_sign_keys`; ``current`` the signing key of the card
    pinned now; ``revoked`` the peer's revoked fingerprints. Refused: a key
    never in the history; a signature that does not verify under the key the
    anchor names; an anchor dated after its key was superseded here (a leaked
    old key cannot vouch for later heads, though it can still backdate, which
    is why partners should check anchors when they receive them); a key
    revoked without being replaced by a card update.
    """
    if anchor.node_id != peer_id:
        raise BadSignature(f"anchor is from {anchor.node_id!r}, not {peer_id!r}")
    key = keys.get(anchor.sign_public)
    if key is None:
        raise BadSignature(
            f"anchor is signed with a key that was never in the key history of {peer_id} "
            "on this node (neither the card pinned now nor one a card update replaced)"
        )
    which = "current key" if key.sign_public == current else "previous key"
    try:
        check_signature(anchor, peer_id, keys)
    except BadSignature as exc:
        raise BadSignature(
            f"{exc.message} with the {which} of {peer_id} it names ({key.fingerprint}): "
            "forged or altered"
        ) from exc
    if key.superseded_at is not None:
        if parse_time(anchor.at, field="at") > as_utc(key.superseded_at) + SUPERSEDED_SKEW:
            raise BadSignature(
                f"anchor is dated {anchor.at}, after the {which} of {peer_id} that signed it "
                f"({key.fingerprint}) was replaced here on {iso(key.superseded_at)}"
            )
    elif any(fingerprints_equal(key.fingerprint, gone) for gone in revoked):
        raise BadSignature(f"anchor is signed with a revoked key of {peer_id} ({key.fingerprint})")
    return key


def describe_key(key: HistoricKey, current: bytes) -> str:
    """``current key (fingerprint)`` or ``previous key (fingerprint, accepted …, superseded …)``."""
    if key.sign_public == current:
        return f"current key ({key.fingerprint})"
    superseded = f", superseded {iso(key.superseded_at)}" if key.superseded_at else ""
    return f"previous key ({key.fingerprint}, accepted {iso(key.accepted_at)}{superseded})"


def own_sign_keys(node: Node) -> list[bytes]:
    """The node's current signing key and those it used before (``node.keys.retired``,
    and ``node.key.old`` when readable), so anchors stay checkable after rotations."""
    keys = [node_keys(node).sign_public, *retired_sign_keys(node)]
    old = previous_keys(node)
    if old is not None:
        keys.append(old.sign_public)
    return keys


def append_anchor(path: Path, anchor: Anchor) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(anchor.to_json() + "\n")


def read_anchors(path: Path) -> Iterator[tuple[int, Anchor | InvalidInput]]:
    """Each non-empty line of an anchor file: (line number, anchor or the error)."""
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield number, parse_anchor(line)
                except InvalidInput as exc:
                    yield number, exc


__all__ = [
    "ANCHOR_FILE",
    "Anchor",
    "anchor_problem",
    "append_anchor",
    "chain_problem",
    "check_peer_anchor",
    "check_signature",
    "describe_key",
    "make_anchor",
    "own_sign_keys",
    "parse_anchor",
    "peer_sign_keys",
    "read_anchors",
    "signature_problem",
]
