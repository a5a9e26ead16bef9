"""Name screening against the OFAC SDN list: quality and speed beside nomenklatura and rapidfuzz.

    .venv/bin/python bench/screening.py --seed 7
    .venv/bin/python bench/screening.py --seed 7 --companies 400 --people 200

The evaluation set is built from the list itself (no one here wrote it), seeded:

- positives: an entry's own aliases; systematic variants of its name —
  abbreviated words and legal forms (TECH, BIO-TECH, PHARM, INTL, CHEM, CO, LTD…),
  the place name moved into brackets at the end, pinyin written with spaces or
  hyphens between syllables, Wade-Giles spelling, word order (given name first);
  (the 2024-05-03 CSV gives no name in Chinese characters, so none is made);
- hard negatives: the same place, trade words and legal form around another
  distinctive word (a pinyin word no entry has); a confusable surname (Zhang for
  Zheng) with the same given name; generic names (place + trade words + form).

Every matcher sees the same queries. nomenklatura's ``logic-v1``/``logic-v2`` and the
rapidfuzz token-set ratio score the same candidates: for each query, the union of
jointprobe's index candidates and rapidfuzz's 10 best over the whole list. Each
matcher is judged at its own default threshold (jointprobe 0.8, the node setting;
nomenklatura 0.7, yente's match threshold; rapidfuzz 90). A predicted match is
right when it is the entry the query was made from, or an entry bearing the same
name. Speed: jointprobe's batch screening (index built once) against a rapidfuzz
full scan of every list name per query, and against ``logic-v2`` on the query's
candidates, in the same run. Needs the ``bench`` extra (nomenklatura).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry
from rapidfuzz import fuzz, process, utils
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.shared_data import DATA  # noqa: E402

from jointprobe.entities.names import name_keys  # noqa: E402
from jointprobe.entities.names._tables import tables  # noqa: E402
from jointprobe.entities.names.company_parse import parse_company  # noqa: E402
from jointprobe.entities.names.company_words import places  # noqa: E402
from jointprobe.entities.normalise.company import normalise_company  # noqa: E402
from jointprobe.errors import InvalidSelector  # noqa: E402
from jointprobe.resolve.importers.ofac_sdn import parse_sdn  # noqa: E402
from jointprobe.screening.index import IndexedEntry, ScreeningIndex  # noqa: E402
from jointprobe.screening.matching import DEFAULT_THRESHOLD, rank  # noqa: E402

OFAC = DATA / "sanctions" / "ofac_sdn_2024-05-03.csv"
NAMES = ("name", "alias", "previousName", "weakAlias")
_ABBREVIATIONS = (
    ("BIOTECHNOLOGY", "BIO-TECH"), ("BIOLOGICAL TECHNOLOGY", "BIOTECH"),
    ("TECHNOLOGY", "TECH"), ("PHARMACEUTICAL", "PHARM"), ("INTERNATIONAL", "INTL"),
    ("CHEMICAL", "CHEM"), ("COMPANY", "CO"), ("LIMITED", "LTD"), ("CORPORATION", "CORP"),
    ("INDUSTRIAL", "IND"), ("IMPORT AND EXPORT", "IMP & EXP"), ("TRADING", "TRDG"),
    ("SCIENCE AND TECHNOLOGY", "SCI-TECH"), ("MANUFACTURING", "MFG"),
)  # fmt: skip
_GENERIC_TRADE = (
    "Biological Technology", "Chemical Industry", "Pharmaceutical", "Trading", "Fine Chemical",
    "Import and Export", "Science and Technology", "Biotech", "Chemical", "Medical Technology",
    "International Trading", "New Material Technology",
)  # fmt: skip
_FORMS = ("Co Ltd", "Co., Ltd.", "Company Limited", "Limited", "Co")


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    target: str | None  # the entry it was made from; None for a hard negative
    kind: str
    schema: str


def load_parties() -> list[EntityProxy]:
    return [
        p
        for p in parse_sdn(OFAC)
        if p.schema.is_a("LegalEntity") or p.schema.name in ("Vessel", "Airplane")
    ]


def build_index(parties: list[EntityProxy]) -> ScreeningIndex:
    index = ScreeningIndex()
    for p in parties:
        names = tuple(dict.fromkeys(n for prop in NAMES for n in p.get(prop, quiet=True)))
        countries = frozenset(p.get_type_values(registry.country))
        index.add(IndexedEntry(str(p.id), "ofac-sdn", p.schema.name, p.caption, names,
                               countries, False))  # fmt: skip
    return index


# ---- queries -------------------------------------------------------------------------


def _pinyin_split(word: str) -> list[str] | None:
    """``SHUOKANG`` → ``[shuo, kang]`` when the word is pinyin syllables only."""
    syllables = tables().pinyin
    low = word.lower()
    best: list[str] | None = None

    def walk(i: int, acc: list[str]) -> None:
        nonlocal best
        if best is not None:
            return
        if i == len(low):
            best = list(acc)
            return
        for n in (6, 5, 4, 3, 2):  # one-letter "syllables" (n, e) cut anything
            if low[i : i + n] in syllables:
                walk(i + n, [*acc, low[i : i + n]])

    walk(0, [])
    return best if best and len(best) > 1 else None


CHINA = frozenset(
    "beijing shanghai hongkong wuhan hebei guangzhou shenzhen tianjin zhejiang jiangsu "
    "shandong henan hubei hangzhou dalian xiamen fujian guangdong china".split()
)


def _chinese_company(p: EntityProxy) -> bool:
    parsed = parse_company(p.caption)
    return bool(parsed.places & CHINA) and all(
        _pinyin_split(w) or len(w) < 9 for w in parsed.distinctive
    )


def company_variants(name: str, rng: random.Random) -> Iterable[tuple[str, str]]:
    upper = name.upper()
    abbreviated = upper
    for long, short in _ABBREVIATIONS:
        abbreviated = re.sub(rf"\b{long}\b", short, abbreviated)
    if abbreviated != upper:
        yield "abbreviation", abbreviated.replace(",", "").replace(".", "")
    parsed = parse_company(name)
    words = upper.replace(",", " ").split()
    place = next((w for w in words if w.lower().strip(".") in places()), None)
    if place is not None and words[0] == place:
        rest = " ".join(words[1:])
        form = next((f for f in ("CO., LTD.", "CO., LTD", "CO. LTD", "CO LTD", "LIMITED", "LTD.")
                     if rest.endswith(f)), "")  # fmt: skip
        body = rest[: len(rest) - len(form)].strip() if form else rest
        yield "place in brackets", f"{body.title()} ({place.title()}) {form.title() or 'Co Ltd'}"
    chinese = bool(parsed.places & CHINA)
    for word in parsed.distinctive if chinese else ():
        split = _pinyin_split(word)
        if split:
            sep = rng.choice([" ", "-"])
            yield "pinyin spacing", re.sub(rf"\b{word}\b", sep.join(split), name, flags=re.I)
            wade = tables().pinyin_to_wade_giles
            if all(s in wade for s in split) and "".join(wade[s] for s in split) != word:
                wg = "-".join(wade[s] for s in split)
                yield "wade-giles", re.sub(rf"\b{word}\b", wg, name, flags=re.I)
            break


def person_variants(name: str) -> Iterable[tuple[str, str]]:
    if "," in name:
        surname, given = (part.strip() for part in name.split(",", 1))
        yield "given name first", f"{given} {surname}"
        split = _pinyin_split(given.replace(" ", "").replace("-", ""))
        if split and surname.lower() in tables().surname_readings.values():
            yield "pinyin spacing", f"{surname} {'-'.join(s.title() for s in split)}"
            wade = tables().pinyin_to_wade_giles
            if all(s in wade for s in split):
                yield "wade-giles", f"{surname} {'-'.join(wade[s] for s in split).title()}"


def _fresh_word(rng: random.Random, taken: set[str]) -> str:
    syllables = sorted(tables().pinyin)
    while True:
        word = rng.choice(syllables) + rng.choice(syllables)
        if word not in taken and len(word) >= 5:
            return word


def hard_negatives(
    parties: list[EntityProxy], rng: random.Random, n: int, names: set[str]
) -> list[Query]:
    taken = {w for p in parties for w in parse_company(p.caption).distinctive} | {
        w.lower() for name in names for w in re.findall(r"\w+", name)
    }
    chinese = [p for p in parties if p.schema.name != "Person" and _chinese_company(p)]
    out: list[Query] = []
    for p in rng.sample(chinese, min(n, len(chinese))):
        parsed = parse_company(p.caption)
        if not parsed.distinctive:
            continue
        text = p.caption.upper()
        for word in parsed.distinctive:
            text = re.sub(rf"\b{word}\b", "", text, flags=re.I)
        place = next(iter(parsed.places), "")
        new = _fresh_word(rng, taken).upper()
        text = re.sub(rf"\b{place}\b", f"{place} {new}", text, count=1, flags=re.I) if place \
            else f"{new} {text}"  # fmt: skip
        out.append(Query(" ".join(text.split()), None, "other distinctive word", "Company"))
    confusable = [tuple(sorted(pair)) for pair in tables().confusable]
    people = [p for p in parties if p.schema.name == "Person" and "," in p.caption]
    for p in people:
        surname, given = (x.strip() for x in p.caption.split(",", 1))
        for a, b in confusable:
            other = b if surname.lower() == a else a if surname.lower() == b else None
            swapped = f"{other.upper()}, {given}" if other else None
            # a negative only if no romanisation reads the two alike (Wade-Giles CHANG is
            # pinyin ZHANG: the same name, not a confusable one)
            if (
                swapped
                and swapped.casefold() not in names
                and not (name_keys(swapped) & name_keys(p.caption))
            ):
                out.append(Query(swapped, None, "confusable surname", "Person"))
    for place in sorted({"Wuhan", "Hebei", "Shanghai", "Guangzhou", "Shenzhen", "Beijing",
                         "Tianjin", "Hangzhou", "Zhengzhou", "Shijiazhuang", "Xingtai",
                         "Jinan", "Nanjing", "Hong Kong", "Dalian"}):  # fmt: skip
        for trade in rng.sample(_GENERIC_TRADE, 4):
            text = f"{place} {trade} {rng.choice(_FORMS)}"
            if text.casefold() not in names:
                out.append(Query(text, None, "generic name", "Company"))
    return out


def _screenable(alias: str) -> bool:
    """An alias a screener would type: not one short word (OFAC lists ``ABU``, ``HAJJI``)."""
    return len(alias.split()) > 1 or len(alias) > 6


def make_queries(parties: list[EntityProxy], args: argparse.Namespace) -> list[Query]:
    rng = random.Random(args.seed)
    names = {n.casefold() for p in parties for prop in NAMES for n in p.get(prop, quiet=True)}
    companies = [p for p in parties if p.schema.name != "Person"]
    chinese = [p for p in companies if _chinese_company(p)]
    people = [p for p in parties if p.schema.name == "Person"]
    queries: list[Query] = []
    picked = rng.sample(chinese, min(len(chinese), args.companies // 2))
    picked += rng.sample(companies, args.companies - len(picked))
    for p in picked:
        for kind, text in company_variants(p.caption, rng):
            queries.append(Query(text, str(p.id), kind, "Company"))
        for alias in [a for a in p.get("alias") if _screenable(a)][:1]:
            queries.append(Query(alias, str(p.id), "alias", "Company"))
    for p in rng.sample(people, args.people):
        for kind, text in person_variants(p.caption):
            queries.append(Query(text, str(p.id), kind, "Person"))
        for alias in [a for a in p.get("alias") if _screenable(a)][:1]:
            queries.append(Query(alias, str(p.id), "alias", "Person"))
    queries += hard_negatives(parties, rng, args.negatives, names)
    return queries


# ---- matchers ------------------------------------------------------------------------


def equivalents(parties: list[EntityProxy]) -> dict[str, set[str]]:
    """Entry id → ids of entries bearing one of the same names, legal forms folded
    (``HEBEI GUANLANG BIOTECHNOLOGY CO., LTD.`` and ``… CO., LIMITED`` are two entries)."""
    by_name: dict[str, set[str]] = {}
    for p in parties:
        for n in p.get("name") + p.get("alias"):
            try:
                if p.schema.name == "Person":
                    key = " ".join(sorted(re.findall(r"[^\W_]+", n.casefold())))
                else:
                    key = normalise_company(n)
            except InvalidSelector:
                continue
            by_name.setdefault(key, set()).add(str(p.id))
    out: dict[str, set[str]] = {}
    for ids in by_name.values():
        for i in ids:
            out.setdefault(i, {i}).update(ids)
    return out


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    found: int = 0
    positives: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 0.0

    def add(self, query: Query, matched: Iterable[str], right: set[str]) -> None:
        matched = set(matched)
        good = matched & right
        self.tp += len(good)
        self.fp += len(matched - right)
        if query.target is not None:
            self.positives += 1
            self.found += bool(good)


def nomenklatura_scorer(name: str) -> Callable[[Query, EntityProxy], float]:
    from nomenklatura.matching import ScoringConfig, get_algorithm

    algorithm = get_algorithm(name)
    assert algorithm is not None

    def score(query: Query, entry: EntityProxy) -> float:
        # nomenklatura caches an entity's names by its id: one id per query text
        probe = model.make_entity(query.schema)
        probe.id = f"query-{query.text}"
        probe.add("name", query.text)
        return float(algorithm.compare(probe, entry, ScoringConfig.defaults()).score)

    return score


def _rapidfuzz_matches(q: Query, ids: list[str], by_id: dict[str, EntityProxy]) -> list[str]:
    processed = utils.default_process(q.text)
    out = []
    for i in ids:
        names = by_id[i].get("name") + by_id[i].get("alias")
        best = max(fuzz.token_set_ratio(processed, utils.default_process(n)) for n in names)
        if best >= 90:
            out.append(i)
    return out


def _print_error(console: Console, q: Query, mine: list, by_id: dict[str, EntityProxy]) -> None:
    target = by_id[q.target].caption if q.target else "-"
    got = "; ".join(f"{m.caption} {m.score}" for m in mine[:3])
    console.print(f"[yellow]{q.kind}[/] {q.text!r} → {q.target} ({target}); got {got}")


def run(args: argparse.Namespace, console: Console) -> None:
    load = os.getloadavg()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("reading the OFAC list", total=None)
        parties = load_parties()
        progress.update(task, description="building the screening index")
        started = time.perf_counter()
        index = build_index(parties)
        built = time.perf_counter() - started
        queries = make_queries(parties, args)
        by_id = {str(p.id): p for p in parties}
        all_names = [(n, str(p.id)) for p in parties for n in p.get("name") + p.get("alias")]
        choices = [utils.default_process(n) for n, _ in all_names]
        right_of = equivalents(parties)

        progress.update(task, description="jointprobe: screening every query", total=len(queries))
        started = time.perf_counter()
        ours = [rank(index, q.text, limit=10) for q in queries]
        ours_seconds = time.perf_counter() - started

        progress.update(task, description="rapidfuzz: full scan per query")
        started = time.perf_counter()
        scans = [
            process.extract(
                utils.default_process(q.text),
                choices,
                scorer=fuzz.token_set_ratio,
                processor=None,
                limit=10,
            )  # fmt: skip
            for q in queries
        ]
        scan_seconds = time.perf_counter() - started

        candidates = [
            sorted({m.entry_id for m in mine} | {all_names[i][1] for _, _, i in scan})
            for mine, scan in zip(ours, scans, strict=True)
        ]
        scorers = {"logic-v1": nomenklatura_scorer("logic-v1"),
                   "logic-v2": nomenklatura_scorer("logic-v2")}  # fmt: skip
        results = {name: Score() for name in ("jointprobe", "logic-v1", "logic-v2", "rapidfuzz")}
        seconds = {"logic-v1": 0.0, "logic-v2": 0.0}
        progress.update(task, description="scoring the candidates", completed=0)
        for q, mine, ids in zip(queries, ours, candidates, strict=True):
            progress.advance(task)
            right = right_of.get(q.target, {q.target}) if q.target else set()
            matched = [m.entry_id for m in mine if m.score >= args.threshold]
            results["jointprobe"].add(q, matched, right)
            if args.show_errors and (
                set(matched) - right or (q.target and not set(matched) & right)
            ):
                _print_error(console, q, mine, by_id)
            for name, scorer in scorers.items():
                started = time.perf_counter()
                found = [i for i in ids if scorer(q, by_id[i]) >= 0.7]
                seconds[name] += time.perf_counter() - started
                results[name].add(q, found, right)
            results["rapidfuzz"].add(q, _rapidfuzz_matches(q, ids, by_id), right)
    show(console, args, queries, results, built, ours_seconds, scan_seconds, seconds, load)


def show(
    console: Console,
    args: argparse.Namespace,
    queries: list[Query],
    results: dict[str, Score],
    built: float,
    ours: float,
    scan: float,
    seconds: dict[str, float],
    load: tuple[float, float, float],
) -> None:
    kinds: dict[str, int] = {}
    for q in queries:
        kinds[q.kind] = kinds.get(q.kind, 0) + 1
    console.print(f"seed {args.seed}: {len(queries)} queries "
                  f"({sum(q.target is not None for q in queries)} positive): "
                  + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))  # fmt: skip
    table = Table("matcher", "threshold", "recall", "precision", "true", "false")
    thresholds = {"jointprobe": f"{args.threshold}", "logic-v1": "0.7", "logic-v2": "0.7",
                  "rapidfuzz": "90"}  # fmt: skip
    for name, s in results.items():
        table.add_row(name, thresholds[name], f"{s.recall:.3f}", f"{s.precision:.3f}",
                      str(s.tp), str(s.fp))  # fmt: skip
    console.print(table)
    n = len(queries)
    per = {"jointprobe": ours / n, "rapidfuzz full scan": scan / n,
           "logic-v2 (candidates)": seconds["logic-v2"] / n,
           "logic-v1 (candidates)": seconds["logic-v1"] / n}  # fmt: skip
    speed = Table("per query", "ms", "jointprobe is … × faster")
    for name, value in per.items():
        speed.add_row(name, f"{value * 1000:.3f}", f"{value / per['jointprobe']:.1f}")
    console.print(speed)
    console.print(f"index built in {built:.1f} s; load average at start {load[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--companies", type=int, default=400)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--negatives", type=int, default=150)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--show-errors", action="store_true", help="print jointprobe's misses")
    args = parser.parse_args()
    if not OFAC.exists():
        sys.exit(f"no OFAC list at {OFAC}")
    run(args, Console())


if __name__ == "__main__":
    main()
