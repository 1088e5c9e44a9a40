"""When tickets are opened: a (day, hour, type) intensity grid and chronological batches.

The grid carries the trend, the seasons, the business-hour and weekday rhythm, the Thursday
afternoon inquiry peak (fact 2) and the 2026-Q3 installation surge (fact 1). One multinomial
draw spreads all tickets over the grid; batches are then cut in time order, so ticket ids rise
with opened_at and only one batch is in memory at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from . import calendar as cal
from .facts import PEAK_HOURS, PEAK_RATIO, PEAK_WEEKDAY, Q2, Q3, SURGE_RATIO

TYPES = ("installation", "repair", "maintenance", "inquiry", "complaint")
TYPE_SHARE = np.array([0.15, 0.36, 0.12, 0.27, 0.10])


def _hour_profile(contact: bool) -> np.ndarray:
    """Weights per (weekday, hour): contact-centre traffic or scheduled field work."""
    hours = np.zeros(24)
    if contact:
        hours[9:18] = [0.85, 1.0, 1.05, 0.8, 0.85, 1.0, 1.05, 1.0, 0.9]
        hours[18:22], hours[7:9], hours[22:24] = 0.3, 0.25, 0.1
        hours[0:7] = 0.03
        days = np.array([1.0, 1.0, 1.0, 1.0, 0.95, 0.4, 0.3])
    else:
        hours[8:18] = [0.7, 1.0, 1.0, 0.9, 0.6, 0.9, 1.0, 0.9, 0.7, 0.5]
        hours[18:20] = 0.1
        days = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.15])
    return days[:, None] * hours[None, :]


def _inquiry_profile() -> np.ndarray:
    """Contact traffic with Thursday 14-17 lifted to PEAK_RATIO x the mean business hour."""
    prof = _hour_profile(contact=True)
    start, end = PEAK_HOURS
    peak = prof[PEAK_WEEKDAY, start:end].copy()
    business = prof[0:5, 9:18]
    rest = business.sum() - peak.sum()
    # Solve x * sum(peak) / n_peak = PEAK_RATIO * (rest + x * sum(peak)) / n_business.
    n_peak, n_business = peak.size, business.size
    x = (
        PEAK_RATIO
        * rest
        / n_business
        / (peak.sum() / n_peak - PEAK_RATIO * peak.sum() / n_business)
    )
    prof[PEAK_WEEKDAY, start:end] = peak * x
    return prof


def _season(doy: np.ndarray, centre: int, width: float) -> np.ndarray:
    gap = np.minimum(np.abs(doy - centre), 365 - np.abs(doy - centre))
    return np.exp(-((gap / width) ** 2))


def day_weights(day_numbers: np.ndarray) -> np.ndarray:
    """(days, types) weights: growth, seasons and the installation surge."""
    t = (day_numbers - cal.START_DAY) / cal.N_DAYS
    doy = cal.day_of_year(day_numbers)
    summer, winter = _season(doy, 195, 45), _season(doy, 15, 40)
    spring_autumn = _season(doy, 120, 30) + _season(doy, 275, 30)
    w = np.stack(
        [
            1 + 0.35 * summer,  # installations: AC season
            1 + 0.45 * summer + 0.25 * winter,  # repairs: cooling and heating seasons
            1 + 0.5 * spring_autumn,  # maintenance: pre-season servicing
            1 + 0.15 * summer,
            1 + 0.3 * summer,
        ],
        axis=1,
    )
    return w * (1 + 0.3 * t)[:, None] * TYPE_SHARE[None, :]


def grid(rng: np.random.Generator, n_tickets: int) -> np.ndarray:
    """Ticket counts per (day, hour, type)."""
    day_numbers = cal.START_DAY + np.arange(cal.N_DAYS)
    days = day_weights(day_numbers)
    wd = cal.weekday(day_numbers)
    profiles = np.stack(
        [
            _hour_profile(False),
            _hour_profile(True),
            _hour_profile(False),
            _inquiry_profile(),
            _hour_profile(True),
        ],
        axis=2,
    )  # (7, 24, types)
    intensity = days[:, None, :] * profiles[wd]  # (days, 24, types)
    _apply_surge(intensity, day_numbers)
    return _systematic(rng, intensity * (n_tickets / intensity.sum()), wd, n_tickets)


def _systematic(
    rng: np.random.Generator, expected: np.ndarray, wd: np.ndarray, n_tickets: int
) -> np.ndarray:
    """Integer counts whose totals per (type, month, weekday, hour) match the expectation.

    Systematic rounding along cells sorted by (type, month, weekday, hour, day) keeps every such
    run within one ticket of its expected count, so the planted volume facts hold even at a few
    thousand tickets, while which day and minute a ticket lands on stays random.
    """
    n_days, n_hours, n_types = expected.shape
    month = cal.month_index((cal.START_DAY + np.arange(n_days)) * cal.DAY)
    d, h, t = np.meshgrid(np.arange(n_days), np.arange(n_hours), np.arange(n_types), indexing="ij")
    order = np.lexsort((d.ravel(), h.ravel(), wd[d].ravel(), month[d].ravel(), t.ravel()))
    cum = np.cumsum(expected.ravel()[order])
    cum *= n_tickets / cum[-1]
    edges = np.floor(cum + rng.random())
    edges[-1] = n_tickets
    sorted_counts = np.diff(edges, prepend=0.0)
    counts = np.empty_like(sorted_counts)
    counts[order] = sorted_counts
    return counts.astype(np.int64).reshape(expected.shape)


def _apply_surge(intensity: np.ndarray, day_numbers: np.ndarray) -> None:
    day_s = day_numbers * cal.DAY
    q2, q3 = cal.between(day_s, *Q2), cal.between(day_s, *Q3)
    inst = intensity[:, :, 0]
    intensity[q3, :, 0] *= SURGE_RATIO * inst[q2].sum() / inst[q3].sum()


@dataclass(frozen=True)
class Batch:
    first_seq: int  # 1-based ticket number of the batch's first ticket
    opened_at: np.ndarray  # epoch seconds, sorted
    type: np.ndarray  # index into TYPES


def batches(rng: np.random.Generator, counts: np.ndarray, size: int) -> Iterator[Batch]:
    flat = counts.reshape(-1, counts.shape[2])  # (day*24 + hour, type)
    per_slot = flat.sum(axis=1)
    cum = np.cumsum(per_slot)
    cuts = np.searchsorted(cum, np.arange(size, cum[-1], size), side="left") + 1
    seq = 1
    for lo, hi in zip(
        np.concatenate([[0], cuts]), np.concatenate([cuts, [len(flat)]]), strict=True
    ):
        batch = _expand(rng, flat[lo:hi], lo, seq)
        if len(batch.type):
            yield batch
            seq += len(batch.type)


def _expand(rng: np.random.Generator, counts: np.ndarray, slot0: int, seq: int) -> Batch:
    n_slots, n_types = counts.shape
    flat = counts.ravel()
    slots = np.repeat(np.repeat(np.arange(n_slots) + slot0, n_types), flat)
    types = np.repeat(np.tile(np.arange(n_types), n_slots), flat)
    opened = cal.START_S + slots * cal.HOUR + rng.integers(0, cal.HOUR, len(slots))
    order = np.argsort(opened, kind="stable")
    return Batch(first_seq=seq, opened_at=opened[order], type=types[order])
