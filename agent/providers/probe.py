"""Probing an OpenAI-compatible endpoint: what it supports, in a few tiny requests.

``probe_endpoint`` sends ``GET /models`` and up to four chat completions of a few tokens each —
a tool call, the same streamed, two calls in one reply, JSON mode — each with a short deadline
and all within a total one, and reads what came back the way the provider would: native tool
calls or calls written as text, reasoning in which field, a refusal in the server's words, a
context window where ``/models`` advertises one. The result is an ``EndpointProfile``; the mode
ServiceLens will use and the fixes for what is missing are read from it (``profile_mode``,
``profile_fixes``). Profiles are cached per endpoint and model for the process's life, so the
doctor and the analyst of one session probe once. Nothing here ever holds or shows the key.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import openai
from pydantic import BaseModel, Field

from .base import ModelTurn, check_model_request_allowed
from .deadline import Deadline, Overdue, enforced
from .family_rules import replay_for
from .model_listing import context_of, forget_contexts, model_entry, profile_key, remember_context
from .openai_reply import StreamAccumulator, turn_from_message
from .tool_support import refusal_hint

if TYPE_CHECKING:
    from ..settings import Settings

# Each probe waits at most this long, and all of them together at most PROBE_TOTAL_S.
PROBE_EACH_S = 4.0
PROBE_TOTAL_S = 12.0
Tools = Literal["native", "text", "refused", "none", "error", "skipped"]
_PING = {
    "type": "function",
    "function": {
        "name": "ping",
        "description": "Answer the health check.",
        "parameters": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
    },
}
_ECHO = {
    "type": "function",
    "function": {
        "name": "echo",
        "description": "Repeat a word.",
        "parameters": {"type": "object", "properties": {"text": {"type": "string"}}},
    },
}
_ASK_PING = "Health check: call the ping tool with ok=true. Do not write anything else."
_ASK_BOTH = (
    "Health check: call both tools now, in this one reply: ping with ok=true and echo with "
    "text='hi'. Do not write anything else."
)
_ASK_JSON = 'Reply with the JSON object {"ok": true} and nothing else.'
_OWNERS = {
    "vllm": "vllm",
    "llamacpp": "llama.cpp",
    "library": "ollama",
    "deepseek": "deepseek",
    "moonshot": "kimi",
}
_HOSTS = (
    ("api.deepseek.com", "deepseek"),
    ("dashscope", "dashscope"),
    ("openai.azure.com", "azure"),
    ("api.openai.com", "openai"),
    ("bigmodel.cn", "glm"),
    ("moonshot", "kimi"),
    (":11434", "ollama"),
)
# Hosted families whose model names say who serves them, behind a proxy or gateway too.
_MODEL_NAMES = (
    (re.compile(r"^(glm|chatglm)-", re.I), "glm"),
    (re.compile(r"^(kimi-|moonshot-v1)", re.I), "kimi"),
)


class EndpointProfile(BaseModel):
    """What one endpoint and model were seen to support."""

    model: str
    host: str
    family: str = "unknown"
    listed: list[str] | None = None
    context_tokens: int | None = None
    context_source: str = ""
    tools: Tools = "skipped"
    # What the server said when tools failed, and the setting that fixes a refusal.
    tools_detail: str = ""
    tools_fix: str = ""
    stream_tools: bool | None = None
    parallel: bool | None = None
    json_mode: bool | None = None
    # Where reasoning came back: reasoning_content, reasoning, think (tags in the text), or "".
    reasoning: str = ""
    # A finding that ended the probing early (cannot connect, key refused), said for a person.
    failure: str = ""
    failure_status: int | None = None
    notes: list[str] = Field(default_factory=list)
    seconds: float = 0.0


_CACHE: dict[tuple[str, str, str], EndpointProfile] = {}
_LOCK = threading.Lock()


def cached_profile(settings: Settings) -> EndpointProfile | None:
    """The profile an earlier probe of this endpoint and model made in this process, if any."""
    with _LOCK:
        return _CACHE.get(_key(settings))


def probe_endpoint(settings: Settings, *, use_cache: bool = True) -> EndpointProfile:
    """Probe the configured endpoint (or return this session's earlier probe of it)."""
    if use_cache and (known := cached_profile(settings)) is not None:
        return known
    check_model_request_allowed(settings.openai_base_url)
    profile = _Prober(settings).run()
    if not profile.failure:
        with _LOCK:
            _CACHE[_key(settings)] = profile
        remember_context(_key(settings), profile.context_tokens)
    return profile


def endpoint_family(settings: Settings) -> str:
    """The server family (deepseek, glm, kimi, vllm, llama.cpp, ollama, azure, ...) from the
    settings and host, else from the owners ``GET /models`` names, else from the model's name;
    "unknown" when none says."""
    if (known := cached_profile(settings)) is not None:
        return known.family
    check_model_request_allowed(settings.openai_base_url)
    prober = _Prober(settings)
    # Unreachable or refused: the host may still say.
    with contextlib.suppress(_ProbeFailed):
        prober._models()
    return _family(settings, prober.owner)


def forget_profiles() -> None:
    """Drop every cached profile (the next probe asks the endpoints again)."""
    with _LOCK:
        _CACHE.clear()
    forget_contexts()


def _key(settings: Settings) -> tuple[str, str, str]:
    return profile_key(settings.openai_base_url, settings.model, settings.openai_api_version)


class _Prober:
    def __init__(self, settings: Settings) -> None:
        from .openai_provider import _client

        base = settings.openai_base_url
        self.host = urlsplit(base).netloc if base else "api.openai.com"
        self.profile = EndpointProfile(model=settings.model, host=self.host)
        self.total = Deadline(PROBE_TOTAL_S)
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        self.client = _client(key, base, PROBE_EACH_S, settings.openai_api_version)
        self.settings = settings
        self.owner = ""

    def run(self) -> EndpointProfile:
        p = self.profile
        steps: list[Callable[[], None]] = [self._models, self._tools, self._stream, self._both]
        steps.append(self._json)
        for step in steps:
            if p.failure:
                break
            if self.total.remaining() <= 0.5:
                p.notes.append(f"stopped after {PROBE_TOTAL_S:g} s; the rest was not probed")
                break
            try:
                step()
            except _ProbeFailed as exc:
                if not p.failure:
                    p.notes.append(str(exc))
        p.family = _family(self.settings, self.owner)
        p.seconds = round(self.total.elapsed(), 2)
        return p

    # --- the probes ---------------------------------------------------------------------------

    def _models(self) -> None:
        data = self._call(lambda t: json.loads(self.client.models.with_raw_response.list(
            timeout=t).text))  # fmt: skip
        entries = data.get("data") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            return  # no listing (older llama.cpp, proxies) or an error already noted
        self.profile.listed = [str(e.get("id")) for e in entries if isinstance(e, dict)]
        self._context(model_entry(entries, self.profile.model))
        owners = {str(e.get("owned_by")) for e in entries if isinstance(e, dict)}
        self.owner = next((_OWNERS[o] for o in sorted(owners) if o in _OWNERS), "")

    def _context(self, entry: dict[str, Any] | None) -> None:
        if (found := context_of(entry)) is not None:
            self.profile.context_tokens, self.profile.context_source = found

    def _tools(self) -> None:
        result = self._chat(_ASK_PING, [_PING])
        p = self.profile
        if isinstance(result, str):
            p.tools, p.tools_detail = ("refused" if p.tools_fix else "error"), result
            return
        turn, native = result
        if any(c.name == "ping" for c in turn.tool_calls):
            p.tools = "native" if native else "text"
        else:
            p.tools = "none"

    def _stream(self) -> None:
        if self.profile.tools not in ("native", "text"):
            return
        result = self._chat(_ASK_PING, [_PING], stream=True)
        self.profile.stream_tools = not isinstance(result, str) and any(
            c.name == "ping" for c in result[0].tool_calls
        )

    def _both(self) -> None:
        if self.profile.tools not in ("native", "text"):
            return
        result = self._chat(_ASK_BOTH, [_PING, _ECHO], parallel=True)
        if isinstance(result, str) and "parallel_tool_calls" in result:
            result = self._chat(_ASK_BOTH, [_PING, _ECHO])
        names = set() if isinstance(result, str) else {c.name for c in result[0].tool_calls}
        self.profile.parallel = names >= {"ping", "echo"}

    def _json(self) -> None:
        result = self._chat(_ASK_JSON, None, json_mode=True)
        if isinstance(result, str):
            self.profile.json_mode = False
            self.profile.notes.append(f"JSON mode: {result}")
            return
        try:
            self.profile.json_mode = isinstance(json.loads(result[0].text), dict)
        except json.JSONDecodeError:
            self.profile.json_mode = False

    # --- sending -------------------------------------------------------------------------------

    def _chat(
        self,
        ask: str,
        tools: list[dict[str, Any]] | None,
        *,
        stream: bool = False,
        parallel: bool = False,
        json_mode: bool = False,
    ) -> tuple[ModelTurn, bool] | str:
        """The turn and whether its calls were native, or what went wrong, said for a person."""
        request: dict[str, Any] = {
            "model": self.profile.model,
            "messages": [{"role": "user", "content": ask}],
        }
        if tools:
            request["tools"] = tools
        if parallel:
            request["parallel_tool_calls"] = True
        if json_mode:
            request["response_format"] = {"type": "json_object"}
        offered = [str(t["function"]["name"]) for t in tools or []]
        read = self._read_stream if stream else self._read_whole
        try:
            result = self._call(lambda t: read({**request, "timeout": t}, offered), raising=True)
        except openai.APIStatusError as exc:
            return self._refusal(exc, bool(tools))
        except _ProbeFailed as exc:
            return str(exc)
        assert result is not None
        turn, native, field = result
        self.profile.reasoning = self.profile.reasoning or field
        return turn, native

    def _read_whole(
        self, request: dict[str, Any], offered: list[str]
    ) -> tuple[ModelTurn, bool, str]:
        data = json.loads(self.client.chat.completions.with_raw_response.create(**request).text)
        choice = (data.get("choices") or [{}])[0]
        message = choice.get("message") or {}
        turn = turn_from_message(data, choice, self.profile.model, offered)
        field = next((f for f in ("reasoning_content", "reasoning") if message.get(f)), "")
        return turn, bool(message.get("tool_calls")), field or ("think" if turn.reasoning else "")

    def _read_stream(
        self, request: dict[str, Any], offered: list[str]
    ) -> tuple[ModelTurn, bool, str]:
        from .openai_provider import _read_events

        acc = StreamAccumulator(lambda _: None)
        with self.client.chat.completions.create(**request, stream=True) as stream:
            _read_events(stream, acc)
        turn = acc.turn(self.profile.model, offered)
        return turn, bool(acc.calls), ""

    def _call(self, send: Callable[[float], Any], raising: bool = False) -> Any:
        """``send(timeout)`` within this probe's deadline; connection failures end the probing."""
        budget = min(PROBE_EACH_S, self.total.remaining())
        try:
            with enforced(Deadline(budget)):
                return send(budget)
        except openai.APIStatusError as exc:
            if exc.status_code in (401, 403):
                self._fail(f"refused the API key (HTTP {exc.status_code})", exc.status_code)
                raise _ProbeFailed(self.profile.failure) from exc
            if raising:
                raise
            if exc.status_code != 404:
                self.profile.notes.append(f"GET /models: HTTP {exc.status_code}")
            return None
        except (openai.APITimeoutError, Overdue) as exc:
            raise _ProbeFailed(f"no reply within {budget:.1f} s") from exc
        except openai.APIConnectionError as exc:
            self._fail("could not be reached", None)
            raise _ProbeFailed(self.profile.failure) from exc
        except (json.JSONDecodeError, AttributeError, TypeError) as exc:
            raise _ProbeFailed("a reply that is not OpenAI-shaped JSON") from exc

    def _fail(self, what: str, status: int | None) -> None:
        self.profile.failure = f"The model endpoint at {self.host} {what}."
        self.profile.failure_status = status

    def _refusal(self, exc: openai.APIStatusError, tools: bool) -> str:
        from .openai_provider import _server_message

        detail = _server_message(exc)
        if tools and (hint := refusal_hint(self.profile.model, detail)):
            self.profile.tools_fix = hint[0].upper() + hint[1:] + "."
        if exc.status_code == 404:
            self._fail(f"has no model '{self.profile.model}' (HTTP 404)", 404)
        return f"HTTP {exc.status_code}: {detail}"


class _ProbeFailed(Exception):
    """One probe could not be judged; the message says why."""


def _family(settings: Settings, owner: str) -> str:
    """The server family, from the settings, the host and what /models said about owners."""
    if settings.openai_api_version:
        return "azure"
    base = (settings.openai_base_url or "https://api.openai.com").lower()
    for needle, name in _HOSTS:
        if needle in base:
            return name
    by_name = (name for pattern, name in _MODEL_NAMES if pattern.search(settings.model))
    return owner or next(by_name, "unknown")


def profile_mode(profile: EndpointProfile) -> str:
    """How ServiceLens will talk to this endpoint, in one line."""
    if profile.failure:
        return "none: the endpoint cannot be used as configured"
    if profile.tools == "refused":
        return "none: the model cannot call tools as served"
    if profile.tools in ("none", "error", "skipped"):
        return "uncertain: the test tool was not called"
    calls = "native tool calls" if profile.tools == "native" else "tool calls read from the text"
    batch = "several per step" if profile.parallel else "one per step"
    parts = [f"{calls}, {batch}"]
    if profile.reasoning and replay_for(profile.model) == "tool_calls":
        parts.append("reasoning kept apart, never shown, sent back within tool loops")
    elif profile.reasoning:
        parts.append("reasoning kept apart, never shown or sent back")
    return "; ".join(parts)


def profile_fixes(profile: EndpointProfile) -> list[str]:
    """What to change for what is missing, most important first."""
    fixes: list[str] = []
    if profile.tools == "refused":
        fixes.append(profile.tools_fix)
    elif profile.tools == "none":
        fixes.append(_NO_CALL_FIX.get(profile.family, _NO_CALL_FIX["unknown"]))
    elif profile.tools == "text":
        fixes.append(_TEXT_FIX.get(profile.family, _TEXT_FIX["unknown"]))
    if profile.tools in ("native", "text") and profile.parallel is False:
        fixes.append(
            "The model made one call per reply: answers take a round trip per call; a model "
            "with parallel tool calls (Qwen3, Llama 3.1+, GPT-4o) is faster."
        )
    if profile.context_tokens is None and profile.family in _SELF_HOSTED:
        fixes.append(
            "No context window advertised, so 32,000 tokens is assumed: set context_tokens in "
            "servicelens.toml to the server's (llama-server -c, vllm --max-model-len, Ollama "
            "num_ctx)."
        )
    return fixes


_SELF_HOSTED = ("ollama", "llama.cpp", "vllm", "unknown")
_NO_CALL_FIX = {
    "deepseek": "Use deepseek-chat for tools (SERVICELENS_MODEL=deepseek-chat).",
    "llama.cpp": "Start llama-server with --jinja so the model's tool template is used.",
    "vllm": "Start vllm serve with --enable-auto-tool-choice --tool-call-parser hermes.",
    "ollama": "Pull a model whose Ollama library page lists tools (qwen3, llama3.1).",
    "glm": "Use a GLM model with function calling (SERVICELENS_MODEL=glm-4.6 or glm-4.5).",
    "kimi": "Use a Kimi model with tool calling (SERVICELENS_MODEL=kimi-k2-turbo-preview or "
    "kimi-k2-thinking).",
    "unknown": "Use a model served with native tool (function) calling; set SERVICELENS_MODEL.",
}
_TEXT_FIX = {
    "vllm": "Tool calls arrive as text: start vllm with --enable-auto-tool-choice and the "
    "--tool-call-parser that fits the model (hermes for Qwen); ServiceLens reads them meanwhile.",
    "llama.cpp": "Tool calls arrive as text: start llama-server with --jinja; ServiceLens reads "
    "them meanwhile.",
    "unknown": "Tool calls arrive as text (the server's tool parser is off); ServiceLens reads "
    "them, but turning the parser on is more reliable.",
}
