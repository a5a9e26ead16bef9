"""Settings: built once from ``JOINTPROBE_*`` variables and passed in.

Each setting is documented in ``docs/settings.md``; a test fails when one is
missing there. No other module reads ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("~/.local/share/jointprobe").expanduser()


class Settings(BaseSettings):
    """Node settings. Field names map to ``JOINTPROBE_<NAME>`` variables."""

    model_config = SettingsConfigDict(env_prefix="JOINTPROBE_", extra="ignore")

    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        description="Folder holding the node's database, keys and files.",
    )
    database_url: str | None = Field(
        repr=False,
        default=None,
        description="SQLAlchemy URL of the node database; default: SQLite node.db in data_dir.",
    )
    host: str = Field(default="127.0.0.1", description="Address `jointprobe serve` binds to.")
    port: int = Field(default=8700, description="Port `jointprobe serve` listens on.")
    max_body_bytes: int = Field(
        default=5_000_000,
        ge=1024,
        description="Largest request body the API accepts, in bytes. Below 4,100,000 a "
        "peer's largest messages (the protocol allows 4,000,000 bytes) are refused with 413 "
        "and withdrawn by the peer.",
    )
    replay_window_seconds: int = Field(
        default=600,
        description="How far a message's created time may be from the receiver's clock.",
    )
    endpoint: str | None = Field(
        default=None,
        description="URL peers use to reach this node, written on its node card; "
        "default: http://HOST:PORT.",
    )
    key_passphrase: str | None = Field(
        repr=False,
        default=None,
        description="Passphrase that seals the node's key file (Argon2id + secretbox); "
        "default: the key file is unsealed (mode 0600).",
    )
    delivery_interval_seconds: float = Field(
        default=0.5,
        description="How often a serving node looks for outbox messages queued by other "
        "processes (messages queued in-process are sent at once).",
    )
    delivery_max_failures: int = Field(
        default=8,
        ge=1,
        description="Answers from a peer that did not accept a message (bad signature in "
        "transit, not decryptable yet) after which the message is parked for an operator "
        "(`peer outbox --failed`); transport errors back off and never park a message.",
    )
    session_secret: str | None = Field(
        repr=False,
        default=None,
        description="Secret for signing web sessions; default: generated and kept in data_dir.",
    )
    session_max_age_seconds: int = Field(
        default=8 * 3600,
        ge=60,
        description="How long a web sign-in lasts before the user must sign in again.",
    )
    signin_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed web sign-ins for one user name within the window after which "
        "sign-ins for that name are refused (429) until the window has passed.",
    )
    signin_max_failures_per_address: int = Field(
        default=20,
        ge=0,
        description="Failed web sign-ins from one client address within the window after "
        "which sign-ins from that address are refused (429); 0 turns the per-address limit off.",
    )
    signin_failure_window_seconds: int = Field(
        default=900,
        ge=1,
        description="How long a failed web sign-in counts towards the limits.",
    )
    screening_threshold: float = Field(
        default=0.8,
        ge=0.5,
        le=1.0,
        description="Score from which a screened name counts as a list match.",
    )
    aggregate_min_cell: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Smallest count an aggregate cell may show when aggregates are shared "
        "with peers: smaller cells are suppressed when sending, and aggregates from a peer "
        "holding a smaller cell are refused (code aggregates.small_cell).",
    )
    metrics_token: str | None = Field(
        repr=False,
        default=None,
        description="Bearer token that GET /metrics requires; default: /metrics answers "
        "only requests from the node's own machine (127.0.0.1, ::1).",
    )
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="Format of `jointprobe serve`'s log lines on standard error: one JSON "
        "object per line, or plain text.",
    )
    screening_rules: Path | None = Field(
        default=None,
        description="YAML file of the node's own red-flag rules for order screening, added to "
        "the built-in ones (a rule with a built-in id replaces it).",
    )
    screening_max_orders: int = Field(
        default=500,
        ge=1,
        le=10_000,
        description="Most orders one API request or web form may screen.",
    )
    leads_list_max_bytes: int = Field(
        default=20_000_000,
        ge=1_000,
        description="Largest customer list `leads from-list` reads (CLI file or API body, "
        "bytes); a larger one is refused whole (`leads.list_too_large`, 413), nothing imported.",
    )
    leads_routing_file: Path | None = Field(
        default=None,
        description="YAML routing table (regions to offices) for the node's domestic leads; "
        "default: the packaged table for the node's country (US, CN), else one default queue "
        "named for the node.",
    )
    deconflict_max_elements: int = Field(
        default=100_000,
        ge=1,
        description="Largest selector set a deconfliction session may hold on either side; "
        "a peer's offer above it is refused (`deconflict.cap_exceeded`) and so is a start "
        "of ours.",
    )
    deconflict_sessions_per_day: int = Field(
        default=10,
        ge=0,
        description="Deconfliction sessions with one peer (either side starting) within 24 "
        "hours after which more are refused (`deconflict.rate_limited`).",
    )
    deconflict_timeout_seconds: int = Field(
        default=86_400,
        ge=1,
        description="How long a deconfliction session may take to reach its count (the "
        "peer's case owner joining included); after it the session is closed "
        "(`deconflict.timeout`) and the peer told.",
    )
    deconflict_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often a serving node's deconfliction worker looks for a computing "
        "step owed by another process (a start from the CLI) and for sessions past their "
        "deadline, which it closes (`deconflict.timeout`) and tells the peer about; steps "
        "owed in the serving process wake it at once.",
    )
    deconflict_ask_ratio: float = Field(
        default=10.0,
        ge=1.0,
        description="A peer whose deconfliction set is more than this many times ours is "
        "flagged in the session and the audit log (it asks much more than it offers).",
    )
    interop_max_import_bytes: int = Field(
        default=20_000_000,
        ge=1024,
        description="Largest STIX bundle or MISP event file `jointprobe import stix|misp` "
        "and the import API accept, in bytes; a larger one is refused whole "
        "(`interop.too_large`). The API's own body limit (`JOINTPROBE_MAX_BODY_BYTES`) "
        "applies first.",
    )
    interop_max_export_nodes: int = Field(
        default=500,
        ge=1,
        le=5000,
        description="Largest size limit an export of a network expansion (`jointprobe export "
        "--expand`, `GET /api/v1/network/expand/export`) may ask for, in nodes; a larger "
        "`limit` is refused (422, `invalid_input`). Strict STIX validation of a bundle grows "
        "with its size (about 40 s for 500 entities on a loaded 2-core machine), so one "
        "request must not hold a server worker for minutes.",
    )
    deconflict_min_group: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="Smallest per-kind group a peer may declare for counts by kind: if any "
        "of its groups is smaller, its round is shuffled as one group and the count is "
        "reported as one `*` group (a group of one would tell the peer whether that very "
        "selector matched).",
    )
    test_database_url: str | None = Field(
        repr=False,
        default=None,
        description="PostgreSQL URL the test suite uses for its PostgreSQL runs (tests only).",
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir.expanduser() / 'node.db'}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides winning."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]


def environment_names() -> list[str]:
    """Every ``JOINTPROBE_*`` variable the settings read."""
    return [f"JOINTPROBE_{name.upper()}" for name in Settings.model_fields]


__all__ = ["DEFAULT_DATA_DIR", "Settings", "environment_names", "load_settings"]
