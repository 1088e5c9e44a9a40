"""Request limits: a body-size cap (413) and a per-client token-bucket rate limit (429).

Both are plain ASGI middleware, so an oversized or over-limit request is refused before any
route parses it. Bodies are buffered up to the cap (it is small: questions, not uploads) and
replayed to the app, which also covers chunked requests that send no ``Content-Length``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import send_error

# Paths that are never rate limited: health checks come from load balancers every few seconds.
_UNLIMITED_PATHS = frozenset({"/healthz"})
# Idle full buckets are dropped once this many clients are tracked, so memory stays bounded.
_MAX_TRACKED_CLIENTS = 10_000


@dataclass(frozen=True)
class Limits:
    """Request size and rate limits; ``rate_per_minute=0`` switches the rate limit off."""

    max_request_bytes: int = 1_000_000
    rate_per_minute: int = 60
    # How many requests a client may send at once before the steady rate applies.
    burst: int = 30
    # Worker threads running answers (blocking model and tool calls); more requests queue.
    answer_threads: int = 32
    # Characters of all the messages of one chat completion request, transcript included.
    max_chat_chars: int = 200_000


class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with 413 and a JSON error."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.max_bytes:
            await self._refuse(send)
            return
        buffered = await self._read(receive)
        if buffered is None:
            await self._refuse(send)
            return
        await self.app(scope, _replay(buffered, receive), send)

    async def _read(self, receive: Receive) -> list[Message] | None:
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return None
            if not message.get("more_body", False):
                return messages

    async def _refuse(self, send: Send) -> None:
        message = f"The request body is larger than this server's limit of {self.max_bytes} bytes."
        await send_error(send, 413, "request_too_large", message, {"Connection": "close"})


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        # The buffered body first; then the real channel, which reports the client leaving.
        return pending.pop(0) if pending else await receive()

    return replayed


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class TokenBuckets:
    """Per-client token buckets: ``burst`` capacity, refilled at ``rate_per_minute``."""

    rate_per_minute: int
    burst: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, client: str) -> float:
        """0 when the request may go ahead, else the seconds until a token is available."""
        now = self.clock()
        rate = self.rate_per_minute / 60.0
        with self._lock:
            bucket = self._buckets.get(client) or _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * rate)
            bucket.stamp = now
            self._buckets[client] = bucket
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            self._prune(now, rate)
            return (1 - bucket.tokens) / rate

    def _prune(self, now: float, rate: float) -> None:
        if len(self._buckets) <= _MAX_TRACKED_CLIENTS:
            return
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.stamp) * rate >= 1]
        for key in full:
            del self._buckets[key]


class RateLimit:
    """Refuses a client's requests beyond its bucket with 429 and ``Retry-After``."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in _UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(_client_key(scope))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry = max(1, math.ceil(wait))
        message = f"Too many requests from this client; retry in {retry} s."
        await send_error(send, 429, "rate_limited", message, {"Retry-After": str(retry)})


def _client_key(scope: Scope) -> str:
    # The socket peer's address. ``X-Forwarded-For`` counts only from the proxies listed in
    # ``trusted_proxies``: ``uvicorn_options`` turns uvicorn's proxy headers on for those alone,
    # so a client cannot pick a fresh bucket per request by sending the header itself.
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
