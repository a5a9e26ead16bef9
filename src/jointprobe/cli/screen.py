"""``jointprobe screen``: screen names (and orders) against the node's lists; manage the lists.

Each command is its own function so that the order commands sit beside them.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from jointprobe.cli.context import AsOption, console, node_session, settings
from jointprobe.node import open_node
from jointprobe.screening.decisions import decide
from jointprobe.screening.lists import WATCHLIST, add_watch_entry, import_list, lists
from jointprobe.screening.matching import ListMatch, screen_name_as, screen_selector_as

app = typer.Typer(
    help="Screen names, selectors and orders against sanctions and watch lists.",
    no_args_is_help=True,
)
list_app = typer.Typer(
    help="Screening lists: import, refresh, show, watch list.", no_args_is_help=True
)
app.add_typer(list_app, name="list")


def _print_matches(query: str, found: list[ListMatch], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([asdict(m) for m in found], ensure_ascii=False, indent=2))
        return
    if not found:
        console.print(f"no list entry resembles {query!r}")
        return
    table = Table("score", "match", "list", "entry", "schema", "reasons")
    for m in found:
        label = f"{m.caption} [dim]{m.entry_id}[/]" + (
            " [yellow]FICTIONAL[/]" if m.fictional else ""
        )
        verdict = "[bold red]MATCH[/]" if m.match else "-"
        table.add_row(f"{m.score:.2f}", verdict, m.list_name, label, m.schema, "\n".join(m.reasons))
    console.print(table)


@app.command("name")
def screen_name_command(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="Name of a company, organisation or person."),
    schema: str | None = typer.Option(None, "--schema", help="Person, Company, Organization…"),
    country: str | None = typer.Option(None, "--country", help="Two-letter country code."),
    limit: int = typer.Option(10, "--limit"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    as_user: str = AsOption,
) -> None:
    """Rank list entries that may name QUERY, with a score, a match verdict and reasons."""
    threshold = settings(ctx).screening_threshold
    with node_session(ctx, as_user) as (_node, session, actor):
        found = screen_name_as(session, actor, query, schema=schema, country=country,
                               limit=limit, threshold=threshold)  # fmt: skip
        empty = not found and not lists(session)
    if empty and not as_json:
        console.print("no screening list on this node yet: jointprobe screen list import FILE "
                      "--name ofac-sdn --format ofac")  # fmt: skip
        return
    _print_matches(query, found, as_json)


@app.command("selector")
def screen_selector_command(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help="phone, email, wallet, domain, url, passport…"),
    value: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    as_user: str = AsOption,
) -> None:
    """List entries holding a phone, e-mail, wallet, domain… (exact after normalisation)."""
    with node_session(ctx, as_user) as (_node, session, actor):
        found = screen_selector_as(session, actor, kind, value)
    _print_matches(value, found, as_json)


@app.command("decide")
def decide_command(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="The name as screened."),
    entry_id: str = typer.Argument(..., help="The list entry's id (ofac-sdn-29897…)."),
    decision: str = typer.Argument(..., help="match or false_positive"),
    note: str = typer.Option("", "--note"),
    as_user: str = AsOption,
) -> None:
    """Remember that QUERY is (or is not) the list entry, for every later screening."""
    with node_session(ctx, as_user) as (_node, session, actor):
        row = decide(session, actor, query, entry_id, decision, note)
        key = row.query_key
    console.print(f"[green]recorded[/] {decision} for {entry_id} and names read as {key!r}")


@list_app.command("import")
def list_import_command(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The list file."),
    name: str = typer.Option(..., "--name", help="List name, e.g. ofac-sdn or eu-fsf."),
    fmt: str = typer.Option(..., "--format", help="ofac (sdn.csv) or ftm (FtM JSON lines)."),
    list_date: str | None = typer.Option(None, "--date", help="List date (YYYY-MM-DD)."),
    as_user: str = AsOption,
) -> None:
    """Import a list, or refresh it: changed entries rewritten, dropped ones removed."""
    when = date.fromisoformat(list_date) if list_date else None
    node = open_node(settings(ctx))
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:  # fmt: skip
            task = progress.add_task(f"reading {path.name}", total=None)
            report = import_list(
                node.sessions, as_user, path, name=name, fmt=fmt, list_date=when,
                on_entity=lambda n: progress.update(task, description=f"read {n} entities"),
            )  # fmt: skip
    finally:
        node.close()
    console.print(
        f"list {report.name}: {report.rows} rows; {report.added} added, {report.updated} "
        f"updated, {report.removed} removed, {report.unchanged} unchanged"
    )
    for where, why in report.errors[:20]:
        console.print(f"  [yellow]{where}[/]: {why}")
    if len(report.errors) > 20:
        console.print(f"  … and {len(report.errors) - 20} more")


@list_app.command("show")
def list_show_command(ctx: typer.Context, as_user: str = AsOption) -> None:
    """Every list with its format, date, entries and last import."""
    with node_session(ctx, as_user) as (_node, session, _actor):
        rows = [(r.name, r.format, str(r.list_date or "-"), str(r.entries),
                 f"{r.imported_at:%Y-%m-%d %H:%M} by {r.imported_by}", r.source)
                for r in lists(session)]  # fmt: skip
    table = Table("list", "format", "list date", "entries", "imported", "source")
    for row in rows:
        table.add_row(*row)
    console.print(table if rows else "no screening lists yet: jointprobe screen list import …")


@list_app.command("add")
def list_add_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Name of the party to watch."),
    schema: str = typer.Option("LegalEntity", "--schema"),
    country: str | None = typer.Option(None, "--country"),
    reason: str = typer.Option("", "--reason"),
    as_user: str = AsOption,
) -> None:
    """Put a party on the node's own watch list."""
    with node_session(ctx, as_user) as (_node, session, actor):
        entity_id = add_watch_entry(session, actor, name, schema=schema, country=country,
                                    reason=reason)  # fmt: skip
    console.print(f"[green]added[/] {name!r} to the {WATCHLIST} as {entity_id}")
