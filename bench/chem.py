"""Chemistry throughput over the MOSES test set, against RDKit's parse-only rate.

    .venv/bin/python bench/chem.py [--limit N] [--flagged docs/chem-moses-flagged.tsv]

Measured in one process on one core, in the same run:
  parse-only   Chem.MolFromSmiles for every SMILES (the baseline)
  classify     jointprobe.chem.classify: parse, standardise, screen, decompose hits,
               US/CN/UN verdicts with reasons (identifiers computed on demand)
  full record  classify + standardized SMILES + InChIKey + to_dict() (the JSON line)
Each rate is the median of --repeats runs. Every flagged molecule is listed.
"""

from __future__ import annotations

import argparse
import gzip
import platform
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import rdkit
from rdkit import Chem, RDLogger

from jointprobe.chem import classify

MOSES = Path("/work/shared/data/chem/moses_test.csv.gz")
AS_OF = date(2025, 12, 1)


def load(limit: int | None) -> list[str]:
    with gzip.open(MOSES, "rt") as handle:
        next(handle)
        rows = [line.strip() for line in handle if line.strip()]
    return rows[:limit] if limit else rows


def rate(work: Callable[[list[str]], object], smiles: list[str], repeats: int) -> float:
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        work(smiles)
        rates.append(len(smiles) / (time.perf_counter() - start))
    return statistics.median(rates)


def parse_only(smiles: list[str]) -> None:
    for text in smiles:
        Chem.MolFromSmiles(text)


def classify_all(smiles: list[str]) -> None:
    for text in smiles:
        classify(text, AS_OF)


def full_record(smiles: list[str]) -> None:
    for text in smiles:
        classify(text, AS_OF).to_dict()


def flagged(smiles: list[str]) -> list[tuple[int, str, str]]:
    out = []
    for number, text in enumerate(smiles, start=2):  # line 1 is the header
        result = classify(text, AS_OF)
        if not result.flagged:
            continue
        why = []
        for code, verdict in result.verdicts.items():
            for reason in verdict.reasons:
                what = reason.substance or reason.note or reason.rule
                why.append(f"{code}:{reason.rule}:{what}")
        out.append((number, text, "; ".join(why)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="first N molecules only")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--flagged", type=Path, default=Path("docs/chem-moses-flagged.tsv"))
    args = parser.parse_args()
    RDLogger.DisableLog("rdApp.*")
    smiles = load(args.limit)
    classify(smiles[0], AS_OF)  # load lists and rules before timing
    base = rate(parse_only, smiles, args.repeats)
    ours = rate(classify_all, smiles, args.repeats)
    full = rate(full_record, smiles, 1)
    hits = flagged(smiles)
    args.flagged.parent.mkdir(parents=True, exist_ok=True)
    with args.flagged.open("w", encoding="utf-8") as out:
        out.write("line\tsmiles\treasons\n")
        for number, text, why in hits:
            out.write(f"{number}\t{text}\t{why}\n")
    print(f"machine: {platform.machine()} {platform.python_version()} rdkit {rdkit.__version__}")
    print(f"molecules: {len(smiles)}  (median of {args.repeats} runs, one core)")
    print(f"RDKit parse-only (MolFromSmiles):  {base:9,.0f} /s")
    print(
        f"classify with explanation:         {ours:9,.0f} /s   ratio {ours / base:.2f}x parse-only"
    )
    print(f"full JSON record (+SMILES, InChIKey): {full:6,.0f} /s   ratio {full / base:.2f}x")
    print(f"flagged: {len(hits)} of {len(smiles)} (listed in {args.flagged})")
    for number, text, why in hits:
        print(f"  line {number}: {text}  {why}")


if __name__ == "__main__":
    main()
