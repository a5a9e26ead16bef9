"""``entity`` group: add, show, import FtM JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jointprobe.cli.context import AsOption, console, err_console, node_session, settings
from jointprobe.entities import add_entity, get_entity, import_ftm_lines
from jointprobe.errors import InvalidEntity, InvalidInput
from jointprobe.node import open_node

app = typer.Typer(help="Entities (FollowTheMoney).", no_args_is_help=True)


@app.command("add")
def entity_add(
    ctx: typer.Context,
    entity_json: str = typer.Argument(..., help="One FtM entity as JSON."),
    case_id: str | None = typer.Option(None, "--case"),
    as_user: str = AsOption,
) -> None:
    """Add one entity; its selectors and relations are indexed in the same transaction."""
    try:
        data = json.loads(entity_json)
    except json.JSONDecodeError as exc:
        raise InvalidEntity(f"malformed JSON: {exc.msg} at column {exc.colno}") from exc
    with node_session(ctx, as_user) as (_node, session, actor):
        row = add_entity(session, actor, data, case_id=case_id)
    console.print(f"[green]{row.schema} {row.id}[/] added")


@app.command("show")
def entity_show(ctx: typer.Context, entity_id: str, as_user: str = AsOption) -> None:
    """Print one entity as FtM JSON with its marking."""
    with node_session(ctx, as_user) as (_node, session, actor):
        row = get_entity(session, actor, entity_id)
        body = {"id": row.id, "schema": row.schema, "properties": row.properties}
        banner = f"TLP:{row.tlp}" + (" · FICTIONAL" if row.fictional else "")
    console.print(f"[yellow]{banner}[/]")
    console.print_json(json.dumps(body, ensure_ascii=False))


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


@app.command("import")
def entity_import(
    ctx: typer.Context,
    path: Path,
    case_id: str | None = typer.Option(None, "--case"),
    strict: bool = typer.Option(False, help="All or nothing: one bad line imports nothing."),
    workers: int = typer.Option(
        0, min=0, help="Processes reading and validating lines; 0: one per core."
    ),
    as_user: str = AsOption,
) -> None:
    """Import FtM JSON lines, streaming, with a progress bar and per-line errors."""
    if not path.is_file():
        raise InvalidInput("no such file", where=str(path))
    total = _count_lines(path)
    node = open_node(settings(ctx))
    kept = (0, 0)  # entities committed, through which line

    def committed(entities: int, line: int) -> None:
        nonlocal kept
        kept = (entities, line)

    try:
        with (
            Progress(
                TextColumn("importing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console,
                auto_refresh=False,  # no refresh thread: the line readers are forked
            ) as progress,
            path.open(encoding="utf-8", errors="replace") as handle,
        ):
            task = progress.add_task("import", total=total)
            report = import_ftm_lines(
                node.sessions,
                as_user,
                handle,
                name=path.name,
                case_id=case_id,
                strict=strict,
                workers=workers or None,
                on_line=lambda n: progress.update(task, completed=n, refresh=True),
                on_commit=committed,
            )
    except KeyboardInterrupt:
        entities, line = kept  # reported after each commit, the last one too
        if line == 0:
            said = "nothing was committed; run the import again"
        else:
            said = (
                f"{entities} entities (lines 1–{line}) stay imported; "
                f"the rest, from line {line + 1} on, was rolled back"
            )
        err_console.print(f"[yellow]interrupted[/]: {said}", soft_wrap=True)
        raise typer.Exit(code=130) from None
    finally:
        node.close()
    for number, message in report.errors:
        err_console.print(f"[red]{path.name}:{number}[/] {message}", soft_wrap=True)
    if report.rolled_back:
        err_console.print("[bold red]strict import: nothing imported[/]")
        raise typer.Exit(code=2)
    console.print(f"[green]{report.imported} imported[/], {len(report.errors)} rejected")
    if report.errors:
        raise typer.Exit(code=2 if report.imported == 0 else 1)
