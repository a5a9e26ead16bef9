"""Low-level wire helpers: canonical JSON, base64url, times, ids, signing prefixes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
from datetime import UTC, datetime
from typing import Any

import rfc8785

from jointprobe.exchange.errors import MalformedEnvelope
from jointprobe.node import NODE_ID
from jointprobe.timeutil import as_utc, iso

VERSION = "jp/1"
SUPPORTED_VERSIONS = (VERSION,)

#: Domain-separation prefixes: what a signature is for is part of what is signed.
PREFIX_ENVELOPE = b"jointprobe/jp1/envelope\x00"
PREFIX_CARD = b"jointprobe/jp1/card\x00"
PREFIX_CARD_UPDATE = b"jointprobe/jp1/card-update\x00"
PREFIX_FINGERPRINT = b"jointprobe/jp1/fingerprint\x00"

#: ``\Z``, not ``$``: ``$`` also matches before a final newline (``"…\n"`` would pass).
MESSAGE_ID = re.compile(r"^[0-9a-f]{32}\Z")

#: Largest envelope a node queues (docs/protocol.md §3): a batch of one such
#: envelope fits in a peer's request limit (``max_body_bytes``, at least 5 MB).
MAX_ENVELOPE_BYTES = 4_000_000


_MAX_SAFE_INTEGER = 2**53 - 1


def _plain(value: Any) -> bool:
    """Only ASCII strings, safe integers, booleans, null, lists and string-keyed objects?

    For such values RFC 8785 and ``json.dumps(sort_keys=True)`` write the same
    bytes: ASCII keys sort the same by UTF-16 code unit as by code point, both
    escape exactly ``"``, ``\\`` and the control characters (short forms for
    ``\\b \\t \\n \\f \\r``, else ``\\u00xx`` in lower case), and integers
    within ±(2**53 - 1) are written as plain digits. Anything else (floats,
    non-ASCII text, big integers, other types) takes the reference encoder.
    (``ensure_ascii=False`` matters: otherwise DEL, 0x7f, would be escaped.)
    """
    stack, budget = [value], 1_000_000
    while stack:
        budget -= 1
        if budget < 0:
            return False
        item = stack.pop()
        kind = type(item)
        if kind is str:
            if not item.isascii():
                return False
        elif kind is dict:
            for key, inner in item.items():
                if type(key) is not str or not key.isascii():
                    return False
                stack.append(inner)
        elif kind is list:
            stack.extend(item)
        elif kind is int:
            if not -_MAX_SAFE_INTEGER <= item <= _MAX_SAFE_INTEGER:
                return False
        elif item is not None and kind is not bool:
            return False
    return True


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes of ``value``."""
    if _plain(value):
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode()
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise MalformedEnvelope(f"value cannot be canonicalised: {type(exc).__name__}") from exc


def b64e(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: object, *, field: str, length: int | None = None) -> bytes:
    """Decode base64url without padding; ``field`` names it in the error."""
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise MalformedEnvelope(f"{field} is not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedEnvelope(f"{field} is not base64url") from exc
    if length is not None and len(data) != length:
        raise MalformedEnvelope(f"{field} must be {length} bytes")
    return data


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def new_id() -> str:
    """A fresh message id: 128 random bits, 32 hex digits."""
    return secrets.token_hex(16)


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds and ``Z``, as the protocol writes every time."""
    return iso(moment, timespec="milliseconds")


_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z\Z", re.ASCII)


def parse_time(text: object, *, field: str) -> datetime:
    """Parse an RFC 3339 UTC time written with ``Z``."""
    if not isinstance(text, str) or not _TIME.match(text):
        raise MalformedEnvelope(f"{field} is not an RFC 3339 UTC time")
    try:
        return as_utc(datetime.fromisoformat(text[:-1]))
    except ValueError as exc:
        raise MalformedEnvelope(f"{field} is not a valid time") from exc


def check_node_id(value: object, *, field: str) -> str:
    if not isinstance(value, str) or not NODE_ID.match(value):
        raise MalformedEnvelope(f"{field} is not a valid node id")
    return value


FINGERPRINT_BYTES = 20


def fingerprint_of(node_id: str, sign_public: bytes, box_public: bytes) -> str:
    """The fingerprint naming a node's keys, e.g. ``3F2A-91BC-…`` (10 groups of 4)."""
    keys = {"sign": b64e(sign_public), "box": b64e(box_public)}
    material = canonical({"node_id": node_id, "keys": keys})
    digest = sha256(PREFIX_FINGERPRINT + material)[:FINGERPRINT_BYTES].hex().upper()
    return "-".join(digest[i : i + 4] for i in range(0, len(digest), 4))
