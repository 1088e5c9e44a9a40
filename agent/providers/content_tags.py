"""Reasoning and tool calls that arrive inside ``content`` as tagged text.

Qwen3, QwQ and the DeepSeek-R1 distills write their reasoning as ``<think>…</think>`` in the
content when the server runs no reasoning parser; Hermes-style chat templates (Qwen, many
fine-tunes) write tool calls as ``<tool_call>{"name": …, "arguments": …}</tool_call>`` when the
server's tool parser is off. ``TagSplitter`` routes content, piece by piece as it streams, into
answer text, reasoning and tool-call blocks, holding back a tag split across pieces so that no
part of one is ever shown as answer text.
"""

from __future__ import annotations

THINK, TOOL_CALL = "<think>", "<tool_call>"
_CLOSE = {THINK: "</think>", TOOL_CALL: "</tool_call>"}
# A closing think tag with no opening one: templates of the R1 distills put ``<think>`` in the
# prompt, so the reply starts inside the reasoning.
_ORPHAN = "</think>"
_WATCHED = (THINK, TOOL_CALL, _ORPHAN)


class TagSplitter:
    def __init__(self) -> None:
        self.answer: list[str] = []
        self.reasoning: list[str] = []
        self.calls: list[str] = []
        self.tagged = False
        self._inside: str | None = None
        self._block: list[str] = []
        self._pending = ""

    def feed(self, text: str) -> str:
        """Take the next piece of content; returns the answer text that can be shown now."""
        self._pending += text
        shown: list[str] = []
        while self._pending:
            step = self._outside(shown) if self._inside is None else self._within()
            if not step:
                break
        out = "".join(shown)
        if out:
            self.answer.append(out)
        return out

    def close(self) -> str:
        """The end of the content: a held-back partial tag was text, an open block ends."""
        rest, self._pending = self._pending, ""
        if self._inside is None:
            if rest:
                self.answer.append(rest)
            return rest
        self._block.append(rest)
        self._end_block()
        return ""

    def text(self) -> str:
        joined = "".join(self.answer)
        return joined.strip() if self.tagged else joined

    def _outside(self, shown: list[str]) -> bool:
        at = self._pending.find("<")
        if at < 0:
            shown.append(self._pending)
            self._pending = ""
            return False
        shown.append(self._pending[:at])
        rest = self._pending[at:]
        tag = next((t for t in _WATCHED if rest.startswith(t)), None)
        if tag == _ORPHAN:
            self._orphan_close(shown)
        elif tag is not None:
            self._inside, self.tagged = tag, True
        elif any(t.startswith(rest) for t in _WATCHED):
            # Perhaps the start of a tag whose rest is in the next piece: wait for it.
            self._pending = rest
            return False
        else:
            shown.append("<")
            self._pending = rest[1:]
            return True
        self._pending = rest[len(tag) :]
        return True

    def _within(self) -> bool:
        assert self._inside is not None
        close = _CLOSE[self._inside]
        at = self._pending.find(close)
        if at >= 0:
            self._block.append(self._pending[:at])
            self._pending = self._pending[at + len(close) :]
            self._end_block()
            return True
        keep = _partial_suffix(self._pending, close)
        self._block.append(self._pending[: len(self._pending) - keep])
        self._pending = self._pending[len(self._pending) - keep :]
        return False

    def _end_block(self) -> None:
        body = "".join(self._block)
        if self._inside == THINK:
            self.reasoning.append(body.strip())
        else:
            self.calls.append(body.strip())
        self._inside, self._block = None, []

    def _orphan_close(self, shown: list[str]) -> None:
        # Everything so far was reasoning. Text already shown cannot be taken back; the
        # turn's text, which becomes the draft, leaves it out.
        self.reasoning.append(("".join(self.answer) + "".join(shown)).strip())
        self.answer.clear()
        shown.clear()
        self.tagged = True


def _partial_suffix(text: str, tag: str) -> int:
    """The length of the longest end of ``text`` that begins ``tag``."""
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-n:]):
            return n
    return 0
