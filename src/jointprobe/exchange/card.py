"""Public node cards, their fingerprints, and signed card updates for key rotation."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import nacl.exceptions
from nacl.signing import VerifyKey

from jointprobe.exchange.errors import CardError, FingerprintMismatch, MalformedEnvelope
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.wire import (
    PREFIX_CARD,
    PREFIX_CARD_UPDATE,
    VERSION,
    b64d,
    b64e,
    canonical,
    check_node_id,
    fingerprint_of,
    format_time,
    parse_time,
    utcnow,
)

_CARD_FIELDS = {"version", "type", "node_id", "name", "country", "endpoint", "keys", "issued"}


def normalise_fingerprint(text: str) -> str:
    """Fingerprint as 40 upper-case hex digits, ignoring case, spaces, ``-`` and ``:``."""
    return re.sub(r"[\s:-]", "", text).upper()


def fingerprints_equal(a: str, b: str) -> bool:
    """Compare two fingerprints in constant time.

    ``surrogatepass``: a peer's JSON may name a key with a lone surrogate
    (``"\\ud800"``); such a text is simply unequal, never an encoding error.
    """
    return hmac.compare_digest(_bytes(normalise_fingerprint(a)), _bytes(normalise_fingerprint(b)))


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class NodeCard:
    """What a node tells its peers about itself; trusted only by fingerprint."""

    node_id: str
    name: str
    country: str
    endpoint: str
    sign_public: bytes
    box_public: bytes
    issued: datetime
    signature: bytes = field(default=b"", repr=False)

    @cached_property
    def fingerprint(self) -> str:
        return fingerprint_of(self.node_id, self.sign_public, self.box_public)

    @cached_property
    def verify_key(self) -> VerifyKey:
        return VerifyKey(self.sign_public)

    def unsigned_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "type": "card",
            "node_id": self.node_id,
            "name": self.name,
            "country": self.country,
            "endpoint": self.endpoint,
            "keys": {"sign": b64e(self.sign_public), "box": b64e(self.box_public)},
            "issued": format_time(self.issued),
        }

    def to_dict(self) -> dict[str, Any]:
        document = self.unsigned_dict()
        document["signature"] = {"alg": "ed25519", "value": b64e(self.signature)}
        return document

    @classmethod
    def create(
        cls,
        keys: NodeKeys,
        *,
        name: str,
        country: str,
        endpoint: str,
        issued: datetime | None = None,
    ) -> NodeCard:
        """A card for ``keys``, self-signed."""
        card = cls(
            keys.node_id,
            name,
            country.upper(),
            endpoint.rstrip("/"),
            keys.sign_public,
            keys.box_public,
            issued or utcnow(),
        )
        signed = keys.signing.sign(PREFIX_CARD + canonical(card.unsigned_dict() | _sig_header()))
        return cls(**{**card.__dict__, "signature": signed.signature})

    @classmethod
    def from_dict(cls, data: Any) -> NodeCard:
        """Parse and check a card, including its self-signature."""
        try:
            if not isinstance(data, dict) or data.get("type") != "card":
                raise CardError("not a node card")
            if data.get("version") != VERSION:
                raise CardError("unsupported card version")
            if set(data) != _CARD_FIELDS | {"signature"}:
                raise CardError("card fields are wrong")
            keys, sig = data["keys"], data["signature"]
            card = cls(
                check_node_id(data["node_id"], field="node_id"),
                _text(data["name"], "name"),
                _text(data["country"], "country"),
                _text(data["endpoint"], "endpoint"),
                b64d(keys["sign"], field="keys.sign", length=32),
                b64d(keys["box"], field="keys.box", length=32),
                parse_time(data["issued"], field="issued"),
                b64d(sig["value"], field="signature", length=64),
            )
            if sig.get("alg") != "ed25519":
                raise CardError("unsupported card signature algorithm")
        except (KeyError, TypeError, MalformedEnvelope) as exc:
            raise CardError(f"card is malformed: {exc}") from exc
        card.check_signature()
        return card

    def check_signature(self) -> None:
        message = PREFIX_CARD + canonical(self.unsigned_dict() | _sig_header())
        try:
            self.verify_key.verify(message, self.signature)
        except (nacl.exceptions.BadSignatureError, ValueError) as exc:
            raise CardError("card self-signature does not verify") from exc

    def require_fingerprint(self, expected: str) -> None:
        """Refuse the card unless the operator-given fingerprint matches."""
        if not fingerprints_equal(self.fingerprint, expected):
            raise FingerprintMismatch(
                f"the card of {self.node_id} does not have the fingerprint given"
            )


@dataclass(frozen=True)
class CardUpdate:
    """A new card, signed by the old key: how a node rotates its keys."""

    previous: str
    card: NodeCard
    signature: bytes = field(default=b"", repr=False)

    def unsigned_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "type": "card-update",
            "previous": self.previous,
            "card": self.card.to_dict(),
            "signature": {"alg": "ed25519", "key": self.previous},
        }

    def to_dict(self) -> dict[str, Any]:
        document = self.unsigned_dict()
        document["signature"]["value"] = b64e(self.signature)
        return document

    @classmethod
    def create(cls, old_keys: NodeKeys, new_card: NodeCard) -> CardUpdate:
        if new_card.node_id != old_keys.node_id:
            raise CardError("a card update cannot change the node id")
        previous = fingerprint_of(old_keys.node_id, old_keys.sign_public, old_keys.box_public)
        update = cls(previous, new_card)
        signed = old_keys.signing.sign(PREFIX_CARD_UPDATE + canonical(update.unsigned_dict()))
        return cls(previous, new_card, signed.signature)

    @classmethod
    def from_dict(cls, data: Any) -> CardUpdate:
        try:
            if not isinstance(data, dict) or data.get("type") != "card-update":
                raise CardError("not a card update")
            if data.get("version") != VERSION:
                raise CardError("unsupported card update version")
            if set(data) != {"version", "type", "previous", "card", "signature"}:
                raise CardError("card update fields are wrong")
            sig = data["signature"]
            if sig.get("alg") != "ed25519" or sig.get("key") != data["previous"]:
                raise CardError("card update signature header is wrong")
            return cls(
                _text(data["previous"], "previous"),
                NodeCard.from_dict(data["card"]),
                b64d(sig["value"], field="signature", length=64),
            )
        except (KeyError, TypeError, AttributeError, MalformedEnvelope) as exc:
            raise CardError(f"card update is malformed: {exc}") from exc

    def verify(self, old: NodeCard) -> NodeCard:
        """Check the update against the currently trusted card; return the new card."""
        if old.node_id != self.card.node_id:
            raise CardError("a card update cannot change the node id")
        if not fingerprints_equal(old.fingerprint, self.previous):
            raise CardError("card update does not follow the trusted card")
        message = PREFIX_CARD_UPDATE + canonical(self.unsigned_dict())
        try:
            old.verify_key.verify(message, self.signature)
        except (nacl.exceptions.BadSignatureError, ValueError) as exc:
            raise CardError("card update is not signed by the trusted key") from exc
        return self.card


def _sig_header() -> dict[str, Any]:
    return {"signature": {"alg": "ed25519"}}


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 500:
        raise CardError(f"{name} must be a non-empty string")
    return value


__all__ = [
    "CardUpdate",
    "NodeCard",
    "fingerprint_of",
    "fingerprints_equal",
    "normalise_fingerprint",
]
