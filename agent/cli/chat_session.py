"""The state of one ``servicelens chat`` session and what it does with a submitted line.

A line that starts with ``/`` is a slash command (``chat_commands``); anything else is a
question, streamed from ``Analyst.stream`` with tool activity as it happens. The session keeps
what the commands need: the analyst, the thread, the last answer and the interface language.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from prompt_toolkit.formatted_text import HTML, AnyFormattedText
from rich.console import Console
from rich.text import Text

from ...data.errors import ServiceLensError
from ...tools.ledger import Ledger
from ..analyst import Analyst
from ..answer import Answer
from ..events import AnswerEvent, ErrorEvent, Event
from ..repl import Background
from .render import StreamView, label, print_answer

if TYPE_CHECKING:
    from ...data.catalog import Catalog

# Opens an analyst for a model name (None: the configured model).
AnalystFactory = Callable[[str | None], Analyst]
# Runs a slash command line; False ends the session.
Dispatch = Callable[["ChatSession", str], bool]


class ChatSession:
    def __init__(
        self,
        open_analyst: AnalystFactory,
        *,
        dispatch: Dispatch,
        console: Console,
        exports_dir: Path,
        thread_id: str | None = None,
        lang: str = "en",
    ) -> None:
        self.open_analyst = open_analyst
        self.dispatch = dispatch
        self.analyst = open_analyst(None)
        self.console, self.exports_dir = console, exports_dir
        self.thread_id = thread_id or new_thread_id()
        self.lang = lang
        self.last_answer: Answer | None = None
        # A cancelled answer still finishing its current step in the background.
        self._cancelled: Background[Event] | None = None

    # --- The LineHandler protocol of the REPL loop ------------------------------------------

    def handle(self, text: str) -> bool:
        try:
            if text.startswith("/"):
                return self.dispatch(self, text)
            self.ask(text)
        except ServiceLensError as exc:
            # A user-fixable problem: say it in one line and keep the session.
            self.console.print(Text(f"Error: {exc}", style="bold red"))
        return True

    def toolbar(self) -> AnyFormattedText:
        provider = self.analyst.provider
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
        """All evidence the thread's tools produced (ids stay valid across its turns)."""
        return self.analyst.ledger(self.thread_id) or Ledger()

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
