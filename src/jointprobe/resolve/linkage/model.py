"""Splink models: jointprobe's (with the cross-script name layer) and a plain baseline.

Both are built from the roles present in the data. The plain model is what
a careful newcomer would configure — Splink's ``NameComparison`` on names,
exact date of birth and postcode — and is kept to measure the name layer
against, in the same run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import splink.blocking_rule_library as brl
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

LinkType = Literal["link_only", "link_and_dedupe", "dedupe_only"]


@dataclass
class ModelPlan:
    """Settings plus the training recipe that goes with them."""

    settings: SettingsCreator
    deterministic_rules: list[Any]  # BlockingRuleCreator
    em_rules: list[Any]  # BlockingRuleCreator
    recall: float = 0.7
    unbias_u: bool = False  # take true matches' share out of sampled u (see run.py)
    notes: list[str] = field(default_factory=list)


def _has(columns: set[str], *names: str) -> bool:
    return all(n in columns for n in names)


def _name_layer() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_fold"),
            cll.ExactMatchLevel("name_fold"),
            cll.ArrayIntersectLevel("zh_keys", min_intersection=1).configure(
                label_for_charts="same Chinese reading (characters, pinyin, Wade-Giles, Cantonese)"
            ),
            cll.ExactMatchLevel("lt_key").configure(label_for_charts="same words, other order"),
            cll.JaroWinklerLevel("name_fold", 0.92),
            cll.And(
                cll.ArrayIntersectLevel("surnames", min_intersection=1),
                cll.JaroWinklerLevel("py_given", 0.88),
            ).configure(label_for_charts="same surname, given name's pinyin within a typo"),
            cll.And(
                cll.ArrayIntersectLevel("surnames", min_intersection=1),
                cll.Not(cll.JaroWinklerLevel("py_given", 0.7)),
            ).configure(label_for_charts="same surname, another given name"),
            cll.ArrayIntersectLevel("surnames", min_intersection=1).configure(
                label_for_charts="same surname reading"
            ),
            cll.ArrayIntersectLevel("given_keys", min_intersection=1).configure(
                label_for_charts="same given name's reading, surname another or unread"
            ),
            cll.JaroWinklerLevel("name_fold", 0.8),
            cll.ElseLevel(),
        ],
    )


def _sql(condition: str) -> ComparisonLevelCreator:
    """A level from SQL written for DuckDB (identifiers in double quotes); Splink translates
    it for the engine in use. Without the dialect, Spark would read ``"dob_l"`` as a string."""
    return cll.CustomLevel(condition, base_dialect_str="duckdb")


def _digits(column: str) -> str:
    """SQL: a date column with its separators (``-``, ``/``, ``.``) taken out."""
    return f"replace(replace(replace(\"{column}\", '-', ''), '/', ''), '.', '')"


# Dates (YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or YYYYMMDD) whose day and month trade places:
# 1967-03-05 / 1967-05-03, the slip between day-first and month-first writing that edit
# distance counts as two.
_L, _R = _digits("dob_l"), _digits("dob_r")
_DAY_MONTH_SWAPPED = _sql(
    f"length({_L}) = 8 AND length({_R}) = 8 AND substr({_L}, 1, 4) = substr({_R}, 1, 4) "
    f"AND substr({_L}, 5, 2) = substr({_R}, 7, 2) AND substr({_L}, 7, 2) = substr({_R}, 5, 2) "
    f"AND substr({_L}, 5, 2) <> substr({_L}, 7, 2)"
).configure(label_for_charts="day and month swapped")


def _dob() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            _DAY_MONTH_SWAPPED,
            cll.DamerauLevenshteinLevel("dob", 1),
            cll.DamerauLevenshteinLevel("dob", 2),
            cll.ElseLevel(),
        ],
    )


def _exact_or_typo(column: str, distances: list[int]) -> ComparisonCreator:
    """Exact, then within ``distances`` edits, a swap of two neighbours counting as one."""
    return cl.DamerauLevenshteinAtThresholds(column, distances)


def _forename_surname() -> ComparisonCreator:
    """Splink's forename/surname levels, plus names swapped between the columns with a typo."""
    swapped = cll.And(
        _sql('jaro_winkler_similarity("first_name_l", "last_name_r") >= 0.88'),
        _sql('jaro_winkler_similarity("last_name_l", "first_name_r") >= 0.88'),
    ).configure(label_for_charts="first and last name swapped, within a typo")
    both = [cll.JaroWinklerLevel(c, 0.92) for c in ("first_name", "last_name")]
    near = [cll.JaroWinklerLevel(c, 0.88) for c in ("first_name", "last_name")]
    return cl.CustomComparison(
        output_column_name="first_name_surname",
        comparison_levels=[
            cll.And(cll.NullLevel("first_name"), cll.NullLevel("last_name")),
            cll.And(cll.ExactMatchLevel("first_name"), cll.ExactMatchLevel("last_name")),
            cll.ColumnsReversedLevel("first_name", "last_name", symmetrical=True),
            cll.And(*both),
            swapped,
            cll.And(*near),
            cll.ExactMatchLevel("last_name"),
            cll.ExactMatchLevel("first_name"),
            cll.ElseLevel(),
        ],
    )


def _swapped_names() -> list[Any]:
    """Blocking rules that pair a first name with the other record's last name."""
    return [
        brl.CustomRule('l."first_name" = r."last_name"'),
        brl.CustomRule('l."last_name" = r."first_name"'),
    ]


LOOSE_BLOCKING_LIMIT = 200_000
"""Up to this many records, single-column blocking rules are added for recall."""


def jointprobe_model(columns: set[str], link_type: LinkType, n_records: int = 0) -> ModelPlan:
    """jointprobe's model for the roles in ``columns`` (after :func:`add_features`).

    Blocking is compound (name with postcode, town or date) so that a million
    records stay within a few tens of millions of comparisons; inputs up to
    :data:`LOOSE_BLOCKING_LIMIT` records also block on single columns.
    """
    comparisons: list[Any] = []
    blocking: list[Any] = []
    if _has(columns, "first_name", "last_name"):
        comparisons.append(_forename_surname())
        blocking.append(block_on("first_name", "last_name"))
        for column in ("postcode", "city", "dob"):
            if column in columns:
                blocking += [block_on("first_name", column), block_on("last_name", column)]
        if n_records <= LOOSE_BLOCKING_LIMIT:
            loose = ("first_name", "last_name", "dob", "postcode")
            blocking += [block_on(c) for c in loose if c in columns]
            blocking += _swapped_names()
    else:
        comparisons.append(_name_layer())
        blocking += [block_on("zh_keys", arrays_to_explode=["zh_keys"]), block_on("lt_key")]
        name_rule = block_on("name_key")
    if "dob" in columns:
        comparisons.append(_dob())
        blocking.append(block_on("dob", "postcode") if "postcode" in columns else block_on("dob"))
    for column in ("phone", "email"):
        if column in columns:
            comparisons.append(cl.ExactMatch(column))
            blocking.append(block_on(column))
    if "postcode" in columns:
        comparisons.append(_exact_or_typo("postcode", [1]))
    if "address" in columns:
        comparisons.append(cl.JaroWinklerAtThresholds("address", [0.95, 0.8]))
    if "city_fold" in columns:
        comparisons.append(cl.ExactMatch("city_fold"))
    elif "city" in columns:
        comparisons.append(cl.JaroWinklerAtThresholds("city", [0.9]))
    if "state" in columns:
        comparisons.append(cl.ExactMatch("state"))
    if "id_number" in columns:
        comparisons.append(_exact_or_typo("id_number", [1, 2]))
        blocking.append(block_on("id_number"))
    if _has(columns, "first_name", "last_name"):
        name_rule = block_on("last_name")
    date_rule = block_on("dob") if "dob" in columns else blocking[-1]
    deterministic = [block_on("dob", "name_key")] if "dob" in columns else [block_on("name_key")]
    if _has(columns, "first_name", "last_name", "dob"):
        deterministic = [block_on("first_name", "last_name", "dob")]
    settings = SettingsCreator(
        link_type=link_type,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    em_rules = [date_rule, name_rule]
    return ModelPlan(settings, deterministic, em_rules, recall=0.6, unbias_u=True)


def plain_model(columns: set[str], link_type: LinkType) -> ModelPlan:
    """The baseline: Splink's NameComparison on names, exact dates and postcodes."""
    comparisons: list[Any] = []
    blocking: list[Any] = []
    names = (
        ["first_name", "last_name"] if _has(columns, "first_name", "last_name") else ["name_raw"]
    )
    for column in names:
        comparisons.append(cl.NameComparison(column))
        blocking.append(block_on(column))
    for column in ("dob", "postcode", "phone", "email"):
        if column in columns:
            comparisons.append(cl.ExactMatch(column))
            blocking.append(block_on(column))
    if "city" in columns:
        comparisons.append(cl.ExactMatch("city"))
    settings = SettingsCreator(
        link_type=link_type,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    em = [block_on("dob")] if "dob" in columns else [blocking[-1]]
    em.append(block_on(names[-1]))
    return ModelPlan(settings, [block_on(*names, "dob")] if "dob" in columns else em[:1], em)


def settings_dict(plan: ModelPlan, dialect: str) -> dict[str, Any]:
    """The plan's settings as a plain dict for ``dialect`` (for saving next to results)."""
    return plan.settings.get_settings(dialect).as_dict()  # type: ignore[no-any-return,no-untyped-call]
