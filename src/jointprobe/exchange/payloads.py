"""The bodies of each message kind (docs/protocol.md §5), validated with pydantic.

Bodies are checked on arrival, after decryption; a body that does not validate
makes the message ``envelope.malformed`` (recorded as rejected, never applied).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from jointprobe.exchange.errors import MalformedEnvelope
from jointprobe.exchange.markings import Marking
from jointprobe.exchange.wire import parse_time

Text = Annotated[str, Field(max_length=20_000)]
Short = Annotated[str, Field(min_length=1, max_length=300)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MarkingField(Body):
    """A marking as it travels; :meth:`parsed` gives the :class:`Marking`."""

    tlp: str
    originator: str
    use: Literal["intelligence", "evidential"] = "intelligence"
    consent: list[str] = Field(default_factory=list, max_length=64)
    expires: str | None = None
    grading: str | None = None

    @classmethod
    def of(cls, marking: Marking) -> MarkingField:
        return cls(**marking.to_dict())

    #: The :class:`Marking` parsed once, when the field is validated (the model is frozen).
    _marking: Marking | None = PrivateAttr(default=None)

    def parsed(self) -> Marking:
        if self._marking is None:
            self._marking = Marking.from_dict(
                {
                    "tlp": self.tlp,
                    "originator": self.originator,
                    "use": self.use,
                    "consent": list(self.consent),
                    "expires": self.expires,
                    "grading": self.grading,
                }
            )
        return self._marking

    @model_validator(mode="after")
    def _check(self) -> MarkingField:
        self._marking = None
        self.parsed()
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy never keeps a cached marking that ``update`` may have made wrong."""
        copy = super().model_copy(update=update, deep=deep)
        copy._marking = None
        return copy


class SelectorRef(Body):
    type: Short
    value: Short


class Item(Body):
    """A selector or a FollowTheMoney entity, with its own marking."""

    item_id: Short
    type: Literal["selector", "entity"]
    selector: SelectorRef | None = None
    entity: dict[str, Any] | None = None
    note: Text | None = None
    marking: MarkingField


class ReferralBody(Body):
    title: Short
    narrative: Text
    requested_action: Text
    due: str
    case_ref: Short | None = None
    items: list[Item] = Field(default_factory=list, max_length=10_000)
    marking: MarkingField

    @field_validator("due")
    @classmethod
    def _due(cls, value: str) -> str:
        _time(value, "due")
        return value


class AckBody(Body):
    decision: Literal["accept", "decline"]
    reason: Text = ""
    case_ref: Short | None = None


class StatusBody(Body):
    state: Short
    note: Text = ""
    marking: MarkingField


OutcomeType = Literal[
    "arrest", "seizure", "charge", "indictment", "sentence", "investigation", "other"
]


class Outcome(Body):
    type: OutcomeType
    description: Text
    date: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class OutcomeBody(Body):
    outcomes: list[Outcome] = Field(min_length=1, max_length=10_000)
    marking: MarkingField


class RfiBody(Body):
    question: Text
    items: list[Item] = Field(default_factory=list, max_length=10_000)
    due: str | None = None
    marking: MarkingField


class RfiResponseBody(Body):
    answer: Text
    items: list[Item] = Field(default_factory=list, max_length=10_000)
    marking: MarkingField


class NoticeBody(Body):
    topic: Short
    text: Text = ""
    card_update: dict[str, Any] | None = None
    marking: MarkingField


class AggregateCell(Body):
    """One cell of shared aggregates: a count, never a case's contents."""

    quarter: Annotated[str, Field(pattern=r"^[0-9]{4}-Q[1-4]$")]
    substance_class: Literal["fentanyl-related", "precursor", "other"]
    origin: Annotated[str, Field(pattern=r"^([A-Z]{2}|unknown)$")]
    count: Annotated[int, Field(ge=1, le=10_000_000)]


class AggregatesBody(Body):
    """A node's seizure counts by quarter, substance class and origin (``aggregates`` kind).

    Cells under the sender's minimum are left out and only their number is said
    (``suppressed``); the receiver refuses the whole message if any cell is under
    its own minimum.
    """

    period_from: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    period_to: Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    min_cell: Annotated[int, Field(ge=1, le=1000)]
    suppressed: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    cells: list[AggregateCell] = Field(max_length=20_000)
    marking: MarkingField

    @model_validator(mode="after")
    def _cells_in_period(self) -> Self:
        if self.period_to < self.period_from:
            raise ValueError("period_to is before period_from")
        first, last = self.period_from[:4], self.period_to[:4]
        keys = [(c.quarter, c.substance_class, c.origin) for c in self.cells]
        if len(set(keys)) != len(keys):
            raise ValueError("a cell appears twice")
        if any(not first <= c.quarter[:4] <= last for c in self.cells):
            raise ValueError("a cell lies outside the period")
        return self


class VoidBody(Body):
    """Fills a sequence slot whose message the sender withdrew (refused unrecorded, dropped)."""

    withdrawn: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    reason: Short


class ReceiptResult(Body):
    id: Annotated[str, Field(max_length=32)]
    digest: Annotated[str, Field(max_length=64)]
    #: applied, held, duplicate: recorded (delivered); rejected: recorded as refused, its
    #: slot settled; invalid: not recorded (not authenticated, slot taken), to be sent again
    status: Literal["applied", "held", "duplicate", "rejected", "invalid"]
    code: Annotated[str, Field(max_length=64)] | None = None


class ReceiptBody(Body):
    received: str
    results: list[ReceiptResult] = Field(max_length=100_000)
    #: The receiver's last applied sequence number from the sender the receipt goes to.
    applied_through: Annotated[int, Field(ge=0, le=2**53 - 1)] | None = None


# Precursor trade (docs/precursors.md): pre-export notifications (1988 Convention,
# Art. 12(10)), their answers, suspicious order reports and incidents.

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Line = Annotated[str, Field(min_length=1, max_length=2_000)]
Quantity = Annotated[float, Field(gt=0, le=1e12, allow_inf_nan=False)]
_CAS = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")


def cas_problem(value: str) -> str | None:
    """Why ``value`` is not a CAS registry number (digits and its check digit), or None."""
    found = _CAS.match(value)
    if found is None:
        return f"{value!r} is not written as a CAS number (e.g. 299-42-3)"
    digits = (found.group(1) + found.group(2))[::-1]
    check = sum(int(d) * (i + 1) for i, d in enumerate(digits)) % 10
    if check != int(found.group(3)):
        return f"{value!r}: the CAS check digit should be {check}"
    return None


class Party(Body):
    """A party to a shipment: exporter, importer, consignee, end user, intermediary."""

    name: Short
    address: Line
    country: Country
    #: licence or registration number (import/export licence, operator registration)
    licence: Short | None = None
    role: Short | None = None  # for intermediaries: broker, freight forwarder, carrier…


class Consignment(Body):
    """One substance line: what, how concentrated, how much."""

    substance: Short
    cas: Short
    hs_code: Annotated[str, Field(pattern=r"^[0-9]{4}(\.?[0-9]{2}){0,3}$")]
    concentration_percent: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] | None = None
    quantity: Quantity
    unit: Literal["kg", "g", "t", "l", "ml", "units"]

    @field_validator("cas")
    @classmethod
    def _cas(cls, value: str) -> str:
        problem = cas_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class PenFields(Body):
    """A pre-export notification's fields (Art. 12(10)(b), the EU export authorisation)."""

    reference: Short  # the exporting authority's export authorisation or file number
    exporter: Party
    importer: Party
    consignee: Party | None = None
    end_user: Party | None = None
    intermediaries: list[Party] = Field(default_factory=list, max_length=20)
    consignments: list[Consignment] = Field(min_length=1, max_length=50)
    invoice: Short | None = None
    end_use: Line
    import_authorisation: Short | None = None
    exit_point: Short
    entry_point: Short
    transit: list[Short] = Field(default_factory=list, max_length=20)
    transport_mode: Literal["air", "sea", "road", "rail", "post", "courier", "multimodal"]
    route: Line
    dispatch_date: date


class PenBody(PenFields):
    reply_by: str
    marking: MarkingField

    @field_validator("reply_by")
    @classmethod
    def _reply_by(cls, value: str) -> str:
        _time(value, "reply_by")
        return value


PEN_DECISIONS = ("no-objection", "objection", "rfi")


class PenAnswerBody(Body):
    """The importing regulator's answer; an objection or a request gives its reason."""

    decision: Literal["no-objection", "objection", "rfi"]
    reason: Text = ""
    marking: MarkingField

    @model_validator(mode="after")
    def _reason(self) -> PenAnswerBody:
        if self.decision != "no-objection" and not self.reason.strip():
            raise ValueError(f"an answer of {self.decision} must give its reason")
        return self


class SorFields(Body):
    """A suspicious order report (21 U.S.C. 802(57), EU Reg. 273/2004 Art. 8)."""

    reference: Short
    reported_by: Party
    customer: Party
    consignments: list[Consignment] = Field(min_length=1, max_length=50)
    order_date: date
    red_flags: list[Line] = Field(min_length=1, max_length=50)
    narrative: Text = ""
    action: Literal["refused", "held", "supplied", "pending"]
    case_ref: Short | None = None


class SorBody(SorFields):
    marking: MarkingField


INCIDENT_TYPES = (
    "seizure", "stopped-shipment", "diversion", "attempted-diversion", "illicit-manufacture",
)  # fmt: skip


class IncidentFields(Body):
    """An incident of the kinds the INCB collects (PICS, form D)."""

    type: Literal[
        "seizure", "stopped-shipment", "diversion", "attempted-diversion", "illicit-manufacture"
    ]
    reference: Short
    occurred_on: date
    country: Country
    place: Short | None = None
    consignments: list[Consignment] = Field(min_length=1, max_length=50)
    parties: list[Party] = Field(default_factory=list, max_length=50)
    route: Line | None = None
    modus_operandi: Text = ""
    narrative: Text = ""
    case_ref: Short | None = None


class IncidentBody(IncidentFields):
    marking: MarkingField


SessionId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
#: Most points one ``psi-points`` message carries (≈2.9 MB sealed, under the
#: 4,000,000-byte envelope limit).
MAX_CHUNK_POINTS = 60_000
#: Most elements a deconfliction set may have at the protocol level (nodes cap lower).
MAX_SET = 10_000_000


class KindCount(Body):
    kind: Annotated[str, Field(min_length=1, max_length=32)]
    size: Annotated[int, Field(ge=0, le=MAX_SET)]


class DeconflictOfferBody(Body):
    """Opens a session: the initiator's announced set; its points follow (round ``x``).

    ``suite`` names the construction (docs/protocol.md §11.1); an offer without
    one is from a node that ran ``ristretto255/1`` and is refused
    (``deconflict.unsupported_suite``) by a node that runs another.
    """

    session: SessionId
    suite: Annotated[str, Field(min_length=1, max_length=32)] = "ristretto255/1"
    case_ref: Short | None = None
    kinds: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(max_length=32)
    by_kind: bool = False
    size: Annotated[int, Field(ge=1, le=MAX_SET)]
    groups: list[KindCount] = Field(min_length=1, max_length=32)
    expires: str

    @model_validator(mode="after")
    def _sizes(self) -> DeconflictOfferBody:
        _check_groups(self.groups, self.size)
        _time(self.expires, "expires")
        return self


class DeconflictAcceptBody(Body):
    """The responder joined with a case; its points (``y``) and the offer's reblinded (``z``)."""

    session: SessionId
    case_ref: Short | None = None
    by_kind: bool = False
    size: Annotated[int, Field(ge=1, le=MAX_SET)]
    groups: list[KindCount] = Field(min_length=1, max_length=32)

    @model_validator(mode="after")
    def _sizes(self) -> DeconflictAcceptBody:
        _check_groups(self.groups, self.size)
        return self


class DeconflictPointsBody(Body):
    """One chunk of a round: packed 32-byte X25519 u-coordinates, base64 (checked on apply)."""

    session: SessionId
    round: Literal["x", "y", "z", "w"]
    chunk: Annotated[int, Field(ge=0, le=MAX_SET // 1000)]
    chunks: Annotated[int, Field(ge=1, le=MAX_SET // 1000)]
    points: Annotated[str, Field(min_length=1, max_length=(MAX_CHUNK_POINTS * 32 * 4) // 3 + 4)]

    @model_validator(mode="after")
    def _chunk(self) -> DeconflictPointsBody:
        if self.chunk >= self.chunks:
            raise ValueError("chunk must be below chunks")
        return self


class DeconflictConsentBody(Body):
    session: SessionId


class DeconflictRevealBody(Body):
    """Positions, in the receiver's own order, of its elements in the intersection."""

    session: SessionId
    positions: list[Annotated[int, Field(ge=0, le=MAX_SET)]] = Field(max_length=MAX_SET)


class DeconflictCloseBody(Body):
    session: SessionId
    code: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Text = ""


def _check_groups(groups: list[KindCount], size: int) -> None:
    if sum(g.size for g in groups) != size:
        raise ValueError("the groups' sizes must add up to size")
    if len({g.kind for g in groups}) != len(groups):
        raise ValueError("each kind is one group")


BODIES: dict[str, type[Body]] = {
    "referral": ReferralBody,
    "receipt": ReceiptBody,
    "ack": AckBody,
    "status": StatusBody,
    "outcome": OutcomeBody,
    "rfi": RfiBody,
    "rfi-response": RfiResponseBody,
    "notice": NoticeBody,
    "void": VoidBody,
    "aggregates": AggregatesBody,
    "pen": PenBody,
    "pen-answer": PenAnswerBody,
    "sor": SorBody,
    "incident": IncidentBody,
    "psi-offer": DeconflictOfferBody,
    "psi-accept": DeconflictAcceptBody,
    "psi-points": DeconflictPointsBody,
    "psi-consent": DeconflictConsentBody,
    "psi-reveal": DeconflictRevealBody,
    "psi-close": DeconflictCloseBody,
}


def parse_body(kind: str, body: dict[str, Any]) -> Body:
    """Validate a decrypted body; translate pydantic's error at the edge."""
    try:
        return BODIES[kind].model_validate(body)
    except (ValidationError, MalformedEnvelope) as exc:
        raise MalformedEnvelope(f"the {kind} body is invalid: {_first_error(exc)}") from exc
    except KeyError as exc:
        raise MalformedEnvelope(f"unknown kind {kind!r}") from exc


def markings_of(body: Body) -> list[Marking]:
    """Every marking a body carries: its own and its items'."""
    found: list[Marking] = []
    marking = getattr(body, "marking", None)
    if isinstance(marking, MarkingField):
        found.append(marking.parsed())
    for item in getattr(body, "items", None) or []:
        found.append(item.marking.parsed())
    return found


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        return f"{where}: {error['msg']}"
    return str(exc)


def _time(value: str, name: str) -> datetime:
    return parse_time(value, field=name)


__all__ = [
    "BODIES",
    "AggregateCell",
    "AggregatesBody",
    "INCIDENT_TYPES",
    "PEN_DECISIONS",
    "AckBody",
    "Body",
    "Consignment",
    "IncidentBody",
    "IncidentFields",
    "DeconflictAcceptBody",
    "DeconflictCloseBody",
    "DeconflictConsentBody",
    "DeconflictOfferBody",
    "DeconflictPointsBody",
    "DeconflictRevealBody",
    "KindCount",
    "MAX_CHUNK_POINTS",
    "Item",
    "MarkingField",
    "NoticeBody",
    "Outcome",
    "OutcomeBody",
    "Party",
    "PenAnswerBody",
    "PenBody",
    "PenFields",
    "ReceiptBody",
    "ReceiptResult",
    "ReferralBody",
    "RfiBody",
    "RfiResponseBody",
    "SelectorRef",
    "SorBody",
    "SorFields",
    "StatusBody",
    "VoidBody",
    "cas_problem",
    "markings_of",
    "parse_body",
]
