"""``user`` and ``token`` groups."""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from jointprobe.accounts import (
    ROLES,
    create_token,
    create_user,
    list_tokens,
    list_users,
    reset_password,
    revoke_token,
    revoke_user_tokens,
    set_active,
    set_role,
)
from jointprobe.accounts.throttle import unlock
from jointprobe.cli.context import console, node_session
from jointprobe.errors import InvalidInput
from jointprobe.node import OPERATOR
from jointprobe.timeutil import iso

user_app = typer.Typer(help="Users and roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (stored only as hashes).", no_args_is_help=True)


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: str,
    role: str = typer.Option(..., help=f"One of: {', '.join(ROLES)}."),
    display_name: str = typer.Option("", help="Full name."),
    password: str | None = typer.Option(None, help="Password for the web sign-in."),
) -> None:
    """Add a user."""
    with node_session(ctx, OPERATOR) as (_node, session, actor):
        create_user(
            session,
            username,
            role,
            display_name=display_name,
            password=password,
            actor=actor.username,
        )
    console.print(f"[green]user {username}[/] ({role}) added")


@user_app.command("list")
def user_list(ctx: typer.Context) -> None:
    """List users."""
    with node_session(ctx, OPERATOR) as (_node, session, _actor):
        table = Table("user", "role", "name", "active")
        for user in list_users(session):
            table.add_row(user.username, user.role, user.display_name, str(user.active))
    console.print(table)


@user_app.command("disable")
def user_disable(ctx: typer.Context, username: str) -> None:
    """Disable a user: refused at once, web sessions ended, API tokens refused."""
    with node_session(ctx, OPERATOR) as (_node, session, actor):
        set_active(session, username, False, actor=actor.username)
    console.print(f"[green]user {username}[/] disabled; their web sessions are ended")


@user_app.command("enable")
def user_enable(ctx: typer.Context, username: str) -> None:
    """Enable a disabled user again (they sign in anew)."""
    with node_session(ctx, OPERATOR) as (_node, session, actor):
        set_active(session, username, True, actor=actor.username)
    console.print(f"[green]user {username}[/] enabled")


@user_app.command("role")
def user_role(
    ctx: typer.Context,
    username: str,
    role: str = typer.Option(..., help=f"One of: {', '.join(ROLES)}."),
) -> None:
    """Change a user's role; their web sessions end, so they sign in with the new role."""
    with node_session(ctx, OPERATOR) as (_node, session, actor):
        set_role(session, username, role, actor=actor.username)
    console.print(f"[green]user {username}[/] is now {role}")


@user_app.command("unlock")
def user_unlock(ctx: typer.Context, username: str) -> None:
    """Forget USERNAME's failed web sign-ins, lifting its limit before the window passes."""
    with node_session(ctx, OPERATOR) as (_node, session, actor):
        cleared = unlock(session, username, actor=actor.username)
    console.print(f"[green]{cleared}[/] failed sign-in(s) of {username} forgotten")


@user_app.command("passwd")
def user_passwd(
    ctx: typer.Context,
    username: str,
    stdin: bool = typer.Option(
        False, "--stdin", help="Read the new password from the first line of standard input."
    ),
) -> None:
    """Set USERNAME's password (asked twice, not shown); all their web sessions end.

    Their API tokens stay valid; revoke them with ``token revoke`` if needed.
    """
    if stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InvalidInput("no password given")
    with node_session(ctx, OPERATOR) as (_node, session, actor):
        ended = reset_password(session, username, password, actor=actor.username)
    console.print(f"[green]password of {username} set[/]; {ended} web session(s) ended")


@token_app.command("create")
def token_create(ctx: typer.Context, username: str, label: str = "") -> None:
    """Issue a token for USERNAME; it is printed once and stored only as a hash."""
    with node_session(ctx, OPERATOR) as (_node, session, actor):
        token = create_token(session, username, label, actor=actor.username)
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, token: str) -> None:
    """Revoke a token."""
    with node_session(ctx, OPERATOR) as (_node, session, actor):
        revoke_token(session, token, actor=actor.username)
    console.print("[green]token revoked[/]")


@token_app.command("list")
def token_list(ctx: typer.Context, username: str) -> None:
    """List USERNAME's tokens (label, created, revoked); tokens themselves are never shown."""
    with node_session(ctx, OPERATOR) as (_node, session, _actor):
        table = Table("id", "label", "created", "revoked")
        for row in list_tokens(session, username):
            revoked = "" if row.revoked_at is None else iso(row.revoked_at)
            table.add_row(str(row.id), row.label, iso(row.created_at), revoked)
    console.print(table)


@token_app.command("revoke-all")
def token_revoke_all(ctx: typer.Context, username: str) -> None:
    """Revoke every live token of USERNAME (a leaked token, a departure)."""
    with node_session(ctx, OPERATOR) as (_node, session, actor):
        count = revoke_user_tokens(session, username, actor=actor.username)
    console.print(f"[green]{count} token(s) of {username} revoked[/]")
