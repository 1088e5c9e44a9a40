"""The state of one ``servicelens chat`` session and what it does with a submitted line.

A line that starts with ``/`` is a slash command (``chat_commands``); anything else is a
question, streamed from ``Analyst.stream`` with tool activity as it happens. The session keeps
what the commands need: the analyst, the thread, the last answer and the interface language.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prompt_toolkit.formatted_text import HTML, AnyFormattedText
from rich.console import Console
from rich.text import Text

from ...data.catalog import Catalog
from ...data.errors import ServiceLensError
from ...tools.ledger import Ledger
from ..analyst import Analyst
from ..answer import Answer
from ..events import AnswerEvent, ErrorEvent, Event
from ..graph import run_config
from ..repl import Background
from .render import StreamView, label, print_answer

# Opens an analyst for a model name (None: the configured model).
AnalystFactory = Callable[[str | None], Analyst]


class ChatSession:
    def __init__(
        self,
        open_analyst: AnalystFactory,
        *,
        console: Console,
        exports_dir: Path,
        checkpoints: Path,
        thread_id: str | None = None,
        lang: str = "en",
        catalog: Catalog | None = None,
    ) -> None:
        self.open_analyst = open_analyst
        self.analyst = open_analyst(None)
        self.console, self.exports_dir, self.checkpoints = console, exports_dir, checkpoints
        self.thread_id = thread_id or new_thread_id()
        self.lang = lang
        self.catalog = catalog
        self.last_answer: Answer | None = None
        # A cancelled answer still finishing its current step in the background.
        self._cancelled: Background[Event] | None = None

    # --- The LineHandler protocol of the REPL loop ------------------------------------------

    def handle(self, text: str) -> bool:
        from .chat_commands import dispatch

        try:
            if text.startswith("/"):
                return dispatch(self, text)
            self.ask(text)
        except ServiceLensError as exc:
            # A user-fixable problem: say it in one line and keep the session.
            self.console.print(Text(f"Error: {exc}", style="bold red"))
        return True

    def toolbar(self) -> AnyFormattedText:
        provider = self.analyst.deps.provider
        return HTML(
            f" thread <b>{self.thread_id[:12]}</b> │ model <b>{_esc(provider.model)}</b>"
            f" ({_esc(provider.name)}) │ {self.lang} │ /help "
        )

    # --- Questions ----------------------------------------------------------------------------

    def ask(self, question: str) -> Answer | None:
        """Stream one answer; Ctrl-C discards it and returns None, leaving the session usable."""
        self._wait_for_cancelled()
        analyst, thread = self.analyst, self.thread_id
        events: Background[Event] = Background(lambda: analyst.stream(question, thread))
        view = StreamView(self.console, self.lang)
        try:
            answer = self._show(events, view)
        except KeyboardInterrupt:
            events.cancel()
            self._cancelled = events
            self.console.print(Text(label(self.lang, "cancelled"), style="yellow"))
            return None
        if answer is not None:
            self.last_answer = answer
            print_answer(self.console, answer, self.lang, show_period=not view.period_shown)
        return answer

    def _show(self, events: Background[Event], view: StreamView) -> Answer | None:
        with view:
            for event in events:
                if isinstance(event, AnswerEvent):
                    return event.answer
                if isinstance(event, ErrorEvent):
                    view.live.console.print(Text(f"Error: {event.message}", style="bold red"))
                    return None
                view.show(event)
        raise AssertionError("the answer stream ended without an answer")  # a bug

    def _wait_for_cancelled(self) -> None:
        # The cancelled run stops at its next step; a new question on the same thread waits
        # for that, so two runs never write the thread's checkpoints at once.
        if self._cancelled is not None and self._cancelled.running:
            with self.console.status("waiting for the cancelled answer to stop…"):
                self._cancelled.join()
        self._cancelled = None

    # --- What the commands need ---------------------------------------------------------------

    def new_thread(self) -> str:
        self.thread_id, self.last_answer = new_thread_id(), None
        return self.thread_id

    def switch_model(self, model: str) -> None:
        """A new analyst for ``model``; the thread goes on (its history is checkpointed)."""
        replacement = self.open_analyst(model)
        self._wait_for_cancelled()
        self.analyst.close()
        self.analyst = replacement

    def ledger(self) -> Ledger:
        return thread_ledger(self.analyst, self.thread_id)

    def turns(self) -> list[tuple[str, str]]:
        return thread_turns(self.analyst, self.thread_id)

    def close(self) -> bool:
        """Release the analyst; True when a cancelled answer still holds it (and it stays open)."""
        if self._cancelled is not None and self._cancelled.running:
            return True
        self.analyst.close()
        return False


def new_thread_id() -> str:
    return uuid.uuid4().hex


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- Reading a thread (candidates for public Analyst methods) -------------------------------


def _state(analyst: Analyst, thread_id: str) -> dict[str, Any]:
    config = run_config(thread_id, analyst.settings.recursion_limit)
    return dict(analyst.graph.get_state(config).values or {})


def thread_ledger(analyst: Analyst, thread_id: str) -> Ledger:
    """All evidence the thread's tools produced (ids stay valid across its turns)."""
    return Ledger.model_validate(_state(analyst, thread_id).get("ledger") or {})


def thread_turns(analyst: Analyst, thread_id: str) -> list[tuple[str, str]]:
    """(question, final answer text) for every finished turn of the thread, oldest first."""
    turns: list[tuple[str, str]] = []
    question = ""
    for message in _state(analyst, thread_id).get("messages") or []:
        role, content = message.get("role"), message.get("content") or ""
        if role == "user":
            question = content
        elif role == "assistant" and not message.get("tool_calls") and question:
            turns.append((question, content))
            question = ""
    return turns


@dataclass(frozen=True)
class ThreadInfo:
    thread_id: str
    turns: int
    first_question: str
    updated: str


def list_threads(analyst: Analyst, checkpoints: Path, limit: int = 20) -> list[ThreadInfo]:
    """The workspace's most recently updated threads, read from the checkpoint database."""
    if not checkpoints.exists():
        return []
    with closing(sqlite3.connect(f"file:{checkpoints}?mode=ro", uri=True)) as conn:
        try:
            rows = conn.execute(
                "SELECT thread_id, MAX(checkpoint_id) FROM checkpoints WHERE checkpoint_ns = '' "
                "GROUP BY thread_id ORDER BY 2 DESC LIMIT ?",
                (limit,),
            ).fetchall()
        except sqlite3.OperationalError:
            return []  # No question was ever checkpointed here: the table does not exist yet.
    return [_thread_info(analyst, thread_id) for thread_id, _ in rows]


def _thread_info(analyst: Analyst, thread_id: str) -> ThreadInfo:
    config = run_config(thread_id, analyst.settings.recursion_limit)
    snapshot = analyst.graph.get_state(config)
    messages = (snapshot.values or {}).get("messages") or []
    questions = [m.get("content") or "" for m in messages if m.get("role") == "user"]
    updated = (snapshot.created_at or "")[:19].replace("T", " ")
    return ThreadInfo(thread_id, len(questions), questions[0] if questions else "", updated)


# --- Completion vocabulary ------------------------------------------------------------------


def catalog_words(catalog: Catalog) -> list[tuple[str, str]]:
    """(word, what it is) for every metric and dimension value, in English and Chinese."""
    # Keyed by lower case: ``east`` adds nothing next to ``East``.
    words: dict[str, tuple[str, str]] = {}

    def add(word: str, meta: str) -> None:
        if word:
            words.setdefault(word.lower(), (word, meta))

    for name, metric in catalog.metrics.items():
        for word in (name, metric.spec.en, metric.spec.zh, *metric.spec.aliases):
            add(word, f"metric {name}")
    for name, dim in catalog.dimensions.items():
        for word in (name, dim.spec.en, dim.spec.zh):
            add(word, "dimension")
        for value, aliases in (dim.spec.values or {}).items():
            for word in (value, *aliases):
                add(word, f"{name} {value}")
    return sorted(words.values())
