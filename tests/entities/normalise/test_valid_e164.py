"""valid_e164 gives FtM's (phonenumbers') answer wherever it answers at all."""

import random

import phonenumbers
from followthemoney import registry
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumberFormat

from jointprobe.entities.ftm import parse_entity
from jointprobe.entities.normalise.phone import UNSURE, valid_e164


def _cases(rng: random.Random) -> set[str]:
    cases: set[str] = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(12):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, PhoneNumberFormat.E164)
            cases.add(e164)
            i = rng.randrange(1, len(e164))
            digit = str(rng.randint(0, 9))
            cases |= {e164[:i] + e164[i + 1 :], e164[:i] + digit + e164[i:],
                      e164[:i] + digit + e164[i + 1 :]}  # fmt: skip
    codes = sorted(COUNTRY_CODE_TO_REGION_CODE)
    for _ in range(20_000):
        code = rng.choice(codes + [1, 1, 86, 86])
        cases.add(f"+{code}" + "".join(rng.choices("0123456789", k=rng.randint(1, 14))))
    return cases


def test_the_fast_answer_is_ftms_answer() -> None:
    cases = _cases(random.Random(5))
    decided = 0
    for text in sorted(cases):
        fast = valid_e164(text)
        if fast == UNSURE:
            continue
        decided += 1
        assert fast == registry.phone.clean_text(text), text
    assert decided > 0.8 * len(cases)  # the fast path is the common path


def test_it_steps_aside_where_parse_does_more() -> None:
    for text in ("+39 06 1234 5678", "+390612345678", "+86 138 1234 5678", "+8612123456789",
                 "+999123456", "+12", "8613812345678", "+٨٦١٣٨١٢٣٤٥٦٧٨"):  # fmt: skip
        assert valid_e164(text) == UNSURE, text
    assert valid_e164("+8613812345678") == "+8613812345678"
    assert valid_e164("+12022000000") == "+12022000000"
    assert valid_e164("+1202200000") is None  # one digit short


def test_import_keeps_ftms_reading_of_unusual_numbers() -> None:
    phones = ["+390612345678", "+8613812345678", "+44 (0)20 7946 0018"]
    entity = {"id": "p", "schema": "Person", "properties": {"phone": phones}}
    expected = sorted(str(registry.phone.clean_text(p)) for p in phones)
    assert sorted(parse_entity(entity).get("phone")) == expected
