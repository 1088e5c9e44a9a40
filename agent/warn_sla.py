"""SLA misses clustering at a time of day: a weekday's hours, or the same hours every day.

Every rate metric the catalog marks as an SLA (attainment, on-time, breach, response SLA) is
taken per weekday and hour over the last ``lookback_days``. Each slot with at least ``min_n``
records is tested against all other slots (one-sided two-proportion z-test of ``changes``),
per weekday-hour and per hour of every day; the p-values of all slots of all SLA metrics are
adjusted together (Benjamini–Hochberg). Neighbouring significant hours form one cluster, which
must also miss more than the other slots in each of the ``persist`` parts of the lookback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..data.catalog import Metric
from .changes import _two_proportions
from .proactive_query import (
    Evidence,
    count_column,
    metric_rows,
    per_record,
    stamp,
    time_dimension,
    window_dimension,
)
from .warning_types import OWNERS, Context, EarlyWarning, Text, Unavailable, warning_id

NEEDS = [
    "an SLA rate metric (attainment, on-time, breach) of one flag per record",
    "a time column with the hour on the records it counts",
]
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
EVERY_DAY = 0
Cell = tuple[int, int]  # (ISO weekday, or 0 for every day; hour)


@dataclass
class Slot:
    metric: Metric
    day: int
    hours: list[int]
    n: int
    misses: int
    rest_n: int
    rest_misses: int
    p: float
    q: float = 1.0
    sql: str = ""

    @property
    def rate(self) -> float:
        return self.misses / self.n if self.n else 0.0

    @property
    def rest_rate(self) -> float:
        return self.rest_misses / self.rest_n if self.rest_n else 0.0


@dataclass
class Counts:
    """Records and misses per cell, per part of the lookback (None: all parts)."""

    cells: dict[tuple[Cell, str | None], list[int]]
    sql: str

    def get(self, cell: Cell, part: str | None = None) -> list[int]:
        return self.cells.get((cell, part), [0, 0])

    def total(self, day: int, part: str | None = None) -> list[int]:
        keys = [k for k in self.cells if k[1] == part and k[0][0] == day]
        return [sum(self.cells[k][i] for k in keys) for i in (0, 1)]


def sla_clusters(ctx: Context) -> list[EarlyWarning]:
    metrics = [m for m in ctx.roles.sla_metrics() if per_record(m) is not None]
    if not metrics:
        raise Unavailable("the catalog has no SLA rate metric over dated records", NEEDS)
    rule = ctx.rules.sla_cluster
    start = ctx.as_of - timedelta(days=rule.lookback_days)
    step = rule.lookback_days / rule.persist
    parts = [(f"p{i + 1}", start + timedelta(days=round(i * step))) for i in range(rule.persist)]
    counts = {m.name: _counts(ctx, m, start, parts) for m in metrics}
    slots = [s for m in metrics for s in _tested(ctx, m, counts[m.name])]
    _adjust(slots)
    found = []
    for m in metrics:
        mine = [s for s in slots if s.metric is m and s.rate > s.rest_rate]
        sig = [s for s in mine if s.q <= rule.fdr]
        # A cluster grows into neighbouring hours that miss more on their own (p <= 0.05).
        near = [s for s in mine if s.p <= 0.05]
        for block in _blocks(ctx, m, counts[m.name], sig, near):
            if all(_worse_in(counts[m.name], block, label) for label, _ in parts):
                found.append(block)
    found.sort(key=lambda s: -(s.rate / max(s.rest_rate, 1e-9)))
    return [_warning(ctx, s, start) for s in found[: rule.max_warnings]]


def _counts(ctx: Context, m: Metric, start: date, parts: list[tuple[str, date]]) -> Counts:
    extra = [
        time_dimension("sl_weekday", "isodow({time})"),
        time_dimension("sl_hour", "hour({time})"),
        window_dimension("sl_part", parts),
    ]
    result = metric_rows(ctx.source, ctx.roles.catalog, [m], extra, start, ctx.as_of)
    n_col = count_column(m)
    cells: dict[tuple[Cell, str | None], list[int]] = {}
    for r in result.records():
        if r.get(m.name) is None or r.get("sl_hour") is None or r.get("sl_part") is None:
            continue
        n = int(r[n_col] or 0)
        share = float(r[m.name]) / 100
        misses = round(n * (share if m.direction == "lower_is_better" else 1 - share))
        for day in (int(r["sl_weekday"]), EVERY_DAY):
            for part in (r["sl_part"], None):
                cell = cells.setdefault(((day, int(r["sl_hour"])), part), [0, 0])
                cell[0] += n
                cell[1] += misses
    return Counts(cells, result.sql)


def _tested(ctx: Context, m: Metric, counts: Counts) -> list[Slot]:
    out = []
    for (cell, part), (n, misses) in counts.cells.items():
        if part is not None or n < ctx.rules.sla_cluster.min_n:
            continue
        total_n, total_m = counts.total(EVERY_DAY)
        rest_n, rest_m = total_n - n, total_m - misses
        if rest_n <= 0:
            continue
        p = _two_proportions(misses / n, n, rest_m / rest_n, rest_n)
        p = p / 2 if misses / n > rest_m / rest_n else 1 - p / 2
        out.append(Slot(m, cell[0], [cell[1]], n, misses, rest_n, rest_m, p, sql=counts.sql))
    return out


def _adjust(slots: list[Slot]) -> None:
    from scipy.stats import false_discovery_control

    if slots:
        adjusted = false_discovery_control([s.p for s in slots], method="bh")
        for s, q in zip(slots, adjusted, strict=True):
            s.q = float(q)


def _blocks(
    ctx: Context, m: Metric, counts: Counts, sig: list[Slot], near: list[Slot]
) -> list[Slot]:
    """Runs of neighbouring hours holding a significant slot, as one slot each; weekday slots
    inside an every-day cluster are left to it."""
    every = {h for s in sig if s.day == EVERY_DAY for h in s.hours}
    out = []
    for day in sorted({s.day for s in sig}):
        seeds = {h for s in sig if s.day == day for h in s.hours}
        hours = sorted(seeds | {h for s in near if s.day == day for h in s.hours})
        if day != EVERY_DAY:
            hours = [h for h in hours if h not in every]
        for run in _runs(hours):
            if seeds & set(run):
                q = min(s.q for s in sig if s.day == day and s.hours[0] in run)
                out.append(_merged(m, counts, day, run, q))
    return out


def _runs(hours: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for h in hours:
        if runs and h == runs[-1][-1] + 1:
            runs[-1].append(h)
        else:
            runs.append([h])
    return runs


def _merged(m: Metric, counts: Counts, day: int, hours: list[int], q: float) -> Slot:
    n = sum(counts.get((day, h))[0] for h in hours)
    misses = sum(counts.get((day, h))[1] for h in hours)
    total_n, total_m = counts.total(EVERY_DAY)
    return Slot(m, day, hours, n, misses, total_n - n, total_m - misses, 0.0, q, counts.sql)


def _worse_in(counts: Counts, s: Slot, part: str) -> bool:
    n = sum(counts.get((s.day, h), part)[0] for h in s.hours)
    misses = sum(counts.get((s.day, h), part)[1] for h in s.hours)
    total_n, total_m = counts.total(EVERY_DAY, part)
    if n == 0 or total_n - n <= 0:
        return False
    return misses / n > (total_m - misses) / (total_n - n)


def when(day: int, hours: list[int], lang: str = "en") -> str:
    span = f"{hours[0]:02d}:00–{hours[-1] + 1:02d}:00"
    if day == EVERY_DAY:
        return f"every day {span}" if lang == "en" else f"每天 {span}"
    return f"{(DAYS if lang == 'en' else DAYS_ZH)[day - 1]} {span}"


def _severity(ctx: Context, s: Slot) -> Any:
    rule = ctx.rules.sla_cluster
    ratio = s.rate / max(s.rest_rate, 1e-9)
    return "high" if ratio >= rule.high_ratio else "medium" if ratio >= rule.medium_ratio else "low"


def _warning(ctx: Context, s: Slot, start: date) -> EarlyWarning:
    severity = _severity(ctx, s)
    due = ctx.due(severity)
    if s.day != EVERY_DAY:
        ahead = (s.day - 1 - ctx.as_of.weekday()) % 7
        due = min(due, ctx.as_of + timedelta(days=ahead))
    m = s.metric
    rate, rest = f"{100 * s.rate:.0f}%", f"{100 * s.rest_rate:.0f}%"
    days = ctx.rules.sla_cluster.lookback_days
    ids, ids_sql = _missed(ctx, s, start)
    return EarlyWarning(
        id=warning_id("sla_cluster", m.name, s.day, s.hours, start),
        kind="sla_cluster",
        severity=severity,
        title=Text(
            en=f"{m.spec.en}: misses cluster {when(s.day, s.hours)} — {rate} missed there "
            f"against {rest} at other times (last {days} days)",
            zh=f"{m.spec.zh or m.spec.en}：未达标集中在{when(s.day, s.hours, 'zh')}——该时段 "
            f"{rate} 未达标，其他时段 {rest}（最近 {days} 天）",
        ),
        action=Text(
            en=f"Put more agents on {when(s.day, s.hours)} or route overflow; "
            "`servicelens staffing` sizes it.",
            zh=f"在{when(s.day, s.hours, 'zh')}增加人手或分流；可用 `servicelens staffing` 测算。",
        ),
        owner=OWNERS["workforce"],
        due=due,
        subject={
            "metric": m.name,
            "weekday": DAYS[s.day - 1] if s.day else "every day",
            "hours": f"{s.hours[0]:02d}-{s.hours[-1] + 1:02d}",
        },
        evidence=Evidence(
            sql=s.sql,
            table=m.table,
            ids=ids,
            ids_sql=ids_sql,
            numbers={
                "missed": s.misses,
                "records": s.n,
                "miss_rate": round(s.rate, 4),
                "other_misses": s.rest_misses,
                "other_records": s.rest_n,
                "other_miss_rate": round(s.rest_rate, 4),
                "q_value": s.q,
                "test": "two-proportion z-test, one-sided, Benjamini–Hochberg",
                "from": start.isoformat(),
                "to": ctx.as_of.isoformat(),
            },
        ),
    )


def _missed(ctx: Context, s: Slot, start: date) -> tuple[list[str], str]:
    m = s.metric
    record = per_record(m)
    assert record is not None
    time = f"{m.table}.{ctx.roles.catalog.time_column(m)}"
    missed = f"({record[0]}) >= 0.5" if m.direction == "lower_is_better" else f"({record[0]}) < 0.5"
    where = [
        f"{time} >= {stamp(start)}",
        f"{time} < {stamp(ctx.as_of)}",
        missed,
        f"hour({time}) BETWEEN {s.hours[0]} AND {s.hours[-1]}",
    ]
    if s.day:
        where.append(f"isodow({time}) = {s.day}")
    if m.filter_sql:
        where.append(f"({m.filter_sql})")
    key = f"{m.table}.{ctx.roles.key_of(m.table)}"
    sql = f"SELECT {key} AS id FROM {m.table} WHERE {' AND '.join(where)} ORDER BY {time} LIMIT 20"
    return [str(r[0]) for r in ctx.source.sql(sql, max_rows=20).rows], sql
