"""``create_app``: the FastAPI app over one shared ``Analyst``, opened when the app starts.

    app = create_app(settings)                           # Analyst.open(settings=settings)
    app = create_app(lambda: Analyst.open(home, provider=p), tokens=["s3cret"])

One analyst serves every request: it is safe across threads (each request runs on its own
conversation thread in a worker thread). Opened from settings, the app answers from the data as
it is now: after an ingest replaces the warehouse it opens a new analyst for the next requests
(``generations``). With the workspace's embedded stores run one server process; several workers
need the feedback index on a Chroma server and the checkpoints in PostgreSQL, where they also
share busy threads and chat transcripts (``shared_state``, ``worker``).

Access: with ``api_tokens`` every path but ``/healthz`` needs a bearer token, the API docs
(``/docs``, ``/redoc``, ``/openapi.json``) included, and a thread answers only to the token that
started it. Without tokens only loopback clients are answered, and only when the ``Host`` (and
any ``Origin``) names this machine or an ``allowed_hosts`` entry (``hosts``). Run uvicorn with
``uvicorn_options``: ``X-Forwarded-For`` is believed only from ``trusted_proxies``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from pydantic import SecretStr

from ... import __version__
from ...data.scope import Scope as DataScope
from ..analyst import Analyst, ProviderSpec
from ..providers.deadline import call_budget_s
from ..settings import ApiToken, Settings
from ..versions import prompt_version
from . import errors, openai_compat, proactive_routes, routes
from .auth import Auth, AuthGate
from .conversations import Conversations
from .gate import ThreadGate, stop_wait_for
from .generations import Closeable, Generations, open_analyst, reopen_like
from .hosts import HostCheck, allow_list
from .limits import BodyLimit, Limits, RateLimit, TokenBuckets
from .logs import AccessLog

AnalystFactory = Callable[[], Analyst]
Opener = Callable[[], tuple[Analyst, list[Closeable]]]
log = logging.getLogger("servicelens.server")


def create_app(
    source: Settings | AnalystFactory,
    *,
    tokens: Iterable[str | SecretStr | ApiToken] | None = None,
    limits: Limits | None = None,
    provider: ProviderSpec = None,
    allowed_hosts: Iterable[str] | None = None,
    bind_host: str | None = None,
) -> FastAPI:
    """The HTTP app. ``source`` is settings (the analyst is opened from them) or a factory.

    ``tokens``, ``limits`` and ``allowed_hosts`` default to the settings' ``api_tokens``,
    ``max_request_bytes``, ``rate_limit_per_minute``, ``max_chat_chars`` and ``allowed_hosts``
    when those exist; no token means loopback clients only, addressed by a loopback name, the
    ``bind_host`` (the address the server listens on) or one of ``allowed_hosts``.
    """
    settings = source if isinstance(source, Settings) else None
    opener = _opener(source, provider)
    auth = Auth(tokens if tokens is not None else tokens_from(settings))
    limits = limits or limits_from(settings)
    if allowed_hosts is None:
        allowed_hosts = _setting(settings, "allowed_hosts", None) or ()
    app = FastAPI(
        title="ServiceLens",
        version=__version__,
        summary="Cited answers about service operations, as JSON, SSE and Chat Completions.",
        lifespan=_lifespan(
            opener, limits.answer_threads, provider, reload=settings is not None, scopes=auth.scopes
        ),
    )
    app.state.auth_enabled = auth.enabled
    app.state.limits = limits
    errors.install(app)
    app.add_api_route("/healthz", healthz, methods=["GET"])
    app.include_router(routes.router(auth))
    app.include_router(openai_compat.router(auth))
    app.include_router(proactive_routes.router(auth))
    # Added innermost first: access log outside everything, then the Host check, the rate
    # limit, auth (before routing, so no path is told apart without a token) and the body read.
    app.add_middleware(BodyLimit, max_bytes=limits.max_request_bytes)
    app.add_middleware(AuthGate, auth=auth)
    if limits.rate_per_minute > 0:
        app.add_middleware(RateLimit, buckets=TokenBuckets(limits.rate_per_minute, limits.burst))
    if not auth.enabled:
        app.add_middleware(HostCheck, allowed=allow_list(bind_host, allowed_hosts))
    app.add_middleware(errors.CatchBugs)
    app.add_middleware(AccessLog)
    return app


def _opener(source: Settings | AnalystFactory, provider: ProviderSpec) -> Opener:
    if isinstance(source, Settings):
        settings = source
        return lambda: open_analyst(settings, provider)
    return lambda: (source(), [])


def _setting(settings: Settings | None, name: str, default: Any) -> Any:
    # Server fields are read only when the settings define them (see the module docstring).
    return getattr(settings, name, default) if settings is not None else default


def tokens_from(settings: Settings | None) -> tuple[str | SecretStr | ApiToken, ...]:
    return tuple(_setting(settings, "api_tokens", None) or ())


def limits_from(settings: Settings | None) -> Limits:
    base = Limits()
    return Limits(
        max_request_bytes=_setting(settings, "max_request_bytes", base.max_request_bytes),
        rate_per_minute=_setting(settings, "rate_limit_per_minute", base.rate_per_minute),
        burst=_setting(settings, "rate_limit_burst", base.burst),
        max_chat_chars=_setting(settings, "max_chat_chars", base.max_chat_chars),
    )


def uvicorn_options(trusted_proxies: Iterable[str] = ()) -> dict[str, Any]:
    """uvicorn's proxy settings for this app: ``X-Forwarded-For`` (which names the client that
    auth and the rate limit see) is read only from ``trusted_proxies`` (addresses or networks);
    with none, the client is always the socket's peer. uvicorn's own default trusts the header
    from loopback, where any local process could pick a fresh rate-limit bucket per request."""
    proxies = [p.strip() for p in trusted_proxies if p.strip()]
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": proxies}


def _lifespan(
    opener: Opener,
    threads: int,
    provider: ProviderSpec,
    *,
    reload: bool,
    scopes: dict[str, DataScope],
) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The analyst's async methods run in the loop's default executor, whose stock size
        # (CPUs + 4) would cap concurrent answers far below what waiting on a model allows.
        executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="servicelens")
        asyncio.get_running_loop().set_default_executor(executor)
        # Opening reads the workspace (DuckDB, catalog): off the event loop.
        analyst, handles = await asyncio.to_thread(opener)
        # Each scoped token's view, compiled and checked against the catalog now, so a scope
        # that does not fit stops the server at start-up rather than failing its first request.
        try:
            views = ScopedViews(scopes)
            for principal, scoped in views.all_of(analyst).items():
                _log_scope(principal, scoped)
        except BaseException:
            await asyncio.to_thread(analyst.close)
            raise
        app.state.views = views

        def swapped(current: Analyst) -> None:
            app.state.analyst = current
            app.state.health = _health(current)

        reopen = (lambda old: reopen_like(old, provider)) if reload else None
        generations = Generations(analyst, reopen, on_swap=swapped)
        app.state.generations = generations
        swapped(analyst)
        pruning = asyncio.create_task(_prune_periodically(analyst))
        try:
            shared = await asyncio.to_thread(_shared_state, app, analyst.settings)
            if shared is not None:
                handles.append(shared)
            yield
        finally:
            pruning.cancel()
            await asyncio.to_thread(generations.close)
            for handle in reversed(handles):
                await asyncio.to_thread(handle.close)

    return lifespan


def _shared_state(app: FastAPI, settings: Settings) -> Closeable | None:
    """Busy threads and chat transcripts: in this process, or in the checkpoint database that
    every worker shares."""
    # A run cancelled by its client keeps its thread until it stops, at most one step long.
    model_call_s = call_budget_s(settings.request_timeout_s, settings.max_retries)
    stop_wait_s = stop_wait_for(model_call_s, settings.sql_timeout_s)
    if settings.checkpoint_url is None:
        app.state.gate = ThreadGate(stop_wait_s)
        app.state.conversations = Conversations()
        return None
    from .shared_state import SharedConversations, SharedThreadGate, open_pool

    pool = open_pool(settings.checkpoint_url.get_secret_value())
    app.state.gate = SharedThreadGate(pool, stop_wait_s)
    app.state.conversations = SharedConversations(pool)
    return pool


def _log_scope(principal: str, analyst: Analyst) -> None:
    # Tables no row filter reaches are visible whole to the token; say so where it is set up.
    compiled = analyst.workspace.scope
    if compiled is not None:
        whole = ", ".join(sorted(compiled.unfiltered)) or "none"
        log.info("%s sees %s (tables visible whole: %s)", principal, compiled.label(), whole)


async def _prune_periodically(analyst: Analyst) -> None:
    """Checkpoint retention at start and every ``checkpoint_prune_hours`` (agent/retention.py)."""
    while True:
        try:
            report = await asyncio.to_thread(analyst.prune_threads)
            log.info("checkpoint retention: %s", report.summary())
        except Exception:
            # The store may be briefly locked or unreachable; answering goes on, and the next
            # round tries again. The full error is in the log.
            log.exception("checkpoint retention failed")
        await asyncio.sleep(analyst.settings.checkpoint_prune_hours * 3600)


class ScopedViews:
    """Each scoped token's view of the current analyst (``Analyst.scoped``), built once per
    analyst: after an ingest the next generation gets views of its own."""

    def __init__(self, scopes: dict[str, DataScope]) -> None:
        self.scopes = scopes
        self._lock = threading.Lock()
        self._of: Analyst | None = None
        self._views: dict[str, Analyst] = {}

    def all_of(self, analyst: Analyst) -> dict[str, Analyst]:
        return {p: self.view(analyst, p) for p in self.scopes}

    def view(self, analyst: Analyst, principal: str | None) -> Analyst:
        scope = self.scopes.get(principal or "")
        if scope is None:
            return analyst
        with self._lock:
            if self._of is not analyst:
                self._of, self._views = analyst, {}
            if principal not in self._views:
                self._views[principal or ""] = analyst.scoped(scope)
            return self._views[principal or ""]


def _health(analyst: Analyst) -> dict[str, Any]:
    from ..versions import data_version

    provider = analyst.provider
    return {
        "status": "ok",
        "version": __version__,
        "provider": provider.name,
        "model": provider.model,
        "prompt_version": prompt_version(),
        "data_version": data_version(analyst.settings.paths).model_dump(),
        "as_of": analyst.workspace.as_of.isoformat(),
    }


def healthz(request: Request) -> dict[str, Any]:
    """Liveness and versions: package, prompts, data, provider and model; no secrets."""
    health: dict[str, Any] = request.app.state.health
    return {**health, "auth": request.app.state.auth_enabled}
