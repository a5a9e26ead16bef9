"""``report``: the working-group report for a date range, as HTML or PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from jointprobe.analytics.periods import DateRange
from jointprobe.analytics.report import build_report
from jointprobe.cli.context import AsOption, console, node_session
from jointprobe.errors import InvalidInput


def day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{option}: not a date (YYYY-MM-DD): {value!r}") from exc


def report(
    ctx: typer.Context,
    start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD)."),
    end: str = typer.Option(..., "--to", help="Last day (YYYY-MM-DD), included."),
    fmt: str = typer.Option("html", "--format", help="html or pdf."),
    out: Path | None = typer.Option(None, "--out", help="File to write (default: report.FORMAT)."),
    as_user: str = AsOption,
) -> None:
    """Responsiveness, the funnel, seizure trends and origin shifts over a date range.

    Need-to-know applies: only what the acting user may see is counted or named.
    """
    # charts and PDF pull in matplotlib and WeasyPrint: only for this command
    from jointprobe.analytics.render import FORMATS, render_html, render_pdf

    if fmt not in FORMATS:
        raise InvalidInput(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    period = DateRange(day(start, "--from"), day(end, "--to"))
    target = out or Path(f"report.{fmt}")
    with node_session(ctx, as_user) as (_node, session, actor):
        with console.status("Building the report (bootstrap of each origin shift)…"):
            built = build_report(session, actor, period)
        with console.status(f"Rendering {fmt.upper()}…"):
            if fmt == "pdf":
                target.write_bytes(render_pdf(built))
            else:
                target.write_text(render_html(built), encoding="utf-8")
    note = " (no data in this range)" if built.empty else ""
    console.print(f"[green]report written[/] to {target}{note}")


def register(app: typer.Typer) -> None:
    app.command("report")(report)


__all__ = ["day", "register", "report"]
