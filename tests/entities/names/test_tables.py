"""The Wade-Giles table shipped with the name layer is what pypinyin derives today."""

import json

from jointprobe.entities.names._tables import (
    _DATA,
    WADE_GILES_FILE,
    derive_wade_giles,
    tables,
)


def test_the_shipped_wade_giles_table_is_what_pypinyin_derives() -> None:
    shipped = json.loads((_DATA / WADE_GILES_FILE).read_text(encoding="utf-8"))
    derived = derive_wade_giles()
    assert shipped["pinyin_to_wade_giles"] == derived, (
        "pypinyin reads differently now: rewrite the table with "
        "jointprobe.entities.names._tables.write_wade_giles() and check the name tests"
    )
    assert len(derived) > 390 and derived["zheng"] == "cheng" and derived["zhang"] == "chang"
    t = tables()
    assert t.pinyin == frozenset(derived) and "zheng" in t.wade_giles["cheng"]


def test_every_compound_surname_is_a_latin_surname() -> None:
    """``latin._surname_options`` looks a token up among the Latin surnames first."""
    t = tables()
    assert set(t.compound_surnames.values()) <= t.latin_surnames
