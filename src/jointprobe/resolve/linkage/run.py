"""Run a linkage or dedupe end to end: features, model, EM training, prediction, clusters."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from splink import Linker
from splink.internals.exceptions import EMTrainingException

from jointprobe.resolve.linkage.engines import LinkageEngine, get_engine
from jointprobe.resolve.linkage.features import add_features
from jointprobe.resolve.linkage.model import LinkType, ModelPlan, jointprobe_model, plain_model

Step = Callable[[str], None]


@dataclass
class LinkResult:
    """Scored pairs at or above the threshold, and clusters of record ids."""

    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_probability, match_weight (+ sources)
    clusters: pd.DataFrame  # unique_id, cluster_id (+ source_dataset)
    timings: dict[str, float] = field(default_factory=dict)


def _plan(frames: Sequence[pd.DataFrame], model: str, link_type: LinkType) -> ModelPlan:
    columns = set(frames[0].columns)
    if model == "plain":
        return plain_model(columns, link_type)
    return jointprobe_model(columns, link_type, sum(len(f) for f in frames))


def remove_matches_from_u(settings: Any) -> None:
    """Take the true matches' share out of u-probabilities estimated by random sampling.

    Random pairs include true matches, about ``prior`` of them, so a sampled u
    is really ``(1 - prior) * u + prior * m``. In a large input the share is
    negligible; in an import of a few thousand records with several records per
    person it is not (a shared Chinese reading: sampled u 1.7e-4, of which
    1.2e-4 came from true matches), and agreement looks four times commoner
    among non-matches than it is. Each level's u is solved back, never below a
    tenth of the sampled value.
    """
    prior = settings._probability_two_random_records_match
    for comparison in settings.comparisons:
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            m, u = level.m_probability, level.u_probability
            if m is None or u is None:
                continue
            level.u_probability = max((u - prior * m) / (1 - prior), u / 10)


def link(
    frames: Sequence[pd.DataFrame],
    *,
    model: str = "jointprobe",
    engine: str | LinkageEngine = "duckdb",
    threshold: float = 0.9,
    phone_region: str | None = None,
    u_max_pairs: float = 2e6,
    em_sample: float = 1.0,
    seed: int = 42,
    on_step: Step | None = None,
) -> LinkResult:
    """Dedupe one frame, or link several (``link_only``), with Splink.

    Frames have a ``unique_id`` column and role-named columns (see
    ``features.ROLES``). ``model`` is ``"jointprobe"`` (with the name layer)
    or ``"plain"`` (the baseline).
    """
    import time

    step = on_step or (lambda _msg: None)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    step("features")
    prepared = []
    for frame in frames:
        prepared_frame = add_features(frame, phone_region=phone_region)
        if "name" in frame:
            prepared_frame["name_raw"] = frame["name"].astype("string").str.lower()
        prepared.append(prepared_frame)
    timings["features"] = time.perf_counter() - start
    link_type: LinkType = "dedupe_only" if len(frames) == 1 else "link_only"
    plan = _plan(prepared, model, link_type)
    backend = engine if isinstance(engine, LinkageEngine) else get_engine(engine)
    api = backend.db_api()
    tables = [backend.register(api, f, f"input_{i}") for i, f in enumerate(prepared)]
    linker = Linker(
        tables if len(tables) > 1 else tables[0], plan.settings, log_level=logging.WARNING
    )
    step("training: match prior")
    t = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        plan.deterministic_rules, recall=plan.recall
    )
    settings_obj = linker._settings_obj
    prior = settings_obj._probability_two_random_records_match
    if not 1e-9 < prior < 0.5:  # tiny inputs: too few pairs to estimate the prior
        settings_obj._probability_two_random_records_match = min(max(prior, 1e-4), 0.3)
    step("training: u by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    trained = 0
    for rule in plan.em_rules:
        step("training: EM")
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, record_sample_proportion=em_sample
            )
        except EMTrainingException:  # a tiny input may have no pairs in one block
            step("training: EM block without pairs skipped")
            continue
        trained += 1
    if not trained:
        raise EMTrainingException("no EM training block has any record pairs")
    if plan.unbias_u:
        remove_matches_from_u(settings_obj)
    timings["training"] = time.perf_counter() - t
    step("predict")
    t = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    pairs = predictions.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    timings["predict"] = time.perf_counter() - t
    step("cluster")
    t = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    ).as_pandas_dataframe()  # type: ignore[no-untyped-call]
    timings["cluster"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - start
    keep = [c for c in clusters.columns if c in ("unique_id", "cluster_id", "source_dataset")]
    return LinkResult(pairs, clusters[keep], timings)
