"""Dates become ISO before they are stored or compared; nothing is guessed."""

import pytest

from jointprobe.entities.normalise.dates import (
    AmbiguousDate,
    InvalidDate,
    date_or_none,
    is_iso,
    normalise_date,
)


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("1967-03-05", "1967-03-05"),
        ("1967/03/05", "1967-03-05"),
        ("1967.03.05", "1967-03-05"),
        ("1967 03 05", "1967-03-05"),
        ("1967/3/5", "1967-03-05"),
        ("19670305", "1967-03-05"),
        (" 1967-03-05 ", "1967-03-05"),
        ("1967-03-05T10:30:00", "1967-03-05"),
        ("1967-03-05 00:00:00", "1967-03-05"),
        ("5 March 1967", "1967-03-05"),
        ("05-MAR-1967", "1967-03-05"),
        ("March 5, 1967", "1967-03-05"),
        ("Sept. 5 1967", "1967-09-05"),
        ("25/03/1967", "1967-03-25"),  # only day-first is possible
        ("03/25/1967", "1967-03-25"),  # only month-first is possible
        ("05/05/1967", "1967-05-05"),  # both readings agree
    ],
)
def test_common_forms_become_iso(raw: str, iso: str) -> None:
    assert normalise_date(raw) == iso


@pytest.mark.parametrize(
    ("raw", "iso"),
    [("1967-03", "1967-03"), ("1967/3", "1967-03"), ("03/1967", "1967-03"),
     ("Mar 1967", "1967-03"), ("1967", "1967")],
)  # fmt: skip
def test_partial_dates_stay_partial(raw: str, iso: str) -> None:
    assert normalise_date(raw) == iso


def test_day_and_month_first_needs_the_order() -> None:
    with pytest.raises(AmbiguousDate, match=r"1967-03-05 if day-first, 1967-05-03 if month-first"):
        normalise_date("05/03/1967")
    assert normalise_date("05/03/1967", order="dmy") == "1967-03-05"
    assert normalise_date("05/03/1967", order="mdy") == "1967-05-03"
    with pytest.raises(InvalidDate, match="month must be in 1..12"):
        normalise_date("25/03/1967", order="mdy")  # the order given is wrong for this value


@pytest.mark.parametrize(
    "raw", ["", "yesterday", "1967-13-01", "1967-02-30", "1967-03/05", "196703", "5 Brumaire 1967"]
)
def test_non_dates_are_refused_with_the_value(raw: str) -> None:
    with pytest.raises(InvalidDate, match="not a date"):
        normalise_date(raw)


def test_comparison_columns_get_none_not_a_guess() -> None:
    assert date_or_none("1967/03/05") == date_or_none("1967-03-05") == "1967-03-05"
    assert date_or_none("05/03/1967") is None
    assert date_or_none("nonsense") is None
    assert date_or_none(None) is None and date_or_none("  ") is None


def test_is_iso() -> None:
    assert is_iso("1967") and is_iso("1967-03") and is_iso("1967-03-05T10:00:00Z")
    assert not is_iso("1967/03/05") and not is_iso("1967-3-5") and not is_iso("19670305")
