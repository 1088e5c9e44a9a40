"""The answer's time budget (``answer_budget_s``): when gathering stops and writing must end.

Gathering evidence may use the first ``GATHER_SHARE`` of the budget, so that writing has the
rest; a model call is never allowed past the end of its phase (``TurnContext.deadline``). When
the budget runs out the answer is finished from the evidence gathered so far and says so
(``partial.py``). The clock is wall time from the moment the question was read (``prepare``),
kept in the state as ``started_at`` so every node reads the same start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

GATHER_SHARE = 0.6
# A model step this slow on average (or a sixth of the budget) makes the act step ask the
# model to batch every call it needs into one reply.
SLOW_STEP_S = 15.0


@dataclass(frozen=True)
class AnswerClock:
    started_at: float
    budget_s: float | None

    def deadline(self, *, gathering: bool) -> float | None:
        """When the current phase must end (``time.time()``); None without a budget."""
        if self.budget_s is None:
            return None
        share = GATHER_SHARE if gathering else 1.0
        return self.started_at + self.budget_s * share

    def over(self, *, gathering: bool) -> bool:
        end = self.deadline(gathering=gathering)
        return end is not None and time.time() >= end

    def reason(self) -> str:
        # No figure in it: the writer may repeat it, and the verifier checks every figure.
        return "the time budget for one answer was reached"

    def slow(self, step_s: float) -> bool:
        """Whether model steps this long call for fewer round trips."""
        limit = SLOW_STEP_S if self.budget_s is None else min(SLOW_STEP_S, self.budget_s / 6)
        return step_s >= limit


BATCH_NOTE = (
    "Each model step is slow on this server (about {seconds:.0f} s). Request every tool call "
    "you still need in this one reply, as parallel calls, then stop."
)


def batch_note(clock: AnswerClock, model_calls: int, model_ms: float) -> list[dict[str, Any]]:
    """A system note asking a slow model to batch its calls, once its steps proved slow."""
    step_s = model_ms / 1000 / model_calls if model_calls else 0.0
    if not model_calls or not clock.slow(step_s):
        return []
    return [{"role": "system", "content": BATCH_NOTE.format(seconds=step_s)}]
