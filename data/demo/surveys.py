"""Post-resolution surveys: who answers, when, and what they score (CSAT 1-5, NPS 0-10, CES 1-7)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import calendar as cal
from .outcomes import Outcome
from .ticket_rows import ts
from .tickets import Placement

# Answer rates: key accounts are asked by their account manager; social users rarely answer.
RESPONSE_RATE = np.array([0.42, 0.30, 0.28])
SOCIAL_RESPONSE = 0.2


@dataclass(frozen=True)
class SurveyDraw:
    rows: pa.Table
    ticket_index: np.ndarray  # positions in the batch of the surveyed tickets
    submitted_at: np.ndarray
    csat: np.ndarray


def draw_surveys(rng: np.random.Generator, p: Placement, o: Outcome, first_seq: int) -> SurveyDraw:
    n = len(p)
    rate = np.where(p.channel == 4, SOCIAL_RESPONSE, RESPONSE_RATE[p.segment])
    resolved_at = p.opened_at + o.total_h * cal.HOUR
    submitted = resolved_at + 18 * cal.HOUR * np.exp(rng.standard_normal(n))
    take = o.resolved & (rng.random(n) < rate) & (submitted < cal.END_S)
    idx = np.flatnonzero(take)
    k = len(idx)
    csat = np.clip(np.round(o.csat_mu[idx] + 0.75 * rng.standard_normal(k)), 1, 5)
    nps = np.clip(np.round(2.2 * csat - 1.2 + 1.3 * rng.standard_normal(k)), 0, 10).astype(int)
    effort = 7.6 - 1.2 * csat + 0.7 * rng.standard_normal(k) + 0.4 * (o.visits[idx] > 1)
    ces = np.clip(np.round(effort), 1, 7)
    rows = pa.table(
        {
            "n": first_seq + np.arange(k),
            "ticket": p.seq[idx],
            "customer": p.customer[idx] + 1,
            "submitted_at": ts(submitted[idx], np.ones(k, bool)),
            "csat": csat,
            "nps": nps.astype(np.int32),
            "ces": ces,
        }
    )
    return SurveyDraw(rows, idx, submitted[idx].astype(np.int64), csat)
