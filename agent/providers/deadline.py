"""The deadline of one model call: connecting, every read and every retry wait fit inside it.

An HTTP read timeout bounds each read, not the call: a server that sends one byte a second never
trips it. So the call gets a budget derived from the settings (every attempt its
``request_timeout_s``, plus the backoff waits between attempts), and the HTTP client checks it
between the pieces of a body as they arrive, raising ``Overdue`` once it has passed. A read that
is already waiting still ends at its own timeout, which is never longer than the budget left when
its attempt began.

The deadline reaches the HTTP client's response hook through a context variable: the sync client
reads bodies in the calling thread, and each thread (each concurrent question) has its own.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import httpx

# Waits between attempts when the endpoint names none: 0.5 s, doubling, at most 8 s.
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0


class Overdue(Exception):
    """The call's deadline passed while a reply was still arriving."""


def backoff_s(retry: int) -> float:
    """The wait before retry number ``retry`` (0 for the first)."""
    return float(min(FIRST_BACKOFF_S * 2**retry, MAX_BACKOFF_S))


def call_budget_s(timeout_s: float, max_retries: int) -> float:
    """Every attempt's timeout plus the backoff waits between attempts."""
    return timeout_s * (max_retries + 1) + sum(backoff_s(n) for n in range(max_retries))


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """How long the endpoint asked to wait (``retry-after-ms``, or ``retry-after`` in seconds or
    as an HTTP date); None when it did not say or said something unreadable."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return float(headers[name]) * scale
        except (KeyError, ValueError):
            continue
    try:
        when = email.utils.parsedate_to_datetime(headers.get("retry-after", ""))
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()


@dataclass
class Deadline:
    budget_s: float
    started: float = field(default_factory=time.monotonic)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return self.budget_s - self.elapsed()


_CURRENT: ContextVar[Deadline | None] = ContextVar("servicelens_model_deadline", default=None)


@contextmanager
def enforced(deadline: Deadline) -> Iterator[None]:
    """Hold every body read by a ``bounded_http_client`` in this context to ``deadline``."""
    token = _CURRENT.set(deadline)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def bounded_http_client(timeout_s: float) -> httpx.Client:
    """An HTTP client for the ``openai`` SDK whose response bodies stop at the call's deadline."""
    return httpx.Client(
        timeout=timeout_s, follow_redirects=True, event_hooks={"response": [_bound_body]}
    )


def _bound_body(response: httpx.Response) -> None:
    # Response hooks run before the body is read, for streamed and whole replies alike.
    deadline = _CURRENT.get()
    if deadline is not None and isinstance(response.stream, httpx.SyncByteStream):
        response.stream = _BoundedBody(response.stream, deadline)


class _BoundedBody(httpx.SyncByteStream):
    def __init__(self, body: httpx.SyncByteStream, deadline: Deadline) -> None:
        self._body = body
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        for piece in self._body:
            if self._deadline.remaining() <= 0:
                raise Overdue
            yield piece

    def close(self) -> None:
        self._body.close()
