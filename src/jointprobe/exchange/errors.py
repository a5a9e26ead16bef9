"""Errors of the federated exchange, each with a stable code and HTTP status.

::

    JointprobeError
    └── ExchangeError                     exchange.error               400
        ├── EnvelopeError                 envelope.error               400
        │   ├── MalformedEnvelope         envelope.malformed           400
        │   ├── UnsupportedVersion        envelope.unsupported_version 400
        │   ├── UnsignedEnvelope          envelope.unsigned            401
        │   ├── UnknownSender             envelope.unknown_sender      401
        │   ├── RevokedKey                envelope.revoked_key         401
        │   ├── BadSignature              envelope.bad_signature       401
        │   ├── NotAddressed              envelope.not_addressed       400
        │   ├── StaleEnvelope             envelope.stale               400
        │   ├── ReplayedEnvelope          envelope.replayed            409
        │   │   └── SequenceTaken         envelope.seq_taken           409
        │   ├── Undecryptable             envelope.undecryptable       400
        │   └── EnvelopeTooLarge          envelope.too_large           413
        ├── KindNotAllowed                agreement.kind_not_allowed   403
        ├── UnknownKind                   exchange.unknown_kind        400
        ├── MessageTooLarge               exchange.message_too_large   413
        ├── OutboxStateError              exchange.outbox_state        409
        ├── MarkingForbidden              marking.forbidden            403
        ├── CardError                     card.invalid                 400
        │   └── FingerprintMismatch       card.fingerprint_mismatch    400
        ├── KeyFileError                  keys.invalid                 400
        │   ├── InsecureKeyFile           keys.insecure_file           400
        │   ├── PassphraseRequired        keys.passphrase_required     401
        │   └── BadPassphrase             keys.bad_passphrase          401
        └── DeliveryError                 exchange.delivery_failed     502

Messages name what failed, never key material, plaintext or ciphertext.
"""

from __future__ import annotations

from jointprobe.errors import JointprobeError


class ExchangeError(JointprobeError):
    code = "exchange.error"
    status = 400
    exit_code = 10


class EnvelopeError(ExchangeError):
    code = "envelope.error"


class MalformedEnvelope(EnvelopeError):
    code = "envelope.malformed"


class UnsupportedVersion(EnvelopeError):
    code = "envelope.unsupported_version"


class UnsignedEnvelope(EnvelopeError):
    code = "envelope.unsigned"
    status = 401


class UnknownSender(EnvelopeError):
    code = "envelope.unknown_sender"
    status = 401


class RevokedKey(EnvelopeError):
    code = "envelope.revoked_key"
    status = 401


class BadSignature(EnvelopeError):
    code = "envelope.bad_signature"
    status = 401


class NotAddressed(EnvelopeError):
    code = "envelope.not_addressed"


class StaleEnvelope(EnvelopeError):
    code = "envelope.stale"


class ReplayedEnvelope(EnvelopeError):
    code = "envelope.replayed"
    status = 409


class SequenceTaken(ReplayedEnvelope):
    """Another message of the sender already holds this sequence number."""

    code = "envelope.seq_taken"


class Undecryptable(EnvelopeError):
    code = "envelope.undecryptable"


class EnvelopeTooLarge(EnvelopeError):
    code = "envelope.too_large"
    status = 413


class KindNotAllowed(ExchangeError):
    code = "agreement.kind_not_allowed"
    status = 403


class UnknownKind(ExchangeError):
    """A message kind this node has no handler for: refused, never skipped."""

    code = "exchange.unknown_kind"


class MessageTooLarge(ExchangeError):
    """A message too large to be sent as one envelope (refused before it is queued)."""

    code = "exchange.message_too_large"
    status = 413


class OutboxStateError(ExchangeError):
    """An operator action that does not fit the message's state (retry a delivered one)."""

    code = "exchange.outbox_state"
    status = 409


class MarkingForbidden(ExchangeError):
    code = "marking.forbidden"
    status = 403


class CardError(ExchangeError):
    code = "card.invalid"


class FingerprintMismatch(CardError):
    code = "card.fingerprint_mismatch"


class KeyFileError(ExchangeError):
    code = "keys.invalid"


class InsecureKeyFile(KeyFileError):
    code = "keys.insecure_file"


class PassphraseRequired(KeyFileError):
    code = "keys.passphrase_required"
    status = 401


class BadPassphrase(KeyFileError):
    code = "keys.bad_passphrase"
    status = 401


class DeliveryError(ExchangeError):
    code = "exchange.delivery_failed"
    status = 502


#: Errors after which a receiver records an authenticated message as rejected (its
#: sequence slot settled). An undecryptable one is not recorded: it may open later.
AUTHENTICATED_REJECTIONS: tuple[type[ExchangeError], ...] = (
    KindNotAllowed,
    MarkingForbidden,
    MalformedEnvelope,
)

__all__ = [
    "AUTHENTICATED_REJECTIONS",
    "BadPassphrase",
    "BadSignature",
    "CardError",
    "DeliveryError",
    "EnvelopeError",
    "EnvelopeTooLarge",
    "ExchangeError",
    "FingerprintMismatch",
    "InsecureKeyFile",
    "KeyFileError",
    "KindNotAllowed",
    "MalformedEnvelope",
    "MarkingForbidden",
    "MessageTooLarge",
    "OutboxStateError",
    "SequenceTaken",
    "UnknownKind",
    "NotAddressed",
    "PassphraseRequired",
    "ReplayedEnvelope",
    "RevokedKey",
    "StaleEnvelope",
    "UnknownSender",
    "Undecryptable",
    "UnsignedEnvelope",
    "UnsupportedVersion",
]
