from datetime import UTC, datetime, timedelta, timezone

from jointprobe.timeutil import as_utc

BEIJING = timezone(timedelta(hours=8))


def test_as_utc_takes_a_naive_time_as_utc() -> None:
    assert as_utc(datetime(2025, 3, 1, 12)) == datetime(2025, 3, 1, 12, tzinfo=UTC)
    assert as_utc(datetime(2025, 3, 1, 12)).tzinfo is UTC


def test_as_utc_converts_an_aware_time_to_utc() -> None:
    moment = as_utc(datetime(2025, 3, 1, 8, tzinfo=BEIJING))
    assert moment.tzinfo is UTC and moment.hour == 0
