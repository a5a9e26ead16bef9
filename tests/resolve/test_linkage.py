import itertools

import pandas as pd
import pytest

from jointprobe.errors import ConfigError
from jointprobe.resolve.linkage import get_engine, link
from jointprobe.resolve.linkage.features import add_features
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


def test_spark_engine_runs_the_same_model_in_local_mode() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"pip install 'jointprobe\[spark\]'"):
            get_engine("spark")
        pytest.skip("pyspark is not installed: the spark engine's local-mode run was not exercised")
    data = generate(60, seed=5).drop(columns=["person_id", "style"])
    engine = get_engine("spark", master="local[1]")
    try:
        result = link([data], engine=engine, threshold=0.8, phone_region="CN")
    finally:
        engine.close()
    assert len(result.pairs) > 0
