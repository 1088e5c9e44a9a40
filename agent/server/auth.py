"""Bearer-token auth: configured tokens, or loopback clients only when none is configured.

The decision is a pure function of the configured tokens, the ``Authorization`` header and the
client's address, so it can be tested without a network. ``AuthGate`` applies it to every path
but ``/healthz`` before routing, so an unknown ``/v1/...`` path or the API docs (``/docs``,
``/redoc``, ``/openapi.json``) answer an unauthenticated client 401, never 404 or the schema;
``Auth.require`` applies it again as the routes' FastAPI dependency.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import Request
from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from ...data.scope import Scope as DataScope
from ..settings import ApiToken
from .errors import HttpError, send_error

# Paths any client may reach: load balancers' health checks (versions only, no secrets).
OPEN_PATHS = frozenset({"/healthz"})

NO_TOKEN_MESSAGE = (
    "This server has no API token configured, so it only answers clients on this machine; "
    "set api_tokens in servicelens.toml (or SERVICELENS_API_TOKENS) to allow remote clients."
)
MISSING_MESSAGE = "Missing bearer token; send the header 'Authorization: Bearer <token>'."
WRONG_MESSAGE = "The bearer token is not valid for this server."


@dataclass(frozen=True)
class Decision:
    """The outcome for one request: allowed, or the status and message to refuse it with."""

    status: int = 200
    message: str = ""
    # A stable, non-secret label of the caller: a token's hash prefix, or "loopback".
    principal: str = ""

    @property
    def allowed(self) -> bool:
        return self.status == 200


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def decide(tokens: Iterable[str], authorization: str | None, client_host: str | None) -> Decision:
    """Whether a request may proceed, from the server's tokens and what the client sent."""
    configured = [t for t in tokens if t]
    if not configured:
        if is_loopback(client_host):
            return Decision(principal="loopback")
        return Decision(403, NO_TOKEN_MESSAGE)
    presented = _bearer(authorization)
    if presented is None:
        return Decision(401, MISSING_MESSAGE)
    # Compare against every token in constant time, so timing reveals neither which nor how much.
    matches = [hmac.compare_digest(presented.encode(), t.encode()) for t in configured]
    if not any(matches):
        return Decision(401, WRONG_MESSAGE)
    return Decision(principal=principal_of(presented))


def principal_of(token: str) -> str:
    """The caller's stable label for a token: a hash prefix, never the token."""
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:12]


def _bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


class Auth:
    """The server's tokens and their data scopes; ``require`` is the dependency every ``/v1``
    route uses, and leaves the caller's principal and scope on the request's state."""

    def __init__(self, tokens: Iterable[str | SecretStr | ApiToken] = ()) -> None:
        entries = [
            t if isinstance(t, ApiToken) else ApiToken(token=_secret(t)) for t in tokens if t
        ]
        self._tokens = tuple(t.token.get_secret_value() for t in entries)
        # Principal -> the data scope its token carries (none: every table and row).
        self.scopes: dict[str, DataScope] = {
            principal_of(t.token.get_secret_value()): t.scope
            for t in entries
            if t.scope is not None
        }

    @property
    def enabled(self) -> bool:
        return bool(self._tokens)

    def decide(self, authorization: str | None, client_host: str | None) -> Decision:
        return decide(self._tokens, authorization, client_host)

    async def require(self, request: Request) -> str:
        """The caller's principal label; raises a 401/403 error when it may not proceed."""
        client = request.client.host if request.client else None
        decision = self.decide(request.headers.get("authorization"), client)
        if not decision.allowed:
            raise AuthError(decision.status, decision.message, _challenge(decision))
        request.state.principal = decision.principal
        request.state.scope = self.scopes.get(decision.principal)
        return decision.principal


def _secret(token: str | SecretStr) -> SecretStr:
    return token if isinstance(token, SecretStr) else SecretStr(token)


def _challenge(decision: Decision) -> dict[str, str] | None:
    return {"WWW-Authenticate": "Bearer"} if decision.status == 401 else None


class AuthGate:
    """ASGI middleware: the auth decision for every path but ``OPEN_PATHS``, before routing."""

    def __init__(self, app: ASGIApp, auth: Auth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        authorization = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        client = scope.get("client")
        decision = self.auth.decide(
            authorization.decode("latin-1") if authorization is not None else None,
            str(client[0]) if client else None,
        )
        if not decision.allowed:
            kind = "unauthorized" if decision.status == 401 else "forbidden"
            await send_error(send, decision.status, kind, decision.message, _challenge(decision))
            return
        await self.app(scope, receive, send)


class AuthError(HttpError):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None) -> None:
        kind = "unauthorized" if status == 401 else "forbidden"
        super().__init__(status, message, kind, headers)
