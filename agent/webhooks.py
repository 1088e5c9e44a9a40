"""Delivering a digest to an incoming webhook: retried with backoff, never sent twice.

A delivery is keyed by the digest's period, its audience and the webhook URL, and a JSON task
for an early warning by the warning's stable id too, so a tracker gets each warning once. The
keys of the deliveries that went through are kept in a small JSON file in the workspace,
written atomically (a temporary file renamed over it) under a lock, so a cron job run twice, or
two at once, posts a period's digest to a webhook once. A 5xx answer, a 429 or a time-out is
retried after a growing wait (``Retry-After`` when the server gives one); any other refusal
ends at once. A vendor that
answers 200 with an error code in its body (Feishu ``code``, DingTalk and WeCom ``errcode``)
has refused the message, and that is an error too, retried only for their rate limits.

The URL carries the webhook's secret, so messages name only its scheme and host, and the state
file keeps a hash of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from ..data.errors import ServiceLensError
from .digest_model import Digest
from .webhook_payloads import payload, tasks, warning_keys

STATE_FILE = "digest_deliveries.json"
RETRIES = 3
BACKOFF_S = 1.0
TIMEOUT_S = 10.0
MAX_WAIT_S = 60.0
# Vendors' codes for "too many messages", worth waiting for: Feishu, DingTalk, WeCom.
_RATE_LIMITED = {11232, 130101, 45009}


class WebhookError(ServiceLensError):
    """The digest could not be delivered; the message says where and why (never the URL)."""


class Delivery(BaseModel):
    status: Literal["sent", "already_sent"]
    format: str
    target: str  # scheme and host only
    key: str
    attempts: int


class _Retry(Exception):
    def __init__(self, why: str, wait_s: float | None = None) -> None:
        super().__init__(why)
        self.wait_s = wait_s


def target(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def delivery_key(digest: Digest, url: str) -> str:
    raw = f"{digest.period.key}|{digest.audience or 'all'}|{url}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def send_digest(
    digest: Digest,
    url: str,
    fmt: str,
    *,
    state_dir: Path,
    retries: int = RETRIES,
    backoff_s: float = BACKOFF_S,
    timeout_s: float = TIMEOUT_S,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Post ``digest`` to ``url`` in ``fmt`` unless this period and audience went there before."""
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise WebhookError("The webhook address must be an http:// or https:// URL.")
    body = payload(digest, fmt)
    key = delivery_key(digest, url)
    state_path = state_dir / STATE_FILE
    with _locked(state_path):
        state = _read(state_path)
        if key in state:
            return Delivery(status="already_sent", format=fmt, target=target(url), key=key,
                            attempts=0)  # fmt: skip
        sent_tasks = {k: _task_entry(k, url) for k in warning_keys(digest)} if fmt == "json" else {}
        if sent_tasks:
            # A tracker gets each warning once, whichever period's digest carried it first.
            body = tasks(digest, skip=frozenset(k for k, e in sent_tasks.items() if e in state))
        attempts = _post(url, body, key, retries, backoff_s, timeout_s, sleep)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        record = {
            "period": digest.period.key, "audience": digest.audience, "format": fmt,
            "target": target(url), "sent_at": now,
        }  # fmt: skip
        done = {e: {"task": k, "target": target(url), "sent_at": now}
                for k, e in sent_tasks.items() if e not in state}  # fmt: skip
        _write(state_path, {**_read(state_path), key: record, **done})
    return Delivery(status="sent", format=fmt, target=target(url), key=key, attempts=attempts)


def _task_entry(task: str, url: str) -> str:
    """The state entry of one task sent to one webhook (the URL only as a hash)."""
    return "task:" + hashlib.sha256(f"{task}|{url}".encode()).hexdigest()[:32]


def _post(
    url: str,
    body: dict[str, Any],
    key: str,
    retries: int,
    backoff_s: float,
    timeout_s: float,
    sleep: Callable[[float], None],
) -> int:
    """The number of attempts it took; raises ``WebhookError`` when every one failed."""
    # The key lets a receiver drop a repeat of a post whose answer was lost on the way back.
    headers = {"Idempotency-Key": key, "User-Agent": "servicelens-digest"}
    last = ""
    with httpx.Client(timeout=timeout_s, follow_redirects=False) as client:
        for attempt in range(1, retries + 2):
            try:
                _attempt(client, url, body, headers, timeout_s)
                return attempt
            except _Retry as exc:
                last = str(exc)
                if attempt <= retries:
                    sleep(min(exc.wait_s or backoff_s * 2 ** (attempt - 1), MAX_WAIT_S))
    raise WebhookError(
        f"The digest was not delivered to {target(url)} after {retries + 1} attempts: {last}."
    )


def _attempt(
    client: httpx.Client, url: str, body: dict[str, Any], headers: dict[str, str], timeout_s: float
) -> None:
    try:
        response = client.post(url, json=body, headers=headers)
    except httpx.TimeoutException:
        raise _Retry(f"no answer within {timeout_s:g} s") from None
    except httpx.TransportError as exc:
        raise _Retry(f"could not connect ({type(exc).__name__})") from None
    _check(response)


def _check(response: httpx.Response) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        raise _Retry(f"HTTP {status}", _retry_after(response))
    if status >= 300:
        raise WebhookError(f"The webhook refused the digest: HTTP {status} {_excerpt(response)}")
    code, message = _vendor_code(response)
    if code in _RATE_LIMITED:
        raise _Retry(f"rate limited ({code} {message})")
    if code:
        raise WebhookError(f"The webhook refused the digest: error {code} {message}".rstrip())


def _vendor_code(response: httpx.Response) -> tuple[int, str]:
    try:
        data = response.json()
    except ValueError:
        return 0, ""  # Slack answers "ok"; a tracker may answer anything
    if not isinstance(data, dict):
        return 0, ""
    for code_key, message_key in (("code", "msg"), ("errcode", "errmsg"), ("StatusCode", "")):
        code = data.get(code_key)
        if isinstance(code, int) and code != 0:
            return code, str(data.get(message_key, ""))[:200]
    return 0, ""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


def _excerpt(response: httpx.Response) -> str:
    return " ".join(response.text.split())[:200]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError:
        raise WebhookError(
            f"{path.name} in the workspace is not valid JSON; fix or remove it (it records "
            "which digests were sent)."
        ) from None
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
