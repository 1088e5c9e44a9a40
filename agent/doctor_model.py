"""The doctor's model checks: is the endpoint there, and what does it support?

With an ``openai`` provider the endpoint is probed (``providers/probe.py``): ``GET /models`` and
a few chat completions of a few tokens each, every one with a short deadline. Two findings come
back: ``model`` (reachable, and the mode ServiceLens will use) and ``model features`` (tool calls,
streamed tool calls, parallel calls, JSON mode, reasoning output, context window), each with the
fix for what is missing. ``probe=False`` (``--no-probe``) sends nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .check import Check
from .providers.base import ModelRequestsBlocked
from .providers.probe import EndpointProfile, probe_endpoint, profile_fixes, profile_mode

if TYPE_CHECKING:
    from .settings import Settings

OFFLINE_FIX = "Set OPENAI_BASE_URL, OPENAI_API_KEY and SERVICELENS_MODEL to use a language model."
_KEY_FIX = "Set a valid OPENAI_API_KEY (or openai_api_key in servicelens.toml)."
_URL_FIX = "Start the model server, or correct OPENAI_BASE_URL."
_MODEL_FIX = "Check SERVICELENS_MODEL, and that OPENAI_BASE_URL ends in /v1."


def model_checks(settings: Settings, *, probe: bool = True) -> list[Check]:
    provider = settings.resolved_provider
    if provider == "offline":
        return [Check("model", "warn", "offline (no language model).", OFFLINE_FIX)]
    if provider == "scripted":
        return [Check("model", "ok", "scripted provider (replays a fixed script; for tests).")]
    if not (settings.openai_base_url or settings.openai_api_key):
        return [
            Check("model", "fail", "Provider openai is chosen but no endpoint is configured.",
                  OFFLINE_FIX)
        ]  # fmt: skip
    if not probe:
        return [Check("model", "ok", f"{settings.model}: not probed (--no-probe).")]
    try:
        # Asked afresh (a person runs doctor to see the endpoint as it is now); the result is
        # cached for the rest of the session.
        profile = probe_endpoint(settings, use_cache=False)
    except ModelRequestsBlocked as exc:
        return [Check("model", "fail", str(exc), "Allow model requests, or probe a loopback fake.")]
    return [verdict(profile), features(profile)]


def verdict(p: EndpointProfile) -> Check:
    """Reachable or not, and the mode ServiceLens will use."""
    if p.failure:
        fix = {401: _KEY_FIX, 403: _KEY_FIX, 404: _MODEL_FIX}.get(p.failure_status or 0, _URL_FIX)
        return Check("model", "fail", p.failure, fix)
    listed = _listed(p)
    mode = f"mode: {profile_mode(p)}"
    fixes = profile_fixes(p)
    if p.tools == "refused":
        return Check("model", "fail", f"{p.model} at {p.host}{listed}; {mode}.", fixes[0])
    if p.tools in ("none", "error"):
        seen = f" ({p.tools_detail})" if p.tools_detail else ""
        detail = f"{p.model} answers{listed} but did not call the test tool{seen}; {mode}."
        return Check("model", "warn", detail, fixes[0] if fixes else "")
    if p.listed and p.model not in p.listed:
        shown = ", ".join(p.listed[:5])
        return Check(
            "model",
            "warn",
            f"{p.model} called the tool, but /models lists only {shown}.",
            "Check SERVICELENS_MODEL against the endpoint's model names.",
        )
    return Check("model", "ok", f"{p.model} reachable{listed}; tool calling works; {mode}.")


def features(p: EndpointProfile) -> Check:
    """What the probe saw, feature by feature, with the fixes for what is missing."""
    parts = [
        f"family {p.family}",
        f"tools {p.tools}",
        f"streamed tool calls {_yes(p.stream_tools)}",
        f"parallel calls {_yes(p.parallel)}",
        f"JSON mode {_yes(p.json_mode)}",
        f"reasoning output {_REASONING.get(p.reasoning, 'none seen')}",
        _context(p),
    ]
    detail = "; ".join(parts) + f" ({p.seconds:g} s)"
    if p.notes:
        detail += "; " + "; ".join(p.notes)
    fixes = profile_fixes(p)
    return Check("model features", "warn" if fixes else "ok", detail, " ".join(fixes))


_REASONING = {
    "reasoning_content": "in reasoning_content",
    "reasoning": "in reasoning",
    "think": "in <think> tags",
}


def _listed(p: EndpointProfile) -> str:
    if p.listed is None:
        return ""
    return f" ({len(p.listed)} model{'' if len(p.listed) == 1 else 's'} listed)"


def _yes(value: bool | None) -> str:
    return "not probed" if value is None else ("yes" if value else "no")


def _context(p: EndpointProfile) -> str:
    if p.context_tokens is None:
        return "context window not advertised"
    return f"context {p.context_tokens:,} tokens ({p.context_source})"
