"""The GLM and Kimi shapes of the fake endpoint: what each server refuses, and how it answers.

Each rule follows the vendor's published API reference (page names given, not their text):

GLM (Zhipu open platform, ``/api/paas/v4``; docs.bigmodel.cn / docs.z.ai "Chat Completion" API
reference, "Thinking Mode", "Stream Tool Call" and "Error Codes" pages):

- thinking is on by default for glm-4.5 / glm-4.6 (``thinking: {"type": "enabled"}``, the
  model decides whether to think); the reasoning comes back in ``reasoning_content``;
  ``{"type": "disabled"}`` turns it off. Any other type is refused.
- ``tool_choice`` supports only ``"auto"``; ``temperature`` is within [0.0, 1.0]; ``do_sample``
  is a boolean (false makes temperature and top_p inert).
- errors are ``{"error": {"code": "1214", "message": ...}}``, with business codes beside the HTTP
  status: 1210/1214 bad or invalid parameter, 1211 unknown model, 1261 prompt too long, 1301
  unsafe content (all HTTP 400), 1113 account in arrears and 1302/1303/1305 rate limits (HTTP
  429), 1000-1004 authentication (HTTP 401).
- replies carry a ``request_id`` beside ``id``; usage counts cache hits in
  ``prompt_tokens_details.cached_tokens``; a stream sends usage on its finishing chunk whether
  or not it was asked, and each tool call whole in one delta unless the request sets
  ``tool_stream`` (then the arguments arrive in fragments); ``finish_reason`` may be
  ``sensitive`` when the content filter stopped the reply.
- no ``/models`` listing is documented on this path; the fake answers it 404.

Kimi (Moonshot platform, ``/v1``; platform.moonshot.cn / platform.kimi.ai "Chat API" reference,
"Tool Use" guide, "Thinking model" (kimi-k2-thinking) guide and the "Errors" section):

- ``tool_choice`` ``"required"`` is not supported; the thinking models (kimi-k2-thinking,
  kimi-k2.5 and later, thinking on) accept only ``auto`` or ``none``. ``temperature`` is within
  [0, 1].
- the thinking models return ``reasoning_content`` and answer 400 when an assistant message
  with tool calls comes back without its ``reasoning_content``; kimi-k2 (``-turbo-preview``,
  ``-0905-preview``) does not think.
- errors are ``{"error": {"message": ..., "type": ...}}``: ``invalid_request_error`` (400),
  ``invalid_authentication_error`` (401), ``resource_not_found_error`` (404),
  ``exceeded_current_quota_error`` (429, balance or quota used up), ``engine_overloaded_error``
  (429, try later) and ``rate_limit_reached_error`` (429).
- a stream puts usage inside the finishing chunk's choice (``choices[0].usage``), not at the
  top level, with ``cached_tokens`` at the usage's top level; ``/v1/models`` names the owner
  ``moonshot``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .testing_families import Family

# (status, message, vendor code or error type)
Refusal = tuple[int, str, str]
KIMI_THINKING = re.compile(r"kimi-k2[-.]?thinking|kimi-k2\.[5-9]|kimi-k[3-9]|kimi-thinking", re.I)
_GLM_CODES = {400: "1210", 401: "1002", 404: "1211", 429: "1302"}
_KIMI_TYPES = {
    400: "invalid_request_error",
    401: "invalid_authentication_error",
    403: "permission_denied_error",
    404: "resource_not_found_error",
    429: "rate_limit_reached_error",
}


def effective(fam: Family, request: dict[str, Any]) -> Family:
    """The family as it answers this request: thinking on or off, tool calls streamed or not."""
    if fam.name == "glm":
        thinking = (request.get("thinking") or {}).get("type", "enabled")
        fam = dataclasses.replace(fam, whole_calls_in_stream=not request.get("tool_stream"))
        return dataclasses.replace(fam, reasoning="hidden") if thinking == "disabled" else fam
    if fam.name == "kimi":
        named = bool(KIMI_THINKING.search(str(request.get("model") or "")))
        if not (named if fam.thinking is None else fam.thinking):
            return dataclasses.replace(fam, reasoning="hidden", reasoning_required="")
    return fam


def refusal(fam: Family, request: dict[str, Any]) -> Refusal | None:
    if fam.name == "glm":
        return _glm_refusal(request)
    if fam.name == "kimi":
        return _kimi_refusal(request, bool(fam.reasoning_required))
    return None


def _glm_refusal(request: dict[str, Any]) -> Refusal | None:
    choice = request.get("tool_choice")
    if choice is not None and choice != "auto":
        return 400, "Invalid tool_choice parameter: only auto is supported.", "1214"
    if not _within(request.get("temperature"), 0.0, 1.0):
        return 400, "Invalid temperature parameter: it must be within [0.0, 1.0].", "1214"
    if "do_sample" in request and not isinstance(request["do_sample"], bool):
        return 400, "Invalid do_sample parameter: it must be true or false.", "1214"
    thinking = request.get("thinking")
    if thinking is not None and (thinking or {}).get("type") not in ("enabled", "disabled"):
        return 400, "Invalid thinking.type parameter: enabled or disabled.", "1214"
    return None


def _kimi_refusal(request: dict[str, Any], thinking: bool) -> Refusal | None:
    choice = request.get("tool_choice")
    if choice == "required" or (thinking and choice not in (None, "auto", "none")):
        said = choice if isinstance(choice, str) else "specified"
        why = "is incompatible with thinking enabled" if thinking else "is not supported"
        return 400, f"tool_choice '{said}' {why}", "invalid_request_error"
    if not _within(request.get("temperature"), 0.0, 1.0):
        return 400, "Invalid request: temperature must be in [0, 1]", "invalid_request_error"
    return None


def _within(value: Any, low: float, high: float) -> bool:
    return value is None or (isinstance(value, int | float) and low <= value <= high)


def error_body(fam: Family, status: int, message: str, code: str) -> dict[str, Any] | None:
    """The vendor's error body, or None for a family without one of its own."""
    if fam.errors == "glm":
        return {"error": {"code": code or _GLM_CODES.get(status, "500"), "message": message}}
    if fam.errors == "kimi":
        kind = code or _KIMI_TYPES.get(status, "server_error")
        return {"error": {"message": message, "type": kind}}
    return None


def usage_extras(fam: Family, prompt_tokens: int) -> dict[str, Any]:
    """Cache hits as the vendor reports them (a fixed half of the prompt, for the tests)."""
    if fam.cached_tokens == "details":
        return {"prompt_tokens_details": {"cached_tokens": prompt_tokens // 2}}
    if fam.cached_tokens == "top":
        return {"cached_tokens": prompt_tokens // 2}
    return {}
