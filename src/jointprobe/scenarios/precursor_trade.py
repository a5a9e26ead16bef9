"""A fictional precursor export, generated with a fixed seed, for the demo and the tests.

Every party is invented and says so in its name; addresses use no real
street numbers; licence numbers carry an ``FX-`` (fictional) prefix. The
substance facts are real: ephedrine, CAS 299-42-3, HS 2939.41, in Table I of
the 1988 Convention.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

SEED = 20261203
LABEL = f"FICTIONAL: parties generated with seed {SEED}"
_WORDS = ("Lanxi", "Baiyun", "Qinghe", "Ruida", "Haitong", "Mingde", "Yuhua", "Tongxin")
_US_WORDS = ("Harbor", "Summit", "Prairie", "Lakeside", "Granite", "Keystone")


def _licence(r: random.Random) -> str:
    return f"FX-{r.randint(100000, 999999)}"


def _party(name: str, address: str, country: str, r: random.Random) -> dict[str, Any]:
    return {"name": f"{name} (fictional)", "address": address, "country": country,
            "licence": _licence(r)}  # fmt: skip


def pen_form(now: datetime, *, seed: int = SEED, days: int = 15) -> dict[str, Any]:
    """A pre-export notification of ephedrine from China to the United States, as a form."""
    r = random.Random(seed)
    cn, us = r.choice(_WORDS), r.choice(_US_WORDS)
    return {
        "reference": f"CN-EXP-{now:%Y}-{r.randint(1000, 9999)}",
        "exporter": _party(
            f"Jiangsu {cn} Fine Chemical Co., Ltd.", "Industrial Park, Taizhou, Jiangsu", "CN", r
        ),
        "importer": _party(f"{us} Pharmaceuticals Inc.", "Main Street, Newark, NJ", "US", r),
        "consignee": _party(f"{us} Pharmaceuticals Inc. plant", "Route 1, Edison, NJ", "US", r),
        "end_user": _party(f"{us} Pharmaceuticals Inc.", "Main Street, Newark, NJ", "US", r),
        "intermediaries": [
            {
                **_party(f"{r.choice(_WORDS)} Logistics Ltd.", "Port Road, Shanghai", "CN", r),
                "role": "freight forwarder",
            }
        ],  # fmt: skip
        "consignments": [
            {
                "substance": "ephedrine hydrochloride",
                "cas": "50-98-6",
                "hs_code": "2939.41",
                "concentration_percent": 99.5,
                "quantity": float(r.choice((250, 500, 750))),
                "unit": "kg",
            }
        ],  # fmt: skip
        "invoice": f"INV-{r.randint(10000, 99999)}",
        "end_use": "Manufacture of licensed decongestant tablets",
        "import_authorisation": f"FX-DEA-{r.randint(100000, 999999)}",
        "exit_point": "Shanghai Pudong International Airport (PVG)",
        "entry_point": "Newark Liberty International Airport (EWR)",
        "transit": [],
        "transport_mode": "air",
        "route": "PVG → EWR, direct air freight",
        "dispatch_date": (now + timedelta(days=days + 5)).date().isoformat(),
        "reply_by": (now + timedelta(days=days)).isoformat(),
        "tlp": "AMBER",
    }


def incident_form(on: date, *, seed: int = SEED) -> dict[str, Any]:
    """A stopped shipment of the kind the INCB collects, with fictional parties."""
    r = random.Random(seed + 1)
    word = r.choice(_WORDS)
    return {
        "type": "stopped-shipment",
        "reference": f"INC-{on:%Y}-{r.randint(100, 999)}",
        "occurred_on": on.isoformat(),
        "country": "US",
        "place": "Port of Long Beach",
        "consignments": [
            {
                "substance": "4-piperidone hydrochloride",
                "cas": "40064-34-4",
                "hs_code": "2933.39",
                "quantity": 100.0,
                "unit": "kg",
            }
        ],  # fmt: skip
        "parties": [_party(f"Hubei {word} Trading Co., Ltd.", "Wuhan, Hubei", "CN", r)],
        "route": "Shanghai → Long Beach, declared as 'industrial cleaner'",
        "modus_operandi": "mislabelled as a cleaning agent; consignee a freight forwarder",
        "narrative": f"{LABEL}. Shipment held on arrival; consignee could not name an end user.",
        "tlp": "AMBER",
        "consent": ["*"],
    }


def sor_form(on: date, *, seed: int = SEED) -> dict[str, Any]:
    """A suspicious order an exporter refused and reported, with fictional parties."""
    r = random.Random(seed + 2)
    return {
        "reference": f"SOR-{on:%Y}-{r.randint(100, 999)}",
        "reported_by": _party(
            f"Zhejiang {r.choice(_WORDS)} Chemical Co., Ltd.", "Hangzhou, Zhejiang", "CN", r
        ),  # fmt: skip
        "customer": _party(
            f"{r.choice(_US_WORDS)} Supply LLC", "Virtual office, Miami, FL", "US", r
        ),  # fmt: skip
        "consignments": [
            {
                "substance": "1-boc-4-piperidone",
                "cas": "79099-07-3",
                "hs_code": "2933.39",
                "quantity": 25.0,
                "unit": "kg",
            }
        ],  # fmt: skip
        "order_date": on.isoformat(),
        "red_flags": [
            "payment offered in bitcoin",
            "consignee is a freight forwarder",
            "new customer with no business history",
        ],  # fmt: skip
        "narrative": LABEL,
        "action": "refused",
        "tlp": "AMBER",
    }


__all__ = ["LABEL", "SEED", "incident_form", "pen_form", "sor_form"]
