"""Need-to-know for the precursor register, decided here for every adapter.

The register (pre-export notifications, suspicious order reports, incidents)
belongs to no case: it is the node's channel with other countries' precursor
authorities. Regulators, liaison officers and supervisors see it; only
regulators and supervisors decide (send a notification, answer one), since a
notification and its answer are acts of the competent authority.
"""

from __future__ import annotations

from jointprobe.errors import Forbidden
from jointprobe.store.tables import User

#: who sees the register and may send reports and incidents
REGISTER_ROLES = ("regulator", "liaison", "supervisor")
#: who sends pre-export notifications and answers them
DECIDE_ROLES = ("regulator", "supervisor")


def can_see_register(user: User) -> bool:
    return user.role in REGISTER_ROLES


def require_register(user: User) -> None:
    """Forbidden unless ``user`` sees the precursor register."""
    if not can_see_register(user):
        raise Forbidden(
            f"role {user.role} does not see the precursor register ({', '.join(REGISTER_ROLES)} do)"
        )


def require_decider(user: User) -> None:
    """Forbidden unless ``user`` may send or answer a pre-export notification."""
    if user.role not in DECIDE_ROLES:
        raise Forbidden(
            f"role {user.role} may not send or answer pre-export notifications "
            f"({', '.join(DECIDE_ROLES)} may)"
        )


__all__ = [
    "DECIDE_ROLES",
    "REGISTER_ROLES",
    "can_see_register",
    "require_decider",
    "require_register",
]
