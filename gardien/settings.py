"""One typed Settings object: GARDIEN_* environment variables over a config file over defaults."""

from __future__ import annotations

from pathlib import Path

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

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite under `data_dir`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gardien.db').as_posix()}"
