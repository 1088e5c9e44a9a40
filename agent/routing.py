"""Where the graph goes after each node; every router returns one of a few named targets."""

from __future__ import annotations

from typing import Literal

from .state import AgentState


def after_act(state: AgentState) -> Literal["tools", "write"]:
    # Tool calls the model asked for run next, unless gathering was stopped at a limit.
    if state.get("pending") and not state.get("limited"):
        return "tools"
    return "write"


def after_tools(state: AgentState) -> Literal["act", "write"]:
    return "write" if state.get("limited") else "act"


def after_verify(state: AgentState) -> Literal["write", "__end__"]:
    # The verify node leaves answer_text empty exactly when it asks for the one revision.
    return "__end__" if state.get("answer_text") else "write"
