"""The one error tree of jointprobe.

Every error carries a stable ``code`` (for programs), an HTTP ``status`` (for
the API) and an ``exit_code`` (for the CLI); the message is for people.

::

    JointprobeError                      jointprobe.error        400
    ├── InvalidInput                     input.invalid           422
    │   ├── InvalidSelector              selector.invalid        422
    │   ├── InvalidEntity                entity.invalid          422
    │   └── InvalidStructure             chem.invalid_structure  422
    ├── NotFound                         not_found               404
    ├── Conflict                         conflict                409
    ├── Unauthorized                     auth.unauthorized       401
    ├── Forbidden                        auth.forbidden          403
    ├── ConfigError                      config.invalid          400
    └── StorageError                     storage.unavailable     503

Capability folders add their own subclasses (e.g. the exchange's envelope
errors) next to the code that raises them.
"""

from __future__ import annotations

from typing import Any


class JointprobeError(Exception):
    """Base of every error jointprobe raises on purpose."""

    code: str = "jointprobe.error"
    status: int = 400
    exit_code: int = 1

    def __init__(self, message: str, *, code: str | None = None, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.where:
            body["where"] = self.where
        return body


class InvalidInput(JointprobeError):
    code = "input.invalid"
    status = 422
    exit_code = 2


class InvalidSelector(InvalidInput):
    code = "selector.invalid"


class InvalidEntity(InvalidInput):
    code = "entity.invalid"


class InvalidStructure(InvalidInput):
    code = "chem.invalid_structure"


class NotFound(JointprobeError):
    code = "not_found"
    status = 404
    exit_code = 3


class Conflict(JointprobeError):
    code = "conflict"
    status = 409
    exit_code = 4


class Unauthorized(JointprobeError):
    code = "auth.unauthorized"
    status = 401
    exit_code = 5


class Forbidden(JointprobeError):
    code = "auth.forbidden"
    status = 403
    exit_code = 6


class ConfigError(JointprobeError):
    code = "config.invalid"
    status = 400
    exit_code = 7


class StorageError(JointprobeError):
    code = "storage.unavailable"
    status = 503
    exit_code = 8
