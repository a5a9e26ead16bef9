"""``migrate``, ``backup``, ``restore``: keeping a node over the years (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from jointprobe.cli.context import console, settings
from jointprobe.errors import ConfigError
from jointprobe.node import open_node
from jointprobe.operations.backup import backup as take_backup
from jointprobe.operations.backup import restore as restore_backup
from jointprobe.store import make_engine
from jointprobe.store.migrate import (
    current_revision,
    head_revision,
    pending_revisions,
    upgrade_to_head,
)

#: ``migrate --check`` exit code when an upgrade is pending (0: at head).
UPGRADE_PENDING = 1


def migrate(
    ctx: typer.Context,
    check: bool = typer.Option(
        False, "--check", help="Only say whether an upgrade is pending (exit code 1 if so)."
    ),
) -> None:
    """Upgrade the node's database to the newest schema, or (--check) say whether that is due."""
    cfg = settings(ctx)
    if cfg.database_url is None and not (cfg.data_dir / "node.db").exists():
        raise ConfigError(
            "no node here; create one with `jointprobe init`", where=str(cfg.data_dir)
        )
    engine = make_engine(cfg.resolved_database_url())
    try:
        pending = pending_revisions(engine)
        current = current_revision(engine) or "none"
        if check:
            if pending:
                console.print(
                    f"upgrade pending: schema at {current}, head is {head_revision(engine)} "
                    f"({len(pending)} migration(s): {', '.join(pending)}); run `jointprobe migrate`"
                )
                raise typer.Exit(UPGRADE_PENDING)
            console.print(f"schema at head ({current}): no upgrade pending")
            return
        upgrade_to_head(engine)
        if pending:
            console.print(f"[green]upgraded[/] {current} → {current_revision(engine)}")
        else:
            console.print(f"schema at head ({current}): nothing to do")
    finally:
        engine.dispose()


def backup(
    ctx: typer.Context,
    dest: Path = typer.Argument(..., help="New or empty folder to write the backup to."),
) -> None:
    """Copy the node while it runs: database (consistent), keys and files, manifest."""
    node = open_node(settings(ctx))
    try:
        with console.status("backing up the node…"):
            manifest = take_backup(node, dest)
    finally:
        node.close()
    console.print(
        f"[green]backed up[/] node {manifest.node_id} (schema {manifest.schema_revision}, "
        f"{manifest.database}) to {dest}: {len(manifest.files)} files, digests in manifest.json",
        soft_wrap=True,
    )
    console.print(
        "The key file is copied as it is (sealed if it was): keep the backup encrypted, "
        "apart from other copies of the database."
    )


def restore(
    ctx: typer.Context,
    src: Path = typer.Argument(..., help="A folder written by `jointprobe backup`."),
) -> None:
    """Restore a backup into an empty data dir (and empty database); digests checked first."""
    with console.status("restoring the node…"):
        restored = restore_backup(settings(ctx), src)
    restored.node.close()
    manifest = restored.manifest
    console.print(
        f"[green]restored[/] node {manifest.node_id} from the backup taken {manifest.created} "
        f"(schema {manifest.schema_revision}, now at head)",
        soft_wrap=True,
    )
    if restored.told:
        console.print(
            f"peers told of the restore (a 'restored' notice): {', '.join(restored.told)}"
        )
    if restored.untold:
        console.print(
            f"[yellow]peers whose agreement does not cover notices[/]: {', '.join(restored.untold)}"
            " — they send again what this node lost at their next delivery to it; tell their "
            "operators",
            soft_wrap=True,
        )
    console.print("Check the audit chain with `jointprobe audit verify`, then start the node.")


def register(app: typer.Typer) -> None:
    app.command()(migrate)
    app.command()(backup)
    app.command()(restore)
