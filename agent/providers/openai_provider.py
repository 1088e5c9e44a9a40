"""The ``openai`` provider: any OpenAI-compatible Chat Completions endpoint, through the SDK.

One retry layer, this one (the SDK's own is off): it retries timeouts, dropped connections,
408/409/429/5xx and streams that end before the model finished, waits what the endpoint asks
(Retry-After) or backs off, and never lets a wait or an attempt run past the call's deadline
(``deadline.py``). A stream that broke after its text was shown is not asked again, since the
text would be shown twice; the call fails and says the text is incomplete. Responses are read as
plain JSON rather than through the SDK's models, so servers that omit ``usage``, send
``content: null``, leave tool-call ids empty or mangle tool arguments still give a ``ModelTurn``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import openai

from .base import (
    AnswerOverdue,
    ModelError,
    ModelTurn,
    TextDelta,
    ToolsUnsupported,
    TurnContext,
    check_model_request_allowed,
)
from .deadline import (
    Deadline,
    Overdue,
    backoff_s,
    bounded_http_client,
    call_budget_s,
    enforced,
    retry_after_s,
)
from .family_rules import ReplaySetting, outgoing, rejects_parallel, replay_for, replay_wanted
from .openai_reply import StreamAccumulator, turn_from_message
from .quirks import reply_quirks
from .tool_support import prose_instead_of_calls, tools_refused_message
from .vendor_errors import VendorError, vendor_error

if TYPE_CHECKING:
    from ..settings import Settings

# Servers that reject ``stream_options`` say so with one of these words in a 400/422 message.
_STREAM_OPTION_WORDS = ("stream_options", "include_usage", "extra")
_RETRIED_STATUSES = (408, 409, 429)
# Errors raised while connecting, as opposed to after the endpoint accepted the request.
_CONNECT_ERRORS = (httpx.ConnectError, httpx.ProxyError, httpx.UnsupportedProtocol)


class _Unfinished(Exception):
    """A stream that ended cleanly but without its end: no choice at all, or no finish_reason."""

    def __init__(self, empty: bool) -> None:
        super().__init__("empty" if empty else "no finish_reason")
        self.empty = empty


# GLM ends a reply its content filter stopped with this finish_reason (Zhipu "Chat Completion"
# reference); what came before it is not an answer.
_FILTERED = "sensitive"
_ANSWER_OVERDUE = "The answer's time budget ran out while the model was still working."
_ATTEMPT_ERRORS = (openai.APIError, Overdue, _Unfinished)


@dataclass
class _Call:
    """One ``complete`` call across its attempts: the deadline, the retries, the text shown."""

    deadline: Deadline
    on_delta: TextDelta | None
    # The names of the tools the request offers.
    offered: tuple[str, ...] = ()
    # The graph's messages as given, before the family's rules shaped them for the request.
    source: list[dict[str, Any]] = field(default_factory=list)
    # True when the answer's time budget, not this call's own, set the deadline.
    answer_budget: bool = False
    retries: int = 0
    shown: int = 0

    def delta(self, text: str) -> None:
        self.shown += len(text)
        if self.on_delta is not None:
            self.on_delta(text)


@dataclass
class _Failure:
    message: str
    retry: bool = False
    # What the endpoint asked to wait before a retry (Retry-After), in seconds.
    asked_s: float | None = None
    kind: type[ModelError] = ModelError


class OpenAIProvider:
    name = "openai"

    def __init__(
        self,
        model: str,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 2,
        api_version: str | None = None,
        reasoning_replay: ReplaySetting = "auto",
        parallel_tool_calls: bool = True,
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
        self.api_version = api_version
        self.budget_s = call_budget_s(timeout_s, max_retries)
        self.host = urlsplit(base_url).netloc if base_url else "api.openai.com"
        self._stream_options = True
        # What this endpoint's replies needed leniency for, counted (an eval's model card).
        self.quirks: Counter[str] = Counter()
        self._quirks_lock = threading.Lock()
        self._context: int | None = None
        self._context_asked = False
        # Per family (``family_rules``); "auto" may switch once on the endpoint's word.
        self.replay = replay_for(model, reasoning_replay)
        self._replay_fixed = reasoning_replay != "auto"
        self.parallel_tool_calls = parallel_tool_calls
        self._client = _client(api_key, base_url, timeout_s, api_version)

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIProvider:
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return cls(
            settings.model,
            api_key=key,
            base_url=settings.openai_base_url,
            timeout_s=settings.request_timeout_s,
            max_retries=settings.max_retries,
            api_version=settings.openai_api_version,
            reasoning_replay=settings.reasoning_replay,
            parallel_tool_calls=settings.parallel_tool_calls,
        )

    def context_window(self) -> int | None:
        """The model's context window as the endpoint advertises it (asked once), or None."""
        if not self._context_asked:
            from .model_listing import advertised_context, profile_key

            check_model_request_allowed(self.base_url)
            key = profile_key(self.base_url, self.model, self.api_version)
            self._context = advertised_context(self._client, key)
            self._context_asked = True
        return self._context

    def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        *,
        on_delta: TextDelta | None = None,
        context: TurnContext | None = None,
    ) -> ModelTurn:
        check_model_request_allowed(self.base_url)
        offered = tuple(str((t.get("function") or {}).get("name")) for t in tools or [])
        budget_s, by_answer = self._call_budget(context)
        call = _Call(Deadline(budget_s), on_delta, offered, list(messages), by_answer)
        turn = self._retrying(self._request(messages, tools), call)
        if turn.finish_reason == _FILTERED:
            raise ModelError(
                f"The model at {self.host} stopped its reply because the vendor's content filter "
                f"flagged the question or the answer (finish_reason {_FILTERED}); rephrase the "
                "question."
            )
        if named := prose_instead_of_calls(turn, messages, offered):
            raise ToolsUnsupported(self._prose_message(named))
        return turn

    def _request(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.model, "messages": outgoing(messages, self.replay)}
        if tools:
            request["tools"] = tools
            if self.parallel_tool_calls:
                request["parallel_tool_calls"] = True
        return request

    def _call_budget(self, context: TurnContext | None) -> tuple[float, bool]:
        """This call's budget, and whether the answer's time budget is what limits it."""
        left = context.seconds_left() if context is not None else None
        if left is None or left >= self.budget_s:
            return self.budget_s, False
        if left <= 0:
            raise AnswerOverdue("The answer's time budget was used up before this model call.")
        return left, True

    def _reshaped(self, request: dict[str, Any], call: _Call, detail: str) -> dict[str, Any] | None:
        """The request again as a 400's message asks (reasoning sent back or not, no
        parallel_tool_calls); None when the message asks for nothing this provider can change."""
        if "parallel_tool_calls" in request and rejects_parallel(detail):
            self.parallel_tool_calls = False
            self._observe(Counter(["parallel_rejected"]))
            return {k: v for k, v in request.items() if k != "parallel_tool_calls"}
        wanted = None if self._replay_fixed else replay_wanted(detail, self.replay)
        if wanted is None:
            return None
        # Learnt once for this endpoint: every later request follows the family's rule.
        self.replay, self._replay_fixed = wanted, True
        self._observe(Counter(["reasoning_replay_learned"]))
        return {**request, "messages": outgoing(call.source, wanted)}

    def _retrying(self, request: dict[str, Any], call: _Call) -> ModelTurn:
        with enforced(call.deadline):
            while True:
                try:
                    return self._attempt(request, call)
                except _ATTEMPT_ERRORS as exc:
                    wait = self._wait_before_retry(self._failure(exc, call), call, exc)
                except json.JSONDecodeError as exc:
                    raise self._junk("a body that is not JSON") from exc
                time.sleep(wait)
                call.retries += 1
                self._observe(Counter(["retries"]))

    def _attempt(self, request: dict[str, Any], call: _Call) -> ModelTurn:
        # Each attempt waits at most its timeout, and never past the call's deadline.
        timeout = min(self.timeout_s, call.deadline.remaining())
        if timeout <= 0:
            raise Overdue
        request = {**request, "timeout": timeout}
        try:
            return self._send(request, call)
        except openai.BadRequestError as exc:
            reshaped = self._reshaped(request, call, _server_message(exc))
            if reshaped is None:
                raise
            return self._send(reshaped, call)

    def _send(self, request: dict[str, Any], call: _Call) -> ModelTurn:
        if call.on_delta is None:
            return self._complete(request, call)
        return self._stream(request, call)

    def _wait_before_retry(self, failure: _Failure, call: _Call, exc: Exception) -> float:
        """The wait before the next attempt; raises the failure when there is to be none."""
        if failure.retry and call.retries < self.max_retries:
            asked = failure.asked_s if failure.asked_s and failure.asked_s > 0 else None
            wait = asked if asked is not None else backoff_s(call.retries)
            if wait < call.deadline.remaining():
                return wait
            if asked is not None:
                failure.message += (
                    f" It asked to wait {asked:g} s before trying again, longer than the "
                    f"{max(call.deadline.remaining(), 0):.1f} s left of this call's "
                    f"{self.budget_s:g} s; wait and ask again, or raise request_timeout_s."
                )
        raise failure.kind(failure.message) from exc

    def _complete(self, request: dict[str, Any], call: _Call) -> ModelTurn:
        raw = self._client.chat.completions.with_raw_response.create(**request)
        data = json.loads(raw.text)
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise self._junk("JSON without any choices")
        turn = turn_from_message(data, choices[0], self.model, call.offered)
        message = choices[0].get("message") or {}
        content = message.get("content")
        seen = reply_quirks(
            turn,
            native_ids=[c.get("id") for c in message.get("tool_calls") or []],
            reasoning_field=bool(message.get("reasoning_content") or message.get("reasoning")),
            think=isinstance(content, str) and "</think>" in content,
            usage=isinstance(data.get("usage"), dict),
        )
        self._observe(seen)
        return turn

    def _stream(self, request: dict[str, Any], call: _Call) -> ModelTurn:
        if self._stream_options:
            try:
                return self._stream_once(request, call, usage=True)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if not any(w in str(exc).lower() for w in _STREAM_OPTION_WORDS):
                    raise
                # This server rejects stream_options; remember it and ask without.
                self._stream_options = False
                self._observe(Counter(["stream_options_rejected"]))
        return self._stream_once(request, call, usage=False)

    def _stream_once(self, request: dict[str, Any], call: _Call, usage: bool) -> ModelTurn:
        options = {"stream_options": {"include_usage": True}} if usage else {}
        stream = self._client.chat.completions.create(**{**request, "stream": True, **options})
        acc = StreamAccumulator(call.delta)
        with stream:
            done = _read_events(stream, acc)
        if not acc.chunks:
            raise self._junk("a stream without any events")
        # Usage-only chunks without choices are normal; a stream of nothing else is empty. A
        # stream is whole when it says why it finished or ends with [DONE] (some servers send
        # tool calls with no finish_reason at all).
        if not acc.choices or (acc.finish_reason is None and not done):
            raise _Unfinished(empty=not acc.choices)
        turn = acc.turn(self.model, call.offered)
        seen = reply_quirks(
            turn,
            native_ids=[slot["id"] for slot in acc.calls.values()],
            reasoning_field=bool(acc.reasoning),
            think=bool(acc.split.reasoning),
            usage=acc.usage is not None or not usage,
        )
        self._observe(seen)
        return turn

    def _observe(self, seen: Counter[str]) -> None:
        with self._quirks_lock:
            self.quirks.update(seen)

    def _junk(self, what: str) -> ModelError:
        return ModelError(
            f"The model endpoint at {self.host} answered with {what}; check that OPENAI_BASE_URL "
            "points at an OpenAI-compatible /v1 endpoint."
        )

    def _failure(self, exc: Exception, call: _Call) -> _Failure:
        """What went wrong in one attempt, said for the user, and whether to try again."""
        # Asking again after text was shown would show it twice.
        again = not call.shown
        if call.answer_budget and isinstance(exc, Overdue | openai.APITimeoutError):
            # The answer's time budget, not the endpoint, ended this call: no retry.
            return _Failure(_ANSWER_OVERDUE, kind=AnswerOverdue)
        if isinstance(exc, Overdue):
            return _Failure(self._overdue_message())
        if isinstance(exc, _Unfinished):
            return _Failure(self._unfinished_message(exc, call), again)
        if isinstance(exc, openai.APITimeoutError):
            return _Failure(self._timeout_message(call), again)
        if isinstance(exc, openai.APIConnectionError):
            if isinstance(exc.__cause__, _CONNECT_ERRORS):
                return _Failure(self._connect_message(), again)
            return _Failure(self._broken_message(call), again)
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            detail = _server_message(exc)
            if call.offered and status < 500:
                refused = tools_refused_message(self.model, self.host, status, detail)
                if refused is not None:
                    return _Failure(refused, kind=ToolsUnsupported)
            retried = status in _RETRIED_STATUSES or status >= 500
            asked = retry_after_s(exc.response.headers)
            vendor = vendor_error(exc.body) if status != 401 else None
            if vendor is None:
                return _Failure(self._status_message(status, detail, call), retried, asked)
            retried = retried if vendor.retry is None else vendor.retry
            return _Failure(self._vendor_message(vendor, status, call), retried, asked)
        assert isinstance(exc, openai.APIError)
        where = f"The model endpoint at {self.host}"
        return _Failure(f"{where} reported an error: {_server_message(exc)}")

    def _overdue_message(self) -> str:
        return (
            f"The model at {self.host} did not finish within {self.budget_s:g} s: it was still "
            f"sending its reply (the budget is request_timeout_s {self.timeout_s:g} s for each "
            f"of {self.max_retries + 1} attempts, with waits between them); try again, ask a "
            "narrower question, or raise request_timeout_s for a slow model."
        )

    def _timeout_message(self, call: _Call) -> str:
        attempts = f"{call.retries + 1} attempt{'s' if call.retries else ''}"
        return (
            f"The model at {self.host} did not answer within {self.timeout_s:g} s "
            f"({attempts}, {call.deadline.elapsed():.1f} s in all); try again or raise "
            "request_timeout_s."
        )

    def _connect_message(self) -> str:
        return (
            f"Could not connect to the model endpoint at {self.host}; check OPENAI_BASE_URL and "
            "that the server is running."
        )

    def _broken_message(self, call: _Call) -> str:
        return (
            f"The model endpoint at {self.host} accepted the request, then the connection broke "
            f"before the reply was complete{_shown(call)}; try again, and if it keeps happening "
            "check the server's log (a crash, out of memory) or a proxy's timeout."
        )

    def _unfinished_message(self, exc: _Unfinished, call: _Call) -> str:
        if exc.empty:
            return (
                f"The model at {self.host} sent an empty reply (a stream with no choices in it); "
                "try again, or check that SERVICELENS_MODEL names a chat model."
            )
        return (
            f"The model at {self.host} stopped mid-reply: its stream ended without saying it was "
            f"finished{_shown(call)}; try again, and if it keeps happening check the server's "
            "log or a proxy's timeout."
        )

    def _status_message(self, status: int, detail: str, call: _Call) -> str:
        where = f"The model endpoint at {self.host}"
        if status in (401, 403):
            return f"{where} refused the API key (HTTP {status}); check OPENAI_API_KEY."
        if status == 404 and self.api_version:
            return (
                f"{where} has no deployment '{self.model}' for api-version {self.api_version} "
                f"(HTTP 404: {detail}); set SERVICELENS_MODEL to the Azure deployment name, "
                "OPENAI_BASE_URL to https://RESOURCE.openai.azure.com and OPENAI_API_VERSION "
                "to a version the resource offers."
            )
        if status == 404:
            return (
                f"{where} has no model '{self.model}' (HTTP 404); check SERVICELENS_MODEL, and "
                "that OPENAI_BASE_URL ends in /v1."
            )
        retries = f"after {call.retries} retries"
        if status == 429:
            return f"{where} is rate-limiting requests (HTTP 429, {retries}); wait and try again."
        if status >= 500:
            return f"{where} failed with HTTP {status} {retries}; try again later."
        return f"{where} rejected the request (HTTP {status}: {detail})."

    def _vendor_message(self, vendor: VendorError, status: int, call: _Call) -> str:
        said = vendor.said.replace("{model}", self.model)
        said = said.replace("{retries}", f", HTTP {status}, after {call.retries} retries")
        return f"The model endpoint at {self.host} {said}."

    def _prose_message(self, named: str) -> str:
        return (
            f"The model '{self.model}' at {self.host} wrote about the tool {named} instead of "
            "calling it, so the endpoint is not passing tool calls through. Turn on the "
            "server's tool calling (llama-server --jinja; vllm serve --enable-auto-tool-choice "
            "--tool-call-parser hermes; an Ollama model with tool support; deepseek-chat, not "
            "deepseek-reasoner) or set SERVICELENS_MODEL to a model that calls tools."
        )


def _client(
    api_key: str | None, base_url: str | None, timeout_s: float, api_version: str | None
) -> openai.OpenAI:
    # The SDK accepts an httpx client at run time; its annotation names only httpx2's.
    http_client: Any = bounded_http_client(timeout_s)
    if api_version:
        # Azure OpenAI: the deployment (our model name) goes in the path, the version in the
        # query, the key in an api-key header; the SDK's Azure client does all three.
        if not api_key or not base_url:
            raise ModelError(
                "Azure OpenAI (OPENAI_API_VERSION is set) needs OPENAI_BASE_URL set to the "
                "resource endpoint, https://RESOURCE.openai.azure.com, and OPENAI_API_KEY."
            )
        return openai.AzureOpenAI(
            api_key=api_key,
            azure_endpoint=base_url,
            api_version=api_version,
            timeout=timeout_s,
            max_retries=0,
            http_client=http_client,
        )
    # Local servers (Ollama, llama.cpp, vLLM) accept any key; the SDK insists on one.
    return openai.OpenAI(
        api_key=api_key or "not-needed",
        base_url=base_url,
        timeout=timeout_s,
        max_retries=0,
        http_client=http_client,
    )


def _read_events(stream: Any, acc: StreamAccumulator) -> bool:
    """Feed the stream's chunks to ``acc``; True when it ended with its [DONE] line.

    Iterating the SDK's stream drops [DONE], which tells a whole stream from one cut short, so
    its server-sent events are read here, as plain JSON like whole replies."""
    for event in stream._iter_events():
        if event.data.startswith("[DONE]"):
            return True
        if not event.data:
            continue
        data = json.loads(event.data)
        if isinstance(data, dict) and data.get("error"):
            error = data["error"]
            said = error.get("message") if isinstance(error, dict) else error
            raise openai.APIError(str(said), stream.response.request, body=error)
        if isinstance(data, dict):
            acc.add(data)
    return False


def _shown(call: _Call) -> str:
    if not call.shown:
        return ""
    return f", after {call.shown} characters, so the text shown is incomplete"


def _server_message(exc: openai.APIError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error")
        message = inner.get("message") if isinstance(inner, dict) else body.get("message")
    else:
        message = None
    text = " ".join(str(message or exc.message).split())
    return text[:200]
