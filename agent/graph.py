"""The agent graph: prepare → act ⇄ tools → write → verify → (write once more) → end.

``build_graph`` is a factory: it wires nodes bound to the given dependencies and compiles with
the given checkpointer (none, in memory, SQLite, ...). Nothing is created at import time.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from . import routing
from .deps import Deps
from .nodes import Nodes
from .state import AgentState


def build_graph(
    deps: Deps, checkpointer: BaseCheckpointSaver[Any] | None = None
) -> CompiledStateGraph[Any, Any, Any, Any]:
    nodes = Nodes(deps)
    builder = StateGraph(AgentState)
    builder.add_node("prepare", nodes.prepare)
    builder.add_node("act", nodes.act)
    builder.add_node("tools", nodes.tools)
    builder.add_node("write", nodes.write)
    builder.add_node("verify", nodes.verify)
    builder.add_edge(START, "prepare")
    builder.add_edge("prepare", "act")
    builder.add_conditional_edges("act", routing.after_act, ["tools", "write"])
    builder.add_conditional_edges("tools", routing.after_tools, ["act", "write"])
    builder.add_edge("write", "verify")
    builder.add_conditional_edges("verify", routing.after_verify, ["write", END])
    return builder.compile(checkpointer=checkpointer, name="servicelens")


def run_config(thread_id: str, recursion_limit: int, owner: str | None = None) -> RunnableConfig:
    """The config for one question on one thread, with the explicit recursion limit; ``owner``
    (who asked) goes into every checkpoint's metadata (``threads.owner`` reads it back)."""
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    config["recursion_limit"] = recursion_limit
    if owner:
        config["metadata"] = {"owner": owner}
    return config
