"""How the fake endpoint shapes its replies like each vendor's server (``family=`` on it).

Taken from each vendor's published response formats:

- ``deepseek``: reasoning in ``reasoning_content`` (message and stream deltas) and counted in
  ``usage.completion_tokens_details.reasoning_tokens``; HTTP 400 when a later request sends
  ``reasoning_content`` back; ``deepseek-reasoner`` answers 400 to a request with ``tools``.
- ``deepseek-thinking``: the current thinking mode (deepseek-v4-*, thinking on by default),
  which calls tools while thinking and answers 400 when an assistant message with tool calls comes
  back without its ``reasoning_content``.
- ``dashscope`` (Qwen on Alibaba Cloud's compatible mode): ``reasoning_content``, reasoning tokens;
  one tool call per reply unless the request sets ``parallel_tool_calls``.
- ``vllm``: ``reasoning`` (the field's newer name) from ``--reasoning-parser``; errors as a
  top-level ``{"object": "error", ...}`` body. ``tools="text"`` is a tool parser that does not
  match the model; ``tools="refused"`` a server started without ``--enable-auto-tool-choice``.
- ``ollama``: ``reasoning``; streamed tool calls arrive whole in one chunk, with finish_reason
  ``stop`` as some releases send; ``tools="refused"`` is a model without tool support.
- ``llamacpp``: ``reasoning_content`` (``--reasoning-format deepseek``), ``reasoning="think"``
  for ``none``; ``tools="refused"`` is a server started without ``--jinja``; one tool call per
  reply unless the request sets ``parallel_tool_calls``; ``/v1/models`` gives ``meta.n_ctx_train``.
- ``slow``: a local llama.cpp-style server on a small machine: every reply waits ``think_s``.
- ``azure``: deployment in the path, ``api-version`` in the query, the key in ``api-key``, its
  own error bodies, content-filter results and a first stream chunk without choices.
- ``glm`` (Zhipu, ``/api/paas/v4``) and ``kimi`` (Moonshot): see ``testing_vendors``, which
  says which documented behaviour each quirk follows.

``/v1/models`` names the owner as each server does, and vLLM adds ``max_model_len``. Any family
takes ``think_s`` (seconds before every chat reply), ``json_mode=False`` (400 to
``response_format``), ``reasoning="think"`` (``<think>`` blocks in the content, as servers without a
reasoning parser send for Qwen3 and the R1 distills) and ``tools="text"`` (Hermes-style
``<tool_call>`` blocks in the content, finish_reason ``stop``).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Literal

from . import testing_vendors as vendors

Reasoning = Literal["reasoning_content", "reasoning", "think", "hidden"]
Tools = Literal["native", "text", "refused"]


@dataclass(frozen=True)
class Family:
    name: str = "openai"
    reasoning: Reasoning = "hidden"
    reasoning_tokens: bool = False
    # The 400 message for a request whose messages carry reasoning_content ("" accepts them).
    no_reasoning_input: str = ""
    tools: Tools = "native"
    # The 400 message for a request with tools when tools are refused.
    tools_refusal: str = ""
    finish_with_tools: str = "tool_calls"
    whole_calls_in_stream: bool = False
    errors: Literal["openai", "vllm", "llamacpp", "azure", "glm", "kimi"] = "openai"
    azure: bool = False
    # The 400 message for a request whose assistant tool-call messages lack reasoning_content.
    reasoning_required: str = ""
    # "on_request": one tool call per reply unless the request sets parallel_tool_calls.
    parallel: Literal["always", "on_request"] = "always"
    json_mode: bool = True
    # Seconds every chat reply waits before its first byte (a slow local model).
    think_s: float = 0.0
    # Extra fields of this server's /v1/models entries (owner, context length).
    model_meta: tuple[tuple[str, Any], ...] = (("owned_by", "fake"),)
    # The API's path prefix, and whether it lists models there.
    prefix: str = "/v1"
    lists_models: bool = True
    # Where a stream's usage goes: its own chunk when stream_options asks ("asked"), on the
    # finishing chunk always ("finish", GLM), inside the finishing chunk's choice ("choice", Kimi).
    stream_usage: Literal["asked", "finish", "choice"] = "asked"
    # Cache hits in usage: prompt_tokens_details.cached_tokens ("details") or at its top ("top").
    cached_tokens: Literal["", "details", "top"] = ""
    # A ``request_id`` beside ``id`` in every reply (GLM).
    request_id: bool = False
    # Kimi: whether the model thinks; None goes by its name (a gateway alias may hide it).
    thinking: bool | None = None


FAMILIES: dict[str, Family] = {
    "openai": Family(),
    "deepseek": Family(
        "deepseek",
        reasoning="reasoning_content",
        reasoning_tokens=True,
        no_reasoning_input="reasoning_content is not allowed in the input messages",
        model_meta=(("owned_by", "deepseek"),),
    ),
    "deepseek-thinking": Family(
        "deepseek-thinking",
        reasoning="reasoning_content",
        reasoning_tokens=True,
        reasoning_required='The "reasoning_content" in the thinking mode must be passed back to '
        "the API.",
        model_meta=(("owned_by", "deepseek"),),
    ),
    "dashscope": Family(
        "dashscope",
        reasoning="reasoning_content",
        reasoning_tokens=True,
        parallel="on_request",
        model_meta=(("owned_by", "system"),),
    ),
    "vllm": Family(
        "vllm",
        reasoning="reasoning",
        tools_refusal='"auto" tool choice requires --enable-auto-tool-choice and '
        "--tool-call-parser to be set",
        errors="vllm",
        model_meta=(("owned_by", "vllm"), ("max_model_len", 32768)),
    ),
    "ollama": Family(
        "ollama",
        reasoning="reasoning",
        tools_refusal="registry.ollama.ai/library/gemma2:2b does not support tools",
        finish_with_tools="stop",
        whole_calls_in_stream=True,
        model_meta=(("owned_by", "library"),),
    ),
    "llamacpp": Family(
        "llamacpp",
        reasoning="reasoning_content",
        tools_refusal="tools param requires --jinja flag",
        errors="llamacpp",
        parallel="on_request",
        model_meta=(("owned_by", "llamacpp"), ("meta", {"n_ctx_train": 40960})),
    ),
    "azure": Family("azure", errors="azure", azure=True),
    "glm": Family(
        "glm",
        reasoning="reasoning_content",
        errors="glm",
        whole_calls_in_stream=True,
        prefix="/api/paas/v4",
        lists_models=False,
        stream_usage="finish",
        cached_tokens="details",
        request_id=True,
    ),
    "kimi": Family(
        "kimi",
        reasoning="reasoning_content",
        errors="kimi",
        # Only the thinking models ask for it (``testing_vendors.effective``).
        reasoning_required="thinking is enabled but reasoning_content is missing in assistant "
        "tool call message at index {index}",
        stream_usage="choice",
        cached_tokens="top",
        model_meta=(("owned_by", "moonshot"),),
    ),
}
FAMILIES["slow"] = dataclasses.replace(FAMILIES["llamacpp"], name="slow", think_s=1.0)
_DEEPSEEK_REASONER_TOOLS = "deepseek-reasoner does not support Function Calling"


def family(name: str | Family, **overrides: Any) -> Family:
    base = name if isinstance(name, Family) else FAMILIES[name]
    return dataclasses.replace(base, **overrides)


def refusal(fam: Family, request: dict[str, Any]) -> vendors.Refusal | None:
    """Why the server would refuse the request before generating anything (status, message,
    vendor code); None when it would not."""
    if said := vendors.refusal(fam, request) or _refusal(fam, request):
        return said if isinstance(said, tuple) else (400, said, "")
    return None


def _refusal(fam: Family, request: dict[str, Any]) -> str | None:
    if request.get("tools"):
        if fam.tools == "refused":
            return fam.tools_refusal or "tools are not supported"
        if fam.name == "deepseek" and request.get("model") == "deepseek-reasoner":
            return _DEEPSEEK_REASONER_TOOLS
    if request.get("response_format") and not fam.json_mode:
        return "response_format is not supported by this server"
    messages = request.get("messages") or []
    if fam.no_reasoning_input and any("reasoning_content" in m for m in messages):
        return fam.no_reasoning_input
    missing = [i for i, m in enumerate(messages) if _tool_turn_without_reasoning(m)]
    if fam.reasoning_required and missing:
        return fam.reasoning_required.format(index=missing[0])
    return None


def _tool_turn_without_reasoning(message: dict[str, Any]) -> bool:
    return bool(message.get("tool_calls")) and "reasoning_content" not in message


def model_entry(fam: Family, model: str) -> dict[str, Any]:
    """One model of this server's ``/v1/models`` list."""
    return {"id": model, "object": "model", **dict(fam.model_meta)}


def error_body(fam: Family, status: int, message: str, code: str = "") -> dict[str, Any]:
    if (vendor := vendors.error_body(fam, status, message, code)) is not None:
        return vendor
    if fam.errors == "vllm":
        return {"object": "error", "message": message, "type": "BadRequestError", "code": status}
    if fam.errors == "llamacpp":
        return {"error": {"code": status, "message": message, "type": "invalid_request_error"}}
    if fam.errors == "azure":
        return {"error": {"code": str(status), "message": message}}
    return {"error": {"message": message, "type": "invalid_request_error", "code": None}}


def content(fam: Family, text: str | None, reasoning: str, calls: list[dict[str, Any]]) -> str:
    """The content string: the text, with reasoning and tool calls as tags when so served."""
    out = text or ""
    if reasoning and fam.reasoning == "think":
        out = f"<think>\n{reasoning}\n</think>\n\n{out}"
    if calls and fam.tools == "text":
        out += "".join(f"<tool_call>\n{_call_text(c)}\n</tool_call>\n" for c in calls)
    return out


def reasoning_field(fam: Family) -> str | None:
    return fam.reasoning if fam.reasoning in ("reasoning_content", "reasoning") else None


def allowed_calls(
    fam: Family, calls: list[dict[str, Any]], request: dict[str, Any]
) -> list[dict[str, Any]]:
    """The calls the server lets through: the first only, where parallel calls must be asked."""
    if fam.parallel == "on_request" and not request.get("parallel_tool_calls"):
        return calls[:1]
    return calls


def native_calls(fam: Family, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return calls if fam.tools == "native" else []


def finish(fam: Family, calls: list[dict[str, Any]]) -> str:
    return fam.finish_with_tools if native_calls(fam, calls) else "stop"


def usage_details(fam: Family, reasoning: str, prompt_tokens: int) -> dict[str, Any]:
    extras = vendors.usage_extras(fam, prompt_tokens)
    if not fam.reasoning_tokens:
        return extras
    return {**extras, "completion_tokens_details": {"reasoning_tokens": len(reasoning) // 4}}


def _call_text(call: dict[str, Any]) -> str:
    # Hermes-style: {"name": ..., "arguments": {...}}; malformed arguments go in as sent.
    raw = call["function"]["arguments"]
    name = json.dumps(call["function"]["name"])
    return f'{{"name": {name}, "arguments": {raw}}}'
