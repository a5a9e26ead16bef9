"""What a user writes to refer a case's selectors and entities to peers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from jointprobe.timeutil import as_utc

UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
"""A time as a user writes it, kept in UTC; one without an offset is taken as UTC
(the wire carries UTC only)."""


class SelectorIn(BaseModel):
    type: str = Field(min_length=1, max_length=32)
    value: str = Field(min_length=1, max_length=300)
    grading: str | None = None


class ReferralIn(BaseModel):
    """A referral as a user writes it, from a case."""

    case_id: str
    to: list[str] = Field(min_length=1)
    title: str = Field(min_length=1, max_length=300)
    narrative: str = ""
    requested_action: str = ""
    due: UtcDatetime
    selectors: list[SelectorIn] = Field(default_factory=list)
    entity_ids: list[str] = Field(default_factory=list)
    tlp: str = "AMBER"
    use: Literal["intelligence", "evidential"] = "intelligence"
    consent: list[str] = Field(default_factory=list)
    grading: str | None = None
    expires: UtcDatetime | None = None


__all__ = ["ReferralIn", "SelectorIn"]
