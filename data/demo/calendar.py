"""The demo's fixed calendar: 24 months, 2024-11-01 .. 2026-10-31, as epoch seconds.

Timestamps are naive local times. The generator works in int64 seconds since 1970-01-01 so
that whole batches are shifted and compared with numpy, and converts to DuckDB timestamps only
when a batch is written.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

START = date(2024, 11, 1)
AS_OF = date(2026, 11, 1)  # The first day after the data; "last quarter" is then 2026-Q3.
N_DAYS = (AS_OF - START).days
N_MONTHS = 24
DAY = 86_400
HOUR = 3_600

_EPOCH = date(1970, 1, 1)
START_DAY = (START - _EPOCH).days
START_S = START_DAY * DAY
END_S = START_S + N_DAYS * DAY  # Exclusive: 2026-11-01 00:00.


def seconds(iso: str) -> int:
    """Epoch seconds of an ISO date or datetime string (naive)."""
    value = datetime.fromisoformat(iso)
    return int((value - datetime(1970, 1, 1)).total_seconds())


def weekday(epoch_days: np.ndarray) -> np.ndarray:
    """Monday = 0 .. Sunday = 6 (1970-01-01 was a Thursday)."""
    return (epoch_days + 3) % 7


def month_index(epoch_s: np.ndarray) -> np.ndarray:
    """Months since 2024-11 (0 .. 23) of epoch-second timestamps."""
    months = epoch_s.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    start = np.datetime64("2024-11", "M").astype(np.int64)
    return months - start


def month_number(index: str) -> int:
    """Month index (0 .. 23) of a 'YYYY-MM' string."""
    year, month = (int(part) for part in index.split("-"))
    return (year - 2024) * 12 + month - 11


def day_of_year(epoch_days: np.ndarray) -> np.ndarray:
    days = epoch_days.astype("datetime64[D]")
    years = days.astype("datetime64[Y]")
    return (days - years).astype(np.int64)


def between(epoch_s: np.ndarray, start_iso: str, end_iso: str) -> np.ndarray:
    """Mask of timestamps in the half-open range [start, end)."""
    return (epoch_s >= seconds(start_iso)) & (epoch_s < seconds(end_iso))
