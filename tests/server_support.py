"""A real uvicorn server on loopback and a stateless scripted model for the HTTP tests.

The model's one step is a function of the messages it is sent, so any number of concurrent
threads can share one ``ScriptedProvider`` (and one ``Analyst``, as in production): each
answer is computed from its own thread's question and tool results, which is what makes
cross-talk between threads visible.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.agent.providers.base import ModelTurn
from servicelens.agent.providers.scripted import ScriptedProvider as S
from servicelens.agent.server.app import uvicorn_options

MONTH = re.compile(r"\b(20\d\d-(?:\d\d|Q\d))\b")
# Far more steps than the tests use: the step is the same function every time.
STEPS = 5_000
SLOW_CALL_S = 0.3


def _is_writer(messages: list[dict[str, Any]]) -> bool:
    return "Write the answer to the latest question" in str(messages[0].get("content"))


def _this_turn(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """The latest question and the tool results that came after it."""
    last_user = max(i for i, m in enumerate(messages) if m["role"] == "user")
    tools = [json.loads(m["content"]) for m in messages[last_user:] if m["role"] == "tool"]
    return str(messages[last_user]["content"]), tools


def brain(messages: list[dict[str, Any]]) -> ModelTurn:
    """Ticket counts for the month (or quarter) named in the question; charts on request."""
    question, results = _this_turn(messages)
    if _is_writer(messages):
        return S.text(_write(question, results))
    if "slowly" in question:
        time.sleep(SLOW_CALL_S)  # a model's latency, so concurrency shows in the timings
    if "BOOM" in question:
        raise RuntimeError("a scripted bug")
    if not results:
        period = MONTH.search(question)
        group_by = ["month"] if "chart" in question.lower() else []
        return S.tool(
            "query_metric",
            metrics=["ticket_count"],
            period=period.group(1) if period else "last quarter",
            group_by=group_by,
        )
    if "chart" in question.lower() and len(results) == 1:
        return S.tool("make_chart", evidence_id=results[0]["id"], kind="bar")
    return S.text("ok")


def _write(question: str, results: list[dict[str, Any]]) -> str:
    if "chart" in question.lower():
        return f"The chart [{results[-1]['id']}] shows monthly ticket volume [{results[0]['id']}]."
    first = results[0]
    count = first["rows"][0][0]
    return f"There were {count} tickets in {first['period']['label']} [{first['id']}]."


def analyst_factory(home: Path) -> Any:
    provider = S([brain] * STEPS)

    def factory() -> Analyst:
        return Analyst.open(home, provider=provider, checkpointer=InMemorySaver())

    return factory


class LiveServer:
    """Runs an app under uvicorn on 127.0.0.1 (a free port) in a background thread, configured
    as ``servicelens serve`` runs it (``uvicorn_options``) unless ``options`` say otherwise."""

    def __init__(self, app: FastAPI, **options: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        options = options or uvicorn_options()
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, args=([self.sock],), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


@contextmanager
def serving(app: FastAPI, **options: Any) -> Iterator[LiveServer]:
    server = LiveServer(app, **options).start()
    try:
        yield server
    finally:
        server.stop()
