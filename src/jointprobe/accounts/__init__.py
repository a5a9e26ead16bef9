"""Users, roles and API tokens (C1)."""

from jointprobe.accounts.service import (
    ROLES,
    authenticate_password,
    authenticate_token,
    change_password,
    create_token,
    create_user,
    get_user,
    list_tokens,
    list_users,
    reset_password,
    revoke_token,
    revoke_user_tokens,
    set_active,
    set_role,
)

__all__ = [
    "ROLES",
    "authenticate_password",
    "authenticate_token",
    "change_password",
    "create_token",
    "create_user",
    "get_user",
    "list_tokens",
    "list_users",
    "reset_password",
    "revoke_token",
    "revoke_user_tokens",
    "set_active",
    "set_role",
]
