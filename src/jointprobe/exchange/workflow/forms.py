"""What a user writes to refer a case's selectors and entities to peers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator


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
    due: datetime
    selectors: list[SelectorIn] = Field(default_factory=list)
    entity_ids: list[str] = Field(default_factory=list)
    tlp: str = "AMBER"
    use: Literal["intelligence", "evidential"] = "intelligence"
    consent: list[str] = Field(default_factory=list)
    grading: str | None = None
    expires: datetime | None = None

    @field_validator("due", "expires")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """A time without an offset is taken as UTC (the wire carries UTC only)."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


__all__ = ["ReferralIn", "SelectorIn"]
