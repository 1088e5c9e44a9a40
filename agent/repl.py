"""A read-eval-print loop around a callback; it knows nothing of models or answers.

The loop reads a line with prompt_toolkit (persistent history, multiline editing, completion,
a bottom toolbar) and hands it to a ``LineHandler``. Ctrl-C at the prompt clears the line;
Ctrl-C while the handler works is the handler's to honour (``Background`` makes a slow
iterator interruptible); Ctrl-D ends the session.

Keys: Enter sends; Alt-Enter or Esc then Enter inserts a newline; a line ending in ``\\``
continues on the next line.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import AnyFormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import Output

T = TypeVar("T")
KEYS_HELP = (
    "Enter sends · Alt-Enter or Esc Enter inserts a newline · a line ending in \\ continues · "
    "Tab completes commands and catalog names · Up/Down recall history · Ctrl-C cancels the "
    "answer being written (or clears the line) · Ctrl-D quits"
)


class LineHandler(Protocol):
    def handle(self, text: str) -> bool:
        """Act on one submitted input; return False to end the session."""
        ...

    def toolbar(self) -> AnyFormattedText: ...


def key_bindings() -> KeyBindings:
    kb = KeyBindings()

    @kb.add("enter")
    def _send(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if (
            buffer.document.text_before_cursor.endswith("\\")
            and buffer.document.is_cursor_at_the_end
        ):
            # A trailing backslash continues the input on a new line, as in a shell.
            buffer.delete_before_cursor(1)
            buffer.insert_text("\n")
        else:
            buffer.validate_and_handle()

    @kb.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    return kb


def prompt_session(
    *,
    history_file: Path | None,
    completer: Completer | None,
    toolbar: Callable[[], AnyFormattedText],
    input: Input | None = None,
    output: Output | None = None,
) -> PromptSession[str]:
    """The input line: history in ``history_file`` (none: in memory), completion, toolbar."""
    history: History = InMemoryHistory()
    if history_file is not None:
        history_file.parent.mkdir(parents=True, exist_ok=True)
        history = FileHistory(str(history_file))
    return PromptSession(
        history=history,
        completer=completer,
        complete_while_typing=True,
        key_bindings=key_bindings(),
        bottom_toolbar=toolbar,
        # Multiline editing, but Enter is rebound above to send.
        multiline=True,
        prompt_continuation=lambda width, line_number, is_soft_wrap: "… ".rjust(width),
        input=input,
        output=output,
    )


def run(session: PromptSession[str], handler: LineHandler, message: str = "› ") -> None:
    """Read, hand over, repeat, until the handler says stop or the user presses Ctrl-D."""
    while True:
        try:
            text = session.prompt(message)
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt clears the line.
        except EOFError:
            return  # Ctrl-D.
        if text.strip() and not handler.handle(text.strip()):
            return


# --- Completion -----------------------------------------------------------------------------

_LATIN = re.compile(r"[A-Za-z0-9_]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_MAX_PREFIX = 24


class ReplCompleter(Completer):
    """Slash commands at the start of the input, their arguments, and words anywhere else.

    Words are matched against the end of the text before the cursor: Latin words from a word
    boundary (at least two letters typed), Chinese from any character (Chinese has no spaces,
    so 华 after 上季度 still completes 华东).
    """

    def __init__(
        self,
        commands: Callable[[], dict[str, str]],
        arguments: Callable[[str], list[str]],
        words: Callable[[], list[tuple[str, str]]],
    ) -> None:
        self.commands, self.arguments, self.words = commands, arguments, words

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        before = document.text_before_cursor
        if before.startswith("/") and "\n" not in before:
            yield from self._command(before)
        else:
            yield from self._words(before)

    def _command(self, before: str) -> Iterator[Completion]:
        name, space, arg = before.partition(" ")
        if not space:
            for command, help_text in self.commands().items():
                if command.startswith(name):
                    yield Completion(command, -len(name), display_meta=help_text)
            return
        for value in self.arguments(name):
            if value.startswith(arg) and value != arg:
                yield Completion(value, -len(arg))

    def _words(self, before: str) -> Iterator[Completion]:
        seen: set[str] = set()
        for start in _starts(before):
            typed = before[start:]
            for word, meta in self.words():
                if word not in seen and word.lower().startswith(typed.lower()) and word != typed:
                    seen.add(word)
                    yield Completion(word, -len(typed), display_meta=meta)


def _starts(before: str) -> list[int]:
    """Where a word being typed may start, longest candidate first."""
    starts = []
    for i in range(max(len(before) - _MAX_PREFIX, 0), len(before)):
        typed, prev = before[i:], before[i - 1] if i else " "
        latin_word = _LATIN.match(typed[0]) and not _LATIN.match(prev) and len(typed) >= 2
        if _CJK.match(typed[0]) or latin_word:
            starts.append(i)
    return starts


# --- Interruptible work ---------------------------------------------------------------------

_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class Background(Generic[T]):
    """Items of an iterator produced in a worker thread, so Ctrl-C can stop waiting for them.

    The main thread only waits on a queue, which a KeyboardInterrupt breaks at once. Then the
    worker is told to stop: it drops whatever arrives and closes the iterator at the next item,
    so a cancelled run ends at its next step instead of running on. ``join`` waits for that.
    """

    def __init__(self, make: Callable[[], Iterator[T]]) -> None:
        self._queue: queue.Queue[object] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, args=(make,), daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[T]:
        try:
            while (item := self._next()) is not _DONE:
                if isinstance(item, _Failure):
                    raise item.exc
                yield item  # type: ignore[misc]
        finally:
            self._stop.set()

    def _next(self) -> object:
        while True:
            try:
                return self._queue.get(timeout=0.1)
            except queue.Empty:
                continue

    def cancel(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _work(self, make: Callable[[], Iterator[T]]) -> None:
        iterator = make()
        try:
            for item in iterator:
                if self._stop.is_set():
                    break
                self._queue.put(item)
        except BaseException as exc:  # handed to the consuming thread, which re-raises it
            self._queue.put(_Failure(exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
            self._queue.put(_DONE)
