"""Entity-resolution commands: ``hits``, ``resolve``, ``import ofac-sdn``, ``judge``.

Register with ``register(app)`` (adds ``hits`` and ``resolve`` as commands,
``import`` and ``judge`` as groups), or pick the module-level Typer objects.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from jointprobe.cli.context import AsOption, console, err_console, node_session, settings
from jointprobe.errors import InvalidInput
from jointprobe.node import open_node
from jointprobe.resolve import judgements
from jointprobe.resolve.hits import find_hits
from jointprobe.resolve.importers.ofac_import import import_ofac_sdn
from jointprobe.resolve.importers.records import ReadReport, read_csv, read_ftm
from jointprobe.resolve.linkage import ENGINES, link
from jointprobe.resolve.mapping import load_mapping
from jointprobe.screening.lists import OFAC_LIST, import_list, may_change_lists

hits_app = typer.Typer(help="Instant hits: local entities sharing a selector or a name.")
resolve_app = typer.Typer(help="Batch linkage / dedupe of an import with Splink.")
import_app = typer.Typer(
    help="Import outside data (OFAC SDN list, STIX 2.1 bundles, MISP events).", no_args_is_help=True
)
judge_app = typer.Typer(help="Confirm or reject candidate pairs.", no_args_is_help=True)


def hits(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="A phone, e-mail, domain, wallet, parcel no. or name."),
    kind: str | None = typer.Option(None, "--kind", help="Selector kind (default: guessed)."),
    region: str | None = typer.Option(None, "--region", help="Default phone region / country."),
    limit: int = typer.Option(50, "--limit"),
    as_user: str = AsOption,
) -> None:
    """List local entities that share a normalised selector or a matching name, with reasons."""
    with node_session(ctx, as_user) as (_node, session, actor):
        found = find_hits(session, actor, query, kind=kind, region=region, limit=limit)
    if not found:
        console.print(f"no hits for {query!r}")
        return
    table = Table("score", "entity", "schema", "reason")
    for hit in found:
        label = f"{hit.caption} [dim]{hit.entity_id}[/]" + (
            " [yellow]FICTIONAL[/]" if hit.fictional else ""
        )
        table.add_row(f"{hit.score:.2f}", label, hit.schema, hit.reason)
    console.print(table)


def _read(path: Path, mapping: Path | None, strict: bool) -> tuple[object, ReadReport, str | None]:
    if path.suffix in (".jsonl", ".ndjson", ".ftm"):
        frame, report = read_ftm(path, strict=strict)
        return frame, report, None
    if mapping is None:
        raise InvalidInput("a CSV import needs --mapping map.yaml", where=str(path))
    spec = load_mapping(mapping)
    frame, report = read_csv(path, spec, strict=strict)
    return frame, report, spec.phone_region


def resolve(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="One file to dedupe, or several to link."),
    mapping: Path | None = typer.Option(None, "--mapping", help="YAML column mapping (CSV)."),
    engine: str = typer.Option("duckdb", "--engine", help=f"One of {', '.join(ENGINES)}."),
    threshold: float = typer.Option(0.9, "--threshold", min=0.0, max=1.0),
    out: Path | None = typer.Option(None, "--out", help="Write candidate pairs to this CSV."),
    record: bool = typer.Option(False, "--record", help="Store candidates for judgement."),
    strict: bool = typer.Option(False, help="One bad row stops the run; nothing is linked."),
    as_user: str = AsOption,
) -> None:
    """Link or dedupe CSV / FtM JSON-lines files; candidates go to --out and/or the node."""
    frames, region = [], None
    for path in files:
        frame, report, region = _read(path, mapping, strict)
        for line, reason in report.errors[:20]:
            err_console.print(f"[yellow]{path}:{line}[/] {reason}")
        console.print(f"{path}: {report.rows} records, {len(report.errors)} bad rows left out")
        frames.append(frame)
    columns = [TextColumn("{task.description}"), SpinnerColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("linking", total=None)
        result = link(
            frames,  # type: ignore[arg-type]
            engine=engine,
            threshold=threshold,
            phone_region=region,
            on_step=lambda msg: progress.update(task, description=msg),
        )
    pairs = result.pairs[["unique_id_l", "unique_id_r", "match_probability", "match_weight"]]
    console.print(f"{len(pairs)} candidate pairs at ≥ {threshold}, {result.timings['total']:.1f} s")
    if out is not None:
        pairs.to_csv(out, index=False)
        console.print(f"written to {out}")
    if record:
        with node_session(ctx, as_user) as (_node, session, _actor):
            triples = zip(
                pairs.unique_id_l, pairs.unique_id_r, pairs.match_probability, strict=True
            )
            added = judgements.record_candidates(
                session, ((str(a), str(b), float(p)) for a, b, p in triples),
                source=", ".join(p.name for p in files),
            )  # fmt: skip
            session.commit()
        console.print(f"{added} new candidates stored; review with `jointprobe judge pending`")


@import_app.command("ofac-sdn")
def import_ofac(
    ctx: typer.Context,
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="OFAC legacy sdn.csv"),
    as_user: str = AsOption,
) -> None:
    """Import the OFAC SDN list as FtM entities (aliases, e-mails, wallets, passports, DOBs).

    An admin or supervisor also registers it as the screening list ``ofac-sdn``
    (``screen list import`` does the same import); anyone else imports the
    entities for ``hits`` and is told who can register the list.
    """
    node = open_node(settings(ctx))
    try:
        with node.session() as session:
            registers = may_change_lists(session, as_user)
        with Progress(*Progress.get_default_columns(), console=err_console) as progress:
            task = progress.add_task("OFAC SDN", total=None)

            def seen(count: int) -> None:
                progress.update(task, completed=count)

            if registers:
                listed = import_list(
                    node.sessions, as_user, path, name=OFAC_LIST, fmt="ofac", on_entity=seen
                )
            else:
                report = import_ofac_sdn(node.sessions, as_user, path, on_entity=seen)
    finally:
        node.close()
    if registers:
        console.print(
            f"{listed.rows} list entries → screening list {OFAC_LIST}: {listed.added} added, "
            f"{listed.updated} updated, {listed.removed} removed, {listed.unchanged} unchanged, "
            f"{len(listed.errors)} refused"
        )
        errors = listed.errors
    else:
        console.print(
            f"{report.rows} list entries → {report.imported} entities imported, "
            f"{report.already_present} already present, {len(report.errors)} refused"
        )
        console.print(f"not registered as the screening list {OFAC_LIST!r}: an admin or "
                      f"supervisor runs `jointprobe screen list import {path.name} "
                      f"--name {OFAC_LIST} --format ofac`")  # fmt: skip
        errors = report.errors
    for where, why in errors[:20]:
        err_console.print(f"[yellow]{where}[/] {why}")


@judge_app.command("pending")
def judge_pending(ctx: typer.Context, limit: int = 20, as_user: str = AsOption) -> None:
    """Candidate pairs waiting for an analyst, best first."""
    with node_session(ctx, as_user) as (_node, session, actor):
        rows = judgements.pending(session, actor, limit=limit)
        session.commit()
    table = Table("left", "right", "score", "source")
    for c in rows:
        table.add_row(c.left_id, c.right_id, f"{c.score or 0:.3f}", c.source)
    console.print(table)


@judge_app.command("decide")
def judge_decide(
    ctx: typer.Context,
    left: str,
    right: str,
    judgement: str = typer.Argument(..., help="positive, negative or unsure"),
    as_user: str = AsOption,
) -> None:
    """Confirm (positive) or reject (negative) a pair; prints the canonical id."""
    with node_session(ctx, as_user) as (_node, session, actor):
        canonical = judgements.decide(session, actor, left, right, judgement)
        session.commit()
    console.print(f"{left} ~ {right}: {judgement} by {as_user}; canonical id {canonical}")


hits_app.command("hits")(hits)
resolve_app.command("resolve")(resolve)


def register(app: typer.Typer) -> None:
    """Add ``hits``/``resolve`` commands and ``import``/``judge`` groups to the main app."""
    app.command("hits")(hits)
    app.command("resolve")(resolve)
    app.add_typer(import_app, name="import")
    app.add_typer(judge_app, name="judge")
