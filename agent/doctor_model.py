"""The doctor's model check: is the endpoint there, does it know the model, can it call tools?

Two requests with a short timeout and no retries: ``GET /models`` and one chat completion that
offers a trivial ``ping`` tool and asks for it. A tool call back means native tool calling
works; plain text means the endpoint answers but ServiceLens's tools would go unused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import openai

from .check import Check
from .providers.base import ModelError, check_model_request_allowed
from .providers.openai_provider import OpenAIProvider

if TYPE_CHECKING:
    from .settings import Settings

PROBE_TIMEOUT_S = 10.0
OFFLINE_FIX = "Set OPENAI_BASE_URL, OPENAI_API_KEY and SERVICELENS_MODEL to use a language model."
PING_TOOL = {
    "type": "function",
    "function": {
        "name": "ping",
        "description": "Answer the health check.",
        "parameters": {
            "type": "object",
            "properties": {"ok": {"type": "boolean"}},
            "required": ["ok"],
        },
    },
}
PING_MESSAGES = [{"role": "user", "content": "Health check: call the ping tool with ok=true."}]


def model_check(settings: Settings) -> Check:
    provider = settings.resolved_provider
    if provider == "offline":
        return Check("model", "warn", "offline (no language model).", OFFLINE_FIX)
    if provider == "scripted":
        return Check("model", "ok", "scripted provider (replays a fixed script; for tests).")
    if not (settings.openai_base_url or settings.openai_api_key):
        return Check(
            "model", "fail", "Provider openai is chosen but no endpoint is configured.", OFFLINE_FIX
        )
    try:
        listed = list_models(settings)
        called = probe_tool_call(settings)
    except ModelError as exc:
        return Check("model", "fail", str(exc), _fix(exc))
    return _verdict(settings.model, listed, called)


def _verdict(model: str, listed: list[str] | None, called: bool) -> Check:
    where = "" if listed is None else f" ({len(listed)} models listed)"
    if not called:
        return Check(
            "model",
            "warn",
            f"{model} answers{where} but did not call the test tool.",
            "Use a model with native tool (function) calling, e.g. set SERVICELENS_MODEL.",
        )
    if listed is not None and listed and model not in listed:
        shown = ", ".join(listed[:5])
        return Check(
            "model",
            "warn",
            f"{model} called the tool, but /models lists only {shown}.",
            "Check SERVICELENS_MODEL against the endpoint's model names.",
        )
    return Check("model", "ok", f"{model} reachable{where}; tool calling works.")


def _client(settings: Settings) -> openai.OpenAI:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return openai.OpenAI(
        api_key=key or "not-needed",
        base_url=settings.openai_base_url,
        timeout=min(settings.request_timeout_s, PROBE_TIMEOUT_S),
        max_retries=0,
    )


def list_models(settings: Settings) -> list[str] | None:
    """Model ids from ``GET /models``; None when the endpoint does not offer the listing."""
    check_model_request_allowed(settings.openai_base_url)
    base = settings.openai_base_url
    host = urlsplit(base).netloc if base else "api.openai.com"
    try:
        return [m.id for m in _client(settings).models.list()]
    except openai.NotFoundError:
        return None  # Some servers (older llama.cpp, proxies) have no /models.
    except openai.APIStatusError as exc:
        raise ModelError(f"GET /models at {host} failed with HTTP {exc.status_code}.") from exc
    except openai.APIConnectionError as exc:
        raise ModelError(f"Could not connect to the model endpoint at {host}.") from exc


def probe_tool_call(settings: Settings) -> bool:
    turn = _provider(settings).complete(PING_MESSAGES, [PING_TOOL])
    return any(call.name == "ping" for call in turn.tool_calls)


def _provider(settings: Settings) -> OpenAIProvider:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return OpenAIProvider(
        settings.model,
        api_key=key,
        base_url=settings.openai_base_url,
        timeout_s=min(settings.request_timeout_s, PROBE_TIMEOUT_S),
        max_retries=0,
    )


def _fix(exc: ModelError) -> str:
    cause = exc.__cause__
    status = getattr(cause, "status_code", None)
    if status in (401, 403):
        return "Set a valid OPENAI_API_KEY (or openai_api_key in servicelens.toml)."
    if status == 404:
        return "Check SERVICELENS_MODEL, and that OPENAI_BASE_URL ends in /v1."
    if isinstance(cause, openai.APIConnectionError | openai.APITimeoutError):
        return "Start the model server, or correct OPENAI_BASE_URL."
    return "Check OPENAI_BASE_URL, OPENAI_API_KEY and SERVICELENS_MODEL."
