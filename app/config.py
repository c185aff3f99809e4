"""Settings, read only from the environment (and an optional .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting the service reads; each is in the settings table of docs/settings.md."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'jinzhong.db'}",
        description="SQLAlchemy URL of the database.",
    )
    seed_dir: Path = Field(
        default=PROJECT_ROOT / "seed_data",
        description="Folder of curated YAML that `jinzhong seed` and `validate` read.",
    )
    host: str = Field(default="127.0.0.1", description="Address `jinzhong serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `jinzhong serve` uses.")
    cache_max_age: int = Field(
        default=60, ge=0, description="Cache-Control max-age, in seconds, of data responses."
    )
    data_version_ttl: float = Field(
        default=1.0,
        ge=0,
        description="Seconds a process trusts the data version it read before reading it again.",
    )
    cors_origins: str = Field(
        default="*",
        description="Origins allowed to read the API from a browser: * or a comma-separated list.",
    )
    gzip_minimum_size: int = Field(
        default=1024, ge=0, description="Responses at least this many bytes are gzip-compressed."
    )
    response_cache_mb: float = Field(
        default=64,
        ge=0,
        description="Memory, in MiB, for finished responses kept by ETag (0 turns it off).",
    )
    fast_reads: bool = Field(
        default=True,
        description="Whether GET reads of the data routes take the read path compiled at "
        "start-up; false serves every request through FastAPI's routing (same answers, "
        "slower): for comparison, and as an escape hatch.",
    )
    db_pool_size: int = Field(
        default=8,
        ge=1,
        description="Database connections per process, and as many worker threads. SQLite "
        "reads are CPU-bound and 8 keep one core busy; raise it for a database over a network.",
    )
    statement_timeout: float = Field(
        default=5.0,
        gt=0,
        description="Seconds a database statement may run before it is stopped with a 503.",
    )
    busy_timeout: float = Field(
        default=2.0,
        ge=0,
        description="Seconds to wait for a database locked by a writer before answering 503.",
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field(
        default="info",
        description="Level of the JSON log lines (info: one per request; warning: problems only).",
    )
    workers: int = Field(
        default=1,
        ge=1,
        description="Worker processes of `jinzhong serve`. In containers, prefer one per "
        "replica and more replicas.",
    )
    shutdown_timeout: int = Field(
        default=30,
        gt=0,
        description="Seconds `jinzhong serve` lets in-flight requests finish after SIGTERM.",
    )
    write_max_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Largest request body a write accepts, in bytes (413 beyond).",
    )
    write_queue: int = Field(
        default=16,
        ge=0,
        description="Writes a process keeps waiting for their turn, outside the worker threads "
        "(it runs one at a time); more are refused at once with 503 and Retry-After.",
    )
    auth_failure_limit: int = Field(
        default=10,
        ge=1,
        description="Failed authentications one client may make per minute before 429.",
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="Addresses of the proxies whose X-Forwarded-For/-Proto `jinzhong serve` "
        "believes (comma-separated IPs or networks, or *). Empty: none; the client address, "
        "which the failed-authentication limit counts by, is then the connection's.",
    )
    allowed_hosts: str = Field(
        default="localhost,127.0.0.1,[::1],testserver",
        description="Host header values served (comma-separated; *.example.org for "
        "subdomains, * for any); others get 400. Add the public name a deployment is reached "
        "by.",
    )
    public_base_url: str = Field(
        default="",
        description="The API's public address (https://data.example.org), used for every "
        "absolute URL in answers; empty: the URL each request was sent to.",
    )

    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        """An absolute http(s) URL with no query or fragment, kept without a trailing slash."""
        value = value.strip()
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an absolute http:// or https:// URL")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query or a fragment")
        return value.rstrip("/")

    def cors_origin_list(self) -> list[str]:
        """CORS_ORIGINS as a list."""
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    def allowed_host_list(self) -> list[str]:
        """ALLOWED_HOSTS as a list."""
        return [host.strip() for host in self.allowed_hosts.split(",") if host.strip()]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
