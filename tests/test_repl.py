"""The chat REPL in process: commands, completion, keys, and the loop on the demo workspace.

The loop reads from prompt_toolkit's pipe input and renders into a captured rich console; the
answers come from the shipped ScriptedProvider through the real graph and tools.
"""

from __future__ import annotations

import _thread
import io
import signal
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from repl_support import EAST_MONTHLY, QUESTION, SLA_BY_REGION, sla_answer
from rich.console import Console

from servicelens.agent.analyst import Analyst
from servicelens.agent.cli.chat_cmd import completer_for
from servicelens.agent.cli.chat_commands import COMMANDS, dispatch, parse
from servicelens.agent.cli.chat_session import ChatSession
from servicelens.agent.providers.scripted import ScriptedProvider
from servicelens.agent.repl import KEYS_HELP, Background, prompt_session, run

S = ScriptedProvider


def sla_steps() -> list[Any]:
    return [S.tool("query_metric", **SLA_BY_REGION), "ok", lambda m: S.text(sla_answer(m))]


class Harness:
    """A chat session over the demo workspace with its own checkpoints and exports."""

    def __init__(self, home: Path, tmp: Path, steps: Sequence[Any]) -> None:
        from langgraph.checkpoint.sqlite import SqliteSaver

        self.providers: list[ScriptedProvider] = []
        self.steps = list(steps)
        self.checkpoints = tmp / "checkpoints.sqlite"
        self.conn = sqlite3.connect(str(self.checkpoints), check_same_thread=False)
        self.saver = SqliteSaver(self.conn)
        self.out = io.StringIO()
        self.console = Console(file=self.out, width=110, color_system=None, force_terminal=False)
        self.home, self.exports = home, tmp / "exports"
        self.session = ChatSession(
            self.open_analyst,
            dispatch=dispatch,
            console=self.console,
            exports_dir=self.exports,
        )

    def open_analyst(self, model: str | None) -> Analyst:
        provider = ScriptedProvider(self.steps, model=model or "scripted-model")
        self.providers.append(provider)
        return Analyst.open(home=self.home, provider=provider, checkpointer=self.saver)

    def drive(self, *lines: str, history: Path | None = None) -> str:
        """Type ``lines`` (each ends with Enter) into the real prompt loop; return the screen."""
        with create_pipe_input() as pipe:
            pipe.send_text("".join(lines))
            prompt = prompt_session(
                history_file=history,
                completer=completer_for(self.session),
                toolbar=self.session.toolbar,
                input=pipe,
                output=DummyOutput(),
            )
            run(prompt, self.session)
        return self.out.getvalue()

    def close(self) -> None:
        self.session.close()
        self.conn.close()


@pytest.fixture
def harness_factory(demo_home: Path, tmp_path: Path) -> Iterator[Any]:
    made: list[Harness] = []

    def make(steps: Sequence[Any]) -> Harness:
        made.append(Harness(demo_home, tmp_path, steps))
        return made[-1]

    yield make
    for h in made:
        h.close()


# --- Commands and help ------------------------------------------------------------------------


def test_parse_slash_commands() -> None:
    assert parse("/chart  Q2 ") == ("/chart", "Q2")
    assert parse("/SQL") == ("/sql", "")
    assert parse("/export report.html --thread") == ("/export", "report.html --thread")


def test_every_command_has_help(harness_factory: Any) -> None:
    assert {"/help", "/sources", "/sql", "/chart", "/export", "/new", "/threads"} <= set(COMMANDS)
    assert {"/model", "/lang", "/quit"} <= set(COMMANDS)
    for name, command in COMMANDS.items():
        assert command.help.strip() and command.usage.startswith(name), name
    h = harness_factory([])
    h.session.handle("/help")
    shown = h.out.getvalue()
    assert all(c.usage in shown for c in COMMANDS.values())
    assert "Alt-Enter" in KEYS_HELP and "ending in \\ continues" in KEYS_HELP


def test_unknown_command_suggests(harness_factory: Any) -> None:
    h = harness_factory([])
    assert h.session.handle("/sqll") is True
    assert "Unknown command /sqll. Did you mean /sql?" in h.out.getvalue()


# --- Completion -----------------------------------------------------------------------------


def _completions(harness: Harness, text: str) -> list[str]:
    completer = completer_for(harness.session)
    found = completer.get_completions(Document(text), CompleteEvent(completion_requested=True))
    return [c.text for c in found]


def test_completion_of_commands_and_catalog_values(harness_factory: Any) -> None:
    h = harness_factory([])
    assert set(_completions(h, "/")) == set(COMMANDS)
    assert _completions(h, "/ch") == ["/chart"]
    assert _completions(h, "/lang ") == ["en", "zh"]
    # Chinese has no spaces: the end of 上季度华 completes to the regions starting with 华.
    assert {"华东", "华北", "华南", "华中"} <= set(_completions(h, "上季度华"))
    assert "East" in _completions(h, "SLA in Ea")
    assert "sla_attainment" in _completions(h, "show sla_at")
    assert "空调" in _completions(h, "空")
    # One letter of a Latin word is not enough to pop up a list.
    assert _completions(h, "SLA in E") == []


# --- Keys -----------------------------------------------------------------------------------


def _read_one(keys: str) -> str:
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        session = prompt_session(
            history_file=None, completer=None, toolbar=lambda: "", input=pipe, output=DummyOutput()
        )
        return session.prompt("› ")


def test_enter_sends_and_multiline_keys() -> None:
    assert _read_one("one line\r") == "one line"
    assert _read_one("first \\\rsecond\r") == "first \nsecond"
    assert _read_one("first\x1b\rsecond\r") == "first\nsecond"


# --- The loop on the demo workspace ---------------------------------------------------------


def test_question_then_commands(harness_factory: Any, tmp_path: Path) -> None:
    h = harness_factory(sla_steps())
    history = tmp_path / "history.txt"
    screen = h.drive(
        f"{QUESTION}\r",
        "/sources\r",
        "/sql\r",
        "/chart\r",
        "/export q3.md\r",
        "/export q3.html --thread\r",
        "/threads\r",
        "/quit\r",
        history=history,
    )
    h.providers[0].assert_done()
    assert "▸ query_metric sla_attainment by region, 2026-Q3 vs 2026-Q2 … 6 rows (Q1)" in screen
    assert "Period: 2026-Q3 (2026-07-01 – 2026-09-30)" in screen
    assert "SLA attainment fell most in East" in screen
    assert "Sources: [Q1] sla_attainment by region, 2026-Q3 vs 2026-Q2, 6 row(s)" in screen
    # /sources shows the rows; /sql the SQL with its parameters.
    assert "Northeast" in screen.split("Sources: [Q1]")[1]
    assert "100.0 * AVG(CAST(tickets.sla_met AS DOUBLE))" in screen
    assert "tickets.opened_at >= '2026-07-01' AND tickets.opened_at < '2026-10-01'" in screen
    # /chart draws bars and saves a real PNG.
    assert "SLA attainment (%) by region" in screen and "█" in screen
    png = h.exports / f"chart-{h.session.thread_id[:8]}-Q1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (h.exports / "q3.md").read_text(encoding="utf-8")
    assert report.startswith(f"# {QUESTION}") and "## Sources" in report and "```sql" in report
    assert "<h2>Sources</h2>" in (h.exports / "q3.html").read_text(encoding="utf-8")
    assert f"▶ {h.session.thread_id[:12]}" in screen
    assert QUESTION in history.read_text(encoding="utf-8")


def test_commands_before_any_answer(harness_factory: Any) -> None:
    h = harness_factory([])
    screen = h.drive("/sources\r", "/sql\r", "/chart\r", "/export x.md\r", "/threads\r", "/quit\r")
    assert screen.count("No answer yet") == 4 and "No threads yet." in screen
    assert not h.exports.exists()


def test_new_thread_model_and_lang(harness_factory: Any) -> None:
    h = harness_factory([])
    first = h.session.thread_id
    screen = h.drive("/new\r", "/model big-model\r", "/lang zh\r", "/lang xx\r", "/quit\r")
    assert h.session.thread_id != first and f"New thread {h.session.thread_id}" in screen
    assert "model big-model (provider scripted)" in screen
    assert "big-model" in str(h.session.toolbar()) and h.session.lang == "zh"
    assert "Usage: /lang en|zh" in screen


def test_ctrl_d_ends_the_loop(harness_factory: Any) -> None:
    h = harness_factory([])
    h.drive("/lang zh\r", "\x04")
    assert h.session.lang == "zh"


# --- Ctrl-C while an answer streams ---------------------------------------------------------


def test_ctrl_c_cancels_the_answer_not_the_session(harness_factory: Any) -> None:
    writing, release = threading.Event(), threading.Event()

    def slow_writer(messages: list[dict[str, Any]]) -> Any:
        writing.set()
        release.wait(60)
        return S.text("LATE DRAFT that arrives after the cancel.")

    steps = [S.tool("query_metric", **EAST_MONTHLY), "ok", slow_writer, "ok", "All quiet."]
    h = harness_factory(steps)
    # Ctrl-C as the terminal sends it: SIGINT's KeyboardInterrupt in the main thread, through
    # Python's own handler (whatever an earlier test in the session left installed). The waits
    # only bound a hang: a loaded machine may take a while to reach the writer.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Thread(target=lambda: writing.wait(60) and _thread.interrupt_main()).start()
        assert h.session.ask("How many tickets did East have last quarter?") is None
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "Cancelled." in h.out.getvalue() and h.session.last_answer is None
    release.set()
    answer = h.session.ask("Anything else?")
    assert answer is not None and answer.text == "All quiet." and h.session.last_answer is answer
    assert "LATE DRAFT" not in h.out.getvalue()
    h.providers[0].assert_done()


def test_background_reraises_worker_errors() -> None:
    def broken() -> Iterator[int]:
        yield 1
        raise RuntimeError("a bug")

    items: list[int] = []
    with pytest.raises(RuntimeError, match="a bug"):
        items.extend(Background(broken))
    assert items == [1]
