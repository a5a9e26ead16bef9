"""Cases, members (need-to-know) and case events (C1)."""

from jointprobe.cases.events import EVENT_KINDS, OUTCOMES, EventIn, add_event, list_events
from jointprobe.cases.service import (
    CaseIdUnavailable,
    CaseIn,
    add_member,
    can_see_case,
    can_see_case_id,
    create_case,
    get_case,
    list_cases,
    remove_member,
    visible_case,
    visible_case_ids,
)

__all__ = [
    "EVENT_KINDS",
    "OUTCOMES",
    "CaseIdUnavailable",
    "CaseIn",
    "EventIn",
    "add_event",
    "add_member",
    "can_see_case",
    "can_see_case_id",
    "create_case",
    "get_case",
    "list_cases",
    "list_events",
    "remove_member",
    "visible_case",
    "visible_case_ids",
]
