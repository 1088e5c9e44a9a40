"""Errors at the HTTP edge: one JSON shape, ``{"error": {"type", "message"}}``, for every failure.

A ``ServiceLensError`` keeps its one-sentence message and gets a status by kind; validation
errors become a short 422; a bug becomes a generic 500 (``CatchBugs``) whose traceback only reaches
the server log.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...data.errors import DataError, IndexMismatchError, ServiceLensError, WorkspaceError
from ..checkpoints import CheckpointStoreError
from ..provider_choice import ProviderNotConfigured
from ..providers.base import ModelError

log = logging.getLogger("servicelens.server")

# Checked in order, so subclasses come before their bases.
_STATUS: list[tuple[type[ServiceLensError], int]] = [
    (ModelError, 502),
    (ProviderNotConfigured, 503),
    (CheckpointStoreError, 503),
    (WorkspaceError, 503),
    (IndexMismatchError, 503),
    (DataError, 400),
]
_VALIDATION_ERRORS_SHOWN = 3
INTERNAL_MESSAGE = "Internal server error; the details are in the server log."


class HttpError(ServiceLensError):
    """A user-facing error with an explicit HTTP status (not found, busy thread, ...)."""

    def __init__(
        self,
        status: int,
        message: str,
        error_type: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type or type(self).__name__
        self.headers = headers or {}


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"error": {"type": error_type, "message": message}}


async def send_error(
    send: Send, status: int, kind: str, message: str, headers: dict[str, str] | None = None
) -> None:
    """A JSON error response sent straight from ASGI middleware, before any route runs."""
    body = json.dumps(error_body(kind, message)).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def status_of(exc: ServiceLensError) -> int:
    if isinstance(exc, HttpError):
        return exc.status
    return next((code for cls, code in _STATUS if isinstance(exc, cls)), 400)


def type_of(exc: ServiceLensError) -> str:
    return exc.error_type if isinstance(exc, HttpError) else type(exc).__name__


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceLensError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceLensError)
    headers = exc.headers if isinstance(exc, HttpError) else None
    return JSONResponse(
        error_body(type_of(exc), str(exc)), status_code=status_of(exc), headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [_problem(err) for err in exc.errors()[:_VALIDATION_ERRORS_SHOWN]]
    message = "Invalid request: " + "; ".join(problems) + "."
    return JSONResponse(error_body("validation_error", message), status_code=422)


def _problem(err: dict[str, Any]) -> str:
    # The location without the leading "body"/"query", and pydantic's message; never the input.
    where = ".".join(str(p) for p in err.get("loc", ())[1:]) or "body"
    return f"{where}: {err.get('msg', 'invalid')}"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    kind = "not_found" if exc.status_code == 404 else "http_error"
    return JSONResponse(
        error_body(kind, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
    )


class CatchBugs:
    """ASGI middleware: a bug becomes a generic 500 JSON; its traceback goes to the server log.

    Handled here rather than by Starlette's last-resort handler, which re-raises so that the
    server closes the connection and a client reusing it gets a reset on its next request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # the response is under way: only closing the connection is left
            body = json.dumps(error_body("internal_error", INTERNAL_MESSAGE)).encode()
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})
