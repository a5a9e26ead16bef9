"""``migrate``: the schema of a node's database, checked or brought to head."""

from __future__ import annotations

import typer

from jointprobe.cli.context import console, settings
from jointprobe.errors import ConfigError
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


def register(app: typer.Typer) -> None:
    app.command()(migrate)
