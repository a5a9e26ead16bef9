"""Envelopes: build and seal, parse, verify, open (docs/protocol.md §2–§4).

``seal`` encrypts a body once for all recipients and signs the envelope;
``parse_envelope`` checks the shape (steps 1–5); ``verify`` authenticates and
authorises it against the trusted peers (steps 6–10); ``open_envelope``
decrypts and binds the plaintext (step 12). Replay (step 11) needs the
inbox's memory and is checked by the caller between ``verify`` and
``open_envelope``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import nacl.exceptions
import nacl.utils
from nacl.bindings import crypto_box_SEALBYTES
from nacl.public import PublicKey, SealedBox
from nacl.secret import SecretBox

from jointprobe.exchange.card import NodeCard, fingerprints_equal
from jointprobe.exchange.errors import (
    BadSignature,
    EnvelopeTooLarge,
    KindNotAllowed,
    MalformedEnvelope,
    NotAddressed,
    ReplayedEnvelope,
    RevokedKey,
    StaleEnvelope,
    Undecryptable,
    UnknownSender,
    UnsignedEnvelope,
    UnsupportedVersion,
)
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import Tlp
from jointprobe.exchange.wire import (
    MESSAGE_ID,
    PREFIX_ENVELOPE,
    SUPPORTED_VERSIONS,
    VERSION,
    b64d,
    b64e,
    canonical,
    check_node_id,
    format_time,
    new_id,
    parse_time,
    sha256,
)

KINDS = (
    "referral",
    "receipt",
    "ack",
    "status",
    "outcome",
    "rfi",
    "rfi-response",
    "notice",
    "void",
    "aggregates",
    "pen",
    "pen-answer",
    "sor",
    "incident",
    "psi-offer",
    "psi-accept",
    "psi-points",
    "psi-consent",
    "psi-reveal",
    "psi-close",
)
#: Kinds that carry sequence numbers and go through the inbox.
SEQUENCED_KINDS = frozenset(KINDS) - {"receipt"}
#: Kinds of the channel itself, which every agreement allows.
CHANNEL_KINDS = frozenset({"receipt", "void"})
#: How deeply a body may nest JSON arrays and objects (an envelope needs 4).
MAX_JSON_DEPTH = 64
MAX_RECIPIENTS = 64
MAX_SEQ = 2**53 - 1
#: an envelope's fields, in the order docs/protocol.md §2 gives them; no others
FIELDS: tuple[str, ...] = (
    "version",
    "id",
    "kind",
    "sender",
    "recipients",
    "created",
    "sent",
    "conversation_id",
    "in_reply_to",
    "seq",
    "payload",
    "keys",
    "signature",
)
_FIELDS = frozenset(FIELDS)
_SEALED_KEY_BYTES = SecretBox.KEY_SIZE + crypto_box_SEALBYTES


@dataclass(frozen=True)
class Envelope:
    """One signed, encrypted message as it travels."""

    id: str
    kind: str
    sender: str
    recipients: tuple[str, ...]
    created: datetime
    sent: datetime
    conversation_id: str
    in_reply_to: str | None
    seq: Mapping[str, int] | None
    nonce: bytes
    ciphertext: bytes
    keys: Mapping[str, bytes]
    key_id: str
    signature: str = field(default="", repr=False)

    def header_dict(self) -> dict[str, Any]:
        """The envelope as signed: everything but ``signature.value``."""
        return {
            "version": VERSION,
            "id": self.id,
            "kind": self.kind,
            "sender": self.sender,
            "recipients": list(self.recipients),
            "created": format_time(self.created),
            "sent": format_time(self.sent),
            "conversation_id": self.conversation_id,
            "in_reply_to": self.in_reply_to,
            "seq": dict(self.seq) if self.seq is not None else None,
            "payload": {
                "alg": "xsalsa20poly1305",
                "nonce": b64e(self.nonce),
                "ciphertext": b64e(self.ciphertext),
            },
            "keys": {node: b64e(sealed) for node, sealed in self.keys.items()},
            "signature": {"alg": "ed25519", "key": self.key_id},
        }

    def to_dict(self) -> dict[str, Any]:
        document = self.header_dict()
        document["signature"]["value"] = self.signature
        return document

    def to_json(self) -> bytes:
        return self._json

    def signed_bytes(self) -> bytes:
        return self._signed_bytes

    def digest(self) -> str:
        """SHA-256 of the content, independent of redelivery (``sent``, signature)."""
        return self._digest

    # The envelope is immutable, so each serialisation is computed once.
    @cached_property
    def _json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()

    @cached_property
    def _header(self) -> dict[str, Any]:
        """``header_dict()`` built once, for reading only (never handed out)."""
        return self.header_dict()

    @cached_property
    def _signed_bytes(self) -> bytes:
        return PREFIX_ENVELOPE + canonical(self._header)

    @cached_property
    def _digest(self) -> str:
        document = {k: v for k, v in self._header.items() if k not in ("sent", "signature")}
        return b64e(sha256(canonical(document)))

    def seq_for(self, node_id: str) -> int | None:
        return None if self.seq is None else self.seq.get(node_id)


@dataclass(frozen=True)
class Message:
    """An opened envelope: the envelope and its decrypted body."""

    envelope: Envelope
    body: dict[str, Any]

    @property
    def id(self) -> str:
        return self.envelope.id

    @property
    def kind(self) -> str:
        return self.envelope.kind

    @property
    def sender(self) -> str:
        return self.envelope.sender


# --- building ---------------------------------------------------------------


def seal(
    keys: NodeKeys,
    *,
    kind: str,
    body: Mapping[str, Any],
    recipients: Mapping[str, bytes],
    now: datetime,
    seq: Mapping[str, int] | None = None,
    conversation_id: str | None = None,
    in_reply_to: str | None = None,
    message_id: str | None = None,
) -> Envelope:
    """Encrypt ``body`` once for ``recipients`` (node id → X25519 key) and sign."""
    if kind not in KINDS:
        raise MalformedEnvelope(f"unknown kind {kind!r}")
    if not recipients or len(recipients) > MAX_RECIPIENTS:
        raise MalformedEnvelope(f"an envelope needs 1–{MAX_RECIPIENTS} recipients")
    if (kind in SEQUENCED_KINDS) != (seq is not None):
        raise MalformedEnvelope("sequence numbers go on every kind but receipts")
    if seq is not None and set(seq) != set(recipients):
        raise MalformedEnvelope("one sequence number per recipient")
    message_id = message_id or new_id()
    payload_key = nacl.utils.random(SecretBox.KEY_SIZE)
    plaintext = json.dumps(
        {"id": message_id, "kind": kind, "sender": keys.node_id, "body": body},
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    box = SecretBox(payload_key).encrypt(plaintext)
    sealed = {
        node: SealedBox(PublicKey(public)).encrypt(payload_key)
        for node, public in sorted(recipients.items())
    }
    envelope = Envelope(
        id=message_id,
        kind=kind,
        sender=keys.node_id,
        recipients=tuple(sorted(recipients)),
        created=now,
        sent=now,
        conversation_id=conversation_id or message_id,
        in_reply_to=in_reply_to,
        seq=dict(seq) if seq is not None else None,
        nonce=box.nonce,
        ciphertext=box.ciphertext,
        keys=sealed,
        key_id=_own_fingerprint(keys),
    )
    return sign(envelope, keys)


def sign(envelope: Envelope, keys: NodeKeys) -> Envelope:
    signature = keys.signing.sign(envelope.signed_bytes()).signature
    return replace(envelope, signature=b64e(signature))


def resign(envelope: Envelope, keys: NodeKeys, *, now: datetime) -> Envelope:
    """The same message with a fresh ``sent`` time, for redelivery after a delay."""
    return sign(replace(envelope, sent=now, key_id=_own_fingerprint(keys)), keys)


def _own_fingerprint(keys: NodeKeys) -> str:
    return keys.fingerprint


# --- parsing (steps 1–5) ----------------------------------------------------


def load_json(raw: bytes, *, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Steps 1–2: size limit, then JSON nested at most ``max_depth`` levels."""
    if len(raw) > max_bytes:
        raise EnvelopeTooLarge(f"body of {len(raw)} bytes exceeds the limit of {max_bytes}")
    return _json(raw, "body", max_depth)


def _json(raw: bytes, what: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedEnvelope(f"{what} is not JSON") from exc
    if too_deep(value, max_depth):
        raise MalformedEnvelope(f"{what} nests JSON deeper than {max_depth} levels")
    return value


def too_deep(value: Any, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Does ``value`` nest lists and dicts deeper than ``max_depth``? (iterative, no recursion)"""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_envelope(raw: bytes, *, max_bytes: int) -> Envelope:
    return envelope_from_dict(load_json(raw, max_bytes=max_bytes))


def envelope_from_dict(data: Any) -> Envelope:
    """Steps 2–5: an object, a supported version, a well-formed shape, a signature."""
    if not isinstance(data, dict):
        raise MalformedEnvelope("an envelope is a JSON object")
    version = data.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise UnsupportedVersion(
            f"version {str(version)[:20]!r} is not supported; "
            f"supported: {', '.join(SUPPORTED_VERSIONS)}"
        )
    missing = _FIELDS - set(data) - {"signature"}
    unknown = set(data) - _FIELDS
    if missing or unknown:
        detail = f"missing {sorted(missing)}" if missing else f"unknown {sorted(unknown)[:5]}"
        raise MalformedEnvelope(f"envelope fields are wrong: {detail}")
    kind = data["kind"]
    if kind not in KINDS:
        raise MalformedEnvelope("kind is not one of the protocol's kinds")
    recipients = _recipients(data["recipients"])
    seq = _seq(data["seq"], kind, recipients)
    payload = data["payload"]
    if not isinstance(payload, dict) or set(payload) != {"alg", "nonce", "ciphertext"}:
        raise MalformedEnvelope("payload must have alg, nonce and ciphertext")
    if payload["alg"] != "xsalsa20poly1305":
        raise MalformedEnvelope("unsupported payload algorithm")
    keys = data["keys"]
    if not isinstance(keys, dict) or set(keys) != set(recipients):
        raise MalformedEnvelope("keys must hold one sealed key per recipient")
    key_id, signature = _signature(data.get("signature"))
    return Envelope(
        id=_message_id(data["id"], "id"),
        kind=kind,
        sender=check_node_id(data["sender"], field="sender"),
        recipients=recipients,
        created=parse_time(data["created"], field="created"),
        sent=parse_time(data["sent"], field="sent"),
        conversation_id=_message_id(data["conversation_id"], "conversation_id"),
        in_reply_to=None
        if data["in_reply_to"] is None
        else _message_id(data["in_reply_to"], "in_reply_to"),
        seq=seq,
        nonce=b64d(payload["nonce"], field="payload.nonce", length=SecretBox.NONCE_SIZE),
        ciphertext=b64d(payload["ciphertext"], field="payload.ciphertext"),
        keys={
            node: b64d(sealed, field="keys", length=_SEALED_KEY_BYTES)
            for node, sealed in keys.items()
        },
        key_id=key_id,
        signature=signature,
    )


def _message_id(value: object, name: str) -> str:
    if not isinstance(value, str) or not MESSAGE_ID.match(value):
        raise MalformedEnvelope(f"{name} must be 32 lower-case hex digits")
    return value


def _recipients(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_RECIPIENTS:
        raise MalformedEnvelope(f"recipients must be a list of 1–{MAX_RECIPIENTS} node ids")
    nodes = tuple(check_node_id(node, field="recipients") for node in value)
    if len(set(nodes)) != len(nodes):
        raise MalformedEnvelope("recipients must be distinct")
    return nodes


def _seq(value: object, kind: str, recipients: Sequence[str]) -> dict[str, int] | None:
    if kind not in SEQUENCED_KINDS:
        if value is not None:
            raise MalformedEnvelope("receipts carry no sequence numbers")
        return None
    if not isinstance(value, dict) or set(value) != set(recipients):
        raise MalformedEnvelope("seq must hold one sequence number per recipient")
    for number in value.values():
        if type(number) is not int or not 1 <= number <= MAX_SEQ:
            raise MalformedEnvelope("sequence numbers are positive integers")
    return dict(value)


def _signature(value: object) -> tuple[str, str]:
    if value is None or (isinstance(value, dict) and not value.get("value")):
        raise UnsignedEnvelope("the envelope is not signed")
    if not isinstance(value, dict) or set(value) != {"alg", "key", "value"}:
        raise MalformedEnvelope("signature must have alg, key and value")
    if value["alg"] != "ed25519":
        raise MalformedEnvelope("unsupported signature algorithm")
    key_id, signature = value["key"], value["value"]
    if not isinstance(key_id, str) or not isinstance(signature, str) or len(key_id) > 100:
        raise MalformedEnvelope("signature key and value must be strings")
    return key_id, signature


# --- trust and verification (steps 6–10) ------------------------------------


@dataclass(frozen=True)
class Agreement:
    """What a partner agreement lets a peer send and receive."""

    kinds: frozenset[str] = frozenset(KINDS)
    max_tlp: Tlp = Tlp.AMBER

    def allows_kind(self, kind: str) -> bool:
        return kind in CHANNEL_KINDS or kind in self.kinds


@dataclass(frozen=True)
class TrustedPeer:
    """A peer as the receiver trusts it: its pinned card, revoked keys, agreement."""

    card: NodeCard
    agreement: Agreement = field(default_factory=Agreement)
    revoked: frozenset[str] = frozenset()

    @property
    def node_id(self) -> str:
        return self.card.node_id


PeerLookup = Callable[[str], "TrustedPeer | None"]


def verify(
    envelope: Envelope,
    *,
    peers: PeerLookup,
    me: str,
    now: datetime,
    window_seconds: float,
) -> TrustedPeer:
    """Steps 6–9: trusted sender and key, valid signature, addressed, fresh.

    After this the envelope is authenticated; :func:`authorise` is step 10.
    """
    peer = peers(envelope.sender)
    if peer is None:
        raise UnknownSender(f"{envelope.sender} is not a trusted peer of this node")
    # a revoked key is refused even when it is still the card on file (a peer
    # whose current key the operator revoked has not sent a new card yet)
    if any(fingerprints_equal(old, envelope.key_id) for old in peer.revoked):
        raise RevokedKey(f"the key that signed this envelope was revoked for {peer.node_id}")
    if not fingerprints_equal(peer.card.fingerprint, envelope.key_id):
        raise UnknownSender(f"the signing key is not the one trusted for {peer.node_id}")
    try:
        signature = b64d(envelope.signature, field="signature", length=64)
        peer.card.verify_key.verify(envelope.signed_bytes(), signature)
    except (MalformedEnvelope, nacl.exceptions.BadSignatureError, ValueError) as exc:
        raise BadSignature("the signature does not verify") from exc
    if me not in envelope.recipients:
        raise NotAddressed(f"the envelope is not addressed to {me}")
    if abs(now - envelope.sent) > timedelta(seconds=window_seconds):
        raise StaleEnvelope(
            f"sent {format_time(envelope.sent)} is outside the replay window "
            f"of {window_seconds:g} s"
        )
    return peer


def authorise(envelope: Envelope, peer: TrustedPeer) -> None:
    """Step 10: the partner agreement lets this peer send this kind."""
    if not peer.agreement.allows_kind(envelope.kind):
        raise KindNotAllowed(f"the agreement with {peer.node_id} does not allow {envelope.kind}")


def examine(
    raw: bytes,
    *,
    keys: NodeKeys,
    peers: PeerLookup,
    now: datetime,
    window_seconds: float,
    max_bytes: int,
    seen: Callable[[Envelope], bool],
) -> Message:
    """All twelve checks of docs/protocol.md §4 for one envelope, in order."""
    envelope = parse_envelope(raw, max_bytes=max_bytes)
    peer = verify(envelope, peers=peers, me=keys.node_id, now=now, window_seconds=window_seconds)
    authorise(envelope, peer)
    if seen(envelope):
        raise ReplayedEnvelope(f"message {envelope.id} was already received")
    return open_envelope(envelope, keys)


# --- opening (step 12) ------------------------------------------------------


def open_envelope(envelope: Envelope, keys: NodeKeys) -> Message:
    """Unseal the payload key, decrypt, and check the plaintext binds to the header."""
    sealed = envelope.keys.get(keys.node_id)
    if sealed is None:
        raise NotAddressed(f"the envelope is not addressed to {keys.node_id}")
    try:
        payload_key = SealedBox(keys.box).decrypt(sealed)
        plaintext = SecretBox(payload_key).decrypt(envelope.ciphertext, envelope.nonce)
    except (nacl.exceptions.CryptoError, ValueError) as exc:
        raise Undecryptable("the payload does not decrypt with this node's key") from exc
    inner = _json(plaintext, "the plaintext")
    if not isinstance(inner, dict) or set(inner) != {"id", "kind", "sender", "body"}:
        raise MalformedEnvelope("the plaintext must hold id, kind, sender and body")
    if (inner["id"], inner["kind"], inner["sender"]) != (
        envelope.id,
        envelope.kind,
        envelope.sender,
    ):
        raise MalformedEnvelope("the plaintext does not belong to this envelope")
    if not isinstance(inner["body"], dict):
        raise MalformedEnvelope("the body must be a JSON object")
    return Message(envelope, inner["body"])


__all__ = [
    "CHANNEL_KINDS",
    "FIELDS",
    "KINDS",
    "MAX_JSON_DEPTH",
    "SEQUENCED_KINDS",
    "Agreement",
    "Envelope",
    "Message",
    "PeerLookup",
    "TrustedPeer",
    "authorise",
    "envelope_from_dict",
    "examine",
    "load_json",
    "open_envelope",
    "parse_envelope",
    "resign",
    "seal",
    "sign",
    "too_deep",
    "verify",
]
