"""Service contracts: yearly chains that renew or lapse (fact 10: growth, and a renewal dip)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import calendar as cal
from .entities import PRODUCT_LINES, REGIONS
from .facts import RENEWAL_DIP, RENEWAL_DIP_RATE, RENEWAL_DIP_REGION, RENEWAL_RATE
from .tickets import LINE_BY_SEGMENT

HOLDER_SHARE = np.array([1.0, 0.55, 0.18])  # by segment: key account, SMB, consumer
VALUE_MEDIAN = np.array([90_000.0, 10_000.0, 500.0])
VALUE_SIGMA = np.array([0.6, 0.5, 0.4])
MAINTENANCE_SHARE = np.array([0.8, 0.8, 0.4])
RENEWAL_BY_SEGMENT = np.array([0.04, 0.0, -0.1])  # key accounts renew a little more often
TERM_DAYS = 365


def _pairs(rng: np.random.Generator, segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(customer, product line) pairs under contract; key accounts cover 1-3 lines."""
    holders = np.flatnonzero(rng.random(len(segment)) < HOLDER_SHARE[segment])
    lines_per = np.where(segment[holders] == 0, rng.integers(1, 4, len(holders)), 1)
    customer = np.repeat(holders, lines_per)
    weights = LINE_BY_SEGMENT[segment[customer]]
    cdf = np.cumsum(weights, axis=1)
    line = (rng.random(len(customer))[:, None] * cdf[:, -1:] > cdf).sum(axis=1)
    return customer, np.minimum(line, 5)


def _first_start(rng: np.random.Generator, n: int) -> np.ndarray:
    """Start days: 45% were running at the period start; new ones arrive faster and faster."""
    existing = rng.random(n) < 0.45
    before = cal.START_DAY - rng.integers(1, TERM_DAYS, n)
    # Density rising linearly over the period, from 1x to 3x: inverse CDF of (1 + 2t) on [0, 1].
    u = rng.random(n)
    t = (np.sqrt(1 + 8 * u) - 1) / 2
    during = cal.START_DAY + (t * (cal.N_DAYS - 1)).astype(np.int64)
    return np.where(existing, before, during)


def _renewal_rate(segment: int, region: int, ends_day: int) -> float:
    dip = REGIONS[region] == RENEWAL_DIP_REGION and cal.seconds(
        RENEWAL_DIP[0]
    ) <= ends_day * cal.DAY < cal.seconds(RENEWAL_DIP[1])
    return RENEWAL_DIP_RATE if dip else RENEWAL_RATE + RENEWAL_BY_SEGMENT[segment]


def contracts(rng: np.random.Generator, segment: np.ndarray, region: np.ndarray) -> pa.Table:
    customer, line = _pairs(rng, segment)
    start = _first_start(rng, len(customer))
    seg = segment[customer]
    value = VALUE_MEDIAN[seg] * np.exp(VALUE_SIGMA[seg] * rng.standard_normal(len(customer)))
    kind = np.where(
        rng.random(len(customer)) < MAINTENANCE_SHARE[seg], "maintenance", "extended warranty"
    )
    rows: dict[str, list] = {
        k: [] for k in ("customer", "line", "kind", "start", "value", "renewed")
    }
    as_of_day = cal.START_DAY + cal.N_DAYS
    for i in range(len(customer)):
        s, v = int(start[i]), float(value[i])
        while s < as_of_day:
            ends = s + TERM_DAYS - 1
            renewed: bool | None = None
            if ends < as_of_day:
                rate = _renewal_rate(int(seg[i]), int(region[customer[i]]), ends)
                renewed = bool(rng.random() < rate)
            for key, val in zip(
                rows, (customer[i], line[i], kind[i], s, round(v, 2), renewed), strict=True
            ):
                rows[key].append(val)
            if not renewed:
                break
            s, v = ends + 1, v * rng.uniform(1.02, 1.08)
    starts = np.array(rows["start"], dtype="datetime64[D]")
    return pa.table(
        {
            "n": np.arange(1, len(starts) + 1),
            "customer": np.array(rows["customer"]) + 1,
            "product_line": np.array(PRODUCT_LINES)[np.array(rows["line"], dtype=int)],
            "kind": rows["kind"],
            "starts_on": starts,
            "ends_on": starts + np.timedelta64(TERM_DAYS - 1, "D"),
            "annual_value": rows["value"],
            "renewed": pa.array(rows["renewed"], type=pa.bool_()),
        }
    )
