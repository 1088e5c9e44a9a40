"""What happens to each ticket: response and resolution times, fixes, visits, parts, money.

Resolution times are log-normal around each ticket's SLA: a ticket meant to be on time with
probability p gets ``sla * exp(sigma * (Z - z_p))``, so ``sla_met`` always agrees with the
timestamps. Planted facts shift p, the first-time-fix probability, parts waits and CSAT.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from . import calendar as cal
from .entities import Entities
from .facts import (
    DEFECT_FTF,
    INSTALL_ON_TIME,
    KEY_CSAT_DROP_Q3,
    NORMAL_FTF,
    REMOTE_COST_RATIO,
    SHORTAGE_FACTOR,
    SURGE_REGION_ON_TIME_Q3,
)
from .tickets import Placement

# Per channel (tickets.CHANNELS): first-response median hours and spread; chat is fastest.
FR_MEDIAN_H = np.array([0.04, 0.01, 3.0, 0.5, 2.0, 0.15])
FR_SIGMA = np.array([0.8, 0.7, 1.0, 1.0, 1.1, 0.5])
FR_MISSING = np.array([0.0, 0.0, 0.06, 0.0, 0.25, 0.0])
# First-contact resolution factor by channel: chat resolves least at first contact (fact 6).
# Field work depends mostly on the engineer; chat-reported faults are only a little harder.
FTF_CHANNEL_CONTACT = np.array([1.0, 0.65, 0.92, 1.0, 0.88, 1.0])
FTF_CHANNEL_FIELD = np.array([1.0, 0.85, 1.0, 1.0, 1.0, 1.0])
REVISIT_MEDIAN_H = np.array([10.0, 30.0, 24.0, 0.0, 0.0])
CSAT_CHANNEL = np.array([0.40, -0.10, -0.15, 0.0, -0.90, 0.05])
ON_TIME = np.array([INSTALL_ON_TIME + 0.045, 0.85, 0.93, 0.90, 0.80])
SLA_SIGMA = 0.8
CONTACT_FTF = np.array([0.0, 0.0, 0.0, 0.82, 0.60])
ROOT_CAUSES = (
    "compressor",
    "refrigerant_leak",
    "water_leak",
    "control_board",
    "motor",
    "sensor",
    "thermostat",
    "heating_element",
    "drainage",
    "door_seal",
    "installation_error",
    "wear",
    "user_error",
)
ROOT_CAUSE_MIX = np.array(
    [  # rows: product lines
        [0.10, 0.18, 0.00, 0.14, 0.10, 0.10, 0.00, 0.00, 0.12, 0.00, 0.10, 0.06, 0.10],
        [0.14, 0.10, 0.00, 0.14, 0.08, 0.06, 0.16, 0.00, 0.00, 0.14, 0.00, 0.08, 0.10],
        [0.00, 0.00, 0.14, 0.14, 0.16, 0.06, 0.00, 0.06, 0.16, 0.12, 0.04, 0.04, 0.08],
        [0.00, 0.00, 0.20, 0.10, 0.00, 0.06, 0.18, 0.22, 0.00, 0.00, 0.08, 0.06, 0.10],
        [0.16, 0.20, 0.00, 0.18, 0.12, 0.12, 0.00, 0.00, 0.06, 0.00, 0.12, 0.04, 0.00],
        [0.00, 0.00, 0.10, 0.22, 0.18, 0.10, 0.00, 0.12, 0.06, 0.04, 0.00, 0.08, 0.10],
    ]
)
COMPLAINT_CAUSES = ("delay", "engineer_attitude", "billing", "communication", "product_quality")


@dataclass
class Outcome:
    fr_h: np.ndarray  # NaN where no first response is recorded
    total_h: np.ndarray
    resolved: np.ndarray
    closed_h: np.ndarray  # hours from resolution to closure, NaN if never closed
    sla_hours: np.ndarray
    sla_met: np.ndarray  # float 1/0, NaN = unknown
    onsite: np.ndarray
    remote: np.ndarray
    ftf: np.ndarray
    visits: np.ndarray
    parts_days: np.ndarray  # NaN where parts do not apply
    cost: np.ndarray
    revenue: np.ndarray
    reopened: np.ndarray
    root_cause: np.ndarray  # object array, None where not applicable
    csat_mu: np.ndarray


def _lognormal(
    rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, n: int
) -> np.ndarray:
    return np.asarray(median) * np.exp(np.asarray(sigma) * rng.standard_normal(n))


def first_response(rng: np.random.Generator, p: Placement) -> np.ndarray:
    n = len(p)
    fr = _lognormal(rng, FR_MEDIAN_H[p.channel], FR_SIGMA[p.channel], n)
    fr *= np.where(p.business_hours, 1.0, np.where(np.isin(p.channel, (0, 1)), 2.0, 3.0))
    # Thursday afternoon: the phone, chat and app queues overflow (fact 2).
    queued = p.peak & np.isin(p.channel, (0, 1, 3))
    fr[queued] += _lognormal(rng, 1.3, 0.8, int(queued.sum()))
    fr[rng.random(n) < FR_MISSING[p.channel]] = np.nan
    return fr


def sla_hours(p: Placement) -> np.ndarray:
    by_priority = np.array(
        [
            [72, 72, 72, 48],
            [120, 72, 48, 24],
            [168, 168, 120, 72],
            [24, 8, 4, 4],
            [72, 48, 24, 12],
        ],
        dtype=float,
    )
    return by_priority[p.type, p.priority]


def on_time_probability(p: Placement, ents: Entities) -> np.ndarray:
    prob = ON_TIME[p.type].copy()
    prob[p.surge_late] = SURGE_REGION_ON_TIME_Q3 + 0.04
    prob[p.defect(ents)] = 0.6
    prob[p.peak & (p.type == 3)] = 0.7
    # The shortage backs up the whole repair queue of that product line, not only part orders.
    prob[p.shortage & (p.type == 1)] = 0.55
    return prob


def ftf_probability(p: Placement, ents: Entities) -> np.ndarray:
    skill = np.where(p.engineer >= 0, ents.engineer_skill[np.maximum(p.engineer, 0)], 0.0)
    field = p.engineer >= 0
    prob = np.where(
        field,
        skill * FTF_CHANNEL_FIELD[p.channel],
        CONTACT_FTF[p.type] * FTF_CHANNEL_CONTACT[p.channel],
    )
    # Slightly stronger than the bare ratio: a compressor fault rarely yields to the first visit.
    prob[p.defect(ents)] *= 1.05 * DEFECT_FTF / NORMAL_FTF
    return np.clip(prob, 0.05, 0.97)


def _z(prob: np.ndarray) -> np.ndarray:
    values, inverse = np.unique(np.round(prob, 4), return_inverse=True)
    table = np.array([NormalDist().inv_cdf(float(v)) for v in values])
    return table[inverse]


def _parts(
    rng: np.random.Generator, p: Placement, onsite: np.ndarray, defect: np.ndarray
) -> np.ndarray:
    n = len(p)
    need_p = np.where(p.type == 1, np.where(p.line == 2, 0.45, 0.35), 0.02)
    need_p = np.where(defect, 0.7, need_p)
    need = onsite & (rng.random(n) < need_p)
    days = np.round(_lognormal(rng, 2.0, 0.55, n), 1).clip(min=0.5)
    days[p.shortage] *= SHORTAGE_FACTOR
    return np.where(np.isin(p.type, (0, 1, 2)), np.where(need, days, 0.0), np.nan)


def _fix(
    rng: np.random.Generator, p: Placement, ents: Entities
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(p)
    defect = p.defect(ents)
    remote_p = np.where(defect, 0.0, 0.15 + 0.15 * p.month / cal.N_MONTHS)
    remote = (p.type == 1) & (rng.random(n) < remote_p)
    onsite = np.isin(p.type, (0, 1, 2)) & ~remote
    ftf = remote | (rng.random(n) < ftf_probability(p, ents))
    extra = np.where(defect, rng.geometric(0.45, n), rng.geometric(0.6, n))
    visits = np.where(onsite, np.where(ftf, 1, 1 + extra), 0)
    return remote, onsite, ftf, visits


def _resolution(
    rng: np.random.Generator,
    p: Placement,
    ents: Entities,
    fr: np.ndarray,
    parts: np.ndarray,
    visits: np.ndarray,
) -> np.ndarray:
    n = len(p)
    sla = sla_hours(p)
    core = sla * np.exp(SLA_SIGMA * (rng.standard_normal(n) - _z(on_time_probability(p, ents))))
    revisit = np.maximum(visits - 1, 0) * _lognormal(rng, REVISIT_MEDIAN_H[p.type], 0.6, n)
    return np.nan_to_num(fr) + core + np.nan_to_num(parts) * 24 * 0.8 + revisit


def _root_cause(rng: np.random.Generator, p: Placement, defect: np.ndarray) -> np.ndarray:
    n = len(p)
    cause = np.array(ROOT_CAUSES, dtype=object)[_draw(rng, ROOT_CAUSE_MIX[p.line])]
    cause[defect & (rng.random(n) < 0.85)] = "compressor"
    complaint = np.array(COMPLAINT_CAUSES, dtype=object)[rng.integers(0, 5, n)]
    return np.where(
        p.type == 1, cause, np.where(p.type == 4, complaint, np.full(n, None, dtype=object))
    )


def _draw(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cdf[:, -1:]
    return np.minimum((u > cdf).sum(axis=1), probs.shape[1] - 1)


def _money(
    rng: np.random.Generator,
    p: Placement,
    remote: np.ndarray,
    visits: np.ndarray,
    parts: np.ndarray,
    defect: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    n = len(p)
    parts_cost = np.where(np.nan_to_num(parts) > 0, _lognormal(rng, 60, 0.6, n), 0.0)
    parts_cost[defect & (parts_cost > 0)] *= 4  # a compressor is expensive
    labour = np.array([90.0, 25.0, 70.0, 0.0, 0.0])[p.type] + 75.0 * visits
    contact = np.array([8.0, 4.0, 6.0, 3.0, 7.0, 5.0])[p.channel] * (1 + (p.type == 4))
    cost = labour + parts_cost + contact * _lognormal(rng, 1.0, 0.3, n)
    onsite_repair = (p.type == 1) & ~remote
    if onsite_repair.any():
        target = REMOTE_COST_RATIO * cost[onsite_repair].mean()
        cost[remote] = target * _lognormal(rng, np.exp(-0.045), 0.3, int(remote.sum()))
    charged_p = np.array([[1.0, 0.1, 0.2], [0.9, 0.35, 0.5], [0.6, 0.45, 0.6]])[
        np.minimum(p.type, 2), p.segment
    ]
    fee = np.array([[600.0, 300.0, 150.0], [0, 0, 0], [600, 260, 120]])[
        np.minimum(p.type, 2), p.segment
    ]
    charged = (p.type < 3) & (rng.random(n) < charged_p)
    revenue = np.where(charged, np.where(p.type == 1, cost * 1.35, fee), 0.0)
    return np.round(cost, 2), np.round(revenue, 2)


def csat_mean(
    p: Placement, ents: Entities, ftf: np.ndarray, on_time: np.ndarray, remote: np.ndarray
) -> np.ndarray:
    mu = 4.15 + CSAT_CHANNEL[p.channel] + np.where(ftf, 0.15, -0.55)
    mu += np.where(on_time, 0.1, -0.45) + 0.1 * remote - 0.5 * (p.type == 4)
    mu[p.shortage] -= 0.8
    mu[p.defect(ents)] -= 0.3
    mu[p.key_q3] -= KEY_CSAT_DROP_Q3
    return mu


def outcomes(rng: np.random.Generator, p: Placement, ents: Entities) -> Outcome:
    n = len(p)
    fr = first_response(rng, p)
    defect = p.defect(ents)
    remote, onsite, ftf, visits = _fix(rng, p, ents)
    parts = _parts(rng, p, onsite, defect)
    total = _resolution(rng, p, ents, fr, parts, visits)
    resolved = p.opened_at + total * cal.HOUR < cal.END_S
    sla = sla_hours(p)
    overdue = (cal.END_S - p.opened_at) / cal.HOUR > sla
    sla_met = np.where(resolved, total <= sla, np.where(overdue, 0.0, np.nan))
    closed = _lognormal(rng, 36.0, 0.8, n)
    closed[rng.random(n) < 0.03] = np.nan
    cost, revenue = _money(rng, p, remote, visits, parts, defect)
    reopened = resolved & (rng.random(n) < np.where(ftf, 0.03, 0.12))
    csat = csat_mean(p, ents, ftf, total <= sla, remote)
    return Outcome(
        fr,
        total,
        resolved,
        closed,
        sla,
        sla_met,
        onsite,
        remote,
        ftf,
        visits,
        parts,
        cost,
        revenue,
        reopened,
        _root_cause(rng, p, defect),
        csat,
    )
