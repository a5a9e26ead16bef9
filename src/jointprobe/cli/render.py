"""Rich rendering of a case summary: every fact with its source, fiction labelled."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from jointprobe.cases.fold import fold_numbered
from jointprobe.cases.summary import CaseSummary, EventLine, NetworkLine, fold_events

FICTION = "[magenta]FICTIONAL[/]"


def _events_table(title: str, events: list[EventLine], amount_header: str = "what") -> Table:
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("when", no_wrap=True)
    table.add_column(amount_header)
    table.add_column("who / detail")
    table.add_column("source", style="dim", overflow="fold")
    for e in fold_events(events):
        detail = ", ".join(e.people) or e.title
        if e.people and e.title:
            detail = f"{detail}: {e.title}"
        label = f"{FICTION} " if e.fictional else ""
        table.add_row(e.when, e.amount or e.kind, label + detail, e.source)
    return table


def _same_network_row(n: NetworkLine) -> tuple[str, bool, str]:
    return n.schema, n.fictional, n.source


def render_summary(console: Console, s: CaseSummary) -> None:
    console.print(
        Panel(
            f"[bold]{s.title}[/]\n{s.summary}\n[yellow]{s.marking}[/]  members: "
            + ", ".join(s.members),
            title=f"case {s.id}",
        )
    )
    console.print(_events_table("The referral that started it", s.of_kind("referral")[:1]))
    net = Table(title="The network", title_justify="left", expand=True)
    for column in ("entity", "schema", "detail"):
        net.add_column(column)
    net.add_column("source", style="dim", overflow="fold")
    for line in fold_numbered(s.network, lambda n: (n.caption, n.detail), _same_network_row):
        n, (caption, detail) = line.first, line.cells
        net.add_row(f"{FICTION} {caption}" if n.fictional else caption, n.schema, detail, n.source)
    if s.buyers_by_state:
        spread = ", ".join(f"{k} {v}" for k, v in s.buyers_by_state.items())
        total = sum(s.buyers_by_state.values())
        net.add_row(f"{FICTION} {total} US buyers", "Person", f"by state: {spread}", "generated")
    console.print(net)
    console.print(f"[dim]{s.edges} relations in the case graph[/]")
    console.print(_events_table("Seizures", s.of_kind("seizure"), "quantity"))
    console.print(_events_table("Arrests and investigations", s.of_kind("arrest", "investigation")))
    console.print(_events_table("Charges", s.of_kind("charge")))
    sentences = s.of_kind("court_outcome")
    console.print(_events_table(f"Sentences ({len(sentences)})", sentences, "sentence"))
    console.print(_events_table("Leads passed back", s.of_kind("referral")[1:]))
