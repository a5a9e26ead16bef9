"""``network analyse|path|money``: key players and groups, paths, money of a case.

The commands join the ``network`` group (``cli/network.py``) in ``cli/main.py``;
need-to-know applies to each.
"""

from __future__ import annotations

import typer
from rich.table import Table

from jointprobe.cli.context import AsOption, console, node_session
from jointprobe.cli.render import FICTION
from jointprobe.network.graph import GraphNode
from jointprobe.network.money import Money, Party
from jointprobe.network.paths import Paths
from jointprobe.network.service import (
    DEFAULT_TOP,
    MAX_TOP,
    CaseAnalysis,
    analyse_case,
    money_of_case,
)
from jointprobe.network.service import case_paths as find_case_paths


def _name(node: GraphNode | Party) -> str:
    label = node.label if isinstance(node, GraphNode) else node.caption
    return f"{FICTION} {label}" if node.fictional else label


def render_analysis(result: CaseAnalysis) -> None:
    g, a = result.graph, result.analysis
    cut = " [yellow](cut off at the size limit)[/]" if g.truncated else ""
    console.print(f"[bold]{result.case.title}[/] ({result.case.id}): {len(g.nodes)} entities, "
                  f"{a.edges} ties, {len(a.communities)} groups, "
                  f"modularity {a.modularity:.2f}{cut}")  # fmt: skip
    if not g.nodes:
        console.print("This case has no entities yet.")
        return
    top = Table(title="Key players", title_justify="left", expand=True)
    for column in ("#", "entity", "schema", "group", "degree", "betweenness", "PageRank", "why"):
        top.add_column(column, overflow="fold")
    for i, p in enumerate(result.top, 1):
        s = p.score
        top.add_row(str(i), _name(p.node), p.node.schema, str(s.community), str(s.degree),
                    f"{s.betweenness:.3f}", f"{s.pagerank:.3f}", "; ".join(p.why))  # fmt: skip
    console.print(top)
    groups = Table(title="Groups (Leiden communities)", title_justify="left", expand=True)
    for column in ("group", "size", "members (most central first)"):
        groups.add_column(column, overflow="fold")
    for group in result.groups:
        names = [_name(n) for n in group.members[:12]]
        more = f" … and {len(group.members) - 12} more" if len(group.members) > 12 else ""
        groups.add_row(str(group.number), str(len(group.members)), ", ".join(names) + more)
    console.print(groups)


def analyse(
    ctx: typer.Context,
    case_id: str,
    top: int = typer.Option(DEFAULT_TOP, "--top", min=1, max=MAX_TOP, help="Key players shown."),
    as_user: str = AsOption,
) -> None:
    """Key players (degree, betweenness, PageRank, and why) and groups (Leiden) of CASE_ID."""
    with node_session(ctx, as_user) as (_node, session, actor):
        result = analyse_case(session, actor, case_id, top)
        render_analysis(result)


def render_paths(found: Paths) -> None:
    ends = f"{_name(found.source)} → {_name(found.target)}"
    if not found.connected:
        console.print(f"{ends}: [yellow]not connected[/] in this case's graph"
                      + (" (cut off at the size limit)" if found.truncated else ""))  # fmt: skip
        return
    more = " (more not shown)" if found.more else ""
    console.print(f"{ends}: {len(found.paths)} shortest path(s) of {found.hops} step(s){more}")
    for number, path in enumerate(found.paths, 1):
        table = Table(title=f"Path {number}", title_justify="left", expand=True)
        for column in ("from", "to", "relation", "dates", "source", "marking"):
            table.add_column(column, overflow="fold")
        for step in path:
            for ev in step.evidence:
                arrow = "→" if ev.source_id == step.source.id else "←"
                dates = "; ".join(f"{k} {', '.join(v)}" for k, v in ev.dates.items()) or "—"
                kind = ev.label if ev.label == ev.schema else f"{ev.label} [{ev.schema}]"
                label = f"{arrow} {kind} ({ev.relation_id})"
                marking = f"TLP:{ev.tlp}" + (f" {ev.grading}" if ev.grading else "")
                table.add_row(_name(step.source), _name(step.target), label, dates,
                              ev.source or "—", marking)  # fmt: skip
        console.print(table)


def path(
    ctx: typer.Context,
    case_id: str,
    source: str = typer.Argument(..., metavar="FROM", help="Entity id to start from."),
    target: str = typer.Argument(..., metavar="TO", help="Entity id to reach."),
    as_user: str = AsOption,
) -> None:
    """Shortest paths between two entities of CASE_ID, each step with its evidence."""
    with node_session(ctx, as_user) as (_node, session, actor):
        render_paths(find_case_paths(session, actor, case_id, source, target))


def _party(party: Party) -> str:
    held = f" (held by {', '.join(party.holders)})" if party.holders else ""
    return _name(party) + held


def render_money(case_id: str, money: Money) -> None:
    if not money.flows:
        console.print(f"Case {case_id} has no payments or wallet transfers.")
        return
    console.print(f"{money.payments} payment(s) in {', '.join(money.currencies())}; "
                  "amounts are never added across currencies")  # fmt: skip
    flows = Table(title="Flows by counterparty and currency", title_justify="left", expand=True)
    columns = ("payer", "beneficiary", "kind", "currency", "total", "payments", "dates", "marking")
    for column in columns:
        flows.add_column(column, overflow="fold")
    for f in money.flows:
        count = str(len(f.payments)) + (f" ({f.without_amount} without amount)"
                                        if f.without_amount else "")  # fmt: skip
        dates = f"{f.first} – {f.last}" if f.first and f.first != f.last else f.first or "—"
        flows.add_row(_party(f.payer), _party(f.beneficiary), f.kind, f.currency,
                      f"{f.total:,}", count, dates, f"TLP:{f.tlp}")  # fmt: skip
    console.print(flows)
    parties = Table(title="Per party", title_justify="left", expand=True)
    for column in ("party", "currency", "sent", "received", "counterparties", "payments"):
        parties.add_column(column, overflow="fold")
    for t in money.parties:
        parties.add_row(_party(t.party), t.currency, f"{t.sent:,}", f"{t.received:,}",
                        str(t.counterparties), str(t.payments))  # fmt: skip
    console.print(parties)


def money(ctx: typer.Context, case_id: str, as_user: str = AsOption) -> None:
    """Payments and crypto-wallet transfers of CASE_ID, by counterparty and currency."""
    with node_session(ctx, as_user) as (_node, session, actor):
        render_money(case_id, money_of_case(session, actor, case_id))


def register(group: typer.Typer) -> None:
    """Add ``analyse``, ``path`` and ``money`` to the ``network`` group."""
    group.command("analyse")(analyse)
    group.command("path")(path)
    group.command("money")(money)
