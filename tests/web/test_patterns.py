"""The API's character classes read alike in Python's re, pydantic (Rust) and ECMA engines."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
from pydantic import BaseModel, Field, ValidationError

from jointprobe.web.api.patterns import HAS_LETTER_OR_DIGIT, NOT_BLANK

SAMPLES = [chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF][::7] + [
    "\u0301", "\u00b2", "\x1c", "\u00a0", "\u3000", "_", "é", "李", "Ж", " a", "\t\n",
]  # fmt: skip


@pytest.mark.parametrize("pattern", [NOT_BLANK, HAS_LETTER_OR_DIGIT], ids=["not-blank", "alnum"])
def test_every_engine_reads_the_pattern_alike(pattern: str) -> None:
    class Probe(BaseModel):
        q: str = Field(pattern=pattern)

    ecma = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    for text in SAMPLES:
        python = re.search(pattern, text) is not None
        try:
            Probe(q=text)
            rust = True
        except ValidationError:
            rust = False
        assert python == rust == ecma.is_valid(text), repr(text)


def test_the_patterns_say_what_the_services_check() -> None:
    assert re.search(NOT_BLANK, " \t x ") and not re.search(NOT_BLANK, " \t\x1c\u3000")
    assert re.search(HAS_LETTER_OR_DIGIT, "-- 李 --") and not re.search(
        HAS_LETTER_OR_DIGIT, "_!\u0301"
    )
