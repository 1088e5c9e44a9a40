"""Vendor error bodies read into one sentence for a person, and whether trying again can help.

Most servers say what went wrong in ``error.message`` and the HTTP status says the rest. Two
vendors put the cause in a field of their own, and under one status several causes that want
different handling: a 429 is a rate limit (wait, retry) or an empty balance (retrying never
helps).

- GLM (Zhipu, "Error Codes" page): ``{"error": {"code": "1261", "message": ...}}``, a business
  code beside the status: 1113 account in arrears (429), 1211 unknown model, 1261 prompt too
  long, 1301 unsafe content (400), 1302/1303 rate limits and 1305 overload (429).
- Kimi (Moonshot, the Chat API's "Errors" section): ``{"error": {"message": ..., "type": ...}}``
  with ``exceeded_current_quota_error`` (429 or 403: balance or quota used up),
  ``engine_overloaded_error`` and ``rate_limit_reached_error`` (429, retry), ``content_filter``
  (400), ``resource_not_found_error`` (404) and ``invalid_request_error`` (400, e.g. over the
  model's token limit).

The vendor is told by the body's shape, not the host, so a proxy in front of either still reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class VendorError:
    # What the endpoint did, continuing "The model endpoint at HOST ..."; "{model}" and
    # "{retries}" are filled in by the provider.
    said: str
    # Whether another attempt can help; None leaves it to the HTTP status.
    retry: bool | None = None


_CONTEXT = (
    "refused a prompt longer than the model accepts ({cause}); lower context_tokens in "
    "servicelens.toml or ask a narrower question"
)
_UNSAFE = "refused the question as sensitive content ({cause}); rephrase the question"
_NO_MODEL = "has no model '{{model}}' ({cause}); check SERVICELENS_MODEL"
_RATE = "is rate-limiting requests ({cause}{{retries}}); wait and try again"
_BUSY = "is overloaded ({cause}{{retries}}); try again later"
_BALANCE = (
    "says the account's balance or quota is used up ({cause}); top it up on the vendor's "
    "console, since retrying cannot help"
)
_GLM: dict[str, tuple[str, bool]] = {
    "1113": (_BALANCE, False),
    "1211": (_NO_MODEL, False),
    "1261": (_CONTEXT, False),
    "1301": (_UNSAFE, False),
    "1302": (_RATE, True),
    "1303": (_RATE, True),
    "1305": (_BUSY, True),
}
_KIMI: dict[str, tuple[str, bool]] = {
    "exceeded_current_quota_error": (_BALANCE, False),
    "engine_overloaded_error": (_BUSY, True),
    "rate_limit_reached_error": (_RATE, True),
    "content_filter": (_UNSAFE, False),
    "resource_not_found_error": (_NO_MODEL, False),
}
_GLM_CODE = re.compile(r"^1\d{3}$")
_TOO_LONG = re.compile(r"token limit|too long|exceeds? (the )?max", re.I)


def vendor_error(body: Any) -> VendorError | None:
    """What a GLM or Kimi error body says (the whole body, or its ``error`` object as the SDK
    keeps it); None for any other body."""
    if not isinstance(body, dict):
        return None
    error = body["error"] if isinstance(body.get("error"), dict) else body
    message = " ".join(str(error.get("message") or "").split())[:160]
    code, kind = str(error.get("code") or ""), str(error.get("type") or "")
    if _GLM_CODE.match(code):
        return _known(_GLM.get(code), f"GLM code {code}", message)
    if kind in _KIMI:
        return _known(_KIMI[kind], kind, message)
    if kind == "invalid_request_error" and _TOO_LONG.search(message):
        return VendorError(_CONTEXT.format(cause=f"{kind}: {message}"), retry=False)
    return None


def _known(entry: tuple[str, bool] | None, cause: str, message: str) -> VendorError:
    if entry is None:
        # A code without a rule of its own (1210/1214 bad parameters): the code and the words.
        return VendorError(f"rejected the request ({cause}: {message})")
    template, retry = entry
    return VendorError(template.format(cause=cause), retry)
