"""Request dependencies: the node, a session per request, the signed-in user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from jointprobe.accounts.service import authenticate_token
from jointprobe.node import Node
from jointprobe.store.tables import User
from jointprobe.wiring import Wiring


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def get_wiring(request: Request) -> Wiring:
    wiring: Wiring = request.app.state.wiring
    return wiring


def get_session(node: Annotated[Node, Depends(get_node)]) -> Iterator[Session]:
    with node.session() as session:
        yield session


def get_write_session(node: Annotated[Node, Depends(get_node)]) -> Iterator[Session]:
    """For routes that write, including the audit record of a read.

    On SQLite a transaction that reads and then writes fails at once ("database
    is locked") when another process committed in between; this one takes the
    write lock with its first statement (``BEGIN IMMEDIATE``) and waits its turn.
    The signed-in user is still read through :func:`get_session`, which never
    writes, so a request holds at most one write transaction.
    """
    with node.write_session() as session:
        yield session


def current_user(
    session: Annotated[Session, Depends(get_session)],
    authorization: Annotated[str | None, Header()] = None,
) -> User:
    token = None
    if authorization:
        scheme, _, value = authorization.partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
    return authenticate_token(session, token)


SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
UserDep = Annotated[User, Depends(current_user)]
NodeDep = Annotated[Node, Depends(get_node)]
WiringDep = Annotated[Wiring, Depends(get_wiring)]
