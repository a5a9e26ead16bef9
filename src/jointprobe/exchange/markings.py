"""Handling markings and the one release decision every adapter goes through.

A marking travels with every item: TLP 2.0, law-enforcement handling (who
originated it, to whom the originator consents it be passed on, intelligence
only or evidential use, expiry) and the Admiralty grading of source and
information. :func:`may_release` decides whether an item may leave this node
for a recipient; :func:`require_release` raises :class:`MarkingForbidden`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from jointprobe.errors import InvalidInput
from jointprobe.exchange.errors import MalformedEnvelope, MarkingForbidden
from jointprobe.exchange.wire import check_node_id, format_time, parse_time
from jointprobe.timeutil import as_utc


class Tlp(enum.Enum):
    """Traffic Light Protocol 2.0, ordered from least to most restrictive."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"

    @property
    def rank(self) -> int:
        return _TLP_ORDER.index(self)

    def __lt__(self, other: Tlp) -> bool:
        return self.rank < other.rank

    def __le__(self, other: Tlp) -> bool:
        return self.rank <= other.rank

    @classmethod
    def parse(cls, text: str) -> Tlp:
        label = text.strip().upper().removeprefix("TLP:").replace("_", "+")
        if label == "WHITE":  # TLP 1.0 name, mapped as TLP 2.0 prescribes
            label = "CLEAR"
        try:
            return cls(label)
        except ValueError as exc:
            raise MalformedEnvelope(f"unknown TLP label {text!r}") from exc

    @classmethod
    def from_input(cls, text: str) -> Tlp:
        """A label a local user gave: an unknown one is :class:`InvalidInput` (422)."""
        try:
            return cls.parse(text)
        except MalformedEnvelope:
            labels = ", ".join(label.value for label in _TLP_ORDER)
            raise InvalidInput(f"unknown TLP label {text!r}; use one of {labels}") from None


_TLP_ORDER = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]


class Use(enum.Enum):
    INTELLIGENCE = "intelligence"
    EVIDENTIAL = "evidential"


class Purpose(enum.Enum):
    """Why an item is released: to guide work, or to be produced as evidence."""

    INTELLIGENCE = "intelligence"
    EVIDENTIAL = "evidential"


SOURCE_RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
INFORMATION_CREDIBILITY = {
    "1": "confirmed by other sources",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}


@dataclass(frozen=True)
class Grading:
    """Admiralty code: source reliability A–F and information credibility 1–6."""

    source: str
    information: str

    @classmethod
    def parse(cls, text: object) -> Grading:
        if not isinstance(text, str):
            raise MalformedEnvelope("an Admiralty grading is text (A1–F6)")
        match = re.fullmatch(r"\s*([A-Fa-f])\s*([1-6])\s*", text)
        if not match:
            raise MalformedEnvelope(f"{text!r} is not an Admiralty grading (A1–F6)")
        return cls(match.group(1).upper(), match.group(2))

    @classmethod
    def from_input(cls, text: str) -> Grading:
        """A grading a local user gave: a bad one is :class:`InvalidInput` (422)."""
        try:
            return cls.parse(text)
        except MalformedEnvelope:
            raise InvalidInput(
                f"Admiralty grade {text!r} must be a source letter A-F and a digit 1-6, e.g. B2"
            ) from None

    def __str__(self) -> str:
        return f"{self.source}{self.information}"

    def describe(self) -> str:
        return (
            f"{self}: source {SOURCE_RELIABILITY[self.source]}, "
            f"information {INFORMATION_CREDIBILITY[self.information]}"
        )


ANY_PEER = "*"


@dataclass(frozen=True)
class Marking:
    """Everything that governs where an item may go and how it may be used."""

    tlp: Tlp
    originator: str
    use: Use = Use.INTELLIGENCE
    consent: frozenset[str] = field(default_factory=frozenset)
    expires: datetime | None = None
    grading: Grading | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "tlp": self.tlp.value,
            "originator": self.originator,
            "use": self.use.value,
            "consent": sorted(self.consent),
            "expires": format_time(self.expires) if self.expires else None,
            "grading": str(self.grading) if self.grading else None,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Marking:
        if not isinstance(data, dict):
            raise MalformedEnvelope("marking must be an object")
        unknown = set(data) - {"tlp", "originator", "use", "consent", "expires", "grading"}
        if unknown:
            raise MalformedEnvelope(f"unknown marking fields: {sorted(unknown)}")
        try:
            consent = data.get("consent") or []
            if not isinstance(consent, list):
                raise MalformedEnvelope("marking.consent must be a list")
            for node in consent:
                if node != ANY_PEER:
                    check_node_id(node, field="marking.consent")
            grading = data.get("grading")
            expires = data.get("expires")
            return cls(
                tlp=Tlp.parse(str(data["tlp"])),
                originator=check_node_id(data["originator"], field="marking.originator"),
                use=Use(data.get("use", "intelligence")),
                consent=frozenset(consent),
                expires=parse_time(expires, field="marking.expires") if expires else None,
                grading=Grading.parse(grading) if grading else None,
            )
        except (KeyError, ValueError) as exc:
            raise MalformedEnvelope(f"marking is malformed: {exc}") from exc

    def stricter(self, other: Marking) -> Marking:
        """This item's marking tightened by ``other`` (e.g. an entity's by its case's).

        The more restrictive TLP; intelligence only beats evidential use; onward
        consent only where both consent; the earlier expiry. The originator and
        the grading stay this item's own.
        """
        return replace(
            self,
            tlp=max(self.tlp, other.tlp, key=lambda tlp: tlp.rank),
            use=Use.EVIDENTIAL if Use.EVIDENTIAL is self.use is other.use else Use.INTELLIGENCE,
            consent=_common_consent(self.consent, other.consent),
            expires=min((m.expires for m in (self, other) if m.expires), default=None),
        )

    def banner(self, *, now: datetime | None = None) -> str:
        """The line shown wherever the item is shown."""
        parts = [f"TLP:{self.tlp.value}"]
        parts.append("intelligence only" if self.use is Use.INTELLIGENCE else "evidential use")
        if self.tlp is not Tlp.CLEAR:
            if self.consent:
                parts.append(f"onward to {', '.join(sorted(self.consent))} only")
            else:
                parts.append(f"no onward disclosure without consent of {self.originator}")
        if self.expires:
            expired = now is not None and now >= self.expires
            parts.append(f"{'EXPIRED' if expired else 'expires'} {format_time(self.expires)}")
        if self.grading:
            parts.append(f"graded {self.grading}")
        return " · ".join(parts)


def _common_consent(one: frozenset[str], two: frozenset[str]) -> frozenset[str]:
    """Nodes both consent lists allow; ``*`` (any peer) allows whatever the other names."""
    common = one & two
    if ANY_PEER in one:
        common |= two
    if ANY_PEER in two:
        common |= one
    return frozenset(common)


class Channel(enum.Enum):
    PEER = "peer"  # to a trusted node under a partner agreement
    PUBLIC = "public"  # an export leaving the trusted peers (file, report, website)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True, "allowed")


def marking_from_store(
    tlp: str, handling: dict[str, Any] | None, grading: str | None, *, originator: str
) -> Marking:
    """The marking of an item as the node store keeps it (``cases.marking`` codes)."""
    handling = handling or {}
    consent = {ANY_PEER} if handling.get("onward_disclosure") == "permitted" else set()
    consent |= set(handling.get("consent", []))
    expires = handling.get("expires")
    return Marking(
        tlp=Tlp.parse(tlp),
        originator=str(handling.get("originator", originator)),
        use=Use.EVIDENTIAL if handling.get("use") == "evidential" else Use.INTELLIGENCE,
        consent=frozenset(consent),
        expires=_expiry(str(expires)) if expires else None,
        grading=Grading.parse(grading) if grading else None,
    )


def marking_to_store(marking: Marking) -> tuple[str, dict[str, Any], str | None]:
    """The inverse of :func:`marking_from_store`: keep a received item's marking as it came.

    The originator and its consent list travel into the store, so an item a
    partner sent us cannot be passed on later as if it were ours.
    """
    handling: dict[str, Any] = {
        "originator": marking.originator,
        "consent": sorted(marking.consent),
        "use": "evidential" if marking.use is Use.EVIDENTIAL else "intelligence_only",
    }
    if marking.expires is not None:
        handling["expires"] = format_time(marking.expires)
    return marking.tlp.value, handling, str(marking.grading) if marking.grading else None


def _expiry(text: str) -> datetime:
    try:
        return parse_time(text, field="expires")
    except MalformedEnvelope:
        return as_utc(datetime.fromisoformat(text))


def may_release(
    marking: Marking,
    recipient: str | None,
    *,
    holder: str,
    now: datetime,
    max_tlp: Tlp = Tlp.CLEAR,
    channel: Channel = Channel.PEER,
    purpose: Purpose = Purpose.INTELLIGENCE,
) -> Decision:
    """May ``holder`` release an item so marked to ``recipient``?

    ``max_tlp`` is the highest TLP the partner agreement lets the recipient
    receive; ``recipient`` is ``None`` for a public export.
    """
    if marking.expires is not None and now >= marking.expires:
        return Decision(False, f"the marking expired at {format_time(marking.expires)}")
    if channel is Channel.PUBLIC or recipient is None:
        if marking.tlp is not Tlp.CLEAR:
            return Decision(False, f"TLP:{marking.tlp.value} may not be released publicly")
    elif max_tlp < marking.tlp:
        return Decision(
            False,
            f"TLP:{marking.tlp.value} exceeds the agreement with {recipient} "
            f"(at most TLP:{max_tlp.value})",
        )
    onward = recipient not in (None, marking.originator) and holder != marking.originator
    if recipient is not None and onward and marking.tlp is not Tlp.CLEAR:
        named = recipient in marking.consent
        anyone = ANY_PEER in marking.consent and marking.tlp is not Tlp.RED
        if not (named or anyone):
            return Decision(
                False,
                f"onward disclosure to {recipient} needs the consent of {marking.originator}",
            )
    if purpose is Purpose.EVIDENTIAL and marking.use is Use.INTELLIGENCE:
        return Decision(False, "the item is for intelligence only, not evidential use")
    return ALLOWED


def require_release(
    marking: Marking,
    recipient: str | None,
    *,
    holder: str,
    now: datetime,
    max_tlp: Tlp = Tlp.CLEAR,
    channel: Channel = Channel.PEER,
    purpose: Purpose = Purpose.INTELLIGENCE,
) -> None:
    """Raise :class:`MarkingForbidden` (with the reason) unless :func:`may_release` allows.

    The one "check, raise if refused": what this node sends
    (``workflow.release.require_release_to_peer``) and what it receives go through it.
    """
    decision = may_release(
        marking, recipient, holder=holder, now=now, max_tlp=max_tlp, channel=channel,
        purpose=purpose,
    )  # fmt: skip
    if not decision:
        raise MarkingForbidden(decision.reason)


__all__ = [
    "ANY_PEER",
    "Channel",
    "Decision",
    "Grading",
    "Marking",
    "Purpose",
    "Tlp",
    "Use",
    "marking_from_store",
    "may_release",
    "require_release",
]
