"""Who opens each ticket, about what, through which channel: the placement of a ticket batch.

Outcomes (times, fixes, costs) are drawn afterwards in ``outcomes.py`` from these columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import calendar as cal
from .entities import PRODUCT_LINES, REGION_WEIGHTS, REGIONS, SEGMENTS, Entities, pick
from .facts import (
    DEFECT_FROM,
    PEAK_HOURS,
    PEAK_WEEKDAY,
    Q3,
    SHORTAGE,
    SHORTAGE_LINE,
    SURGE_REGION,
)
from .volume import Batch

CHANNELS = ("phone", "chat", "email", "app", "social", "onsite")
PRIORITIES = ("low", "medium", "high", "urgent")
# Channel mix per ticket type (rows follow volume.TYPES).
CHANNEL_MIX = np.array(
    [
        [0.35, 0.10, 0.05, 0.35, 0.00, 0.15],
        [0.38, 0.20, 0.08, 0.22, 0.04, 0.08],
        [0.25, 0.05, 0.10, 0.30, 0.00, 0.30],
        [0.40, 0.32, 0.10, 0.14, 0.04, 0.00],
        [0.36, 0.20, 0.16, 0.12, 0.16, 0.00],
    ]
)
# Outside business hours people write and post rather than call.
OFF_HOURS_CHANNEL = np.array([0.4, 0.6, 0.8, 2.0, 2.5, 0.3])
PRIORITY_MIX = np.array(
    [
        [0.30, 0.55, 0.13, 0.02],
        [0.15, 0.50, 0.27, 0.08],
        [0.50, 0.45, 0.05, 0.00],
        [0.55, 0.40, 0.05, 0.00],
        [0.10, 0.45, 0.35, 0.10],
    ]
)
SEGMENT_TICKET_SHARE = np.array([0.15, 0.30, 0.55])
LINE_BY_SEGMENT = np.array(
    [
        [0.22, 0.08, 0.06, 0.10, 0.40, 0.14],
        [0.30, 0.14, 0.10, 0.14, 0.18, 0.14],
        [0.28, 0.18, 0.25, 0.17, 0.00, 0.12],
    ]
)
FIELD_TYPES = (0, 1, 2)  # installation, repair, maintenance get an engineer


def _month_season() -> np.ndarray:
    """(24 months, 6 lines) demand factors: ACs in summer, water heaters in winter."""
    moy = (np.arange(cal.N_MONTHS) + 10) % 12 + 1
    summer = np.exp(-(((moy - 7.5) / 1.5) ** 2))
    gap = np.minimum(np.abs(moy - 1), 12 - np.abs(moy - 1))
    winter = np.exp(-((gap / 1.5) ** 2))
    f = np.ones((cal.N_MONTHS, 6))
    f[:, 0] += 1.2 * summer
    f[:, 3] += 0.9 * winter
    f[:, 4] += 0.5 * summer
    return f


MONTH_SEASON = _month_season()


@dataclass
class Placement:
    seq: np.ndarray
    opened_at: np.ndarray
    type: np.ndarray
    month: np.ndarray
    weekday: np.ndarray
    hour: np.ndarray
    region: np.ndarray
    segment: np.ndarray
    customer: np.ndarray
    line: np.ndarray
    product: np.ndarray
    engineer: np.ndarray  # -1 for contact-centre tickets
    channel: np.ndarray
    priority: np.ndarray

    def __len__(self) -> int:
        return len(self.seq)

    @property
    def peak(self) -> np.ndarray:
        start, end = PEAK_HOURS
        return (self.weekday == PEAK_WEEKDAY) & (self.hour >= start) & (self.hour < end)

    @property
    def business_hours(self) -> np.ndarray:
        return (self.weekday < 5) & (self.hour >= 9) & (self.hour < 18)

    def defect(self, ents: Entities) -> np.ndarray:
        return (self.product == ents.defect_product) & (self.opened_at >= cal.seconds(DEFECT_FROM))

    @property
    def shortage(self) -> np.ndarray:
        line = PRODUCT_LINES.index(SHORTAGE_LINE)
        return (self.line == line) & cal.between(self.opened_at, *SHORTAGE)

    @property
    def surge_late(self) -> np.ndarray:
        east = self.region == REGIONS.index(SURGE_REGION)
        return east & (self.type == 0) & cal.between(self.opened_at, *Q3)

    @property
    def key_q3(self) -> np.ndarray:
        return (self.segment == SEGMENTS.index("key account")) & cal.between(self.opened_at, *Q3)


def _draw_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row of a (n, k) probability matrix."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cdf[:, -1:]
    return np.minimum((u > cdf).sum(axis=1), probs.shape[1] - 1)


def _products(
    rng: np.random.Generator,
    ents: Entities,
    line: np.ndarray,
    type_: np.ndarray,
    opened: np.ndarray,
) -> np.ndarray:
    product = pick(rng, ents.line_products, line)
    # The defect: from DEFECT_FROM the defective AC model takes a rising share of AC repairs.
    months_in = (cal.month_index(opened) - cal.month_number(DEFECT_FROM[:7])).clip(min=-1)
    share = np.where(months_in < 0, 0.0, np.minimum(0.22 + 0.06 * months_in, 0.5))
    ac_repair = (line == 0) & (type_ == 1)
    take = ac_repair & (rng.random(len(line)) < share)
    product[take] = ents.defect_product
    return product


def place(rng: np.random.Generator, batch: Batch, ents: Entities) -> Placement:
    n = len(batch.type)
    opened, type_ = batch.opened_at, batch.type
    day = opened // cal.DAY
    hour = (opened % cal.DAY) // cal.HOUR
    month = cal.month_index(opened)
    region = rng.choice(6, n, p=REGION_WEIGHTS)
    segment = rng.choice(3, n, p=SEGMENT_TICKET_SHARE)
    customer = pick(rng, ents.customer_groups, segment * 6 + region)
    line = _draw_rows(rng, LINE_BY_SEGMENT[segment] * MONTH_SEASON[month])
    product = _products(rng, ents, line, type_, opened)
    engineer = np.full(n, -1, dtype=np.int64)
    field = np.isin(type_, FIELD_TYPES)
    engineer[field] = pick(rng, ents.engineer_groups, region[field])
    wd = cal.weekday(day)
    off = ~((wd < 5) & (hour >= 9) & (hour < 18))
    mix = CHANNEL_MIX[type_] * np.where(off[:, None], OFF_HOURS_CHANNEL[None, :], 1.0)
    channel = _draw_rows(rng, mix)
    priority = _draw_rows(rng, PRIORITY_MIX[type_])
    bump = (segment == 0) & (rng.random(n) < 0.3)
    priority = np.minimum(priority + bump, 3)
    seq = batch.first_seq + np.arange(n)
    return Placement(
        seq,
        opened,
        type_,
        month,
        wd,
        hour,
        region,
        segment,
        customer,
        line,
        product,
        engineer,
        channel,
        priority,
    )
