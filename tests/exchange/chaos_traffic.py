"""Traffic for the chaos test: messages created through the nodes' REST API.

The sender writes referrals (1–200 selectors, most of them small), notices and
RFIs; the receiver acknowledges some of the referrals it got, so replies travel
the other way. A node that is down (killed) is waited for, not skipped.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

API = "/api/v1/exchange"
DUE = "2017-09-14T00:00:00Z"


@dataclass
class Api:
    """One node's REST API with an analyst's token."""

    url: str
    token: str

    def post(self, path: str, body: dict[str, Any], timeout: float = 30.0) -> httpx.Response:
        return httpx.post(self.url + API + path, json=body, timeout=timeout, headers=self._auth())

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + API + path, timeout=10.0, headers=self._auth())

    def _auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


@dataclass
class Created:
    """What the API confirmed (``ids``) and what it may or may not have done (``unsure``)."""

    ids: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    unsure: int = 0


def selector_count(rng: random.Random) -> int:
    """1–200, skewed small: most referrals are short, a few are large."""
    return 1 + int(199 * rng.random() ** 4)


def message(
    rng: random.Random, index: int, case_id: str, to: str
) -> tuple[str, str, dict[str, Any]]:
    """(kind, path, body) of the ``index``-th message."""
    roll = rng.random()
    if roll < 0.6:
        selectors = [
            {"type": "phone", "value": f"+86 311 {index:04d} {n:04d}"}
            for n in range(selector_count(rng))
        ]
        body = {"case_id": case_id, "to": [to], "title": f"Lead {index}", "due": DUE,
                "narrative": "x" * rng.randrange(0, 2000), "selectors": selectors}  # fmt: skip
        return "referral", "/referrals", body
    if roll < 0.8:
        text = "y" * rng.randrange(0, 5000)
        return "notice", "/notices", {"to": [to], "topic": "alert", "text": text}
    return "rfi", "/rfis", {"to": to, "question": f"Who holds account {index}?", "due": DUE}


def create(api: Api, path: str, body: dict[str, Any], created: Created, kind: str) -> None:
    """Post until the node answers; a request cut off by a kill may or may not have committed."""
    while True:
        try:
            response = api.post(path, body)
        except httpx.TransportError as exc:
            if not isinstance(exc, httpx.ConnectError):
                created.unsure += 1
            time.sleep(0.1)
            continue
        if response.status_code >= 500:
            time.sleep(0.1)
            continue
        response.raise_for_status()
        created.ids.append(response.json()["id"])
        created.kinds[kind] += 1
        return


class Replier:
    """Acknowledges some of the referrals the receiver got (receiver → sender traffic)."""

    def __init__(self, api: Api, rng: random.Random, share: float = 0.3) -> None:
        self.api, self.rng, self.share = api, rng, share
        self.seen: set[str] = set()
        self.acks: list[str] = []
        self.unsure = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Replier:
        self.thread.start()
        return self

    def finish(self) -> None:
        self.stop.set()
        if self.thread.ident is not None:  # started (a failed start must not hide its error)
            self.thread.join(30)

    def _run(self) -> None:
        while not self.stop.wait(0.5):
            try:
                self._round()
            except httpx.TransportError:
                continue

    def _round(self) -> None:
        response = self.api.get("/referrals?direction=in")
        if response.status_code != 200:
            return
        for row in response.json():
            if row["id"] in self.seen or self.stop.is_set():
                continue
            self.seen.add(row["id"])
            if self.rng.random() < self.share:
                self._ack(row["id"])

    def _ack(self, referral_id: str) -> None:
        body = {"decision": "accept", "reason": "taken on"}
        try:
            response = self.api.post(f"/referrals/{referral_id}/ack", body)
        except httpx.TransportError:
            self.unsure += 1
            return
        if response.status_code == 201:
            self.acks.append(response.json()["message_id"])


__all__ = ["Api", "Created", "Replier", "create", "message", "selector_count"]
