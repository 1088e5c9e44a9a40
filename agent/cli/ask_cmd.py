"""``servicelens ask "…"``: one question, answered with tool activity shown as it happens.

Exit status: 0 answered (including an honest "insufficient data" or a refusal), 1 error,
3 partial or flagged (the answer stopped at a limit, or the verifier flagged something in it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.live import Live
from rich.text import Text

from ..answer import Answer
from ..events import (
    AnswerEvent,
    ErrorEvent,
    Event,
    StatusEvent,
    TextDeltaEvent,
    ToolCallEvent,
    ToolResultEvent,
)
from ..render.report import check_report_path
from .common import HomeOption, JsonOption, console, err_console, print_json, settings_for
from .render import answer_markdown

EXIT_PARTIAL = 3
_SOURCES_SHOWN = 8


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)


def ask(
    question: Annotated[str, typer.Argument(help="The question, in English or Chinese.")],
    json_out: JsonOption = False,
    thread: Annotated[
        str | None, typer.Option("--thread", help="Continue this conversation thread.")
    ] = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="Model provider: openai or offline.")
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option("--export", help="Also write the answer as a report (.md or .html)."),
    ] = None,
    home: HomeOption = None,
) -> None:
    """Ask a question; print the cited answer. Exit 0 answered, 1 error, 3 partial/flagged."""
    from ..analyst import Analyst

    if export is not None:
        check_report_path(export)  # before the work, not after it
    settings = settings_for(home, provider=provider)
    with Analyst.open(settings=settings) as analyst:
        events = analyst.stream(question, thread_id=thread)
        answer = _collect(events) if json_out else _show(events)
        if export is not None:
            written = analyst.export(answer, export)
            err_console.print(f"Report written to {written}")
    if json_out:
        print_json(answer.model_dump(mode="json"))
    code = exit_code(answer)
    if code:
        # sys.exit rather than typer.Exit: in non-standalone mode click returns an Exit's code
        # instead of exiting with it, and the status matters to scripts.
        sys.exit(code)


def exit_code(answer: Answer) -> int:
    if answer.status == "error":
        return 1
    return EXIT_PARTIAL if answer.status == "partial" or answer.flagged else 0


def _collect(events: Any) -> Answer:
    for event in events:
        _raise_on_error(event)
        if isinstance(event, AnswerEvent):
            return event.answer
    raise AssertionError("the stream ended without an answer")


def _show(events: Any) -> Answer:
    draft = ""
    with Live(Text(""), console=console, refresh_per_second=8, transient=True) as live:
        for event in events:
            _raise_on_error(event)
            if isinstance(event, AnswerEvent):
                break
            if isinstance(event, TextDeltaEvent):
                draft += event.text
                live.update(answer_markdown(draft))
            elif line := _activity(event):
                if isinstance(event, StatusEvent) and event.stage == "revising":
                    draft = ""
                live.console.print(line)
    _print_answer(event.answer)
    return event.answer


def _raise_on_error(event: Event) -> None:
    if isinstance(event, ErrorEvent):
        from ...data.errors import ServiceLensError

        raise ServiceLensError(event.message)


def _activity(event: Event) -> Text | None:
    if isinstance(event, ToolCallEvent):
        args = ", ".join(f"{k}={v!r}" for k, v in event.arguments.items())
        return Text.assemble(("→ ", "cyan"), (event.name, "bold cyan"), (f"({args})"[:160], "dim"))
    if isinstance(event, ToolResultEvent):
        mark = ("✓ ", "green") if event.ok else ("✗ ", "yellow")
        return Text.assemble(mark, (f"{event.summary}  ", ""), (f"{event.ms:.0f} ms", "dim"))
    # Thinking and writing are shown only when they say something (a slow model's heartbeat).
    if isinstance(event, StatusEvent) and (
        event.stage in ("period", "revising", "limited")
        or (event.stage in ("thinking", "writing") and event.message)
    ):
        return Text(f"· {event.stage}: {event.message}".rstrip(": "), style="dim")
    return None


def _print_answer(answer: Answer) -> None:
    if answer.period:
        p = answer.period
        console.print(Text(f"Period: {p.label} ({p.start} – {p.last_day})", style="bold"))
    console.print(answer_markdown(answer.text))
    if answer.citations:
        console.print(Text("Sources", style="bold"))
        for c in answer.citations[:_SOURCES_SHOWN]:
            console.print(Text(f"  [{c.id}] {_source_line(c)}", style="dim"))
    if answer.status == "partial" or answer.flagged:
        err_console.print(Text.assemble(("Note:", "yellow"), f" answer is {_caveat(answer)}."))
    console.print(Text(f"thread {answer.thread_id}", style="dim"))


def _source_line(c: Any) -> str:
    if not c.found:
        return "not produced by any tool"
    if c.kind == "voc":
        quote = " ".join((c.quote or "").split())[:80]
        return f"{c.source or 'feedback'} {c.date or ''}: “{quote}”".strip()
    return f"{c.tool}: {c.rows_total} row(s)" + (" (truncated)" if c.truncated else "")


def _caveat(answer: Answer) -> str:
    parts = ["partial"] if answer.status == "partial" else []
    if answer.flagged:
        parts.append("flagged by the verifier")
    return " and ".join(parts)
