"""The inbox's request body as JSON Schema, for the OpenAPI document (docs/protocol.md §2, §8).

Built from the parser's own constants so that the two cannot drift apart in
what they name. The parser (:func:`~jointprobe.exchange.envelope.envelope_from_dict`)
still decides: JSON Schema cannot say that ``keys`` and ``seq`` name exactly the
``recipients``, that the recipients are distinct, or that a signature verifies.
"""

from __future__ import annotations

from typing import Any

from jointprobe.exchange.envelope import FIELDS, KINDS, MAX_RECIPIENTS, MAX_SEQ
from jointprobe.exchange.inbox import MAX_BATCH
from jointprobe.exchange.wire import VERSION

_NODE_ID = r"^[a-z0-9][a-z0-9._-]{2,63}$"
_MESSAGE_ID = r"^[0-9a-f]{32}$"
_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"
_B64 = r"^[A-Za-z0-9_-]*$"


def _text(pattern: str, description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern, "description": description}


def envelope_schema() -> dict[str, Any]:
    """One envelope (docs/protocol.md §2): every field required, no others."""
    node_id = _text(_NODE_ID, "a node id")
    message_id = _text(_MESSAGE_ID, "128 random bits as 32 lower-case hex digits")
    time = _text(_TIME, "RFC 3339 UTC with a Z")
    return {
        "title": "Envelope",
        "type": "object",
        "additionalProperties": False,
        "required": list(FIELDS),
        "properties": {
            "version": {"type": "string", "enum": [VERSION]},
            "id": message_id,
            "kind": {"type": "string", "enum": list(KINDS)},
            "sender": node_id,
            "recipients": {
                "type": "array",
                "items": node_id,
                "minItems": 1,
                "maxItems": MAX_RECIPIENTS,
                "uniqueItems": True,
            },  # fmt: skip
            "created": time,
            "sent": time,
            "conversation_id": message_id,
            "in_reply_to": {"anyOf": [message_id, {"type": "null"}]},
            "seq": {
                "description": "per recipient its sequence number; null on receipts",
                "anyOf": [
                    {
                        "type": "object",
                        "propertyNames": node_id,
                        "additionalProperties": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_SEQ,
                        },  # fmt: skip
                    },
                    {"type": "null"},
                ],
            },
            "payload": {
                "type": "object",
                "additionalProperties": False,
                "required": ["alg", "nonce", "ciphertext"],
                "properties": {
                    "alg": {"type": "string", "enum": ["xsalsa20poly1305"]},
                    "nonce": _text(r"^[A-Za-z0-9_-]{32}$", "base64url, 24 bytes"),
                    "ciphertext": _text(_B64, "base64url"),
                },
            },
            "keys": {
                "description": "per recipient the payload key, sealed to its X25519 key",
                "type": "object",
                "propertyNames": node_id,
                "additionalProperties": _text(r"^[A-Za-z0-9_-]{107}$", "base64url, 80 bytes"),
            },
            "signature": {
                "type": "object",
                "additionalProperties": False,
                "required": ["alg", "key", "value"],
                "properties": {
                    "alg": {"type": "string", "enum": ["ed25519"]},
                    "key": {"type": "string", "maxLength": 100},
                    "value": {"type": "string", "minLength": 1},
                },
            },
        },
    }


def inbox_body_schema() -> dict[str, Any]:
    """What the inbox takes: one envelope, or a batch of them from one sender.

    A batch is answered item by item (200), an item that is no envelope with its
    own ``invalid`` result: so its items are any JSON, envelopes meant.
    """
    envelope = envelope_schema()
    batch = {
        "type": "array",
        "description": "Envelopes from one sender, in sequence order; each gets its own result",
        "items": {"anyOf": [envelope, {}]},
        "minItems": 1,
        "maxItems": MAX_BATCH,
    }
    return {"oneOf": [envelope, batch]}
