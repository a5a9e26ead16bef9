"""Browser sessions: a signed cookie with the user, a CSRF token and an expiry.

The cookie holds ``base64url(json) "." base64url(HMAC-SHA256)``; the MAC covers
a purpose prefix (``jointprobe-web-session:v1``) so a value signed for another
use never passes as a session. A session ends when its ``exp`` passes
(``JOINTPROBE_SESSION_MAX_AGE_SECONDS`` after sign-in); a signed-in session
also needs its row in the node store (``accounts.web_sessions``), which
sign-out, disabling the user, changing their role or their password ends,
durably and for every process serving the node. Anonymous sessions have no row.

Every visitor gets a session, signed in or not, so the sign-in form carries a
CSRF token too. Signing in issues a fresh session (new id, new CSRF token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from jointprobe.config import Settings
from jointprobe.errors import ConfigError

COOKIE_NAME = "jp_session"
PURPOSE = b"jointprobe-web-session:v1"
SECRET_FILE = "web-session.secret"
ANONYMOUS_SECONDS = 3600


@dataclass
class WebSession:
    """One browser's session; ``user_id`` is None until sign-in."""

    sid: str
    csrf: str
    exp: int
    user_id: int | None = None
    expired: bool = False  # a signed session came in but had expired
    fresh: bool = field(default=False, compare=False)  # must be (re)sent as a cookie

    def to_json(self) -> bytes:
        body = {"sid": self.sid, "csrf": self.csrf, "exp": self.exp, "uid": self.user_id}
        return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def new_session(user_id: int | None, lifetime: int, now: float | None = None) -> WebSession:
    issued = int(time.time() if now is None else now)
    return WebSession(
        sid=secrets.token_urlsafe(18),
        csrf=secrets.token_urlsafe(24),
        exp=issued + lifetime,
        user_id=user_id,
        fresh=True,
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    """Signs and reads session cookies with one secret key."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ConfigError("the web session secret must be at least 16 bytes long")
        self._key = hashlib.sha256(PURPOSE + secret).digest()

    def _mac(self, payload: str) -> bytes:
        return hmac.new(self._key, PURPOSE + b":" + payload.encode(), hashlib.sha256).digest()

    def sign(self, session: WebSession) -> str:
        payload = _b64(session.to_json())
        return f"{payload}.{_b64(self._mac(payload))}"

    def read(self, cookie: str | None, now: float | None = None) -> WebSession | None:
        """The session in ``cookie``, or None when it is absent or forged.

        An expired but genuine session comes back with ``expired=True`` so the
        page can say why the user has to sign in again.
        """
        if not cookie or "." not in cookie:
            return None
        payload, _, mac = cookie.partition(".")
        try:
            good = hmac.compare_digest(_unb64(mac), self._mac(payload))
            data = json.loads(_unb64(payload)) if good else None
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict):
            return None
        try:
            session = WebSession(
                sid=str(data["sid"]),
                csrf=str(data["csrf"]),
                exp=int(data["exp"]),
                user_id=None if data.get("uid") is None else int(data["uid"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        session.expired = session.exp <= int(time.time() if now is None else now)
        return session


def csrf_matches(session: WebSession, token: str | None) -> bool:
    """Constant-time comparison of a submitted CSRF token with the session's."""
    if not token:
        return False
    return hmac.compare_digest(session.csrf.encode(), token.encode())


def load_secret(settings: Settings) -> bytes:
    """The configured secret, or one generated once and kept (mode 0600) in the data dir."""
    if settings.session_secret:
        return settings.session_secret.encode()
    path: Path = settings.data_dir.expanduser() / SECRET_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ConfigError(f"cannot read the web session secret: {exc.strerror}") from exc
    secret = secrets.token_urlsafe(48).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(
            f"cannot keep a web session secret in the data dir: {exc.strerror}; "
            "set JOINTPROBE_SESSION_SECRET",
            where=str(path),
        ) from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
    return secret


__all__ = [
    "ANONYMOUS_SECONDS",
    "COOKIE_NAME",
    "SessionSigner",
    "WebSession",
    "csrf_matches",
    "load_secret",
    "new_session",
]
