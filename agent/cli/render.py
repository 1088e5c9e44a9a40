"""How answers and their making look in a terminal: tool activity, streamed drafts, the answer.

Shared by the faces that print to a terminal (``chat``, and ``ask`` could import it too). Labels
come in English and Chinese; the interface language is the reader's choice, independent of the
language a question is asked in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.live import Live
from rich.markdown import Markdown
from rich.segment import Segment
from rich.spinner import Spinner
from rich.text import Text

from ..answer import Answer, Citation
from ..events import Event, StatusEvent, TextDeltaEvent, ToolCallEvent, ToolResultEvent

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "period": "Period",
        "sources": "Sources",
        "thread": "thread",
        "partial": "partial: the analysis stopped at a limit",
        "flagged": "flagged: the verifier could not confirm everything",
        "insufficient_data": "insufficient data",
        "refused": "declined",
        "error": "error",
        "cancelled": "Cancelled. The answer was discarded; the session goes on.",
        "thinking": "thinking",
        "writing": "writing",
        "verifying": "checking numbers and quotes",
        "revising": "revising after the check",
        "more": "more: /sources",
    },
    "zh": {
        "period": "期间",
        "sources": "来源",
        "thread": "会话",
        "partial": "不完整：分析在限制处停止",
        "flagged": "已标记：校验未能确认全部内容",
        "insufficient_data": "数据不足",
        "refused": "已拒绝",
        "error": "错误",
        "cancelled": "已取消，本次回答已丢弃；会话继续。",
        "thinking": "思考中",
        "writing": "撰写中",
        "verifying": "核对数字与引文",
        "revising": "根据核对结果修改",
        "more": "更多：/sources",
    },
}
FOOTER_SOURCES = 5


def answer_markdown(text: str) -> Markdown:
    """An answer's Markdown for the terminal, every link's address written out after its words.

    Answers quote customer text, and a quoted ``[words](address)`` must not become a clickable
    link whose address the reader never sees.
    """
    return Markdown(text, hyperlinks=False)


def label(lang: str, key: str) -> str:
    return LABELS["zh" if lang == "zh" else "en"][key]


def tool_line(event: ToolResultEvent) -> Text:
    """One dim line per finished tool call: what ran, on what, with what result and ids."""
    line = Text("▸ ", style="cyan")
    line.append(event.name, style="bold cyan")
    if not event.ok:
        return line.append(f" ✗ {event.summary}", style="yellow")
    rest = event.summary.removeprefix(f"{event.name}:").strip()
    head, sep, tail = rest.rpartition(": ")
    what, outcome = (head, tail) if sep else (rest, "")
    line.append(f" {what}", style="dim")
    if outcome:
        line.append(f" … {outcome}", style="dim")
    if event.evidence_ids:
        line.append(f" ({', '.join(_short_ids(event.evidence_ids))})", style="dim cyan")
    return line.append(f"  {event.ms:.0f} ms", style="dim")


def _short_ids(ids: list[str], shown: int = 4) -> list[str]:
    return ids[:shown] + ([f"+{len(ids) - shown}"] if len(ids) > shown else [])


def call_label(event: ToolCallEvent) -> str:
    """What a running tool call is doing, for the transient status line."""
    args = ", ".join(f"{k}={_arg(v)}" for k, v in event.arguments.items() if v not in (None, []))
    return f"{event.name} {args}"[:120]


def _arg(value: Any) -> str:
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    return str(value)


class Tail:
    """The last lines of a renderable, so a long streamed draft never overflows the screen."""

    def __init__(self, renderable: RenderableType, max_lines: int) -> None:
        self.renderable, self.max_lines = renderable, max(max_lines, 3)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self.renderable, options.update(height=None), pad=False)
        for line in lines[-self.max_lines :]:
            yield from line
            yield Segment.line()


class StreamView:
    """A live area under the printed activity: the draft so far and a spinner with the stage."""

    def __init__(self, console: Console, lang: str) -> None:
        self.console, self.lang = console, lang
        self.draft = ""
        self.period_shown = False
        self.spinner = Spinner("dots", text=Text(label(lang, "thinking"), style="dim"))
        self.live = Live(
            self._view(), console=console, refresh_per_second=10, transient=True, auto_refresh=True
        )

    def __enter__(self) -> StreamView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    def show(self, event: Event) -> None:
        if isinstance(event, TextDeltaEvent):
            self.draft += event.text
        elif isinstance(event, ToolCallEvent):
            self._stage(call_label(event))
        elif isinstance(event, ToolResultEvent):
            self.live.console.print(tool_line(event))
        elif isinstance(event, StatusEvent):
            self._status(event)
        self.live.update(self._view())

    def _status(self, event: StatusEvent) -> None:
        if event.stage == "period":
            self.live.console.print(Text(f"· {label(self.lang, 'period')}: {event.message}", "dim"))
            self.period_shown = True
        elif event.stage == "limited":
            self.live.console.print(Text(f"· {event.message}", style="yellow"))
        elif event.stage in ("thinking", "writing", "verifying", "revising"):
            if event.stage == "revising":
                self.draft = ""
            # A slow model's heartbeat says how long it has been working.
            said = label(self.lang, event.stage)
            self._stage(f"{said} · {event.message}" if event.message else said)

    def _stage(self, text: str) -> None:
        self.spinner.update(text=Text(text, style="dim"))

    def _view(self) -> RenderableType:
        if not self.draft:
            return self.spinner
        room = self.console.height - 3
        return Group(Tail(answer_markdown(self.draft), room), self.spinner)


def print_answer(console: Console, answer: Answer, lang: str, *, show_period: bool = True) -> None:
    """The finished answer: period, the Markdown text, status notes and a short sources footer."""
    if answer.period and show_period:
        p = answer.period
        console.print(
            Text(f"{label(lang, 'period')}: {p.label} ({p.start} – {p.last_day})", "bold")
        )
    console.print(answer_markdown(answer.text))
    for note in status_notes(answer, lang):
        console.print(Text(f"⚠ {note}", style="yellow"))
    if answer.citations:
        console.print(sources_footer(answer.citations, lang))
    console.print(Text(footer_line(answer, lang), style="dim"))


def status_notes(answer: Answer, lang: str) -> list[str]:
    notes = [label(lang, answer.status)] if answer.status != "answered" else []
    if answer.flagged:
        notes.append(label(lang, "flagged"))
    return notes


def sources_footer(citations: Iterable[Citation], lang: str) -> Text:
    cited = list(citations)
    text = Text(f"{label(lang, 'sources')}: ", style="bold dim")
    parts = [f"[{c.id}] {source_line(c, 48)}" for c in cited[:FOOTER_SOURCES]]
    text.append("  ·  ".join(parts), style="dim")
    if len(cited) > FOOTER_SOURCES:
        text.append(f"  (+{len(cited) - FOOTER_SOURCES}, {label(lang, 'more')})", style="dim")
    return text


def source_line(c: Citation, quote_chars: int = 80) -> str:
    """One line about a citation: the quote with its source, or which result and how big."""
    if not c.found:
        return "not produced by any tool"
    if c.kind == "voc":
        quote = " ".join((c.quote or "").split())
        quote = quote if len(quote) <= quote_chars else quote[: quote_chars - 1] + "…"
        return f"{c.source or 'feedback'} {c.date or ''}: “{quote}”".replace("  ", " ")
    if c.kind == "chart":
        return f"chart: {c.meta.get('title', '')}"
    return f"{query_title(c.meta) or c.tool}, {c.rows_total} row(s)" + (
        " (truncated)" if c.truncated else ""
    )


def query_title(meta: dict[str, Any]) -> str:
    """``sla_attainment by region, 2026-Q3 vs 2026-Q2`` from a query's evidence meta."""
    names = ", ".join(m.get("name", "") for m in meta.get("metrics") or [])
    if not names:
        return str(meta.get("purpose") or meta.get("title") or "")
    by = f" by {', '.join(meta['group_by'])}" if meta.get("group_by") else ""
    when = f", {meta['period']['label']}" if meta.get("period") else ""
    vs = f" vs {meta['comparison_period']['label']}" if meta.get("comparison_period") else ""
    return f"{names}{by}{when}{vs}"


def footer_line(answer: Answer, lang: str) -> str:
    seconds = answer.timings.total_ms / 1000
    tokens = answer.usage.total_tokens
    return f"{label(lang, 'thread')} {answer.thread_id[:12]} · {seconds:.1f} s · {tokens:,} tokens"
