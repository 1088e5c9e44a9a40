"""The ``openai`` provider: any OpenAI-compatible Chat Completions endpoint, through the SDK.

One retry layer: the SDK's own (``max_retries``, exponential backoff, honouring Retry-After on
408/409/429/5xx and connection errors); nothing here loops around it. Responses are read as
plain JSON rather than through the SDK's models, so servers that omit ``usage``, send
``content: null``, leave tool-call ids empty or mangle tool arguments still give a ``ModelTurn``.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import openai

from .base import (
    ModelError,
    ModelTurn,
    TextDelta,
    ToolCall,
    TurnContext,
    Usage,
    check_model_request_allowed,
)
from .tool_arguments import ArgumentsError, parse_arguments

if TYPE_CHECKING:
    from ..settings import Settings

# Servers that reject ``stream_options`` say so with one of these words in a 400/422 message.
_STREAM_OPTION_WORDS = ("stream_options", "include_usage", "extra")


class OpenAIProvider:
    name = "openai"

    def __init__(
        self,
        model: str,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        if not api_key and not base_url:
            raise ModelError(
                "No model endpoint is configured; set OPENAI_API_KEY (and OPENAI_BASE_URL for "
                "a non-OpenAI server) or use the offline provider."
            )
        self.model = model
        self.base_url = base_url
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.host = urlsplit(base_url).netloc if base_url else "api.openai.com"
        self._stream_options = True
        # Local servers (Ollama, llama.cpp, vLLM) accept any key; the SDK insists on one.
        self._client = openai.OpenAI(
            api_key=api_key or "not-needed",
            base_url=base_url,
            timeout=timeout_s,
            max_retries=max_retries,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIProvider:
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return cls(
            settings.model,
            api_key=key,
            base_url=settings.openai_base_url,
            timeout_s=settings.request_timeout_s,
            max_retries=settings.max_retries,
        )

    def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        *,
        on_delta: TextDelta | None = None,
        context: TurnContext | None = None,
    ) -> ModelTurn:
        check_model_request_allowed(self.base_url)
        request: dict[str, Any] = {"model": self.model, "messages": messages}
        if tools:
            request["tools"] = tools
        try:
            if on_delta is None:
                return self._complete(request)
            return self._stream(request, on_delta)
        except openai.APIError as exc:
            raise self._error(exc) from exc
        except json.JSONDecodeError as exc:
            raise self._junk("a body that is not JSON") from exc

    def _complete(self, request: dict[str, Any]) -> ModelTurn:
        raw = self._client.chat.completions.with_raw_response.create(**request)
        data = json.loads(raw.text)
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise self._junk("JSON without any choices")
        message = choices[0].get("message") or {}
        return ModelTurn(
            text=_text(message.get("content")),
            tool_calls=[_tool_call(c) for c in message.get("tool_calls") or []],
            usage=_usage(data.get("usage")),
            model=str(data.get("model") or self.model),
            finish_reason=choices[0].get("finish_reason"),
        )

    def _stream(self, request: dict[str, Any], on_delta: TextDelta) -> ModelTurn:
        if self._stream_options:
            try:
                return self._stream_once(request, on_delta, usage=True)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if not any(w in str(exc).lower() for w in _STREAM_OPTION_WORDS):
                    raise
                # This server rejects stream_options; remember it and ask without.
                self._stream_options = False
        return self._stream_once(request, on_delta, usage=False)

    def _stream_once(self, request: dict[str, Any], on_delta: TextDelta, usage: bool) -> ModelTurn:
        options = {"stream_options": {"include_usage": True}} if usage else {}
        stream = self._client.chat.completions.create(**{**request, "stream": True, **options})
        acc = _StreamAccumulator(on_delta)
        with stream:
            for chunk in stream:
                acc.add(chunk.to_dict())
        if not acc.chunks:
            raise self._junk("a stream without any events")
        return acc.turn(self.model)

    def _junk(self, what: str) -> ModelError:
        return ModelError(
            f"The model endpoint at {self.host} answered with {what}; check that OPENAI_BASE_URL "
            "points at an OpenAI-compatible /v1 endpoint."
        )

    def _error(self, exc: openai.APIError) -> ModelError:
        host = self.host
        if isinstance(exc, openai.APITimeoutError):
            return ModelError(
                f"The model at {host} did not answer within {self.timeout_s:g} s; "
                "try again or raise request_timeout_s."
            )
        if isinstance(exc, openai.APIConnectionError):
            return ModelError(
                f"Could not connect to the model endpoint at {host}; check OPENAI_BASE_URL and "
                "that the server is running."
            )
        if isinstance(exc, openai.APIStatusError):
            return ModelError(self._status_message(exc.status_code, _server_message(exc)))
        return ModelError(f"The model endpoint at {host} reported an error: {_server_message(exc)}")

    def _status_message(self, status: int, detail: str) -> str:
        where = f"The model endpoint at {self.host}"
        if status in (401, 403):
            return f"{where} refused the API key (HTTP {status}); check OPENAI_API_KEY."
        if status == 404:
            return (
                f"{where} has no model '{self.model}' (HTTP 404); check SERVICELENS_MODEL, and "
                "that OPENAI_BASE_URL ends in /v1."
            )
        retries = f"after {self.max_retries} retries"
        if status == 429:
            return f"{where} is rate-limiting requests (HTTP 429, {retries}); wait and try again."
        if status >= 500:
            return f"{where} failed with HTTP {status} {retries}; try again later."
        return f"{where} rejected the request (HTTP {status}: {detail})."


class _StreamAccumulator:
    """Joins streamed text deltas and tool-call fragments (keyed by their index)."""

    def __init__(self, on_delta: TextDelta) -> None:
        self.on_delta = on_delta
        self.chunks = 0
        self.parts: list[str] = []
        self.calls: dict[int, dict[str, Any]] = {}
        self.usage: Usage | None = None
        self.model = ""
        self.finish_reason: str | None = None

    def add(self, chunk: dict[str, Any]) -> None:
        self.chunks += 1
        self.model = self.model or str(chunk.get("model") or "")
        self.usage = _usage(chunk.get("usage")) or self.usage
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if text := _text(delta.get("content")):
                self.parts.append(text)
                self.on_delta(text)
            for fragment in delta.get("tool_calls") or []:
                self._add_fragment(fragment)
            self.finish_reason = choice.get("finish_reason") or self.finish_reason

    def _add_fragment(self, fragment: dict[str, Any]) -> None:
        index = fragment.get("index")
        if index is None:
            # No index: a fragment with an id starts a call, one without continues the last.
            index = len(self.calls) if fragment.get("id") or not self.calls else max(self.calls)
        slot = self.calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
        slot["id"] = fragment.get("id") or slot["id"]
        fn = fragment.get("function") or {}
        name = fn.get("name") or ""
        # Most servers send the name once; some repeat it in every fragment.
        if name and name != slot["name"]:
            slot["name"] += name
        slot["arguments"] += fn.get("arguments") or ""

    def turn(self, model: str) -> ModelTurn:
        calls = [
            _tool_call(
                {"id": s["id"], "function": {"name": s["name"], "arguments": s["arguments"]}}
            )
            for _, s in sorted(self.calls.items())
        ]
        return ModelTurn(
            text="".join(self.parts),
            tool_calls=calls,
            usage=self.usage,
            model=self.model or model,
            finish_reason=self.finish_reason,
        )


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _tool_call(raw: dict[str, Any]) -> ToolCall:
    fn = raw.get("function") or {}
    arguments = fn.get("arguments")
    text = arguments if isinstance(arguments, str) else json.dumps(arguments or {})
    call = ToolCall(
        # Some servers leave ids empty; the tool message must still answer a unique id.
        id=raw.get("id") or f"call_{uuid.uuid4().hex[:16]}",
        name=str(fn.get("name") or ""),
        raw_arguments=text,
    )
    if not call.name:
        call.error = "the tool call has no function name"
        return call
    try:
        call.arguments = parse_arguments(arguments)
    except ArgumentsError as exc:
        call.error = f"{exc}; send the call again with its arguments as one JSON object"
    return call


def _usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
    )


def _server_message(exc: openai.APIError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error")
        message = inner.get("message") if isinstance(inner, dict) else body.get("message")
    else:
        message = None
    text = " ".join(str(message or exc.message).split())
    return text[:200]
