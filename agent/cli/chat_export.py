"""``/export``: the last answer, or the whole thread, with a sources appendix as .md or .html."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...data.errors import ServiceLensError
from ...tools.report import to_html, with_sources
from ..answer import Answer, cited_ids

if TYPE_CHECKING:
    from .chat_session import ChatSession

FORMATS = (".md", ".html")


def answer_body(answer: Answer) -> str:
    parts = [f"# {answer.question}", ""]
    if answer.period:
        p = answer.period
        parts += [f"_{p.label} ({p.start} – {p.last_day})_", ""]
    return "\n".join([*parts, answer.text.strip(), ""])


def thread_body(turns: list[tuple[str, str]]) -> str:
    parts: list[str] = []
    for question, text in turns:
        parts += [f"## {question}", "", text.strip(), ""]
    return "\n".join(parts)


def export_answer(session: ChatSession, path: Path, *, whole_thread: bool = False) -> Path:
    """Write the report to ``path`` (its suffix picks the format) and return the path."""
    if path.suffix.lower() not in FORMATS:
        raise ServiceLensError(f"Export to a .md or .html file, not {path.name!r}.")
    answer = session.last_answer
    assert answer is not None  # the command checks for an answer first
    turns = session.turns() if whole_thread else []
    body = thread_body(turns) if turns else answer_body(answer)
    title = answer.question if not turns else turns[0][0]
    markdown = with_sources(body, cited_ids(body), session.ledger(), answer.language)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".html":
        path.write_text(to_html(markdown, title=title, lang=answer.language), encoding="utf-8")
    else:
        path.write_text(markdown, encoding="utf-8")
    return path
