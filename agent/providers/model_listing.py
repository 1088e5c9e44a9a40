"""The context window an endpoint advertises for a model, from its ``/models`` listing.

Servers say it in different fields (vLLM ``max_model_len``, LM Studio ``max_context_length``,
OpenRouter ``context_length``, llama.cpp ``meta.n_ctx_train``); hosted APIs mostly not at all.
What is known is remembered per endpoint and model for the process: the doctor's probe records
it, and a provider asks ``/models`` once when nothing is recorded.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import openai

LISTING_TIMEOUT_S = 4.0
_CONTEXT_KEYS = ("max_model_len", "context_length", "context_window", "max_context_length")
Key = tuple[str, str, str]
_KNOWN: dict[Key, int | None] = {}
_LOCK = threading.Lock()


def profile_key(base_url: str | None, model: str, api_version: str | None) -> Key:
    return (base_url or "", model, api_version or "")


def context_of(entry: dict[str, Any] | None) -> tuple[int, str] | None:
    """The context window a ``/models`` entry advertises, and the field it came from."""
    if not isinstance(entry, dict):
        return None
    for key in _CONTEXT_KEYS:
        if isinstance(entry.get(key), int) and entry[key] > 0:
            return entry[key], key
    meta = entry.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("n_ctx_train"), int):
        # llama.cpp advertises the training context; the server's -c may be smaller.
        return meta["n_ctx_train"], "meta.n_ctx_train"
    return None


def model_entry(entries: list[Any], model: str) -> dict[str, Any] | None:
    """The ``/models`` entry of ``model``, or the only entry when the server lists one."""
    mine = next((e for e in entries if isinstance(e, dict) and e.get("id") == model), None)
    only = entries[0] if len(entries) == 1 and isinstance(entries[0], dict) else None
    return mine or only


def remember_context(key: Key, tokens: int | None) -> None:
    with _LOCK:
        _KNOWN[key] = tokens


def forget_contexts() -> None:
    with _LOCK:
        _KNOWN.clear()


def advertised_context(client: openai.OpenAI, key: Key) -> int | None:
    """The context window of the model at ``key`` (base URL, model, api-version): what this
    session already knows, else one quick ``GET /models``; None when nobody says."""
    with _LOCK:
        if key in _KNOWN:
            return _KNOWN[key]
    try:
        raw = client.models.with_raw_response.list(timeout=LISTING_TIMEOUT_S)
        entries = json.loads(raw.text).get("data")
    except (openai.APIError, json.JSONDecodeError, AttributeError):
        entries = None  # no listing: the default window stands
    found = context_of(model_entry(entries, key[1])) if isinstance(entries, list) else None
    tokens = found[0] if found else None
    remember_context(key, tokens)
    return tokens
