"""What the customer said in a call or chat transcript, without the agent's lines.

Agents speak in formulas ("how can I help you today?", 非常抱歉给您带来不便) that say nothing
about the customer's problem or mood, yet carry apology and thanks words that would skew
sentiment and theme cues. Turns are found by speaker labels at the start of a line or after
whitespace (one-line transcripts exist too); text with no agent label is returned unchanged.
"""

from __future__ import annotations

import re

AGENT_LABELS = (
    "agent", "rep", "support", "agt", "staff", "operator", "advisor", "a",
    "客服", "坐席", "话务员", "在线客服", "人工客服", "小诺", "诺风客服", "售后",
)  # fmt: skip
CUSTOMER_LABELS = (
    "customer", "caller", "cust", "visitor", "user", "you", "me", "c",
    "客户", "用户", "来电人", "访客", "顾客", "我",
)  # fmt: skip
_LABELS = sorted(AGENT_LABELS + CUSTOMER_LABELS, key=len, reverse=True)
_TURN = re.compile(
    r"(?:^|(?<=\s))(" + "|".join(re.escape(x) for x in _LABELS) + r")\s*[:：]",
    re.IGNORECASE | re.MULTILINE,
)
_AGENTS = frozenset(AGENT_LABELS)


def customer_turns(text: str) -> str:
    """The text with agent turns removed (customer turns and unlabelled text kept)."""
    marks = list(_TURN.finditer(text))
    if not any(m.group(1).lower() in _AGENTS for m in marks):
        return text
    kept = [text[: marks[0].start()]]
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        end = nxt.start() if nxt else len(text)
        if m.group(1).lower() not in _AGENTS:
            kept.append(text[m.end() : end])
    return "\n".join(part.strip() for part in kept if part.strip())
