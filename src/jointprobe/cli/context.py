"""What every command needs: settings from the root options, the node, the acting user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from jointprobe.accounts import get_user
from jointprobe.config import Settings, load_settings
from jointprobe.errors import ConfigError
from jointprobe.node import OPERATOR, Node, open_node
from jointprobe.store.tables import User

console = Console()
err_console = Console(stderr=True)

AsOption = typer.Option(OPERATOR, "--as", help="User acting (need-to-know applies).")


def settings(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    data_dir: Path | None = obj.get("data_dir")
    database_url: str | None = obj.get("database_url")
    try:
        return load_settings(data_dir=data_dir, database_url=database_url)
    except ValueError as exc:
        raise ConfigError(f"invalid setting: {exc}") from exc


@contextmanager
def node_session(ctx: typer.Context, username: str) -> Iterator[tuple[Node, Session, User]]:
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            yield node, session, get_user(session, username)
    finally:
        node.close()
