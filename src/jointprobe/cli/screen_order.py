"""``jointprobe screen order FILE``: one verdict per order with every reason listed."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from jointprobe.cli.context import AsOption, console, err_console, node_session
from jointprobe.screening.order_reading import read_orders
from jointprobe.screening.order_service import Batch, Filing, screen_and_store
from jointprobe.screening.verdict import Screening

STYLE = {"clear": "green", "review": "yellow", "hold_and_report": "bold red"}


def _reasons(s: Screening) -> str:
    lines = [f"[{'red' if r.points else 'dim'}]{r.points:+d}[/] {r.text}" for r in s.reasons]
    return "\n".join(lines) or "[dim]no reason to stop it[/]"


def _table(batch: Batch) -> Table:
    table = Table("line", "order", "buyer", "substance", "verdict", "reasons", show_lines=True)
    for s in batch.screenings:
        sub = s.substance.name or s.substance.given
        verdict = f"[{STYLE[s.verdict]}]{s.verdict.replace('_', ' ')}[/] ({s.points})"
        table.add_row(
            str(s.line),
            s.order.data.order_id or s.id or "",
            s.order.buyer.name,
            sub,
            verdict,
            _reasons(s),
        )
    return table


def order(
    ctx: typer.Context,
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or JSON lines file"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    case_id: str | None = typer.Option(None, "--case", help="File the screenings in this case."),
    tlp: str = typer.Option("AMBER", "--tlp", help="TLP marking of the stored screenings."),
    fictional: bool = typer.Option(False, "--fictional", help="Label the orders fictional."),
    as_user: str = AsOption,
) -> None:
    """Screen every order in FILE: parties against the lists, the substance, the red flags."""
    rows = read_orders(path)
    filing = Filing(case_id=case_id, tlp=tlp, fictional=fictional, source=str(path.name))
    with node_session(ctx, as_user) as (node, session, actor):
        with Progress(
            *Progress.get_default_columns(), console=err_console, transient=True, disable=as_json
        ) as progress:
            task = progress.add_task("screening orders", total=len(rows))
            batch = screen_and_store(
                session,
                actor,
                rows,
                filing,
                rules_file=node.settings.screening_rules,
                on_each=lambda n: progress.advance(task, n),
            )
    if as_json:
        body = {
            "screenings": [s.to_dict() for s in batch.screenings],
            "errors": [{"line": line, **e.to_dict()} for line, e in batch.errors],
        }
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    for line, error in batch.errors:
        err_console.print(f"[yellow]{path}:{line}[/] {error.message}", soft_wrap=True)
    if batch.screenings:
        console.print(_table(batch))
    counts = ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in batch.counts().items())
    console.print(
        f"{len(batch.screenings)} orders screened ({counts}); {len(batch.errors)} lines left out"
    )


def register(app: typer.Typer) -> None:
    app.command("order")(order)
