"""Identical rows for numbered unnamed people fold into one; nothing else does."""

from dataclasses import dataclass

from jointprobe.cases.fold import fold_numbered, fold_text, number_ranges
from jointprobe.cases.summary import EventLine, fold_events
from jointprobe.exchange.tables import ReferralEvent
from jointprobe.exchange.workflow import fold_timeline

TERM = "Fixed term between six months and ten years (individual terms not reported)"
UNNAMED = "(not named in the reporting)"


def _sentence(who: str, *, source: str = "002.txt", marking: str = "TLP:AMBER") -> EventLine:
    return EventLine(
        id=hash(who) % 1000, kind="court_outcome", when="2019-11-07", title=TERM,
        place="Xingtai Intermediate People's Court", amount="6-120 months (range)",
        people=[who], marking=marking, source=source, fictional=False,
    )  # fmt: skip


def test_six_unnamed_defendants_read_as_one_line() -> None:
    named = [_sentence("Liu Yong"), _sentence("Jiang Juhua")]
    unnamed = [_sentence(f"Defendant {n} {UNNAMED}") for n in range(4, 10)]
    lines = fold_events(named + unnamed)
    assert [line.people for line in lines] == [
        ["Liu Yong"],
        ["Jiang Juhua"],  # named people never fold, even with the same sentence
        [f"Defendants 4–9 {UNNAMED}"],
    ]
    assert lines[2].title == TERM and lines[2].id == unnamed[0].id


def test_rows_fold_only_when_everything_else_is_equal() -> None:
    rows = [
        _sentence(f"Defendant 4 {UNNAMED}"),
        _sentence(f"Defendant 5 {UNNAMED}"),
        _sentence(f"Defendant 6 {UNNAMED}", marking="TLP:RED"),  # another marking: own line
        _sentence(f"Defendant 7 {UNNAMED}", source="other.txt"),
        _sentence(f"Defendant 8 {UNNAMED}", source="other.txt"),
    ]
    assert [line.people[0] for line in fold_events(rows)] == [
        f"Defendants 4–5 {UNNAMED}",
        f"Defendant 6 {UNNAMED}",
        f"Defendants 7–8 {UNNAMED}",
    ]


def test_only_adjacent_rows_fold_and_order_is_kept() -> None:
    parts = [
        f"Defendant 4 {UNNAMED}: {TERM}",
        "Liu Yong: Death sentence with a two-year reprieve",
        f"Defendant 5 {UNNAMED}: {TERM}",
        f"Defendant 6 {UNNAMED}: {TERM}",
        f"Defendant 8 {UNNAMED}: {TERM}",
    ]
    assert fold_text(parts) == [
        parts[0],
        parts[1],
        f"Defendants 5–6, 8 {UNNAMED}: {TERM}",
    ]


def test_label_in_several_cells_and_items_kept() -> None:
    @dataclass
    class Row:
        title: str
        who: str

    rows = [Row(f"Outcome: Defendant {n}: life", f"Defendant {n}") for n in (2, 3)]
    (line,) = fold_numbered(rows, lambda r: (r.title, r.who))
    assert line.cells == ("Outcome: Defendants 2–3: life", "Defendants 2–3")
    assert line.items == rows


def test_rows_naming_two_numbered_people_or_other_numbers_do_not_fold() -> None:
    two = ["Defendant 4 and Defendant 5: charged", "Defendant 6 and Defendant 7: charged"]
    assert fold_text(two) == two
    dates = ["Seized in November 2019: 5 kg", "Seized in November 2020: 5 kg"]
    assert fold_text(dates) == dates
    assert fold_text([]) == []


def test_number_ranges() -> None:
    assert number_ranges([4, 5, 6, 7, 8, 9]) == "4–9"
    assert number_ranges([9, 4, 5, 7]) == "4–5, 7, 9"
    assert number_ranges([3]) == "3"


def test_a_referral_timeline_folds_one_messages_identical_outcomes() -> None:
    def entry(summary: str, message_id: str = "m1", kind: str = "outcome") -> ReferralEvent:
        return ReferralEvent(
            referral_id="r", peer_id="cn", message_id=message_id, kind=kind, summary=summary
        )

    events = [entry("sent", "r", "sent")]
    events += [entry(f"Outcome from cn: Defendant {n} {UNNAMED}: {TERM}") for n in range(4, 10)]
    events += [entry(f"Outcome from cn: Defendant 10 {UNNAMED}: {TERM}", message_id="m2")]
    lines = fold_timeline(events)
    assert [line.cells[0] for line in lines] == [
        "sent",
        f"Outcome from cn: Defendants 4–9 {UNNAMED}: {TERM}",
        f"Outcome from cn: Defendant 10 {UNNAMED}: {TERM}",  # another message: not folded
    ]
    assert lines[1].items == events[1:7]
