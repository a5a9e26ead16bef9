"""Seeded fill-ins for what the reporting does not say. Everything here is fictional.

Phone numbers use ranges reserved for fiction (US 555-01xx; CN 1380000xxxx test
numbers are not used, we use the +86 170 range with a FICTIONAL label), e-mails
use example domains, names are drawn from common-name lists.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

SEED = 20170801
LABEL = f"FICTIONAL: generated with seed {SEED}; not in the reporting"
FIRST = (
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Chris Karen Daniel Lisa Matthew Nancy Mark Betty"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis"
).split()
# US states weighted roughly by where mail-order buyers were reported; NY and OR carry the
# reported arrests, the rest are fictional spread.
STATES = ["NY", "OR", "CA", "TX", "FL", "OH", "PA", "LA", "WA", "MA", "IL", "GA", "NC", "AZ"]
AREA = {"NY": "212", "OR": "503", "CA": "415", "TX": "512", "FL": "305", "OH": "614",
        "PA": "215", "LA": "504", "WA": "206", "MA": "617", "IL": "312", "GA": "404",
        "NC": "919", "AZ": "602"}  # fmt: skip
COMPANY_WORDS = ("Xinda", "Huarui", "Kangtai", "Shengyuan", "Jiahe", "Tianrun")


@dataclass(frozen=True)
class Buyer:
    id: str
    name: str
    state: str
    email: str
    phone: str


def rng() -> random.Random:
    return random.Random(SEED)


def diana_phone(r: random.Random) -> str:
    return f"+86 170 {r.randint(1000, 9999)} {r.randint(1000, 9999)}"


def sales_companies(r: random.Random, count: int) -> list[tuple[str, str]]:
    words = r.sample(COMPANY_WORDS, count)
    return [
        (f"Xingtai {w} Pharmaceutical Sales Co., Ltd.", f"{w.lower()}-pharma.example")
        for w in words
    ]


def buyers(r: random.Random, count: int) -> list[Buyer]:
    out = []
    for i in range(count):
        first, last = r.choice(FIRST), r.choice(LAST)
        state = STATES[i] if i < 2 else r.choice(STATES)
        out.append(
            Buyer(
                id=f"xt-buyer-{i + 1:03d}",
                name=f"{first} {last}",
                state=state,
                email=f"{first.lower()}.{last.lower()}{r.randint(10, 99)}@mail.example",
                phone=f"+1 {AREA[state]} 555 01{r.randint(0, 99):02d}",
            )
        )
    return out


def seized_buyers(sales_count: int, count: int) -> list[Buyer]:
    """The buyers as the ring's records list them: the same people the loader creates
    (the seeded generator replayed in the loader's order: Diana's phone, the sales
    companies, then the buyers)."""
    r = rng()
    diana_phone(r)
    sales_companies(r, sales_count)
    return buyers(r, count)


def buyer_list_csv(people: list[Buyer]) -> str:
    """The Chinese node's seized customer list, as CSV (every row FICTIONAL)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["customer_no", "name", "email", "phone", "address", "country", "remark"])
    for b in people:
        writer.writerow([b.id, b.name, b.email, b.phone, f"{b.state}, USA", "us", LABEL])
    return out.getvalue()
