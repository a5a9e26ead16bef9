"""``jointprobe chem``: classify structures, batch files, find similar controlled substances.

Commands only connect input to the service functions in ``jointprobe.chem``.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jointprobe.chem import (
    Classification,
    classify,
    classify_many,
    depict_svg,
    read_batch,
    similar,
)
from jointprobe.errors import JointprobeError

app = typer.Typer(
    help="Substance intelligence: is a structure controlled (US, CN, UN), since when, and why.",
    no_args_is_help=True,
)

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Answer for this date (YYYY-MM-DD); default today."),
]


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"not a date (YYYY-MM-DD): {value}", param_hint="--as-of"
        ) from None


def _read_input(structure: str) -> str:
    """A structure given inline, or '-' for stdin, or a path to a .mol/.sdf/.smi file."""
    if structure == "-":
        return sys.stdin.read()
    path = Path(structure)
    if len(structure) < 4096 and path.suffix.lower() in (".mol", ".sdf", ".smi", ".inchi"):
        if not path.is_file():
            raise typer.BadParameter(f"no such file: {structure}", param_hint="STRUCTURE")
        return path.read_text(encoding="utf-8")
    return structure


def _fail(console: Console, exc: JointprobeError) -> typer.Exit:
    console.print(f"[red]error[/red] {escape(f'[{exc.code}] {exc}')}")
    return typer.Exit(exc.exit_code)


@app.command("classify")
def classify_command(
    structure: Annotated[str, typer.Argument(help="SMILES, InChI, a .mol file, or - for stdin.")],
    as_of: AsOf = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    svg: Annotated[
        Path | None, typer.Option("--svg", help="Write a drawing with regions highlighted.")
    ] = None,
    no_stereo: Annotated[bool, typer.Option("--no-stereo", help="Drop stereochemistry.")] = False,
) -> None:
    """Classify one structure under US, Chinese and UN law."""
    err = Console(stderr=True)
    try:
        result = classify(_read_input(structure), _date(as_of), keep_stereo=not no_stereo)
    except JointprobeError as exc:
        if as_json:
            typer.echo(json.dumps({"input": structure, "error": exc.to_dict()}))
        raise _fail(err, exc) from None
    if svg is not None:
        svg.write_text(depict_svg(result), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    _print_result(Console(), result)
    if svg is not None:
        err.print(f"drawing written to {svg}")


def _print_result(console: Console, result: Classification) -> None:
    console.print(f"[bold]{result.standardized_smiles}[/bold]  {result.inchikey}")
    for warning in result.standardized.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}")
    table = Table(title=f"as of {result.as_of.isoformat()}", show_lines=True)
    for column in ("", "controlled", "fentanyl-related", "precursor", "why"):
        table.add_column(column)
    for code, verdict in result.verdicts.items():
        lines = []
        for reason in verdict.reasons:
            head = reason.substance or reason.title
            lines.append(
                f"[bold]{head}[/bold] — {reason.schedule or reason.title}, since "
                f"{reason.effective.isoformat()}\n  {reason.citation}"
            )
            lines.extend(f"  ({m.clause}) {m.description}" for m in reason.modifications)
            if reason.note:
                lines.append(f"  {reason.note}")
        lines.extend(f"[dim]{note}[/dim]" for note in verdict.notes)
        table.add_row(
            code,
            _yes(verdict.controlled),
            _yes(verdict.fentanyl_related),
            _yes(verdict.precursor),
            "\n".join(lines) or "[dim]no rule applies[/dim]",
        )
    console.print(table)


def _yes(value: bool) -> str:
    return "[red]yes[/red]" if value else "no"


@app.command("batch")
def batch_command(
    path: Annotated[Path, typer.Argument(help="A .smi, .sdf, .csv or .tsv file (.gz allowed).")],
    fmt: Annotated[str, typer.Option("--format", help="csv or jsonl.")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Classify every structure in a file; bad rows are reported with their line numbers."""
    err = Console(stderr=True)
    if fmt not in ("csv", "jsonl"):
        raise typer.BadParameter("use csv or jsonl", param_hint="--format")
    if not path.is_file():
        raise typer.BadParameter(f"no such file: {path}", param_hint="PATH")
    when = _date(as_of)
    total = sum(1 for _ in read_batch(path))
    sink: TextIO = output.open("w", encoding="utf-8") if output else sys.stdout
    good = bad = flagged = 0
    try:
        if fmt == "csv":
            sink.write("line,input,standardized_smiles,inchikey,us,cn,un,error\n")
        progress = Progress(
            TextColumn("classifying"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err,
            transient=output is None,
        )
        with progress:
            task = progress.add_task("batch", total=total)
            for outcome in classify_many(read_batch(path), when):
                progress.advance(task)
                if outcome.error is not None:
                    bad += 1
                    err.print(f"[yellow]skipped[/yellow] {escape(str(outcome.error))}")
                    _write_error(sink, fmt, outcome.line, outcome.input, outcome.error)
                    continue
                assert outcome.classification is not None
                good += 1
                flagged += outcome.classification.flagged
                _write_row(sink, fmt, outcome.line, outcome.classification)
    except JointprobeError as exc:
        raise _fail(err, exc) from None
    finally:
        if output:
            sink.close()
    err.print(f"{good} classified, {flagged} controlled somewhere, {bad} could not be read")
    if good == 0 and total:
        raise typer.Exit(2)


def _write_row(sink: TextIO, fmt: str, line: int, result: Classification) -> None:
    if fmt == "jsonl":
        sink.write(json.dumps({"line": line, **result.to_dict()}, ensure_ascii=False) + "\n")
        return
    cells = [str(line), result.input, result.standardized_smiles, result.inchikey]
    cells += [_summary(result, code) for code in ("US", "CN", "UN")] + [""]
    sink.write(",".join(_csv(c) for c in cells) + "\n")


def _write_error(sink: TextIO, fmt: str, line: int, text: str, exc: JointprobeError) -> None:
    if fmt == "jsonl":
        sink.write(json.dumps({"line": line, "input": text, "error": exc.to_dict()}) + "\n")
        return
    sink.write(",".join(_csv(c) for c in [str(line), text, "", "", "", "", "", str(exc)]) + "\n")


def _summary(result: Classification, code: str) -> str:
    verdict = result.verdicts.get(code)
    if verdict is None or not verdict.controlled:
        return "no"
    kinds = [
        k
        for k, v in (("fentanyl", verdict.fentanyl_related), ("precursor", verdict.precursor))
        if v
    ]
    return "controlled" + (f" ({'+'.join(kinds)})" if kinds else "")


def _csv(value: str) -> str:
    if any(ch in value for ch in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


@app.command("similar")
def similar_command(
    structure: Annotated[str, typer.Argument(help="SMILES, InChI, a .mol file, or - for stdin.")],
    top: Annotated[int, typer.Option("--top", min=1, max=50, help="How many to list.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the named controlled substances most similar to a structure."""
    err = Console(stderr=True)
    try:
        hits = similar(_read_input(structure), top=top)
    except JointprobeError as exc:
        raise _fail(err, exc) from None
    if as_json:
        typer.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False))
        return
    table = Table(title="nearest controlled substances (Morgan r=2, Tanimoto)")
    for column in ("similarity", "name", "listed in", "SMILES"):
        table.add_column(column)
    for hit in hits:
        table.add_row(f"{hit.similarity:.2f}", hit.name, "\n".join(hit.listings), hit.smiles)
    Console().print(table)
