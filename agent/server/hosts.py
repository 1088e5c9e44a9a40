"""The Host and Origin check of a server without API tokens: a guard against DNS rebinding.

Without tokens the server answers any client on this machine, and a web page the user opens is
such a client once its own host name is made to resolve to 127.0.0.1 (DNS rebinding). Such a
request still names the page's host: in ``Host``, and in ``Origin`` when the browser sends one.
So both must name a host the server answers to: ``localhost``, ``127.0.0.1``, ``[::1]``, the
host it is bound to, and the ``allowed_hosts`` setting. Ports are not compared (a front-end on
``localhost:3000`` may call the API). With tokens configured the check is off: a page cannot
send a token it does not know.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import send_error

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
# Bind addresses that name no host: listening on every interface.
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})
# host[:port], the host a name or an IP address (IPv6 in brackets).
_HOST_PORT = re.compile(r"^(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9._-]+))(?::\d{1,5})?$")
_ORIGIN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?P<host>[^/?#@]+)$")
_SETTING = "allowed_hosts in servicelens.toml (or SERVICELENS_ALLOWED_HOSTS)"
HOST_MESSAGE = (
    "This server has no API token configured and does not answer requests addressed to this "
    f"Host; add the host name to {_SETTING} to allow it."
)
ORIGIN_MESSAGE = (
    "This server has no API token configured and does not answer web pages from this Origin; "
    f"add the page's host name to {_SETTING} to allow it."
)


def canonical(host: str) -> str:
    """A host name or address as compared: lower case, IPv6 without brackets, in short form."""
    host = host.strip().lower().removeprefix("[").removesuffix("]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host.removesuffix(".")


def allow_list(bind_host: str | None = None, extra: Iterable[str] = ()) -> frozenset[str]:
    """The loopback names and addresses, the bind host (unless a wildcard) and ``extra``."""
    hosts = {canonical(h) for h in (*LOOPBACK_HOSTS, *extra) if h.strip()}
    if bind_host is not None and canonical(bind_host) not in _WILDCARDS:
        hosts.add(canonical(bind_host))
    return frozenset(hosts)


def host_of(value: str) -> str | None:
    """The host of a ``Host`` header value (``name:port``, ``[v6]:port``); None if malformed."""
    found = _HOST_PORT.match(value.strip())
    if found is None:
        return None
    return canonical(found.group("ip6") or found.group("name"))


def origin_host(value: str) -> str | None:
    """The host of an ``Origin`` header value; None for ``null`` or anything malformed."""
    found = _ORIGIN.match(value.strip())
    return host_of(found.group("host")) if found else None


def refusal(allowed: frozenset[str], host: str | None, origin: str | None) -> str | None:
    """Why a request with these headers is refused, or None when it may proceed.

    A request without ``Host`` (HTTP/1.0) passes: browsers always send one."""
    if host is not None and host_of(host) not in allowed:
        return HOST_MESSAGE
    if origin is not None and origin_host(origin) not in allowed:
        return ORIGIN_MESSAGE
    return None


class HostCheck:
    """ASGI middleware refusing, with 403, requests whose Host or Origin is not allowed."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k: v.decode("latin-1") for k, v in scope.get("headers", [])}
            why = refusal(self.allowed, headers.get(b"host"), headers.get(b"origin"))
            if why is not None:
                await send_error(send, 403, "forbidden_host", why)
                return
        await self.app(scope, receive, send)
