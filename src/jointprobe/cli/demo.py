"""``demo``: load the Xingtai case into a fresh local node and print it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from jointprobe.accounts import create_token, create_user
from jointprobe.cases.summary import case_summary
from jointprobe.cli.context import console, settings
from jointprobe.cli.render import render_summary
from jointprobe.node import OPERATOR, init_node
from jointprobe.scenarios.xingtai import CASE_ID, load_xingtai
from jointprobe.store.tables import User

DEMO_PASSWORD = "xingtai-demo-2017"


def demo(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Print the case and exit (for scripts)."),
    port: int = typer.Option(8700, help="Port to serve the demo node on."),
) -> None:
    """Replay the Xingtai case (facts from the seed articles; fill-ins marked fictional)."""
    cfg = settings(ctx)
    root = ctx.find_root().obj or {}
    if root.get("data_dir") is None and cfg.database_url is None:
        cfg = cfg.model_copy(update={"data_dir": Path(tempfile.mkdtemp(prefix="jointprobe-demo-"))})
    node = init_node(cfg, "us-hsi-nola", "HSI New Orleans (demo)", "US")
    with node.session() as session:
        analyst = create_user(
            session, "analyst", "analyst", display_name="Demo analyst", password=DEMO_PASSWORD
        )
        load_xingtai(session, analyst)
        token = create_token(session, "analyst", "demo", actor=OPERATOR)
    with node.session() as session:
        reader = session.query(User).filter_by(username="analyst").one()
        summary = case_summary(session, reader, CASE_ID)
    render_summary(console, summary)
    console.print(f"[dim]node data: {cfg.data_dir}[/]")
    if once:
        node.close()
        return
    import uvicorn

    from jointprobe.web import create_app

    console.print(
        f"serving http://127.0.0.1:{port}/api/v1/docs  (analyst token: {token}; "
        f"web password: {DEMO_PASSWORD}); Ctrl-C to stop"
    )
    uvicorn.run(create_app(node), host="127.0.0.1", port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(demo)
