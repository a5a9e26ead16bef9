from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from jointprobe.errors import InvalidInput
from jointprobe.exchange.tables import OutboxEntry, Referral
from jointprobe.exchange.workflow import ReferralIn, SelectorIn, send_referral_parts
from jointprobe.exchange.workflow.forms import SELECTORS_PER_MESSAGE

from .live import analyst, case, keys, make_node, peer


def test_naive_due_is_taken_as_utc_and_bad_use_is_refused() -> None:
    ref = ReferralIn(case_id="c", to=["cn-x"], title="t", due=datetime(2030, 1, 1))
    assert ref.due == datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(ValidationError):
        ReferralIn(case_id="c", to=["cn-x"], title="t", due=datetime(2030, 1, 1), use="court")  # type: ignore[arg-type]


def test_a_due_date_with_an_offset_is_kept_in_utc() -> None:
    data = ReferralIn.model_validate(
        {"case_id": "c", "to": ["cn-x"], "title": "t", "due": "2025-03-01T08:00:00+08:00"}
    )
    assert data.due == datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
    offset = data.due.utcoffset()
    assert offset is not None and offset.total_seconds() == 0


def _many(n: int) -> list[SelectorIn]:
    return [SelectorIn(type="phone", value=f"+86 311 5555 {i:04d}") for i in range(n)]


def test_more_selectors_than_one_message_carries_are_refused_naming_the_limit() -> None:
    data = ReferralIn(case_id="c", to=["cn-x"], title="t", due=datetime(2030, 1, 1),
                      selectors=_many(SELECTORS_PER_MESSAGE + 1))  # fmt: skip
    with pytest.raises(InvalidInput, match=f"at most {SELECTORS_PER_MESSAGE:,} selectors"):
        data.parts()


def test_a_large_selector_set_is_split_into_numbered_referrals_when_asked(tmp_path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    try:
        peer(us, cn)
        case(us)
        n = 2 * SELECTORS_PER_MESSAGE + 10
        data = ReferralIn(case_id="diana-2017", to=["cn-mps-nnc"], title="Buyers",
                          due=datetime(2030, 1, 1), selectors=_many(n), split=True)  # fmt: skip
        with us.write_session() as session:
            ids = send_referral_parts(session, analyst(session), keys(us), data)
        assert len(ids) == 3 and len(set(ids)) == 3
        with us.session() as s:
            rows = s.query(Referral).order_by(Referral.title).all()
            assert [r.title for r in rows] == [f"Buyers (part {i} of 3)" for i in (1, 2, 3)]
            assert sum(len(r.items) for r in rows) == n
            assert s.query(OutboxEntry).count() == 3
    finally:
        us.close()
        cn.close()
