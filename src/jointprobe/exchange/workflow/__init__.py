"""The referral workflow: send, acknowledge, report status and outcomes, ask and answer.

Service functions serve the CLI, the API and the web pages alike. The modules
split the work by role:

- ``forms``: what a user writes (:class:`ReferralIn`)
- ``release``: the marking of what this node sends and the release check
- ``sending``: starting a conversation (referral, RFI, notice)
- ``replies``: answering one (acknowledge, status, outcome, RFI answer)
- ``queries``: finding referrals and need-to-know (:func:`can_see_referral`)
- ``about``: RFIs about a referral, notices from a case, and what was
  exchanged about a referral (outcomes, RFIs and answers, with markings)
- ``applying``: applying what arrives, one function per kind, handed to the
  inbox by the app factory (:func:`inbox_handlers`); ``outcomes`` and
  ``records`` help them
"""

from __future__ import annotations

from jointprobe.exchange.workflow.about import (
    AboutReferral,
    Exchanged,
    Notice,
    RfiThread,
    answers,
    ask_about,
    exchanged,
    notice_from_case,
    subject_of,
    visible_notices,
)
from jointprobe.exchange.workflow.applying import ReferralHook, inbox_handlers
from jointprobe.exchange.workflow.forms import ReferralIn, SelectorIn
from jointprobe.exchange.workflow.queries import (
    CLOSED_STATES,
    can_see_referral,
    fold_timeline,
    get_referral,
    is_overdue,
    list_referrals,
    overdue_filter,
    read_referral,
    timeline,
    timelines,
    visible_referral,
    visible_referrals,
)
from jointprobe.exchange.workflow.records import SYSTEM_USER, system_user
from jointprobe.exchange.workflow.replies import acknowledge, answer_rfi, send_outcome, send_status
from jointprobe.exchange.workflow.sending import (
    case_marking,
    send_notice,
    send_referral,
    send_referral_parts,
    send_rfi,
)

__all__ = [
    "case_marking",
    "CLOSED_STATES",
    "AboutReferral",
    "Exchanged",
    "Notice",
    "RfiThread",
    "ReferralHook",
    "SYSTEM_USER",
    "ReferralIn",
    "SelectorIn",
    "acknowledge",
    "answer_rfi",
    "answers",
    "ask_about",
    "can_see_referral",
    "fold_timeline",
    "exchanged",
    "get_referral",
    "inbox_handlers",
    "is_overdue",
    "list_referrals",
    "notice_from_case",
    "overdue_filter",
    "read_referral",
    "send_notice",
    "send_outcome",
    "send_referral",
    "send_referral_parts",
    "send_rfi",
    "send_status",
    "subject_of",
    "system_user",
    "timeline",
    "timelines",
    "visible_referral",
    "visible_notices",
    "visible_referrals",
]
