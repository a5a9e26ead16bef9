"""The money page of a case: flows by counterparty and currency, as a table and a flow graph."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jointprobe.network.money import Flow, Money, Party
from jointprobe.network.service import money_of_case
from jointprobe.web.pages.deps import AuditedDbDep, PageUser
from jointprobe.web.pages.render import page

router = APIRouter()


def _node(party: Party) -> dict[str, Any]:
    held = f" (held by {', '.join(party.holders)})" if party.holders else ""
    return {"data": {"id": party.id, "label": party.caption + held, "schema": party.schema or "",
                     "fictional": party.fictional}}  # fmt: skip


def _edge(i: int, flow: Flow, widest: dict[str, Decimal]) -> dict[str, Any]:
    top = widest[flow.currency] or Decimal(1)
    amount = "amount unknown" if flow.without_amount == len(flow.payments) else f"{flow.total:,}"
    return {"data": {
        "id": f"f{i}", "source": flow.payer.id, "target": flow.beneficiary.id,
        "label": f"{flow.currency} {amount} ({len(flow.payments)})",
        "kind": flow.kind, "width": round(1.5 + 8.5 * float(flow.total / top), 1),
    }}  # fmt: skip


def flow_elements(money: Money) -> dict[str, Any]:
    """Cytoscape elements: parties, and one arrow per flow whose width is its share of the
    largest flow in the same currency (widths never compare currencies)."""
    parties = {f.payer.id: f.payer for f in money.flows} | {
        f.beneficiary.id: f.beneficiary for f in money.flows
    }
    widest: dict[str, Decimal] = {}
    for flow in money.flows:
        widest[flow.currency] = max(widest.get(flow.currency, Decimal(0)), flow.total)
    return {
        "nodes": [_node(p) for p in parties.values()],
        "edges": [_edge(i, f, widest) for i, f in enumerate(money.flows)],
    }


@router.get("/cases/{case_id}/money")
def money_page(case_id: str, request: Request, db: AuditedDbDep, user: PageUser) -> Response:
    money = money_of_case(db, user, case_id)  # need-to-know, and the one audit record
    context = {"title": "Money flows", "case_id": case_id, "money": money,
               "elements": flow_elements(money)}  # fmt: skip
    return page(request, "money.html", context)
