"""The REPL's slash commands: each a name, a usage line, help text and a small function.

Every command returns True to keep the session going (only ``/quit`` returns False). They read
the session's last answer and the thread's evidence, and format; the work is the library's.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from ...data.sql_params import inline_params
from ...tools.ledger import Evidence
from ..answer import Citation
from ..digest_render import to_markdown
from ..render.charts import to_png, to_terminal
from ..repl import KEYS_HELP
from ..results import RequestError
from .chat_session import ChatSession
from .render import answer_markdown, query_title, source_line

ROWS_SHOWN = 8


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    help: str
    run: Callable[[ChatSession, str], bool]


def parse(text: str) -> tuple[str, str]:
    """``"/chart  Q2 "`` → ``("/chart", "Q2")``; the name is lower-cased."""
    name, _, arg = text.strip().partition(" ")
    return name.lower(), arg.strip()


def dispatch(session: ChatSession, text: str) -> bool:
    name, arg = parse(text)
    command = COMMANDS.get(name)
    if command is None:
        near = difflib.get_close_matches(name, list(COMMANDS), n=1)
        hint = f" Did you mean {near[0]}?" if near else ""
        unknown = Text(f"Unknown command {name}.{hint}", style="yellow")
        session.console.print(unknown + Text(" Type /help for the list."))
        return True
    return command.run(session, arg)


def arguments(name: str, session: ChatSession) -> list[str]:
    """Completion candidates for a command's argument."""
    if name == "/lang":
        return ["en", "zh"]
    if name == "/chart":
        return [i for i, ev in session.ledger().items.items() if ev.kind == "query"]
    if name == "/export":
        return ["answer.md", "answer.html"]
    return []


def _help(session: ChatSession, arg: str) -> bool:
    table = Table(show_header=False, box=None, padding=(0, 2))
    for command in COMMANDS.values():
        table.add_row(Text(command.usage, style="bold cyan"), Text(command.help))
    session.console.print(table)
    session.console.print(Text(KEYS_HELP, style="dim"))
    return True


def _last(session: ChatSession) -> bool:
    if session.last_answer is None:
        _say(session, "No answer yet in this thread: ask a question first.", "dim")
        return False
    return True


def _say(session: ChatSession, message: str, style: str = "") -> None:
    # Text, never a markup string: the session's console may parse markup, and messages
    # carry data (model names, error messages quoting values).
    session.console.print(Text(message, style=style))


def _sources(session: ChatSession, arg: str) -> bool:
    if not _last(session):
        return True
    assert session.last_answer is not None
    citations = session.last_answer.citations
    if not citations:
        _say(session, "The last answer cites no evidence.", "dim")
    for c in citations:
        session.console.print(Text(f"[{c.id}] ", style="bold cyan") + Text(source_line(c, 400)))
        if c.kind == "query" and c.columns:
            session.console.print(_rows_table(c))
    return True


def _rows_table(c: Citation) -> Table:
    table = Table(box=None, header_style="dim", padding=(0, 1))
    for column in c.columns:
        table.add_column(Text(column))
    for row in c.rows[:ROWS_SHOWN]:
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    if c.rows_total > ROWS_SHOWN:
        table.caption = f"{ROWS_SHOWN} of {c.rows_total} rows; /export has them all"
    return table


def turn_queries(session: ChatSession) -> list[Evidence]:
    """The query results the last answer's tool calls produced, in order."""
    assert session.last_answer is not None
    ledger = session.ledger()
    ids = [i for t in session.last_answer.trace for i in t.evidence_ids]
    found = [ledger.get(i) for i in dict.fromkeys(ids)]
    return [ev for ev in found if ev is not None and ev.kind == "query" and ev.sql]


def _sql(session: ChatSession, arg: str) -> bool:
    if not _last(session):
        return True
    queries = turn_queries(session)
    if not queries:
        _say(session, "The last answer ran no SQL.", "dim")
    for ev in queries:
        title = query_title(ev.meta) or str(ev.meta.get("purpose") or ev.tool)
        session.console.print(Text(f"[{ev.id}] {ev.tool}: {title}", style="bold cyan"))
        sql = inline_params(ev.sql or "", ev.meta.get("params"))
        session.console.print(Syntax(sql, "sql", word_wrap=True, background_color="default"))
    return True


def _chart(session: ChatSession, arg: str) -> bool:
    if not _last(session):
        return True

    source = arg or _default_chart_source(session)
    if not source:
        _say(session, "The last answer has no query result to chart.", "dim")
        return True
    try:
        # For the reader: the thread's evidence is not changed.
        spec = session.analyst.chart(session.thread_id, source)
    except RequestError as exc:
        _say(session, str(exc), "yellow")
        return True
    session.console.print(Text(to_terminal(spec, width=min(session.console.width, 100))))
    session.exports_dir.mkdir(parents=True, exist_ok=True)
    path = session.exports_dir / f"chart-{session.thread_id[:8]}-{spec.source_id}.png"
    path.write_bytes(to_png(spec))
    session.console.print(Text(f"PNG saved: {path.resolve()}", style="green"), soft_wrap=True)
    return True


def _default_chart_source(session: ChatSession) -> str:
    assert session.last_answer is not None
    cited = [c.id for c in session.last_answer.citations if c.kind == "query" and c.columns]
    produced = [ev.id for ev in turn_queries(session) if ev.columns]
    return (cited or produced or [""])[0]


def _export(session: ChatSession, arg: str) -> bool:
    name, _, flag = arg.partition(" ")
    if not name:
        _say(session, "Usage: /export FILE.md|FILE.html [--thread]", "yellow")
        return True
    if not _last(session):
        return True
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = session.exports_dir / path
    whole = flag.strip() == "--thread"
    written = session.analyst.export(session.thread_id, path, whole_thread=whole)
    session.console.print(Text(f"Exported: {written.resolve()}", style="green"), soft_wrap=True)
    return True


def _digest(session: ChatSession, arg: str) -> bool:
    since = arg or "7d"
    try:
        digest = session.analyst.digest(since, lang="zh" if session.lang == "zh" else "en")
    except RequestError as exc:
        _say(session, str(exc), "yellow")
        return True
    session.console.print(answer_markdown(to_markdown(digest)))
    return True


def _new(session: ChatSession, arg: str) -> bool:
    session.console.print(Text.assemble("New thread ", (session.new_thread(), "bold")))
    return True


def _threads(session: ChatSession, arg: str) -> bool:
    table = Table("thread", "questions", "updated", "first question", box=None, padding=(0, 1))
    for info in session.analyst.threads():
        mark = "▶ " if info.thread_id == session.thread_id else "  "
        question = " ".join(info.first_question.split())[:60]
        cells = (mark + info.thread_id[:12], str(info.turns), info.updated, question)
        table.add_row(*map(Text, cells))
    if table.row_count:
        session.console.print(table)
    else:
        _say(session, "No threads yet.", "dim")
    _say(session, "Continue one with: servicelens chat --thread ID", "dim")
    return True


def _model(session: ChatSession, arg: str) -> bool:
    if arg:
        session.switch_model(arg)
    provider = session.analyst.provider
    session.console.print(
        Text.assemble("model ", (provider.model, "bold"), f" (provider {provider.name})")
    )
    return True


def _lang(session: ChatSession, arg: str) -> bool:
    if arg and arg not in ("en", "zh"):
        _say(session, "Usage: /lang en|zh", "yellow")
        return True
    session.lang = arg or session.lang
    _say(session, f"interface language: {session.lang}")
    return True


def _quit(session: ChatSession, arg: str) -> bool:
    return False


def _answer_markdown(session: ChatSession, arg: str) -> bool:
    if _last(session):
        assert session.last_answer is not None
        session.console.print(answer_markdown(session.last_answer.text))
    return True


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in [
        Command("/help", "/help", "This list of commands and keys.", _help),
        Command("/sources", "/sources", "The evidence behind the last answer.", _sources),
        Command("/sql", "/sql", "The SQL queries the last answer ran.", _sql),
        Command(
            "/chart", "/chart [ID]", "Chart the last (or given) query result; saves a PNG.", _chart
        ),
        Command(
            "/export",
            "/export FILE [--thread]",
            "Save the last answer (or the whole thread) with sources as .md or .html.",
            _export,
        ),
        Command("/answer", "/answer", "Show the last answer again.", _answer_markdown),
        Command(
            "/digest",
            "/digest [7d|2w|3m]",
            "What changed beyond noise, and the forecast, for a recent period.",
            _digest,
        ),
        Command("/new", "/new", "Start a new conversation thread.", _new),
        Command("/threads", "/threads", "List this workspace's conversation threads.", _threads),
        Command("/model", "/model [NAME]", "Show the model, or switch to another one.", _model),
        Command("/lang", "/lang [en|zh]", "Show or set the interface language.", _lang),
        Command("/quit", "/quit", "Leave (Ctrl-D does too).", _quit),
    ]
}
