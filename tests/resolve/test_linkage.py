import itertools
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from jointprobe.errors import ConfigError
from jointprobe.resolve.linkage import get_engine, link
from jointprobe.resolve.linkage.features import add_features
from jointprobe.resolve.linkage.model import (
    LOOSE_BLOCKING_LIMIT,
    ModelPlan,
    jointprobe_model,
    settings_dict,
)
from jointprobe.resolve.linkage.run import remove_matches_from_u
from jointprobe.resolve.synth.chinese import generate


def _pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for _, group in frame.groupby("person_id"):
        out |= set(itertools.combinations(sorted(group.unique_id), 2))
    return out


def test_features_put_all_scripts_on_one_key() -> None:
    frame = pd.DataFrame(
        {"unique_id": ["1", "2", "3"], "name": ["鄭富京", "Cheng Fu-ching", "Zhang Fujing"]}
    )
    feats = add_features(frame)
    assert "zheng|fujing" in feats.loc[0, "zh_keys"]
    assert "zheng|fujing" in feats.loc[1, "zh_keys"]
    assert "zheng|fujing" not in feats.loc[2, "zh_keys"]


def test_dates_of_birth_in_different_forms_are_one_date_for_splink() -> None:
    frame = pd.DataFrame(
        {"unique_id": ["1", "2", "3", "4"], "name": ["Liu Yong"] * 4,
         "dob": ["1967/03/05", "1967-03-05", "1967.03.05", "05/03/1967"]}
    )  # fmt: skip
    feats = add_features(frame)
    assert list(feats.dob[:3]) == ["1967-03-05"] * 3
    assert feats.dob[3] is None  # ambiguous: compared as missing, not guessed


def test_generator_is_seeded_and_labels_people_fictional() -> None:
    a, b = generate(50, seed=3), generate(50, seed=3)
    assert a.equals(b)
    assert a.fictional.all()


def test_name_layer_beats_the_plain_model_across_scripts() -> None:
    data = generate(400, seed=11)
    truth = _pairs(data)
    records = data.drop(columns=["person_id", "style"])
    scores = {}
    for model in ("plain", "jointprobe"):
        result = link([records], model=model, threshold=0.8, phone_region="CN")
        pairs = zip(result.pairs.unique_id_l, result.pairs.unique_id_r, strict=True)
        found = {tuple(sorted(p)) for p in pairs}
        tp = len(found & truth)
        scores[model] = (tp / max(1, len(found)), tp / len(truth))
    assert scores["jointprobe"][0] >= 0.97
    assert scores["jointprobe"][1] >= scores["plain"][1] + 0.15


def test_unknown_engine_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown linkage engine"):
        get_engine("hadoop")


@pytest.mark.spark
def test_spark_engine_runs_the_same_model_in_local_mode() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"pip install 'jointprobe\[spark\]'"):
            get_engine("spark")
        pytest.skip("pyspark is not installed: the spark engine's local-mode run was not exercised")
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: the spark engine's local-mode run was not exercised")
    data = generate(60, seed=5).drop(columns=["person_id", "style"])
    engine = get_engine("spark", master="local[1]")
    try:
        on_spark = link([data], engine=engine, threshold=0.8, phone_region="CN")
    finally:
        engine.close()
    on_duckdb = link([data], engine="duckdb", threshold=0.8, phone_region="CN")

    def pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
        ids = zip(frame.unique_id_l, frame.unique_id_r, strict=True)
        return {(min(a, b), max(a, b)) for a, b in ids}

    assert len(on_spark.pairs) > 50
    assert pairs(on_spark.pairs) == pairs(on_duckdb.pairs)  # the same model on either engine


def test_given_names_are_compared_without_the_shared_surname() -> None:
    # Jaro-Winkler over "zhou linguang" / "zhou jianlin" would be lifted by the common prefix
    frame = pd.DataFrame({"unique_id": ["1", "2"], "name": ["Zhou Lin Guang", "周建林"]})
    feats = add_features(frame)
    assert list(feats.py_given) == ["linguang", "jianlin"]


def test_sampled_u_has_the_share_of_true_matches_taken_out() -> None:
    level = SimpleNamespace(is_null_level=False, m_probability=0.7, u_probability=1.7e-4)
    null = SimpleNamespace(is_null_level=True)
    rare = SimpleNamespace(is_null_level=False, m_probability=0.9, u_probability=1e-5)
    settings = SimpleNamespace(
        _probability_two_random_records_match=1.6e-4,
        comparisons=[SimpleNamespace(comparison_levels=[null, level, rare])],
    )
    remove_matches_from_u(settings)
    assert level.u_probability == pytest.approx((1.7e-4 - 1.6e-4 * 0.7) / (1 - 1.6e-4))
    assert rare.u_probability == pytest.approx(1e-6)  # never below a tenth of the sample


def test_swapped_first_and_last_names_are_blocked_only_on_small_inputs() -> None:
    columns = {"unique_id", "first_name", "last_name", "dob", "postcode", "name_fold"}
    small = jointprobe_model(columns, "dedupe_only", 5_000)
    large = jointprobe_model(columns, "dedupe_only", LOOSE_BLOCKING_LIMIT + 1)

    def rules(plan: ModelPlan) -> str:
        return str(settings_dict(plan, "duckdb")["blocking_rules_to_generate_predictions"])

    assert 'l."first_name" = r."last_name"' in rules(small)
    assert 'l."first_name" = r."last_name"' not in rules(large)
    levels = settings_dict(small, "duckdb")["comparisons"][0]["comparison_levels"]
    assert any("swapped" in level.get("label_for_charts", "") for level in levels)


def test_a_tiny_import_links_even_when_one_training_block_has_no_pairs() -> None:
    frame = pd.DataFrame(
        {
            "unique_id": ["1", "2", "3", "4", "5"],
            "name": ["郑富京", "Cheng Fu-ching", "Zhang Fujing", "Li Wei", "李伟"],
            "dob": ["1983-06-11", "1983-06-11", "1990-01-02", "1970-03-04", "1970-03-04"],
            "phone": ["+8613812345678", "+8613812345678", "+8613999999999", None, None],
        }
    )
    result = link([frame], threshold=0.0)  # no two records share a first reading (name block)
    pairs = zip(result.pairs.unique_id_l, result.pairs.unique_id_r, strict=True)
    assert ("1", "2") in {tuple(sorted(p)) for p in pairs}


def test_a_given_name_is_found_whatever_typo_hit_the_surname() -> None:
    frame = pd.DataFrame(
        {"unique_id": ["1", "2", "3", "4"],
         "name": ["Den Lin-fu", "邓林福", "Zāng Ruìmíng", "Ruiming Zhang"]}
    )  # fmt: skip
    feats = add_features(frame)
    assert "linfu" in feats.loc[0, "given_keys"] and "linfu" in feats.loc[1, "given_keys"]
    assert feats.loc[0, "zh_keys"] is None  # 'Den' reads as no surname: only the given name
    assert "ruiming" in feats.loc[2, "given_keys"] and "ruiming" in feats.loc[3, "given_keys"]
    assert feats.loc[2, "zh_keys"] is None  # 'Zang' is no surname the tables know


SWAP_CASES = [
    ("1967-03-05", "1967-05-03", True),
    ("19670305", "19670503", True),  # FEBRL's form
    ("1967-03-05", "19670503", True),
    ("1967/03/05", "1967.05.03", True),
    ("1967-03-05", "1967-03-05", False),  # the same date: the exact level's
    ("1967-03-05", "1968-05-03", False),  # another year
    ("1967-03-05", "1967-05-04", False),
    ("1967-3-5", "1967-5-3", False),  # not a full date
    ("1967-03-05", None, False),
]


def _swap_level(dialect: str) -> str:
    plan = jointprobe_model({"unique_id", "name_fold", "dob"}, "dedupe_only", 10)
    levels = next(
        c for c in settings_dict(plan, dialect)["comparisons"] if c["output_column_name"] == "dob"
    )["comparison_levels"]
    level = next(lv for lv in levels if lv.get("label_for_charts") == "day and month swapped")
    return str(level["sql_condition"])


@pytest.mark.parametrize(("left", "right", "swapped"), SWAP_CASES)
def test_day_and_month_swapped_is_a_level_of_its_own(
    left: str, right: str | None, swapped: bool
) -> None:
    import duckdb

    rows = duckdb.execute(
        f"SELECT coalesce(({_swap_level('duckdb')}), false) FROM "
        "(SELECT CAST($l AS VARCHAR) AS dob_l, CAST($r AS VARCHAR) AS dob_r)",
        {"l": left, "r": right},
    ).fetchall()
    assert rows == [(swapped,)]


def test_custom_levels_name_columns_for_spark_not_strings() -> None:
    # Spark reads "dob_l" as a string literal: the level would never match there
    columns = {"unique_id", "first_name", "last_name", "dob", "name_fold"}
    text = str(settings_dict(jointprobe_model(columns, "dedupe_only", 10), "spark"))
    assert "`dob_l`" in text and "`first_name_l`" in text
    assert '"dob_l"' not in text and '"first_name_l"' not in text


@pytest.mark.spark
def test_day_and_month_swapped_matches_the_same_pairs_on_spark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip("pyspark is not installed: the level was not run on Spark")
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: the level was not run on Spark")
    from pyspark.sql import SparkSession

    engine = get_engine("spark", master="local[1]")
    try:
        session = SparkSession.getActiveSession()
        assert session is not None
        rows = [(left, right) for left, right, _ in SWAP_CASES]
        session.createDataFrame(rows, "dob_l string, dob_r string").createOrReplaceTempView("d")
        found = session.sql(f"SELECT coalesce(({_swap_level('spark')}), false) AS s FROM d")
        assert [row.s for row in found.collect()] == [swapped for *_, swapped in SWAP_CASES]
    finally:
        engine.close()
