from typing import Any

import pytest
from sqlalchemy import select

from jointprobe.accounts import (
    authenticate_password,
    authenticate_token,
    create_token,
    revoke_token,
)
from jointprobe.errors import Conflict, InvalidInput, Unauthorized
from jointprobe.node import Node
from jointprobe.store.tables import ApiToken


def test_token_is_stored_only_as_a_hash(node: Node, make_user: Any) -> None:
    make_user(node, "alice")
    with node.session() as session:
        token = create_token(session, "alice")
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored
    assert all(len(h) == 64 for h in stored)


def test_wrong_revoked_and_missing_tokens_are_rejected_with_codes(
    node: Node, make_user: Any
) -> None:
    make_user(node, "alice")
    with node.session() as session:
        token = create_token(session, "alice")
        assert authenticate_token(session, token).username == "alice"
        with pytest.raises(Unauthorized) as wrong:
            authenticate_token(session, token + "x")
        assert wrong.value.code == "auth.invalid_token"
        with pytest.raises(Unauthorized) as missing:
            authenticate_token(session, None)
        assert missing.value.code == "auth.missing_token"
        revoke_token(session, token)
        with pytest.raises(Unauthorized) as revoked:
            authenticate_token(session, token)
        assert revoked.value.code == "auth.revoked_token"


def test_password_sign_in(sqlite_node: Node, make_user: Any) -> None:
    make_user(sqlite_node, "bob", password="correct horse")
    with sqlite_node.session() as session:
        assert authenticate_password(session, "bob", "correct horse").username == "bob"
        with pytest.raises(Unauthorized):
            authenticate_password(session, "bob", "wrong password")
        with pytest.raises(Unauthorized):
            authenticate_password(session, "nobody", "correct horse")


def test_duplicate_user_and_bad_role_are_refused(sqlite_node: Node, make_user: Any) -> None:
    make_user(sqlite_node, "carol")
    with pytest.raises(Conflict):
        make_user(sqlite_node, "carol")
    with pytest.raises(InvalidInput):
        make_user(sqlite_node, "dave", role="wizard")
