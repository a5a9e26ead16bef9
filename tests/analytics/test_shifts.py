"""The balloon effect: a known shift is found and described; steady, short series are not."""

from datetime import date

import numpy as np

from jointprobe.analytics.compositions import alr, clr, shares
from jointprobe.analytics.periods import quarters_between
from jointprobe.analytics.shifts import change_points, find_shifts
from jointprobe.analytics.validation import baseline, evaluate, generate

QUARTERS = quarters_between(date(2016, 1, 1), date(2024, 12, 31))
PARTS = ["CN", "MX", "IN"]


def _series(seed: int, shift_at: int | None) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    before, after = [0.7, 0.15, 0.15], [0.15, 0.7, 0.15]
    rows = []
    for t in range(len(QUARTERS)):
        mix = after if shift_at is not None and t >= shift_at else before
        rows.append(rng.multinomial(12, mix).tolist())
    return rows


def test_zero_shares_are_replaced_and_log_ratios_are_finite() -> None:
    parts = shares(np.array([[0, 5, 5], [10, 0, 0]]))
    assert np.allclose(parts.sum(axis=1), 1) and (parts > 0).all()
    assert np.allclose(clr(parts).sum(axis=1), 0)
    assert alr(parts).shape == (2, 2) and np.isfinite(alr(parts)).all()


def test_a_known_shift_is_found_with_what_moved_when_and_how_sure() -> None:
    analysis = find_shifts("Fentanyl-related seizures", QUARTERS, PARTS, _series(3, 14),
                           resamples=50)  # fmt: skip
    assert len(analysis.shifts) == 1
    shift = analysis.shifts[0]
    assert abs(shift.index - 14) <= 1 and (shift.source, shift.target) == ("CN", "MX")
    assert shift.confidence >= 0.9
    sentence = analysis.sentences()[0]
    assert f"around {shift.period}" in sentence and "CN fell" in sentence and "MX rose" in sentence
    assert "resamples" in sentence and "high confidence" in sentence


def test_a_steady_series_stays_quiet() -> None:
    for seed in range(5):
        analysis = find_shifts("Precursor seizures", QUARTERS, PARTS, _series(seed, None),
                               resamples=10)  # fmt: skip
        assert analysis.shifts == []
    assert "no shift" in analysis.sentences()[0]


def test_a_series_too_short_gets_a_plain_statement_and_no_search() -> None:
    analysis = find_shifts("Other seizures", QUARTERS[:5], PARTS, _series(1, 2)[:5])
    assert analysis.too_short and analysis.shifts == []
    assert "too few to look for a shift" in analysis.sentences()[0]
    single = find_shifts("Other seizures", QUARTERS, ["CN"], [[3]] * len(QUARTERS))
    assert single.too_short


def test_search_beats_the_naive_baseline_on_false_alarms_on_generated_series() -> None:
    ours, naive = evaluate(seed=7, count=20)
    assert ours.detection_rate >= 0.9
    assert ours.quiet_series >= 19 and naive.false_alarms > ours.false_alarms
    shifted = generate(np.random.default_rng(2), shift=True, mean_count=30)
    assert any(abs(i - (shifted.change or 0)) <= 2 for i in change_points(shifted.counts))
    assert baseline(np.zeros((8, 3), dtype=np.int64)) == []
