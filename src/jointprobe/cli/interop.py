"""Interop commands: ``export CASE|--expand SELECTOR --format stix|ftm`` and
``import stix|misp FILE --case``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import typer

from jointprobe.cli.context import AsOption, console, err_console, node_session, settings
from jointprobe.errors import InvalidInput
from jointprobe.interop.export import (
    ExpansionExport,
    Exported,
    ExportFormat,
    export_case,
    export_expansion,
)
from jointprobe.interop.importing import ImportFormat, import_document, read_json_file
from jointprobe.network.expand import DEFAULT_HOPS, DEFAULT_LIMIT, MAX_HOPS, MAX_LIMIT


def export(
    ctx: typer.Context,
    case: str | None = typer.Argument(None, help="Case id (or --expand / --entity)."),
    format_: str = typer.Option(
        ..., "--format", help="stix (STIX 2.1 bundle) or ftm (JSON lines)."
    ),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="File to write."),
    for_peer: str | None = typer.Option(
        None,
        "--for",
        help="Peer the export is for (its agreement applies); default: public, "
        "TLP:CLEAR items only.",
    ),
    expand_from: str | None = typer.Option(
        None, "--expand", help="Export the network expanded from this selector instead of a case."
    ),
    entity: str | None = typer.Option(
        None, "--entity", help="Export the network expanded from this entity id."
    ),
    hops: int = typer.Option(DEFAULT_HOPS, "--hops", help=f"Expansion hops, 0–{MAX_HOPS}."),
    limit: int = typer.Option(DEFAULT_LIMIT, "--limit", help=f"Expansion size, 1–{MAX_LIMIT}."),
    kind: str | None = typer.Option(None, "--kind", help="Selector kind of --expand (guessed)."),
    region: str | None = typer.Option(None, "--region", help="Default phone region of --expand."),
    as_user: str = AsOption,
) -> None:
    """Export what of a case (or of a network expansion) its markings allow; RED and
    no-consent items never leave, nor anything of a case you may not see."""
    if sum(x is not None for x in (case, expand_from, entity)) != 1:
        raise typer.BadParameter(
            "give exactly one of CASE, --expand SELECTOR or --entity ID", param_hint="CASE"
        )
    export_format = ExportFormat.from_input(format_)
    audience = f"for {for_peer}" if for_peer else "public"
    with err_console.status(f"exporting {case or 'the expansion'} as {export_format.value}"):
        with node_session(ctx, as_user) as (node, session, actor):
            if case is not None:
                result: Exported = export_case(
                    session, actor, node.identity, case, export_format, recipient=for_peer
                )
                what = f"of {case}"
            else:
                expansion = export_expansion(
                    session, actor, node.identity, export_format, expand_from, entity_id=entity,
                    kind=kind, region=region, hops=hops, limit=limit, recipient=for_peer,
                    max_nodes=node.settings.interop_max_export_nodes,
                )  # fmt: skip
                result, what = expansion, _expansion_label(expansion)
            _write(out, result.data)  # inside the transaction: no file, no audit entry
    console.print(
        f"{result.entities} entities {what} exported ({audience}) to {out}; "
        f"{result.withheld_total} withheld",
        soft_wrap=True,
    )
    for reason, count in sorted(result.withheld.items()):
        console.print(f"  [yellow]{count} withheld[/]: {reason}", soft_wrap=True)


def _expansion_label(result: ExpansionExport) -> str:
    cut = ", cut short by --limit" if result.stopped else ""
    return f"of the network from {result.kind} {result.start} ({result.hops} hops{cut})"


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` whole or not at all, readable by the owner only.

    The temporary file has an unpredictable name and is created exclusively
    (``mkstemp``: mode 0600, never through an existing file or symlink), then
    renamed over ``path`` (a symlink at ``path`` is replaced, not followed).
    A place that cannot be written is :class:`InvalidInput`, naming it.
    """
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror}") from None
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InvalidInput(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _import(ctx: typer.Context, fmt: ImportFormat, path: Path, case: str, as_user: str) -> None:
    document = read_json_file(path, settings(ctx).interop_max_import_bytes)
    with err_console.status(f"importing {path.name} into {case}"):
        with node_session(ctx, as_user) as (_node, session, actor):
            report = import_document(session, actor, case, fmt, document, source=path.name)
    tlps = ", ".join(f"{count} TLP:{tlp}" for tlp, count in sorted(report.by_tlp.items()))
    console.print(
        f"{report.entities} entities{f' ({tlps})' if tlps else ''} with {report.selectors} "
        f"selectors imported into {report.case_id}"
    )
    if report.skipped:
        skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(report.skipped.items()))
        console.print(f"  [dim]not imported (no mapping): {skipped}[/]")


FileArgument = typer.Argument(..., exists=True, dir_okay=False, help="The file to import.")
CaseOption = typer.Option(..., "--case", help="Case to import into.")


def import_stix(
    ctx: typer.Context, path: Path = FileArgument, case: str = CaseOption, as_user: str = AsOption
) -> None:
    """Import a STIX 2.1 bundle into a case (identities, indicators, TLP); all or nothing."""
    _import(ctx, ImportFormat.STIX, path, case, as_user)


def import_misp(
    ctx: typer.Context, path: Path = FileArgument, case: str = CaseOption, as_user: str = AsOption
) -> None:
    """Import a MISP event JSON into a case (attributes, objects, tlp: tags); all or nothing."""
    _import(ctx, ImportFormat.MISP, path, case, as_user)


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add ``export`` to the main app and ``stix``/``misp`` to the existing ``import`` group."""
    app.command("export")(export)
    import_app.command("stix")(import_stix)
    import_app.command("misp")(import_misp)
