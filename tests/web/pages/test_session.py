import time

import pytest

from jointprobe.config import Settings
from jointprobe.errors import ConfigError
from jointprobe.web.session import SessionSigner, csrf_matches, load_secret, new_session


def test_a_signed_session_reads_back() -> None:
    signer = SessionSigner(b"k" * 32)
    session = new_session(7, 600)
    back = signer.read(signer.sign(session))
    assert back is not None and back.user_id == 7 and back.csrf == session.csrf
    assert not back.expired


def test_a_tampered_payload_is_rejected() -> None:
    signer = SessionSigner(b"k" * 32)
    payload, mac = signer.sign(new_session(7, 600)).split(".")
    other, _ = signer.sign(new_session(1, 600)).split(".")
    assert signer.read(f"{other}.{mac}") is None
    assert signer.read(payload) is None
    assert signer.read("garbage.!!") is None


def test_an_old_session_reads_as_expired() -> None:
    signer = SessionSigner(b"k" * 32)
    back = signer.read(signer.sign(new_session(7, 60, now=time.time() - 61)))
    assert back is not None and back.expired


def test_csrf_comparison_needs_the_exact_token() -> None:
    session = new_session(None, 60)
    assert csrf_matches(session, session.csrf)
    assert not csrf_matches(session, session.csrf[:-1])
    assert not csrf_matches(session, None)


def test_secret_is_generated_once_and_kept_private(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    settings = Settings(data_dir=tmp_path)
    first = load_secret(settings)
    assert load_secret(settings) == first
    assert (tmp_path / "web-session.secret").stat().st_mode & 0o777 == 0o600


def test_a_short_secret_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError):
        SessionSigner(b"short")
