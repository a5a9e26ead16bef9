from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ValidationError

from jointprobe.timeutil import UtcDatetime, as_utc

BEIJING = timezone(timedelta(hours=8))


def test_as_utc_takes_a_naive_time_as_utc() -> None:
    assert as_utc(datetime(2025, 3, 1, 12)) == datetime(2025, 3, 1, 12, tzinfo=UTC)
    assert as_utc(datetime(2025, 3, 1, 12)).tzinfo is UTC


def test_as_utc_converts_an_aware_time_to_utc() -> None:
    moment = as_utc(datetime(2025, 3, 1, 8, tzinfo=BEIJING))
    assert moment.tzinfo is UTC and moment.hour == 0


class Stamped(BaseModel):
    at: UtcDatetime


def test_a_stored_naive_time_is_written_with_z() -> None:
    # as SQLite gives it back: no offset, meant as UTC
    assert Stamped(at=datetime(2026, 12, 3, 8, 5, 33, 284234)).model_dump_json() == (
        '{"at":"2026-12-03T08:05:33.284234Z"}'
    )
    built_unchecked = Stamped.model_construct(at=datetime(2026, 12, 3, 8))
    assert built_unchecked.model_dump_json() == '{"at":"2026-12-03T08:00:00Z"}'


def test_an_aware_time_is_written_in_utc() -> None:
    at = Stamped(at=datetime(2026, 12, 3, 16, tzinfo=BEIJING))
    assert at.model_dump_json() == '{"at":"2026-12-03T08:00:00Z"}'
    assert Stamped.model_validate_json('{"at":"2026-12-03T16:00:00+08:00"}').at.hour == 8


def test_a_number_is_not_a_time() -> None:
    with pytest.raises(ValidationError, match="RFC 3339 text"):
        Stamped.model_validate({"at": 1764748800})


@pytest.mark.parametrize("edge", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"])
def test_a_time_whose_utc_form_leaves_the_calendar_is_refused_not_a_crash(edge: str) -> None:
    with pytest.raises(ValidationError, match="outside the years 1 to 9999"):
        Stamped.model_validate({"at": edge})
