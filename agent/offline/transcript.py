"""Reading the conversation the graph sends: the question, earlier questions and tool results.

The offline provider keeps no state of its own: every call it reads the messages (OpenAI chat
shapes) to find the latest question and the tool results of the current turn, so checkpointed
threads and follow-ups work exactly as with a language model. Its tool-call ids carry a tag
("q_change__3") that names which step of the playbook a result answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

Message = dict[str, Any]
_TAG_SEP = "__"


@dataclass
class Result:
    tag: str
    name: str
    args: dict[str, Any]
    content: dict[str, Any] | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.content is not None and self.error is None

    @property
    def id(self) -> str:
        """The evidence id of a query-like result (``Q3``), or "" when it has none."""
        if not self.content:
            return ""
        return str(self.content.get("id") or self.content.get("table_id") or "")

    @property
    def rows(self) -> list[list[Any]]:
        return list((self.content or {}).get("rows") or [])

    @property
    def columns(self) -> list[str]:
        return list((self.content or {}).get("columns") or [])

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column name."""
        cols = self.columns
        return [dict(zip(cols, row, strict=False)) for row in self.rows]


Results = dict[str, Result]


def call_id(tag: str, turn: int) -> str:
    return f"{tag}{_TAG_SEP}{turn}"


def tag_of(call_id_: str) -> str:
    return call_id_.split(_TAG_SEP)[0]


def user_turns(messages: list[Message]) -> list[int]:
    """Indexes of the manager's questions. (The revision request after verification never
    reaches here: the provider is told about a revision by its ``TurnContext``.)"""
    return [i for i, m in enumerate(messages) if m.get("role") == "user"]


def current_question(messages: list[Message]) -> tuple[str, int]:
    turns = user_turns(messages)
    if not turns:
        return "", -1
    i = turns[-1]
    return str(messages[i].get("content") or ""), i


def earlier_questions(messages: list[Message]) -> list[str]:
    """Questions before the current one, most recent first."""
    return [str(messages[i].get("content") or "") for i in reversed(user_turns(messages)[:-1])]


def turn_results(messages: list[Message], start: int) -> Results:
    """Tool results of the turn that starts at message ``start``, keyed by playbook tag."""
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    out: Results = {}
    for m in messages[start + 1 :]:
        if m.get("role") == "assistant":
            for c in m.get("tool_calls") or []:
                fn = c.get("function", {})
                calls[c["id"]] = (fn.get("name", ""), _json(fn.get("arguments")) or {})
        elif m.get("role") == "tool" and m.get("tool_call_id") in calls:
            name, args = calls[m["tool_call_id"]]
            content = _json(m.get("content"))
            error = None if content is None else content.get("error")
            tag = tag_of(m["tool_call_id"])
            ok = content if content is not None and error is None else None
            out[tag] = Result(tag, name, args, ok, error or ("unreadable" if not content else None))
    return out


def _json(text: Any) -> dict[str, Any] | None:
    if isinstance(text, dict):
        return text
    try:
        value = json.loads(text or "")
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None
