"""``init`` and ``serve``."""

from __future__ import annotations

import typer

from jointprobe.cli.context import console, settings
from jointprobe.logs import configure_logging
from jointprobe.node import init_node, open_node


def init(
    ctx: typer.Context,
    node_id: str = typer.Option(..., "--node-id", help="Short id, e.g. us-hsi-nola."),
    name: str = typer.Option(..., "--name", help="Agency name."),
    country: str = typer.Option(..., "--country", help="ISO 3166 two-letter code."),
) -> None:
    """Create a node: database migrated to head, identity, operator account."""
    cfg = settings(ctx)
    node = init_node(cfg, node_id, name, country)
    console.print(
        f"[green]node {node.identity.id}[/] ({node.identity.name}, {node.identity.country}) "
        f"created at {cfg.data_dir if cfg.database_url is None else 'the database URL'}"
    )
    node.close()


def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, help="Bind address (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default 8700)."),
) -> None:
    """Serve the node's API (and web pages) with uvicorn."""
    import uvicorn

    from jointprobe.operations.heap import settle_heap
    from jointprobe.web import create_app

    cfg = settings(ctx)
    configure_logging(cfg.log_format)
    node = open_node(cfg)
    app = create_app(node)
    settle_heap()  # start-up's objects out of the collector's way (operations/heap.py)
    uvicorn.run(app, host=host or cfg.host, port=port or cfg.port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(serve)
