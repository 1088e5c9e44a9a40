"""``/export``: the last answer, or the whole thread, with a sources appendix as .md or .html."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ...tools.report import answer_document, with_sources, write_report
from ..answer import cited_ids

if TYPE_CHECKING:
    from .chat_session import ChatSession


def thread_body(turns: list[tuple[str, str]]) -> str:
    parts: list[str] = []
    for question, text in turns:
        parts += [f"## {question}", "", text.strip(), ""]
    return "\n".join(parts)


def export_answer(session: ChatSession, path: Path, *, whole_thread: bool = False) -> Path:
    """Write the report to ``path`` (its suffix picks the format) and return the path.

    One answer is exported like ``servicelens ask --export``: with the template documents it
    cites in full; a whole thread lists its turns with one sources appendix."""
    answer = session.last_answer
    assert answer is not None  # the command checks for an answer first
    turns = session.turns() if whole_thread else []
    ledger = session.ledger()
    if turns:
        body = thread_body(turns)
        markdown = with_sources(body, cited_ids(body), ledger, answer.language)
    else:
        markdown = answer_document(answer.question, answer.text, ledger, answer.language)
    title = turns[0][0] if turns else answer.question
    return write_report(path, markdown, title=title, lang=answer.language)
