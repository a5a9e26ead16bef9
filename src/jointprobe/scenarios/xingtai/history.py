"""A fictional, seeded history of seizures with origins, 2016–2024, for the analytics.

Nothing here is in the reporting: every case and event is marked fictional and
carries :data:`LABEL`. The series holds one origin shift on purpose: from
2019-Q3 (after China's class-wide control of fentanyl-related substances in May
2019 in the real timeline) the fictional fentanyl-related seizures come mostly
from a different origin. Precursor and other seizures keep a steady mix, so the
analytics have something to stay quiet on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast

from sqlalchemy.orm import Session

from jointprobe.cases import CaseIn, EventIn, add_event, create_case
from jointprobe.cases.events import Route
from jointprobe.store.tables import Case, User

SEED = 20160101
CASE_ID = "seizure-history-fictional"
LABEL = f"FICTIONAL: generated seizure history (seed {SEED}); not in the reporting"
FIRST_YEAR, LAST_YEAR = 2016, 2024
SHIFT = (2019, 3)  # the first quarter of the new mix


@dataclass(frozen=True)
class Stream:
    """One kind of seizure: names, seizures per quarter, origin mix before/after the shift."""

    substances: tuple[str, ...]
    per_quarter: float
    before: dict[str, float]
    after: dict[str, float]
    grams: tuple[float, float]  # lognormal mu and sigma of the bulk weight in grams


STREAMS = (
    Stream(("fentanyl", "acetylfentanyl", "furanylfentanyl", "carfentanil"), 8.0,
           {"CN": 0.70, "MX": 0.12, "IN": 0.10, "CA": 0.08},
           {"CN": 0.12, "MX": 0.62, "IN": 0.18, "CA": 0.08}, (5.5, 1.2)),
    Stream(("NPP", "ANPP"), 3.0, {"CN": 0.65, "IN": 0.30, "DE": 0.05},
           {"CN": 0.65, "IN": 0.30, "DE": 0.05}, (8.0, 1.0)),
    Stream(("alprazolam", "methamphetamine"), 2.0, {"CN": 0.4, "MX": 0.5, "CA": 0.1},
           {"CN": 0.4, "MX": 0.5, "CA": 0.1}, (6.0, 1.0)),
)  # fmt: skip
ROUTES = {"CN": ("post", "express", "air"), "IN": ("post", "express", "air"),
          "MX": ("land", "land", "sea"), "CA": ("land", "post"),
          "DE": ("air", "express")}  # fmt: skip
TRANSIT = {"CN": ("HK", None, None), "IN": ("AE", None), "DE": (None,), "MX": (None,),
           "CA": (None,)}  # fmt: skip
CONCEALMENT = {"post": "letter or small parcel, goods mislabelled",
               "express": "express parcel declared as chemicals or supplements",
               "air": "air cargo, mislabelled drums",
               "land": "vehicle compartment",
               "sea": "container, mixed with legitimate cargo"}  # fmt: skip


def _pick(r: random.Random, mix: dict[str, float]) -> str:
    return r.choices(list(mix), weights=list(mix.values()))[0]


def _poisson(r: random.Random, mean: float) -> int:
    count, total = 0, r.expovariate(1.0)
    while total < mean:
        count += 1
        total += r.expovariate(1.0)
    return count


def seizures(seed: int = SEED) -> list[EventIn]:
    """The fictional seizures, oldest first (same seed, same list)."""
    r = random.Random(seed)
    out: list[EventIn] = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for q in range(1, 5):
            for stream in STREAMS:
                mix = stream.after if (year, q) >= SHIFT else stream.before
                for _ in range(_poisson(r, stream.per_quarter)):
                    out.append(_seizure(r, stream, mix, year, q))
    return sorted(out, key=lambda e: e.occurred_on or date.min)


def _seizure(r: random.Random, stream: Stream, mix: dict[str, float], year: int, q: int) -> EventIn:
    origin = _pick(r, mix)
    route = r.choice(ROUTES[origin])
    transit = r.choice(TRANSIT[origin])
    grams = min(r.lognormvariate(*stream.grams), 500_000.0)
    substance = r.choice(stream.substances)
    return EventIn(
        kind="seizure",
        title=f"FICTIONAL seizure of {substance} from {origin}",
        occurred_on=date(year, (q - 1) * 3 + r.randint(1, 3), r.randint(1, 28)),
        place="United States (fictional)",
        substance=substance,
        quantity=Decimal(f"{grams:.1f}"),
        unit="g",
        origin_country=origin,
        transit_countries=[transit] if transit else [],
        destination_country="US",
        route=cast(Route, route),
        concealment=CONCEALMENT[route],
        details={"fictional": LABEL},
        tlp="AMBER",
        fictional=True,
        source=LABEL,
    )


def load_seizure_history(session: Session, actor: User) -> Case:
    """Create the fictional history case (``actor`` its member) in the caller's transaction."""
    case = create_case(
        session,
        actor,
        CaseIn(
            id=CASE_ID,
            title="FICTIONAL seizure history 2016–2024 (generated for the analytics)",
            summary=LABEL,
            tlp="AMBER",
            fictional=True,
            source=LABEL,
        ),
    )
    for event in seizures():
        add_event(session, actor, CASE_ID, event)
    return case


__all__ = ["CASE_ID", "LABEL", "load_seizure_history", "seizures"]
