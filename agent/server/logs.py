"""Structured access logs: one JSON line per request, with no customer text in it.

A line holds the method, the path, the status, the duration and, when a handler recorded them,
the thread id and token counts. Questions, answers, evidence and query strings never appear:
handlers put only ids and numbers in ``request.state.log``.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "servicelens.server.access"
log = logging.getLogger(ACCESS_LOGGER)
# Fields a handler may add to its request's log line; anything else is dropped.
_ALLOWED = frozenset({"thread_id", "prompt_tokens", "completion_tokens", "status", "stream"})


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def record(scope_state: Any, **fields: Any) -> None:
    """Add ids and counts to the current request's log line (``request.state``)."""
    current = getattr(scope_state, "log", None) or {}
    current.update({k: v for k, v in fields.items() if k in _ALLOWED and v is not None})
    scope_state.log = current


class AccessLog:
    """ASGI middleware writing the request's log line once the response has finished."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            _write(scope, status["code"], (time.perf_counter() - started) * 1000)


def _write(scope: Scope, status: int, ms: float) -> None:
    fields: dict[str, Any] = {
        "method": scope.get("method"),
        "path": scope.get("path"),
        "status": status,
        "ms": round(ms, 1),
    }
    extra = scope.get("state", {}).get("log") or {}
    fields.update({k: v for k, v in extra.items() if k in _ALLOWED and k != "status"})
    if "status" in extra:
        fields["answer_status"] = extra["status"]
    log.info("request", extra={"fields": fields})


def configure(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the server's loggers (called by ``servicelens serve``)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    for name in ("servicelens.server", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
