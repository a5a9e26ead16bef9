"""What a user writes to refer a case's selectors and entities to peers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jointprobe.errors import InvalidInput
from jointprobe.timeutil import UtcDatetime


class SelectorIn(BaseModel):
    type: str = Field(min_length=1, max_length=32)
    value: str = Field(min_length=1, max_length=300)
    grading: str | None = None


#: Most selectors, and entities, one referral message carries; ``split`` sends more as parts.
SELECTORS_PER_MESSAGE = 2_000
ENTITIES_PER_MESSAGE = 200


#: :meth:`ReferralIn.parts` as JSON Schema: without ``split``, what one message carries.
_ONE_MESSAGE: dict[str, Any] = {
    "if": {"properties": {"split": {"const": True}}, "required": ["split"]},
    "then": {},
    "else": {
        "properties": {
            "selectors": {"maxItems": SELECTORS_PER_MESSAGE},
            "entity_ids": {"maxItems": ENTITIES_PER_MESSAGE},
        }
    },
}


class ReferralIn(BaseModel):
    """A referral as a user writes it, from a case."""

    model_config = ConfigDict(json_schema_extra={"allOf": [_ONE_MESSAGE]})

    case_id: str = Field(min_length=1, max_length=64)
    to: list[str] = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    narrative: str = Field(default="", max_length=20_000)
    requested_action: str = Field(default="", max_length=20_000)
    due: UtcDatetime
    selectors: list[SelectorIn] = Field(default_factory=list, max_length=50_000)
    entity_ids: list[str] = Field(default_factory=list, max_length=5_000)
    tlp: str = "AMBER"
    use: Literal["intelligence", "evidential"] = "intelligence"
    consent: list[str] = Field(default_factory=list, max_length=64)
    grading: str | None = None
    expires: UtcDatetime | None = None
    #: more selectors or entities than one message carries: send them as several referrals
    split: bool = False

    def parts(self) -> list[ReferralIn]:
        """This referral as messages of at most the per-message numbers of items.

        Without ``split``, too many items is :class:`InvalidInput` naming the limit.
        """
        sel, ent = self.selectors, self.entity_ids
        if len(sel) <= SELECTORS_PER_MESSAGE and len(ent) <= ENTITIES_PER_MESSAGE:
            return [self]
        if not self.split:
            raise InvalidInput(
                f"a referral carries at most {SELECTORS_PER_MESSAGE:,} selectors and "
                f"{ENTITIES_PER_MESSAGE:,} entities ({len(sel):,} and {len(ent):,} given); "
                "send fewer, or ask to split it into several referrals (split, --split)"
            )
        n = max(-(-len(sel) // SELECTORS_PER_MESSAGE), -(-len(ent) // ENTITIES_PER_MESSAGE))
        return [
            self.model_copy(
                update={
                    "title": f"{self.title[:280]} (part {i + 1} of {n})",
                    "selectors": sel[i * SELECTORS_PER_MESSAGE : (i + 1) * SELECTORS_PER_MESSAGE],
                    "entity_ids": ent[i * ENTITIES_PER_MESSAGE : (i + 1) * ENTITIES_PER_MESSAGE],
                    "split": False,
                }
            )
            for i in range(n)
        ]


__all__ = ["ENTITIES_PER_MESSAGE", "SELECTORS_PER_MESSAGE", "ReferralIn", "SelectorIn"]
