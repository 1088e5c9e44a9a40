"""The provider contract: what the graph sends a language model and what comes back.

Messages and tool schemas are OpenAI Chat Completions shapes, whichever provider answers. A
provider returns one ``ModelTurn`` per call: the text it wrote, the tool calls it asked for and
the token usage the endpoint reported (``None`` when it reported none).

The test guard follows pydantic-ai's ``ALLOW_MODEL_REQUESTS``: when model requests are switched
off, any request to a non-loopback endpoint fails with ``ModelRequestsBlocked`` before a byte
leaves the process, while a fake endpoint on 127.0.0.1 / ::1 / localhost stays usable. Tests
switch it off in an autouse fixture with ``allow_model_requests(False)`` or
``with override_allow_model_requests(False): ...``.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from ...data.errors import ServiceLensError
from ...data.periods import Period
from ..reading import ReadingNotes

TextDelta = Callable[[str], None]


class ToolCall(BaseModel):
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    # The arguments exactly as the model sent them, for the trace and for retry prompts.
    raw_arguments: str = ""
    # Set when the arguments could not be parsed or repaired; the graph asks the model to retry.
    error: str | None = None


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # The part of completion_tokens spent on reasoning, where the endpoint reports it.
    reasoning_tokens: int = 0
    # The part of prompt_tokens the vendor served from its prompt cache, where it reports it.
    cached_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


# How an answer ends when it does not answer: the data cannot say, or the request is declined.
Declined = Literal["insufficient_data", "refused", "partial"]


class ModelTurn(BaseModel):
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    # What a reasoning model thought before answering (``reasoning_content``, ``reasoning`` or
    # ``<think>`` blocks). Kept apart from the text: never shown, cited or sent back.
    reasoning: str = ""
    usage: Usage | None = None
    model: str = ""
    finish_reason: str | None = None
    # Set by providers that know it (the offline analyst); a language model marks its text
    # instead ("[insufficient_data] …"), which the graph reads.
    status: Declined | None = None
    # What a provider that read the question itself knows about that reading (the offline
    # analyst: why a default period, other readings to offer).
    reading: ReadingNotes | None = None


@dataclass(frozen=True)
class TurnContext:
    """What the graph has already resolved for the question being answered.

    A language model reads the same from its messages; providers that are not language models
    (the offline analyst) take it from here instead of parsing text back."""

    question: str
    language: str
    # The question's date phrase resolved once, from the workspace's clock (None: no phrase),
    # a second period it compares with, and whether it asks about all the data ("overall").
    period: Period | None = None
    comparison: Period | None = None
    all_data: bool = False
    # In the one revision after verification: the spans the verifier could not support.
    unsupported: tuple[str, ...] = ()
    # When the answer's time budget ends (``time.time()``); None when it has none.
    deadline: float | None = None

    def seconds_left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.time()


class ModelError(ServiceLensError):
    """The model could not be reached or answered with something unusable; the run ends."""


class AnswerOverdue(ModelError):
    """The answer's time budget ran out during a model call; the graph finishes without it."""


class ToolsUnsupported(ModelError):
    """The endpoint or model cannot call tools as configured; the message says what to change."""


class ModelRequestsBlocked(ModelError):
    """A real (non-loopback) model request was attempted while requests are switched off."""


@runtime_checkable
class Provider(Protocol):
    name: str
    model: str

    def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        *,
        on_delta: TextDelta | None = None,
        context: TurnContext | None = None,
    ) -> ModelTurn: ...


# Module-level on purpose, like pydantic-ai's switch: a test fixture flips it for the process.
_allow_requests = True


def allow_model_requests(flag: bool) -> None:
    """Allow or forbid model requests to non-loopback endpoints for the whole process."""
    global _allow_requests
    _allow_requests = flag


def model_requests_allowed() -> bool:
    return _allow_requests


@contextmanager
def override_allow_model_requests(flag: bool) -> Iterator[None]:
    """Set the switch for the duration of a ``with`` block, restoring it afterwards."""
    previous = _allow_requests
    allow_model_requests(flag)
    try:
        yield
    finally:
        allow_model_requests(previous)


def is_loopback_url(base_url: str | None) -> bool:
    """True when the URL's host is this machine (127.0.0.0/8, ::1 or localhost)."""
    if not base_url:
        return False
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_model_request_allowed(base_url: str | None) -> None:
    """Raise ``ModelRequestsBlocked`` unless requests are allowed or the endpoint is loopback."""
    if _allow_requests or is_loopback_url(base_url):
        return
    host = urlsplit(base_url).hostname if base_url else "api.openai.com"
    raise ModelRequestsBlocked(
        f"Model requests are switched off (allow_model_requests(False)), so the call to {host} "
        "was blocked; use the scripted provider or a loopback fake endpoint in tests."
    )
