"""Errors of deconfliction, each with a stable code (docs/protocol.md §11.5).

::

    JointprobeError
    ├── Conflict
    │   ├── NothingToCompare      deconflict.empty             409
    │   ├── SessionState          deconflict.state             409
    │   └── CapExceeded           deconflict.cap_exceeded      409
    │       └── RateLimited       deconflict.rate_limited      429
    ├── StepFailed                deconflict.step_failed       500
    ├── Forbidden
    │   └── NotCaseOwner          deconflict.not_owner         403
    └── ProtocolViolation         deconflict.protocol          400
        ├── BadPoint              deconflict.bad_point
        ├── SessionReused         deconflict.session_reused
        ├── TooManyElements       deconflict.too_many_elements
        ├── BadGroups             deconflict.bad_groups
        ├── ReplayedRound         deconflict.replayed_round
        ├── UnsupportedSuite      deconflict.unsupported_suite
        └── Stalled               deconflict.timeout

A :class:`ProtocolViolation` by a peer is never raised to the inbox: the
session is closed with its code, nothing is revealed, and the peer is told
(``psi-close``).
"""

from __future__ import annotations

from jointprobe.errors import Conflict, Forbidden, JointprobeError


class NothingToCompare(Conflict):
    """The case holds no selectors of the kinds named: its state, not the request, is at fault."""

    code = "deconflict.empty"


class SessionState(Conflict):
    code = "deconflict.state"


class CapExceeded(Conflict):
    code = "deconflict.cap_exceeded"


class RateLimited(CapExceeded):
    code = "deconflict.rate_limited"
    status = 429


class NotCaseOwner(Forbidden):
    code = "deconflict.not_owner"


class StepFailed(JointprobeError):
    """A session's step could not be written (say the peer was revoked meanwhile): the
    session is closed with this code so the worker goes on with the others."""

    code = "deconflict.step_failed"
    status = 500


class ProtocolViolation(JointprobeError):
    code = "deconflict.protocol"


class BadPointError(ProtocolViolation):
    code = "deconflict.bad_point"


class SessionReused(ProtocolViolation):
    code = "deconflict.session_reused"


class TooManyElements(ProtocolViolation):
    code = "deconflict.too_many_elements"


class BadGroups(ProtocolViolation):
    """A peer's per-kind groups name a kind the session does not compare (review M1)."""

    code = "deconflict.bad_groups"


class ReplayedRound(ProtocolViolation):
    code = "deconflict.replayed_round"


class Stalled(ProtocolViolation):
    code = "deconflict.timeout"


class UnsupportedSuite(ProtocolViolation):
    """An offer in a construction this node does not run (an older peer's ristretto255/1)."""

    code = "deconflict.unsupported_suite"


__all__ = [
    "BadGroups",
    "BadPointError",
    "CapExceeded",
    "NotCaseOwner",
    "NothingToCompare",
    "ProtocolViolation",
    "RateLimited",
    "ReplayedRound",
    "SessionReused",
    "SessionState",
    "Stalled",
    "StepFailed",
    "TooManyElements",
    "UnsupportedSuite",
]
