from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from jointprobe.exchange.workflow import ReferralIn


def test_naive_due_is_taken_as_utc_and_bad_use_is_refused() -> None:
    ref = ReferralIn(case_id="c", to=["cn-x"], title="t", due=datetime(2030, 1, 1))
    assert ref.due == datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(ValidationError):
        ReferralIn(case_id="c", to=["cn-x"], title="t", due=datetime(2030, 1, 1), use="court")  # type: ignore[arg-type]


def test_a_due_date_with_an_offset_is_kept_in_utc() -> None:
    data = ReferralIn(case_id="c", to=["cn-x"], title="t", due="2025-03-01T08:00:00+08:00")
    assert data.due == datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
    assert data.due.utcoffset() is not None and data.due.utcoffset().total_seconds() == 0
