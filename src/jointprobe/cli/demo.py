"""``demo``: the Xingtai case between two real nodes (US and Chinese) on loopback."""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from jointprobe.cases.fold import fold_numbered
from jointprobe.cli.context import console, settings
from jointprobe.cli.render import FICTION, render_summary
from jointprobe.errors import ConfigError
from jointprobe.scenarios.kyc import LABEL as KYC_LABEL
from jointprobe.scenarios.kyc import demo_order
from jointprobe.scenarios.pen_story import run_pen_story
from jointprobe.scenarios.xingtai.twonode import (
    DEMO_PASSWORD,
    REGULATOR,
    US_CASE,
    USERNAME,
    Api,
    Story,
    run_story,
    two_nodes,
)


def _timeline(title: str, detail: dict[str, Any], *, fold_outcomes: bool = False) -> Table:
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("what")
    entries = detail.get("timeline", [])
    folded = [e for e in entries if fold_outcomes and e["kind"] == "outcome"]
    for line in fold_numbered(entries, lambda e: (e["summary"],), lambda e: e["kind"]):
        entry = line.first
        if entry in folded:
            if entry is folded[0]:
                table.add_row("outcome", f"{len(folded)} outcomes, in the case below")
            continue
        table.add_row(entry["kind"], line.cells[0])
    return table


def _render_us_case(out: Console, events: list[dict[str, Any]]) -> None:
    table = Table(
        title=f"US case {US_CASE}: what came back (source of each fact)",
        title_justify="left",
        expand=True,
    )
    table.add_column("kind", no_wrap=True)
    table.add_column("what")
    table.add_column("source", style="dim", overflow="fold")

    def source(e: dict[str, Any]) -> str:
        return str(e.get("source") or (e.get("details") or {}).get("source") or "")

    def same(e: dict[str, Any]) -> tuple[str, str, bool]:
        return e["kind"], source(e), bool(e.get("fictional"))

    for line in fold_numbered(events, lambda e: (e["title"],), same):
        label = f"{FICTION} " if line.first.get("fictional") else ""
        table.add_row(line.first["kind"], label + line.cells[0], source(line.first))
    out.print(table)


def _render_buyer_list(out: Console, story: Story) -> None:
    """How the Chinese node routed the seized buyer list (``leads from-list``)."""
    report = story.buyer_list
    if not report:
        return
    out.print(
        f"the ring's customer list ({FICTION} people) through `leads from-list`: "
        f"{report['rows']} rows, {report['imported']} people added to {report['case_id']}, "
        f"{report['linked']} already held, {len(report['bad'])} bad rows"
    )
    for r in report["routes"]:
        where = f"{r['name']} ({r['to']})" if r["to"] else "nobody"
        note = f" [dim]{r['note']}[/]" if r["note"] else ""
        out.print(f"  {r['jurisdiction']} → {where}: {r['count']} as {r['kind']}{note}")


def _render_offices(out: Console, story: Story) -> None:
    table = Table(
        title=f"{story.leads_sent} buyer leads ({FICTION} people) routed by US state",
        title_justify="left",
        expand=True,
    )
    table.add_column("office (case)", overflow="fold")  # case ids are shown whole
    for column in ("states", "leads", "investigations", "arrests", "note"):
        table.add_column(column)
    for o in story.offices:
        table.add_row(
            f"{o['office']}\n[dim]{o['case_id']}[/]",
            ", ".join(o["states"]),
            str(o["leads"]),
            str(o["investigations"]),
            str(o["arrests"]),
            o["note"],
        )
    out.print(table)
    out.print(
        f"{story.investigations} domestic investigations opened, "
        f"{len(story.arrests)} major arrests ({', '.join(sorted(story.arrests))}); "
        "reported: more than 25 investigations, three major arrests in New York and Oregon "
        "[dim](002_0ea23f8eab74a5d9.txt)[/]; which leads is FICTIONAL"
    )


def render_story(out: Console, story: Story) -> None:
    us, cn = story.us, story.cn
    out.print(
        Panel(
            f"[bold]{us.spec.name}[/] ({us.spec.node_id}, {us.spec.country}) {us.url}\n"
            f"  fingerprint {us.fingerprint}\n"
            f"[bold]{cn.spec.name}[/] ({cn.spec.node_id}, {cn.spec.country}) {cn.url}\n"
            f"  fingerprint {cn.fingerprint}\n"
            + "\n".join(
                f"{me} trusts {p['node_id']} (fingerprint checked); agreement: "
                f"{', '.join(p['kinds'])}; max TLP {p['max_tlp']}"
                for me, p in story.peering.items()
            ),
            title="two nodes, own databases and keys, separate processes",
        )
    )
    ref = story.referral
    out.print(
        f"\n[bold]1. {us.spec.node_id} → {cn.spec.node_id}[/]: referral {ref['id']} "
        f"(vendor 'Diana', phone {ref['phone']} {FICTION}, due {ref['due']})"
    )
    out.print(_timeline(f"seen from {cn.spec.node_id}", story.cn_view))
    out.print(f"\n[bold]2. {cn.spec.node_id}: the Xingtai case it linked the referral to[/]")
    if story.cn_summary is not None:
        render_summary(out, story.cn_summary)
    out.print(f"\n[bold]3. {us.spec.node_id}: the same referral, as it came back[/]")
    out.print(_timeline(f"seen from {us.spec.node_id}", story.us_view, fold_outcomes=True))
    _render_us_case(out, story.us_case_events)
    out.print(f"\n[bold]4. {cn.spec.node_id} → {us.spec.node_id}[/]: buyer leads")
    _render_buyer_list(out, story)
    _render_offices(out, story)
    out.print(_timeline(f"the leads, seen from {cn.spec.node_id}", story.leads_view_cn))
    _render_deconfliction(out, story)


def _render_deconfliction(out: Console, story: Story) -> None:
    d = story.deconfliction
    if not d:
        return
    us, cn = d["us"], d["cn"]
    out.print(
        f"\n[bold]5. {story.us.spec.node_id} ⇄ {story.cn.spec.node_id}[/]: deconfliction "
        f"{d['id'][:8]} (private set intersection): {us['own_size']} phone(s) against "
        f"{cn['own_size']}; both learned first only the count ({us['count']}), then, with both "
        "case owners' consent, the shared selectors:"
    )
    for side, view in ((story.us.spec.node_id, us), (story.cn.spec.node_id, cn)):
        for shared in view["shared"]:
            records = ", ".join(r["id"] for r in shared["records"])
            out.print(f"  {side}: {shared['kind']} {shared['value']} {FICTION} ← {records}")
        if view.get("flag"):
            out.print(f"  [yellow]{side} flagged[/]: {view['flag']}")


def render_pen(out: Console, story: Story, pen: dict[str, Any]) -> None:
    """The pre-export notification from the Chinese node, answered by the US regulator."""
    cn, us, form, final = story.cn.spec.node_id, story.us.spec.node_id, pen["form"], pen["final"]
    out.print(f"\n[bold]5. {cn} → {us}[/]: pre-export notification {pen['id']} "
              f"({pen['label']})")  # fmt: skip
    table = Table(title="notification (1988 Convention Art. 12(10))", title_justify="left")
    table.add_column("field", no_wrap=True)
    table.add_column("value")
    line = form["consignments"][0]
    for name, value in (
        ("exporter", f"{form['exporter']['name']}, licence {form['exporter']['licence']}"),
        ("importer", f"{form['importer']['name']}, licence {form['importer']['licence']}"),
        ("substance", f"{line['substance']} (CAS {line['cas']}, HS {line['hs_code']}), "
                      f"{line['quantity']:g} {line['unit']} at {line['concentration_percent']} %"),
        ("route", f"{form['exit_point']} → {form['entry_point']} ({form['transport_mode']})"),
        ("import authorisation", form["import_authorisation"]),
        ("reply by", pen["received"]["due"][:16].replace("T", " ") + " UTC"),
    ):  # fmt: skip
        table.add_row(name, value)
    out.print(table)
    answer = final["answers"][-1]
    out.print(f"{us} (regulator) answered [bold]{final['decision']}[/]: {answer['reason']}; "
              f"{cn} holds it as {final['state']}, marking TLP:{answer['marking']['tlp']} "
              f"from {answer['marking']['originator']}")  # fmt: skip


def screen_demo_order(story: Story) -> dict[str, Any]:
    """A compliance officer on the US node screens one (fictional) precursor order."""
    api = Api(story.us)
    try:
        body = {"order": demo_order(), "fictional": True, "tlp": "AMBER"}
        answer: dict[str, Any] = api.post("/screening/orders", body)["screenings"][0]
        return answer
    finally:
        api.close()


def render_screening(out: Console, order: dict[str, Any], result: dict[str, Any]) -> None:
    verdict = result["verdict"].replace("_", " ")
    out.print(
        f"\n[bold]6. {order['buyer']['name']}[/] {FICTION} orders {order['quantity']} "
        f"{order['unit']} of {order['substance']['name']}, paying in bitcoin, shipped to a "
        f"freight forwarder: [bold red]{verdict}[/] ({result['points']} points) "
        f"[dim]{KYC_LABEL}; stored as {result['id']}[/]"
    )
    table = Table(
        title="every reason, with the data that raised it", title_justify="left", expand=True
    )
    for column in ("points", "reason", "data"):
        table.add_column(column)
    table.add_column("source", style="dim", overflow="fold")
    for r in result["reasons"]:
        data = "; ".join(f"{k}: {v}" for k, v in r["data"].items())
        table.add_row(f"{r['points']:+d}", r["text"], data, r["source"])
    out.print(table)


def _sign_in(out: Console, story: Story) -> None:
    for demo in (story.us, story.cn):
        out.print(
            f"[bold]{demo.spec.node_id}[/]: web {demo.url}/  API {demo.url}/api/v1/docs  "
            f"sign in as [bold]{USERNAME}[/] / {DEMO_PASSWORD}, or [bold]{REGULATOR}[/] for the "
            f"precursor register  (data: {demo.data_dir})"
        )


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def demo(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Tell the story, stop both nodes, exit."),
    port: int = typer.Option(
        8701, help="Port of the US node; the Chinese node takes the next (0: any free ports)."
    ),
    keep: bool = typer.Option(
        False, "--keep", help="Keep the temporary data folders (kept anyway with --data-dir)."
    ),
) -> None:
    """Replay the Xingtai case between a US and a Chinese node (fill-ins marked fictional)."""
    cfg = settings(ctx)
    root = ctx.find_root().obj or {}
    if cfg.database_url is not None:
        raise ConfigError(
            "the demo runs two nodes with SQLite in their own data dirs; unset --database-url"
        )
    scratch = root.get("data_dir") is None
    base = Path(root.get("data_dir") or tempfile.mkdtemp(prefix="jointprobe-demo-"))
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    started = time.monotonic()
    try:
        with two_nodes(base, port) as (story, servers):
            run_story(story.us, story.cn, story)
            render_story(console, story)
            render_pen(console, story, run_pen_story(story.us, story.cn))
            render_screening(console, demo_order(), screen_demo_order(story))
            console.print()
            _sign_in(console, story)
            pids = ", ".join(str(p) for p in servers.pids())
            console.print(
                f"[dim]server processes: {pids}; story took {time.monotonic() - started:.1f} s[/]"
            )
            if not once:
                console.print("both nodes keep running; Ctrl-C stops them")
                while servers.alive():
                    time.sleep(0.5)
                console.print("[red]a node process ended; stopping the other[/]")
    except (KeyboardInterrupt, _Stop):
        console.print("stopping both nodes")
    finally:
        signal.signal(signal.SIGTERM, previous)
        console.print("both nodes stopped")
        if scratch and not keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            console.print(f"data kept in {base}")


def register(app: typer.Typer) -> None:
    app.command()(demo)
