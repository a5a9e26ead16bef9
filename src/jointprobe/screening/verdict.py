"""Screen one order: its parties against the lists, its substance, the red flags;
then one verdict (clear / review / hold_and_report) with every reason listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from jointprobe.errors import InvalidInput
from jointprobe.screening.flag_checks import CHECKS
from jointprobe.screening.flag_rules import Context, PastOrder, Policy, RuleSet, build_rules
from jointprobe.screening.matching import ListMatch, screen_name, screen_selector
from jointprobe.screening.orders import Order
from jointprobe.screening.substance import SubstanceStatus, substance_status

VERDICTS = ("clear", "review", "hold_and_report")
_SCHEMA = {"bank": "Company"}


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a verdict and the data that raised it."""

    kind: str  # list | substance | red_flag
    code: str
    text: str
    source: str
    points: int
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "text": self.text,
            "source": self.source,
            "points": self.points,
            "data": self.data,
        }


@dataclass(frozen=True, slots=True)
class Screening:
    order: Order
    verdict: str
    points: int
    reasons: tuple[Reason, ...]
    substance: SubstanceStatus
    id: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        s = self.substance
        return {
            "id": self.id,
            "line": self.line,
            "order_id": self.order.data.order_id,
            "customer_id": self.order.data.customer_id,
            "order_date": self.order.data.order_date.isoformat(),
            "buyer": self.order.buyer.name,
            "verdict": self.verdict,
            "points": self.points,
            "substance": {
                "given": s.given,
                "name": s.name,
                "cas": s.cas,
                "smiles": s.smiles,
                "controlled": [c.text() for c in s.controls],
                "precursor": s.precursor,
                "drug": s.drug,
            },
            "reasons": [r.to_dict() for r in self.reasons],
        }


@lru_cache(maxsize=8)
def rule_set(extra: Path | None = None) -> RuleSet:
    """The built-in red-flag rules plus the node's own file (setting ``screening_rules``)."""
    return build_rules(frozenset(CHECKS), extra)


def _list_reason(role: str, what: str, m: ListMatch, policy: Policy) -> Reason | None:
    if m.match:
        points, code = policy.list_match, "LIST.MATCH"
    elif m.score >= policy.near_score:
        points, code = policy.list_near, "LIST.NEAR"
    else:
        return None
    verb = "matches" if m.match else "is close to"
    label = f"{m.caption} ({m.schema}{', fictional' if m.fictional else ''})"
    return Reason(
        "list",
        code,
        f"{role} {what} {verb} {m.list_name} entry {label}",
        m.list_name,
        points,
        {
            "party": role,
            "query": what,
            "entry_id": m.entry_id,
            "score": round(m.score, 3),
            "reasons": list(m.reasons),
        },
    )


def _selectors(order: Order) -> list[tuple[str, str, str]]:
    data = order.data
    site = data.website
    site_kind = "url" if site and ("/" in site.split("://", 1)[-1] or "://" in site) else "domain"
    return [
        (label, kind, value)
        for label, kind, value in (
            ("phone", "phone", data.phone),
            ("e-mail", "email", data.email),
            ("website", site_kind, site),
            ("payment wallet", "wallet", data.payment_wallet),
        )
        if value
    ]


def _unreadable(label: str, value: str, exc: InvalidInput) -> Reason:
    text = f"{label} {value!r} could not be screened: {exc.message}"
    return Reason("list", "LIST.UNREADABLE", text, "", 0, {"field": label})


def list_reasons(session: Session, order: Order, policy: Policy) -> list[Reason]:
    """Every party name and selector on the order screened against the lists.

    A value the matcher refuses (a selector that does not normalise, a name it
    cannot read) is a reason of its own with no points: the rest still count.
    """
    out: list[Reason] = []
    for party in order.parties:
        role = party.role.replace("_", " ")
        try:
            found = screen_name(
                session, party.name, schema=_SCHEMA.get(party.role), country=party.country
            )
        except InvalidInput as exc:
            out.append(_unreadable(f"{role} name", party.name, exc))
            continue
        out += [r for m in found if (r := _list_reason(role, party.name, m, policy))]
    for label, kind, value in _selectors(order):
        try:
            found = screen_selector(session, kind, value)
        except InvalidInput as exc:
            out.append(_unreadable(label, value, exc))
            continue
        out += [r for m in found if (r := _list_reason("order", f"{label} {value}", m, policy))]
    return out


def substance_reasons(status: SubstanceStatus, policy: Policy) -> list[Reason]:
    if not status.identified:
        text = f"substance not identified: {status.problem} ({status.where})"
        return [
            Reason(
                "substance",
                "SUBSTANCE.UNKNOWN",
                text,
                "",
                policy.unknown_substance,
                {"field": status.where, "given": status.given},
            )
        ]
    out = []
    name = status.name or status.smiles or status.given
    for control in status.controls:
        points = (
            policy.controlled_precursor if control.kind == "precursor" else policy.controlled_drug
        )
        code = "SUBSTANCE.PRECURSOR" if control.kind == "precursor" else "SUBSTANCE.DRUG"
        out.append(
            Reason(
                "substance",
                code,
                f"{name}: {control.text()}",
                control.citation,
                points,
                {
                    "jurisdiction": control.jurisdiction,
                    "list": control.rule,
                    "schedule": control.schedule,
                    "effective": control.effective.isoformat(),
                },
            )
        )
    # the strongest listing counts once: the others are there to be read
    out.sort(key=lambda r: -r.points)
    out[1:] = [Reason(r.kind, r.code, r.text, r.source, 0, r.data) for r in out[1:]]
    out += [
        Reason("substance", "SUBSTANCE.PENDING", f"{name}: {note}", "", 0, {})
        for note in status.pending
    ]
    return out


def flag_reasons(ctx: Context, rules: RuleSet) -> list[Reason]:
    out = []
    for rule in rules.rules:
        evidence = CHECKS[rule.check](ctx, rule.params)
        if evidence is not None:
            out.append(
                Reason(
                    "red_flag", rule.id, rule.text, rules.source_text(rule), rule.points, evidence
                )
            )
    return out


def decide(points: int, policy: Policy) -> str:
    if points >= policy.hold_at:
        return "hold_and_report"
    return "review" if points >= policy.review_at else "clear"


def screen_order(
    session: Session,
    order: Order,
    history: tuple[PastOrder, ...] = (),
    *,
    rules: RuleSet | None = None,
    line: int | None = None,
) -> Screening:
    """Screen ``order``; ``history`` is the customer's earlier orders (see ``service``)."""
    rules = rules or rule_set()
    status = substance_status(order.data.substance, order.data.order_date)
    reasons = list_reasons(session, order, rules.policy) + substance_reasons(status, rules.policy)
    reasons += flag_reasons(Context(order, status, history), rules)
    points = sum(r.points for r in reasons)
    ordered = sorted(reasons, key=lambda r: -r.points)
    return Screening(order, decide(points, rules.policy), points, tuple(ordered), status, line=line)
