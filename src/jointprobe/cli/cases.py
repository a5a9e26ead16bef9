"""``case`` group: create, list, show, members, events."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.table import Table

from jointprobe.cases import (
    CaseIn,
    EventIn,
    add_event,
    add_member,
    create_case,
    list_cases,
    remove_member,
)
from jointprobe.cases.lab import LabResultIn, attach_lab_result
from jointprobe.cases.summary import case_summary
from jointprobe.cli.context import AsOption, console, node_session
from jointprobe.cli.render import render_summary
from jointprobe.errors import InvalidInput

app = typer.Typer(help="Cases, members and events (need-to-know applies).", no_args_is_help=True)


@app.command("create")
def case_create(
    ctx: typer.Context,
    title: str,
    summary: str = "",
    case_id: str | None = typer.Option(None, "--id"),
    tlp: str = "AMBER",
    grading: str | None = None,
    as_user: str = AsOption,
) -> None:
    """Open a case; the creator becomes a member."""
    data = CaseIn(title=title, summary=summary, id=case_id, tlp=tlp, grading=grading)
    with node_session(ctx, as_user) as (_node, session, actor):
        case = create_case(session, actor, data)
    console.print(f"[green]case {case.id}[/] opened")


@app.command("list")
def case_list(ctx: typer.Context, as_user: str = AsOption) -> None:
    """Cases the user may see."""
    with node_session(ctx, as_user) as (_node, session, actor):
        table = Table("id", "title", "status", "marking")
        for case in list_cases(session, actor):
            table.add_row(case.id, case.title, case.status, f"TLP:{case.tlp}")
    console.print(table)


@app.command("show")
def case_show(ctx: typer.Context, case_id: str, as_user: str = AsOption) -> None:
    """Print a case: timeline, network, seizures, sentences, each with its source."""
    with node_session(ctx, as_user) as (_node, session, actor):
        summary = case_summary(session, actor, case_id)
    render_summary(console, summary)


@app.command("add-member")
def case_add_member(
    ctx: typer.Context, case_id: str, username: str, as_user: str = AsOption
) -> None:
    """Give USERNAME need-to-know on CASE_ID."""
    with node_session(ctx, as_user) as (_node, session, actor):
        add_member(session, actor, case_id, username)
    console.print(f"[green]{username}[/] added to {case_id}")


@app.command("remove-member")
def case_remove_member(
    ctx: typer.Context, case_id: str, username: str, as_user: str = AsOption
) -> None:
    """Take USERNAME's need-to-know on CASE_ID away (the last member stays)."""
    with node_session(ctx, as_user) as (_node, session, actor):
        remove_member(session, actor, case_id, username)
    console.print(f"[green]{username}[/] removed from {case_id}")


@app.command("add-event")
def case_add_event(
    ctx: typer.Context,
    case_id: str,
    event_json: Path = typer.Argument(..., help="JSON file with the event fields."),
    as_user: str = AsOption,
) -> None:
    """Add an event (seizure, arrest, charge, court_outcome, …) from a JSON file."""
    try:
        data = EventIn.model_validate(json.loads(event_json.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"cannot read event: {exc}", where=str(event_json)) from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'event'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidInput(problems, where=str(event_json)) from exc
    with node_session(ctx, as_user) as (_node, session, actor):
        event = add_event(session, actor, case_id, data)
    console.print(f"[green]event {event.id}[/] ({event.kind}) added to {case_id}")


@app.command("lab-result")
def case_lab_result(
    ctx: typer.Context,
    case_id: str,
    seizure_id: int = typer.Argument(..., min=1, max=2**63 - 1),
    structure: str = typer.Argument(..., help="SMILES, InChI or MOL block of the substance."),
    lab: str | None = typer.Option(None, help="Laboratory that analysed the sample."),
    as_user: str = AsOption,
) -> None:
    """Attach a lab result to a seizure: the structure is classified (US, CN, UN)."""
    with node_session(ctx, as_user) as (_node, session, actor):
        event = attach_lab_result(
            session, actor, case_id, seizure_id, LabResultIn(structure=structure, lab=lab)
        )
        title = event.title
    console.print(
        f"[green]lab result {event.id}[/] on seizure {seizure_id}: {title}", soft_wrap=True
    )
