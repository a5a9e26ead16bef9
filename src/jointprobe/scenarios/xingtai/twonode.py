"""The two-node Xingtai demo: a US node and a Chinese node as real server processes.

``prepare`` creates each node (own data dir, database, keys, users) and loads what
that agency knew at the start; ``Servers`` runs them as ``jointprobe serve``
processes on loopback and always stops them; ``peer_up`` trusts a peer's card
(fetched over HTTP) only with the fingerprint taken from the peer's own key file,
as an operator would with one obtained out of band; ``run_story`` drives the case
through each node's REST API, so every message crosses HTTP signed and encrypted.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import IO, Any

import httpx

from jointprobe.accounts import create_token, create_user
from jointprobe.cases import CaseIn, create_case
from jointprobe.cases.summary import CaseSummary, case_summary
from jointprobe.config import Settings
from jointprobe.entities import add_entity
from jointprobe.errors import JointprobeError
from jointprobe.exchange.identity import node_keys, own_card
from jointprobe.exchange.peers import add_peer
from jointprobe.node import OPERATOR, init_node, open_node
from jointprobe.scenarios.xingtai import fictional
from jointprobe.scenarios.xingtai.deconfliction import deconflict_cases
from jointprobe.scenarios.xingtai.history import load_seizure_history
from jointprobe.scenarios.xingtai.loader import CASE_ID, FICTIONAL, load_facts, load_xingtai
from jointprobe.store.tables import User
from jointprobe.timeutil import utcnow

DEMO_PASSWORD = "xingtai-demo-2017"
USERNAME = "analyst"
REGULATOR = "regulator"
US_CASE = "diana-2017"
INVESTIGATION_SEED = 20191107


@dataclass(frozen=True)
class NodeSpec:
    node_id: str
    name: str
    country: str


US = NodeSpec("us-hsi-nola", "HSI New Orleans", "US")
CN = NodeSpec("cn-mps-nnb", "Ministry of Public Security narcotics bureau", "CN")


class DemoError(JointprobeError):
    code = "demo.failed"
    status = 500
    exit_code = 1


@dataclass
class DemoNode:
    spec: NodeSpec
    data_dir: Path
    port: int
    fingerprint: str = ""
    token: str = ""
    #: the node operator's token: the exchange channels' state is for those who run them
    operator_token: str = ""
    #: the precursor regulator's token (pre-export notifications)
    regulator_token: str = ""
    proc: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir, port=self.port, endpoint=self.url)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pick_ports(first: int) -> tuple[int, int]:
    """``first`` and ``first + 1`` if both are free (0: any two free ports)."""
    if first and port_free(first) and port_free(first + 1):
        return first, first + 1
    a = free_port()
    b = free_port()
    while b == a:
        b = free_port()
    return a, b


# --- creating the nodes ------------------------------------------------------------


def _us_case(session: Any, analyst: User) -> None:
    """What HSI New Orleans knew in August 2017: an alias and a telephone number."""
    facts = load_facts()
    diana = next(p for p in facts["people"] if p["id"] == "xt-diana")
    create_case(
        session,
        analyst,
        CaseIn(
            id=US_CASE,
            title="Online vendor 'Diana' (fentanyl sales to US buyers)",
            summary="HSI New Orleans obtained the contact details of an online vendor known "
            "as 'Diana' and passed them to Chinese counterparts.",
            tlp="AMBER",
            source=diana["source"],
        ),
    )
    add_entity(
        session, analyst,
        {"id": "us-diana", "schema": "Person",
         "properties": {"name": ["Diana"], "alias": ["Diana"], "notes": [diana["notes"]]}},
        case_id=US_CASE, grading="B2", source=diana["source"],
    )  # fmt: skip
    phone = fictional.diana_phone(fictional.rng())
    add_entity(
        session, analyst,
        {"id": "us-diana-phone", "schema": "UserAccount",
         "properties": {"username": ["Diana (telephone contact)"], "service": ["telephone"],
                        "phone": [phone], "notes": [fictional.LABEL]}},
        case_id=US_CASE, fictional=True, source=FICTIONAL,
    )  # fmt: skip


def prepare(base: Path, spec: NodeSpec, port: int) -> DemoNode:
    """Create the node (database, keys, an analyst who can sign in) and its starting data."""
    demo = DemoNode(spec, base / spec.node_id, port)
    node = init_node(demo.settings(), spec.node_id, spec.name, spec.country)
    try:
        with node.session() as session:
            analyst = create_user(
                session, USERNAME, "analyst", display_name=f"Demo analyst ({spec.name})",
                password=DEMO_PASSWORD,
            )  # fmt: skip
            if spec.country == "US":
                _us_case(session, analyst)
                load_seizure_history(session, analyst)
            else:
                load_xingtai(session, analyst, us_follow_up=False, buyers=False)
            demo.token = create_token(session, USERNAME, "demo", actor="operator")
            demo.operator_token = create_token(session, OPERATOR, "demo", actor="operator")
            create_user(
                session, REGULATOR, "regulator", display_name=f"Demo regulator ({spec.name})",
                password=DEMO_PASSWORD,
            )  # fmt: skip
            demo.regulator_token = create_token(session, REGULATOR, "demo", actor="operator")
        demo.fingerprint = own_card(node, node_keys(node)).fingerprint
    finally:
        node.close()
    return demo


def _no_orphans() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to stop the server if the demo process dies without cleaning up."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Servers:
    """``jointprobe serve`` for each node; stopped on exit, whatever happened."""

    def __init__(self, nodes: list[DemoNode], *, startup_timeout: float = 120.0) -> None:
        self.nodes = nodes
        self.startup_timeout = startup_timeout

    def __enter__(self) -> Servers:
        try:
            for demo in self.nodes:
                self._start(demo)
            for demo in self.nodes:
                self._wait(demo)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self, demo: DemoNode) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JOINTPROBE_")}
        env.update(
            JOINTPROBE_ENDPOINT=demo.url,
            JOINTPROBE_DELIVERY_INTERVAL_SECONDS="0.2",
        )
        demo.log = (demo.data_dir / "serve.log").open("ab")
        demo.proc = subprocess.Popen(
            [sys.executable, "-m", "jointprobe.cli", "--data-dir", str(demo.data_dir),
             "serve", "--port", str(demo.port)],
            env=env, stdin=subprocess.DEVNULL, stdout=demo.log, stderr=subprocess.STDOUT,
            preexec_fn=_no_orphans if sys.platform == "linux" else None,
        )  # fmt: skip

    def _wait(self, demo: DemoNode) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if demo.proc is not None and demo.proc.poll() is not None:
                raise DemoError(
                    f"{demo.spec.node_id} exited with {demo.proc.returncode}; "
                    f"see {demo.data_dir / 'serve.log'}"
                )
            try:
                if httpx.get(demo.url + "/api/v1/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise DemoError(f"{demo.spec.node_id} did not come up on {demo.url}")

    def pids(self) -> list[int]:
        return [d.proc.pid for d in self.nodes if d.proc is not None]

    def alive(self) -> bool:
        return all(d.proc is not None and d.proc.poll() is None for d in self.nodes)

    def stop(self) -> None:
        for demo in self.nodes:
            if demo.proc is not None and demo.proc.poll() is None:
                demo.proc.terminate()
        for demo in self.nodes:
            if demo.proc is not None:
                try:
                    demo.proc.wait(10)
                except subprocess.TimeoutExpired:
                    demo.proc.kill()
                    demo.proc.wait(10)
            if demo.log is not None:
                demo.log.close()
                demo.log = None


def peer_up(me: DemoNode, other: DemoNode) -> dict[str, Any]:
    """Trust ``other``: its card over HTTP, checked against the fingerprint from its operator."""
    answer = httpx.get(other.url + "/api/v1/exchange/card", timeout=10.0)
    answer.raise_for_status()
    card = answer.json()["card"]
    node = open_node(me.settings())
    try:
        with node.write_session() as session:
            peer = add_peer(session, card, other.fingerprint)
            return {
                "node_id": peer.node_id, "fingerprint": peer.fingerprint,
                "kinds": list(peer.allowed_kinds), "max_tlp": peer.max_tlp,
            }  # fmt: skip
    finally:
        node.close()


# --- driving the story through the APIs ----------------------------------------------


class Api:
    """One node's REST API as its analyst (or as the user whose ``token`` is given)."""

    def __init__(self, demo: DemoNode, token: str | None = None) -> None:
        self.demo = demo
        self.client = httpx.Client(
            base_url=demo.url + "/api/v1",
            headers={"Authorization": f"Bearer {token or demo.token}"},
            timeout=30.0,
        )

    def close(self) -> None:
        self.client.close()

    def _check(self, answer: httpx.Response) -> Any:
        if answer.status_code >= 400:
            raise DemoError(
                f"{self.demo.spec.node_id} {answer.request.method} {answer.request.url.path}: "
                f"HTTP {answer.status_code} {answer.text[:300]}"
            )
        return answer.json() if answer.content else None

    def get(self, path: str, **params: Any) -> Any:
        return self._check(self.client.get(path, params=params))

    def channels(self) -> list[dict[str, Any]]:
        """Delivery state per peer, read as the node's operator."""
        auth = {"Authorization": f"Bearer {self.demo.operator_token}"}
        answer: list[dict[str, Any]] = self._check(self.client.get("/exchange/peers", headers=auth))
        return answer

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST; a write that met a busy SQLite database was rolled back and is tried again."""
        for attempt in range(6):
            answer = self.client.post(path, json=body)
            busy = answer.status_code == 503 or (
                answer.status_code == 500 and not path.startswith("/exchange/")
            )
            if not busy or attempt == 5:
                return self._check(answer)
            time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def drained(self) -> bool:
        """Nothing left in this node's outbox (its deliverer has stopped writing)."""
        return all(p["queued"] == 0 for p in self.channels())


def wait_for(
    what: str,
    check: Callable[[], Any],
    *,
    timeout: float = 60.0,
    sender: Api | None = None,
) -> Any:
    """Poll ``check``; on timeout, say what the sending node's outbox reports."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            why = ""
            if sender is not None:
                with contextlib.suppress(DemoError, httpx.HTTPError):
                    why = "; sender's peers: " + "; ".join(
                        f"{p['node_id']} queued {p['queued']} delivered {p['delivered']} "
                        f"rejected {p['rejected']} last error {p['last_error']}"
                        for p in sender.channels()
                    )
            raise DemoError(f"timed out waiting for {what}{why}")
        time.sleep(0.1)


def buyers_mapping() -> str:
    """The mapping the Chinese node reads the seized buyer list with (``buyers_mapping.yaml``)."""
    files = resources.files("jointprobe.scenarios.xingtai")
    return files.joinpath("buyers_mapping.yaml").read_text(encoding="utf-8")


def _sources(text: str) -> str:
    return "; ".join(s.strip() for s in text.split(";"))


def cn_outcomes() -> list[dict[str, Any]]:
    """What the Chinese side reports back: arrests, seizures, charges, sentences, with sources."""
    facts = load_facts()
    names = {p["id"]: p["name"] for p in facts["people"]}
    out: list[dict[str, Any]] = []
    kinds = {"arrest": "arrest", "seizure": "seizure", "charge": "charge",
             "court_outcome": "sentence"}  # fmt: skip
    for event in facts["events"]:
        kind = kinds.get(event["kind"])
        if kind is None:
            continue
        people = [names.get(p, p) for p in event.get("people", [])]
        if event.get("repeat_for_unnamed_defendants"):
            people_sets = [
                [f"Defendant {i + 4} (not named in the reporting)"]
                for i in range(facts["unnamed_defendants"])
            ]
        else:
            people_sets = [people]
        for who in people_sets:
            details: dict[str, Any] = {"source": _sources(event["source"])}
            for key in ("place", "substance", "unit", "outcome"):
                if event.get(key):
                    details[key] = event[key]
            if event.get("quantity") is not None:
                details["quantity"] = str(event["quantity"])
            details.update(event.get("details", {}))
            if who:
                details["people"] = who
            lead = f"{', '.join(who)}: " if who else ""
            amount = ""
            if event.get("quantity") is not None:
                amount = f": {event['quantity']} {event['unit']} {event['substance']}"
            out.append(
                {
                    "type": kind,
                    "description": f"{lead}{event['title']}{amount}",
                    "date": str(event["occurred_on"]),
                    "details": details,
                }
            )
    return out


@dataclass
class Story:
    us: DemoNode
    cn: DemoNode
    peering: dict[str, dict[str, Any]] = field(default_factory=dict)
    referral: dict[str, Any] = field(default_factory=dict)
    cn_view: dict[str, Any] = field(default_factory=dict)
    us_view: dict[str, Any] = field(default_factory=dict)
    us_case_events: list[dict[str, Any]] = field(default_factory=list)
    cn_summary: CaseSummary | None = None
    leads_sent: int = 0
    #: the Chinese node's `leads from-list` report on the seized buyer list
    buyer_list: dict[str, Any] = field(default_factory=dict)
    leads_view_us: dict[str, Any] = field(default_factory=dict)
    leads_view_cn: dict[str, Any] = field(default_factory=dict)
    offices: list[dict[str, Any]] = field(default_factory=list)
    investigations: int = 0
    arrests: list[str] = field(default_factory=list)
    deconfliction: dict[str, Any] = field(default_factory=dict)


def _kinds(detail: dict[str, Any]) -> Counter[str]:
    return Counter(e["kind"] for e in detail.get("timeline", []))


def _office_queues(api: Api) -> dict[str, list[dict[str, Any]]]:
    queues: dict[str, list[dict[str, Any]]] = {}
    for case in api.get("/cases"):
        if case["id"].startswith("leads-"):
            queues[case["id"]] = api.get(f"/cases/{case['id']}/events")
    return queues


def run_story(us: DemoNode, cn: DemoNode, story: Story | None = None) -> Story:
    story = story or Story(us, cn)
    facts = load_facts()
    follow = facts["us_follow_up"]
    usa, cna = Api(us), Api(cn)
    try:
        # 1. The US analyst refers Diana (alias and telephone number) to the Chinese node.
        phone = fictional.diana_phone(fictional.rng())
        due = (utcnow() + timedelta(days=30)).isoformat()
        sent = usa.post(
            "/exchange/referrals",
            {
                "case_id": US_CASE, "to": [CN.node_id],
                "title": "Online vendor 'Diana': fentanyl sold to US buyers",
                "narrative": "An online vendor known as 'Diana' sells fentanyl to buyers in the "
                "United States; her telephone number below is our only contact detail "
                "(the number is FICTIONAL: the reporting does not give it).",
                "requested_action": "Identify the subscriber and the organisation behind the "
                "vendor; report arrests and seizures.",
                "due": due,
                "selectors": [{"type": "phone", "value": phone, "grading": "B2"}],
                "entity_ids": ["us-diana", "us-diana-phone"],
                "tlp": "AMBER", "use": "intelligence", "grading": "B2",
            },
        )  # fmt: skip
        rid = sent["id"]
        story.referral = {"id": rid, "phone": phone, "due": due[:10]}

        # 2. It arrives at the Chinese node, which accepts it into its own case.
        wait_for(
            "the referral at the Chinese node",
            lambda: any(r["id"] == rid for r in cna.get("/exchange/referrals", direction="in")),
            sender=usa,
        )
        cna.post(
            f"/exchange/referrals/{rid}/ack",
            {"decision": "accept", "reason": "Tip traced to a ring based in Xingtai, Hebei "
             "(002_0ea23f8eab74a5d9.txt)", "case_id": CASE_ID},
        )  # fmt: skip
        cna.post(
            f"/exchange/referrals/{rid}/status",
            {"state": "investigating", "note": "Ring in Xingtai linked to the vendor: "
             "processing lab set up in 2017 (003_e428d6fb5a08311a.txt)"},
        )  # fmt: skip
        outcomes = cn_outcomes()
        cna.post(f"/exchange/referrals/{rid}/outcome", {"outcomes": outcomes})
        cna.post(
            f"/exchange/referrals/{rid}/status",
            {"state": "closed", "note": "Nine sentenced by the Xingtai Intermediate People's "
             "Court on 2019-11-07 (002_0ea23f8eab74a5d9.txt)"},
        )  # fmt: skip

        # 3. The US node sees the acknowledgement, statuses and every outcome in its case.
        def us_has_all() -> Any:
            detail = usa.get(f"/exchange/referrals/{rid}")
            kinds = _kinds(detail)
            done = kinds["outcome"] >= len(outcomes) and detail["state"] == "closed"
            return detail if done else None

        story.us_view = wait_for("the outcomes at the US node", us_has_all, sender=cna)
        story.cn_view = cna.get(f"/exchange/referrals/{rid}")

        # 4. The Chinese node passes back the US buyers it identified (fictional people):
        # the ring's seized customer list goes in through `leads from-list` (its API),
        # which links each buyer to the ring and sends the US ones to the US node.
        people = fictional.seized_buyers(
            facts["sales_companies"]["count"], follow["buyers_identified_at_least"] + 2
        )
        report = cna.post(
            f"/cases/{CASE_ID}/leads/from-list",
            {
                "content": fictional.buyer_list_csv(people), "format": "csv",
                "mapping": buyers_mapping(),
                "name": "the Xingtai ring's customer list (generated: FICTIONAL)",
                "title": f"{len(people)} US residents who tried to buy from the Xingtai ring",
                "narrative": "Buyers identified from the ring's records "
                "(002_0ea23f8eab74a5d9.txt: 'more than 50 US residents'); "
                "the individual identities in this demo are FICTIONAL.",
                "requested_action": "Open domestic investigations; report arrests.",
                "due_days": 90, "tlp": "AMBER", "use": "intelligence",
            },
        )  # fmt: skip
        story.buyer_list = report
        sent_to_us = [r for r in report["routes"] if r["kind"] == "peer" and r["to"] == US.node_id]
        if not sent_to_us or report["bad"]:
            raise DemoError(f"the buyer list was not routed to {US.node_id}: {report['routes']}")
        lid = sent_to_us[0]["refs"][0]
        story.leads_sent = sent_to_us[0]["count"]

        # 5. The US node routes them to its field offices as they arrive (leads.routing).
        def routed() -> Any:
            try:
                detail = usa.get(f"/exchange/referrals/{lid}")
            except DemoError:
                return None
            return detail if _kinds(detail)["routed"] else None

        wait_for("the leads routed at the US node", routed, sender=cna)
        usa.post(
            f"/exchange/referrals/{lid}/ack",
            {"decision": "accept", "reason": "Leads routed to HSI field offices by state",
             "case_id": US_CASE},
        )  # fmt: skip

        wait_for("the US outbox to drain", usa.drained)

        # 6. Field offices open domestic investigations; three lead to major arrests.
        queues = _office_queues(usa)
        routed_leads = [
            (case_id, e) for case_id, events in sorted(queues.items()) for e in events
            if e["kind"] == "referral" and e["details"].get("referral_id") == lid
        ]  # fmt: skip
        r = random.Random(INVESTIGATION_SEED)
        count = follow["domestic_investigations_at_least"] + 1
        chosen = r.sample(routed_leads, min(count, len(routed_leads)))
        arrest_states = set(follow["arrest_states"])
        candidates = [x for x in routed_leads if x[1]["details"].get("state") in arrest_states]
        arrested = r.sample(candidates, min(follow["major_arrests"], len(candidates)))
        for pick in arrested:
            if pick not in chosen:
                chosen[-1] = pick
        opened: dict[str, int] = defaultdict(int)
        for case_id, event in chosen:
            usa.post(
                f"/cases/{case_id}/events",
                {"kind": "investigation", "title": "Domestic investigation opened on the lead "
                 "(which leads were investigated is FICTIONAL; the count is reported)",
                 "people": event["people"], "related_event_id": event["id"], "fictional": True,
                 "details": {"referral_id": lid}, "source": follow["source"]},
            )  # fmt: skip
            opened[case_id] += 1
        made: dict[str, int] = defaultdict(int)
        for case_id, event in arrested:
            state = event["details"]["state"]
            usa.post(
                f"/cases/{case_id}/events",
                {"kind": "arrest", "title": "Major criminal arrest and indictment (three "
                 "reported in New York and Oregon; which lead is FICTIONAL)",
                 "place": state, "people": event["people"], "related_event_id": event["id"],
                 "fictional": True, "details": {"referral_id": lid}, "source": follow["source"]},
            )  # fmt: skip
            made[case_id] += 1
            story.arrests.append(state)
        story.investigations = len(chosen)

        # 7. ... and the US node reports that back on the leads referral.
        src = follow["source"]
        usa.post(
            f"/exchange/referrals/{lid}/outcome",
            {"outcomes": [
                {"type": "investigation", "description": f"{len(chosen)} domestic "
                 f"investigations opened from the leads (reported: more than "
                 f"{follow['domestic_investigations_at_least']})",
                 "details": {"count": len(chosen), "source": src}},
                {"type": "arrest", "description": f"{len(arrested)} major criminal arrests and "
                 "indictments in New York and Oregon",
                 "details": {"count": len(arrested), "place": "NY, OR", "source": src}},
            ]},
        )  # fmt: skip
        story.leads_view_cn = wait_for(
            "the US outcome at the Chinese node",
            lambda: (
                (d := cna.get(f"/exchange/referrals/{lid}")) and _kinds(d)["outcome"] >= 2 and d
            ),
            sender=usa,
        )
        story.leads_view_us = usa.get(f"/exchange/referrals/{lid}")

        # 8. The two nodes deconflict their cases: only Diana's phone is shared.
        story.deconfliction = deconflict_cases(
            usa, cna, wait_for, us_case=US_CASE, cn_case=CASE_ID, cn_node=CN.node_id
        )
        story.us_case_events = usa.get(f"/cases/{US_CASE}/events")
        for case_id, events in sorted(_office_queues(usa).items()):
            lead_events = [e for e in events if e["kind"] == "referral"]
            states = sorted({str(e["details"].get("state") or "-") for e in lead_events})
            notes = sorted({e["details"]["note"] for e in lead_events if e["details"].get("note")})
            office = next((str(e["details"].get("office")) for e in lead_events), "-")
            story.offices.append(
                {"case_id": case_id, "office": office,
                 "states": states, "leads": len(lead_events), "investigations": opened[case_id],
                 "arrests": made[case_id], "note": "; ".join(notes)}
            )  # fmt: skip
    finally:
        usa.close()
        cna.close()
    node = open_node(cn.settings())
    try:
        with node.session() as session:
            reader = session.query(User).filter_by(username=USERNAME).one()
            story.cn_summary = case_summary(session, reader, CASE_ID)
    finally:
        node.close()
    return story


@contextlib.contextmanager
def two_nodes(base: Path, first_port: int = 8701) -> Iterator[tuple[Story, Servers]]:
    """Create, serve and peer both nodes; the servers stop when the block ends."""
    us_port, cn_port = pick_ports(first_port)
    us = prepare(base, US, us_port)
    cn = prepare(base, CN, cn_port)
    with Servers([us, cn]) as servers:
        story = Story(us, cn)
        story.peering[US.node_id] = peer_up(us, cn)
        story.peering[CN.node_id] = peer_up(cn, us)
        yield story, servers


__all__ = [
    "CN",
    "DEMO_PASSWORD",
    "REGULATOR",
    "US",
    "USERNAME",
    "US_CASE",
    "DemoError",
    "DemoNode",
    "Servers",
    "Story",
    "cn_outcomes",
    "peer_up",
    "prepare",
    "run_story",
    "two_nodes",
]
