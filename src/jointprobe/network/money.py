"""How money moves in a case: FtM Payments summed by counterparty and currency.

FollowTheMoney records a payment as a ``Payment`` (an edge schema from ``payer``
to ``beneficiary``, with ``amount``, ``currency`` and ``date``). A crypto-wallet
transfer is a Payment whose payer or beneficiary is a ``CryptoWallet``; the
wallet's ``holder`` names who holds it. (FtM declares the payer and beneficiary
range as LegalEntity but does not enforce ranges; the store, like FtM, keeps the
id as given.)

A flow carries the strictest TLP of the payments it sums.

Amounts are summed per (payer, beneficiary, currency), never across
currencies: a payment without a currency is summed under ``?``, one without an
amount is counted but not summed. A payment with two payers or beneficiaries
is one flow per pair, as its edges are. Parties are looked up in the case
only: a party id that names no entity of the case is shown as that id, nothing
more, so a payment never reveals an entity of a case the user may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.exchange.markings import Tlp
from jointprobe.store.tables import Entity

UNKNOWN_CURRENCY = "?"
WALLET = "CryptoWallet"


@dataclass(frozen=True)
class Party:
    id: str
    caption: str
    schema: str | None  # None: not an entity of this case
    holders: tuple[str, ...] = ()  # captions of a wallet's holders
    fictional: bool = False


@dataclass
class Flow:
    payer: Party
    beneficiary: Party
    currency: str
    total: Decimal = Decimal(0)
    payments: list[str] = field(default_factory=list)
    without_amount: int = 0
    first: str | None = None  # ISO dates (FtM dates may be partial: 2018, 2018-05)
    last: str | None = None
    tlp: str = "CLEAR"  # the strictest TLP of its payments: the flow carries them all

    @property
    def kind(self) -> str:
        return "crypto" if WALLET in (self.payer.schema, self.beneficiary.schema) else "payment"


@dataclass(frozen=True)
class PartyTotal:
    party: Party
    currency: str
    sent: Decimal
    received: Decimal
    counterparties: int
    payments: int


@dataclass(frozen=True)
class Money:
    flows: list[Flow]
    parties: list[PartyTotal]
    payments: int

    def currencies(self) -> list[str]:
        return sorted({flow.currency for flow in self.flows})


def _amount(values: list[str]) -> Decimal | None:
    total = None
    for value in values:
        try:
            amount = Decimal(value)
        except InvalidOperation:
            continue
        if amount.is_finite():
            total = amount if total is None else total + amount
    return total


def _currency(values: list[str]) -> str:
    return values[0].strip().upper() if values and values[0].strip() else UNKNOWN_CURRENCY


def _party(party_id: str, rows: dict[str, Entity]) -> Party:
    row = rows.get(party_id)
    if row is None:
        return Party(party_id, party_id, None)
    holders: tuple[str, ...] = ()
    if row.schema == WALLET:
        held = [rows[h] for h in row.properties.get("holder", []) if h in rows]
        holders = tuple(sorted(h.caption or h.id for h in held))
    return Party(row.id, row.caption or row.id, row.schema, holders, row.fictional)


def _when(values: list[str]) -> list[str]:
    return sorted(v for v in values if v)


def _add(flow: Flow, payment: Entity) -> None:
    props = payment.properties
    amount = _amount(props.get("amount", []))
    flow.payments.append(payment.id)
    flow.tlp = max(Tlp.parse(flow.tlp), Tlp.parse(payment.tlp)).value
    if amount is None:
        flow.without_amount += 1
    else:
        flow.total += amount
    days = _when(props.get("date", []) + props.get("startDate", []))
    if days:
        flow.first = min([d for d in (flow.first, days[0]) if d])
        flow.last = max([d for d in (flow.last, days[-1]) if d])


@dataclass
class _Tally:
    party: Party
    sent: Decimal = Decimal(0)
    received: Decimal = Decimal(0)
    others: set[str] = field(default_factory=set)
    payments: set[str] = field(default_factory=set)


def _totals(flows: list[Flow]) -> list[PartyTotal]:
    per: dict[tuple[str, str], _Tally] = {}
    for flow in flows:
        paid = per.setdefault((flow.payer.id, flow.currency), _Tally(flow.payer))
        got = per.setdefault((flow.beneficiary.id, flow.currency), _Tally(flow.beneficiary))
        paid.sent += flow.total
        got.received += flow.total
        paid.others.add(flow.beneficiary.id)
        got.others.add(flow.payer.id)
        paid.payments.update(flow.payments)
        got.payments.update(flow.payments)
    out = [
        PartyTotal(t.party, currency, t.sent, t.received, len(t.others), len(t.payments))
        for (_, currency), t in per.items()
    ]
    return sorted(out, key=lambda t: (t.currency, -(t.sent + t.received), t.party.caption))


def _in_case(session: Session, case_id: str, ids: set[str]) -> dict[str, Entity]:
    query = select(Entity).where(Entity.case_id == case_id, Entity.id.in_(ids))
    return {row.id: row for row in session.scalars(query)}


def case_money(session: Session, case_id: str) -> Money:
    """The payments of a case summed per (payer, beneficiary, currency) and per party."""
    payments = list(
        session.scalars(
            select(Entity)
            .where(Entity.case_id == case_id, Entity.schema == "Payment")
            .order_by(Entity.id)
        )
    )
    ids = {
        i for p in payments for key in ("payer", "beneficiary") for i in p.properties.get(key, [])
    }
    rows = _in_case(session, case_id, ids)
    wallets = [r for r in rows.values() if r.schema == WALLET]
    rows |= _in_case(session, case_id, {h for w in wallets for h in w.properties.get("holder", [])})
    flows: dict[tuple[str, str, str], Flow] = {}
    for payment in payments:
        currency = _currency(payment.properties.get("currency", []))
        for payer in payment.properties.get("payer", []):
            for beneficiary in payment.properties.get("beneficiary", []):
                key = (payer, beneficiary, currency)
                if key not in flows:
                    flows[key] = Flow(_party(payer, rows), _party(beneficiary, rows), currency)
                _add(flows[key], payment)
    ordered = sorted(flows.values(), key=lambda f: (f.currency, -f.total, f.payer.caption))
    return Money(ordered, _totals(ordered), len(payments))
