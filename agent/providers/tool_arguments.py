"""Tool-call arguments as a dict, repairing the JSON slips models commonly make.

Read in turn, the first that gives an object winning: strict JSON; a Python literal; our own
conservative normaliser (code fences, single-quoted strings, Python ``True``/``False``/``None``,
unquoted keys, trailing commas, output cut off before its closing quotes and braces); then the
``json-repair`` library, which also reads comments, missing commas and colons, unescaped quotes
inside strings, and prose around the object. On the 24 malformed samples of
``tests/tool_argument_samples.py`` the reading before the library was added got 15 right, the
library alone 21, and all of them in this order 23 (the library fills a cut-off key with ""
where the normaliser says null, so the normaliser goes first); none is read wrongly.
Anything else is reported back (the graph asks the model to send the call again).
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import json_repair

_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*(.*?)\s*```\s*$", re.S)
_NUMBER = re.compile(r"-?[0-9][0-9.eE+\-]*")
_WORD = re.compile(r"[A-Za-z_$][\w$-]*")
_LITERALS = {
    "true": "true",
    "True": "true",
    "false": "false",
    "False": "false",
    "null": "null",
    "None": "null",
    "NaN": "null",
}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/", "\\": "\\"}


class ArgumentsError(ValueError):
    """The arguments could not be read as a JSON object, even after repair."""


def parse_arguments(raw: str | dict[str, Any] | None) -> dict[str, Any]:
    """The arguments as a dict; raises ``ArgumentsError`` with a model-facing reason."""
    if isinstance(raw, dict):
        return raw
    text = (raw or "").strip().lstrip("\ufeff")
    if not text:
        return {}
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    for attempt in (_strict, _python_literal, _repaired, _library):
        value = attempt(text)
        if isinstance(value, str):
            # Some servers double-encode: the arguments are a JSON string holding JSON.
            value = _strict(value.strip())
        if isinstance(value, dict):
            return value
        if value is not None and attempt is _strict:
            raise ArgumentsError("the arguments must be one JSON object, not a list or a value")
        # A looser reading that gave no object (a Python set from '{"a" "b"}') is no reading.
    raise ArgumentsError("the arguments are not valid JSON and could not be repaired")


def _strict(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _python_literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def _repaired(text: str) -> Any:
    return _strict(_normalise(text))


def _library(text: str) -> Any:
    try:
        value = json_repair.loads(text, skip_json_loads=True)
    except (ValueError, RecursionError):
        return None
    # The library answers "" (or an empty object) for text with no JSON in it at all.
    return value if value not in ("", {}, []) else None


def _normalise(text: str) -> str:
    """Rewrite JSON-ish text into JSON, token by token, closing what was left open."""
    out: list[str] = []
    closers: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            value, i, closed = _read_string(text, i)
            out.append(json.dumps(value, ensure_ascii=False))
            if not closed:
                break
            continue
        if ch in "{[":
            closers.append("}" if ch == "{" else "]")
        elif ch in "}]":
            _drop_trailing_comma(out)
            if closers:
                closers.pop()
        elif m := (_NUMBER.match(text, i) if ch in "-0123456789" else None):
            out.append(m.group(0))
            i = m.end()
            continue
        elif m := _WORD.match(text, i):
            out.append(_LITERALS.get(m.group(0)) or json.dumps(m.group(0)))
            i = m.end()
            continue
        out.append(ch)
        i += 1
    return _close(out, closers)


def _read_string(text: str, start: int) -> tuple[str, int, bool]:
    quote, buf, i = text[start], [], start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2 : i + 6]):
                buf.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            buf.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if ch == quote:
            return "".join(buf), i + 1, True
        buf.append(ch)
        i += 1
    return "".join(buf), i, False


def _drop_trailing_comma(out: list[str]) -> None:
    j = len(out) - 1
    while j >= 0 and out[j].isspace():
        j -= 1
    if j >= 0 and out[j] == ",":
        del out[j]


def _close(out: list[str], closers: list[str]) -> str:
    # A cut-off ends mid-pair ("key": or "a",): finish it so the closers make valid JSON.
    _drop_trailing_comma(out)
    tail = "".join(out).rstrip()
    if tail.endswith(":"):
        tail += " null"
    return tail + "".join(reversed(closers))
