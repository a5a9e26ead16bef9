"""``jointprobe leads from-list``: a seized customer list as routed leads; ``jointprobe
leads reroute``: received leads routed again once a bad routing table is fixed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jointprobe.audit import record
from jointprobe.cli.context import AsOption, console, err_console, node_session
from jointprobe.errors import InvalidInput, NotFound
from jointprobe.exchange.identity import node_keys
from jointprobe.leads.fromlist import ListReport, ListRequest, from_list
from jointprobe.leads.listmap import load_list_mapping
from jointprobe.leads.listread import read_list_file
from jointprobe.leads.partners import parse_choices
from jointprobe.leads.routing import received_referrals, reroute, unrouted_referrals
from jointprobe.leads.tables import RoutingTableInvalid, node_table

app = typer.Typer(help="Leads: seized customer lists routed to field offices and partners.",
                  no_args_is_help=True)  # fmt: skip

_KIND = {"office": "field office", "queue": "default queue", "peer": "partner node",
         "unsent": "not sent"}  # fmt: skip


@contextmanager
def operator_errors() -> Iterator[None]:
    """A bad routing table as its operator needs it: the file, the key and the problem
    (API callers and timelines get only :data:`~jointprobe.leads.tables.INVALID_MESSAGE`)."""
    try:
        yield
    except RoutingTableInvalid as exc:
        err_console.print(f"[bold red]error[/] [dim]({exc.code})[/] {exc.detail}", soft_wrap=True)
        raise typer.Exit(exc.exit_code) from exc


@app.command("from-list")
def from_list_cmd(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The list: CSV with a header, or JSON lines."),
    case_id: str = typer.Option(..., "--case", help="The case the list was seized in."),
    mapping: Path = typer.Option(..., "--mapping", help="YAML mapping of columns (see docs)."),
    tlp: str = typer.Option("AMBER", "--tlp", help="TLP of the leads and referrals."),
    use: str = typer.Option("intelligence", "--use", help="intelligence or evidential."),
    peer: list[str] = typer.Option(
        [], "--peer", help="COUNTRY=NODE: which of several peers covering COUNTRY to use."
    ),
    due_days: int = typer.Option(30, "--due-days", help="Days the partners have to respond."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would happen; write nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    username: str = AsOption,
) -> None:
    """Import a customer list into a case and route each person by jurisdiction."""
    spec = load_list_mapping(mapping)
    req = ListRequest(case_id=case_id, name=path.name, tlp=tlp, use=use,
                      peers=parse_choices(peer), due_days=due_days, dry_run=dry_run)  # fmt: skip
    with operator_errors(), node_session(ctx, username) as (node, session, user):
        read = read_list_file(path, spec, cap=node.settings.leads_list_max_bytes)
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn()]  # fmt: skip
        with Progress(*columns, console=err_console, transient=True) as progress:
            task = progress.add_task("resolving people", total=len(read.rows))
            report = from_list(session, user, node_keys(node), read, spec, req,
                               on_row=lambda _line: progress.advance(task),
                               routing_file=node.settings.leads_routing_file)  # fmt: skip
    if as_json:
        console.print_json(json.dumps(asdict(report)))
    else:
        render(report, path)


@app.command("reroute")
def reroute_cmd(
    ctx: typer.Context,
    referral_id: str | None = typer.Argument(None, help="A received referral's id."),
    all_unrouted: bool = typer.Option(
        False, "--all-unrouted", help="Every received referral whose leads were not routed."
    ),
    username: str = AsOption,
) -> None:
    """Route again the leads of referrals received while the routing table was bad.

    Run it after fixing JOINTPROBE_LEADS_ROUTING_FILE; running it twice routes nothing
    twice (a lead whose office already has the referral's case is left out).
    """
    if (referral_id is None) == (not all_unrouted):
        raise InvalidInput("give a REFERRAL_ID or --all-unrouted (one of them)")
    with operator_errors(), node_session(ctx, username) as (node, session, user):
        table = node_table(session, node.settings.leads_routing_file)
        rows = unrouted_referrals(session) if all_unrouted else received_referrals(
            session, str(referral_id))  # fmt: skip
        if referral_id is not None and not rows:
            raise NotFound(f"no received referral {referral_id}")
        for row in rows:
            summary = reroute(session, table, row)
            record(session, user.username, "reroute", "referral", row.id,
                   {"peer": row.peer_id, "routed": summary is not None})  # fmt: skip
            console.print(f"{row.id} from {row.peer_id}: {summary or 'nothing left to route'}")
    if not rows:
        console.print("no referral has unrouted leads")


def render(report: ListReport, path: Path) -> None:
    what = "DRY RUN, nothing written: " if report.dry_run else ""
    console.print(
        f"{what}{path}: {report.rows} rows, {report.imported} new people, {report.linked} "
        f"linked to people the case already holds, {len(report.bad)} bad rows left out"
    )
    table = Table("jurisdiction", "goes to", "", "people", "note", title="routing",
                  title_justify="left")  # fmt: skip
    for r in report.routes:
        to = f"{r.name or '-'} [dim]{r.to or ''}[/]"
        table.add_row(r.jurisdiction, _KIND[r.kind], to, str(r.count), r.note or "")
    console.print(table)
    linked = [p for p in report.people if p.matched]
    if linked:
        people = Table("line", "person", "is", title="linked, not duplicated", title_justify="left")
        for p in linked:
            label = p.name + (" [yellow](FICTIONAL)[/]" if p.fictional else "")
            people.add_row(str(p.line), label, f"{p.entity_id}: {p.matched}")
        console.print(people)
    for p in report.people:
        if p.kind == "queue":
            fiction = " (FICTIONAL)" if p.fictional else ""
            err_console.print(f"[yellow]line {p.line}[/] {p.name}{fiction}: {p.note}")
    for line, reason in report.bad:
        err_console.print(f"[red]{path}:{line}[/] {reason}")


__all__ = ["app"]
