"""``Analyst``: the library API. Ask a question, get an ``Answer``; or stream typed events.

One analyst holds one workspace's dependencies, one compiled graph and one checkpointer; it
keeps no global state, so several can live in one process. Conversations are threads: pass the
``thread_id`` of an earlier answer to ask a follow-up in the same context.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.errors import GraphRecursionError
from langgraph.types import StreamMode

from ..data.errors import ServiceLensError
from ..tools.ledger import Ledger
from ..tools.report import answer_document, write_report
from .answer import Answer, answer_from_state
from .deps import Deps, require_workspace
from .events import AnswerEvent, ErrorEvent, Event, StatusEvent
from .graph import build_graph, run_config
from .providers.base import Provider
from .settings import Settings, load_settings
from .versions import data_version, prompt_version

ProviderSpec = Provider | str | None
# Custom events as they happen, and the state after each step (the last one builds the answer).
_STREAM_MODES: list[StreamMode] = ["custom", "values"]


class Analyst:
    def __init__(
        self,
        deps: Deps,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        *,
        owned: list[Any] | None = None,
    ) -> None:
        from langgraph.checkpoint.memory import InMemorySaver

        self.deps = deps
        self.settings = deps.settings
        # Without a checkpointer follow-ups could not see earlier turns, so keep them in memory.
        self.checkpointer = checkpointer if checkpointer is not None else InMemorySaver()
        self.graph = build_graph(deps, self.checkpointer)
        self._owned = owned or []
        self._versions: dict[str, Any] = {
            "prompt_version": prompt_version(),
            "data_version": data_version(deps.settings.workspace),
        }

    @classmethod
    def open(
        cls,
        home: str | Path | None = None,
        *,
        provider: ProviderSpec = None,
        settings: Settings | None = None,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        **overrides: Any,
    ) -> Analyst:
        """An analyst over the workspace at ``home`` (default from settings)."""
        from .provider_choice import resolve_provider

        settings = settings or load_settings(home, **overrides)
        require_workspace(settings)
        deps = Deps.open(settings, resolve_provider(provider, settings))
        owned: list[Any] = [deps]
        if checkpointer is None:
            checkpointer, conn = _sqlite_checkpointer(settings.workspace.checkpoints)
            owned.append(conn)
        return cls(deps, checkpointer, owned=owned)

    def ask(self, question: str, thread_id: str | None = None) -> Answer:
        """Answer one question; raises a ``ServiceLensError`` when the run cannot finish."""
        for event in self._events(question, thread_id):
            if isinstance(event, AnswerEvent):
                return event.answer
        raise AssertionError("the graph finished without an answer")  # a bug, not a user error

    def stream(self, question: str, thread_id: str | None = None) -> Iterator[Event]:
        """Events as they happen, ending with an ``AnswerEvent`` or an ``ErrorEvent``."""
        try:
            yield from self._events(question, thread_id)
        except ServiceLensError as exc:
            yield ErrorEvent(message=str(exc), error_type=type(exc).__name__)

    async def aask(self, question: str, thread_id: str | None = None) -> Answer:
        return await asyncio.to_thread(self.ask, question, thread_id)

    async def astream(self, question: str, thread_id: str | None = None) -> AsyncIterator[Event]:
        """``stream`` run in a worker thread, so the event loop is never blocked."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()
        done = object()

        def work() -> None:
            try:
                for event in self.stream(question, thread_id):
                    loop.call_soon_threadsafe(queue.put_nowait, event)
                    if stop.is_set():
                        break
            except BaseException as exc:  # handed to the awaiting side, which re-raises it
                loop.call_soon_threadsafe(queue.put_nowait, _Failure(exc))
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, done)

        worker = loop.run_in_executor(None, work)
        try:
            while (item := await queue.get()) is not done:
                if isinstance(item, _Failure):
                    raise item.exc
                yield item
        finally:
            stop.set()
            await worker

    def ledger(self, thread_id: str) -> Ledger | None:
        """The evidence gathered so far in a thread, or None for an unknown thread."""
        snapshot = self.graph.get_state({"configurable": {"thread_id": thread_id}})
        if not snapshot.values:
            return None
        return Ledger.model_validate(snapshot.values.get("ledger") or {})

    def export(self, answer: Answer, path: str | Path) -> Path:
        """Write an answer as Markdown or standalone HTML (by suffix) with a sources appendix;
        template documents it cites are included in full."""
        ledger = self.ledger(answer.thread_id) or Ledger()
        markdown = answer_document(answer.question, answer.text, ledger, answer.language)
        return write_report(Path(path), markdown, title=answer.question, lang=answer.language)

    def close(self) -> None:
        for handle in reversed(self._owned):
            handle.close()
        self._owned = []

    def __enter__(self) -> Analyst:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _events(self, question: str, thread_id: str | None) -> Iterator[Event]:
        if not question.strip():
            raise ServiceLensError("The question is empty; ask something about your service data.")
        thread = thread_id or uuid.uuid4().hex
        started = time.perf_counter()
        yield StatusEvent(stage="started", message=thread)
        values: dict[str, Any] = {}
        config = run_config(thread, self.settings.recursion_limit)
        try:
            for mode, chunk in self.graph.stream(
                {"question": question}, config, stream_mode=_STREAM_MODES
            ):
                if mode == "values":
                    values = cast(dict[str, Any], chunk)
                else:
                    yield cast(Event, chunk)
        except GraphRecursionError:
            # The nodes stop on their own before the limit; this is the backstop.
            values = {**values, "status": "partial", "limited": "the step limit was reached"}
        answer = answer_from_state(
            values,
            thread_id=thread,
            total_ms=(time.perf_counter() - started) * 1000,
            provider=self.deps.provider.name,
            as_of=self.deps.as_of.isoformat(),
            **self._versions,
        )
        yield AnswerEvent(answer=answer)


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def _sqlite_checkpointer(path: Path) -> tuple[BaseCheckpointSaver[Any], sqlite3.Connection]:
    from langgraph.checkpoint.sqlite import SqliteSaver

    # One connection shared by the graph's worker threads; SqliteSaver serialises with a lock.
    conn = sqlite3.connect(str(path), check_same_thread=False)
    return SqliteSaver(conn), conn
