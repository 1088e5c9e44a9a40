"""The components of customer health: each one's value per customer, its points out of 100,
and the query it came from.

Every component is read from what the catalog says the data hold (``roles.py``); one whose
inputs are missing returns ``None`` with the reason, and the score is made of the others.

| component | value | points (100 = healthy) |
| --- | --- | --- |
| csat_trend | recent mean CSAT minus the mean before | 100 + 200 × change / scale span, 0..100 |
| nps | NPS of the recent surveys (-100..100) | (NPS + 100) / 2 |
| repeat_issues | repeat contacts about the same problem | 100 − 25 per repeat, at least 0 |
| sla_misses | % of the customer's cases that missed the SLA | 100 − miss % |
| sentiment | % of the customer's feedback that is negative | 100 − negative % |
| renewal | days until a contract ends unrenewed (0: lapsed) | 100 × days / renewal window |
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..data.catalog import Metric
from .proactive_query import Source, day, key_dimension, metric_rows, per_record, stamp
from .proactive_rules import HealthRules
from .roles import CustomerKey, Roles
from .warn_repeats import contacts_sql

CUSTOMER = "sl_customer"


@dataclass
class Part:
    """One component over all customers: value, points and records per customer id."""

    name: str
    sql: str
    values: dict[str, tuple[float, float, int, str]] = field(default_factory=dict)
    missing: str | None = None  # why the workspace cannot compute it


@dataclass(frozen=True)
class Window:
    base_start: date
    start: date
    end: date

    @classmethod
    def of(cls, rules: HealthRules, as_of: date) -> Window:
        start = as_of - timedelta(days=rules.recent_days)
        return cls(start - timedelta(days=rules.baseline_days), start, as_of)


def clamp(x: float) -> float:
    return round(max(0.0, min(100.0, x)), 1)


def _by_customer(
    source: Source, roles: Roles, cust: CustomerKey, m: Metric, start: date, end: date
) -> tuple[dict[str, tuple[float, int]], str]:
    dim = key_dimension(CUSTOMER, cust.by_table)
    result = metric_rows(source, roles.catalog, [m], [dim], start, end, max_rows=100_000)
    out = {}
    for r in result.records():
        if r.get(CUSTOMER) is not None and r.get(m.name) is not None:
            out[str(r[CUSTOMER])] = (float(r[m.name]), int(r[f"n_{m.table}"] or 0))
    return out, result.sql


def _span(m: Metric) -> float:
    found = re.findall(r"-?\d+(?:\.\d+)?", m.spec.scale or "")
    return abs(float(found[1]) - float(found[0])) if len(found) >= 2 else 4.0


def csat_trend(source: Source, roles: Roles, cust: CustomerKey, w: Window) -> Part:
    m = roles.csat_metric()
    if m is None:
        return Part("csat_trend", "", missing="no satisfaction (CSAT) metric in the catalog")
    now, sql = _by_customer(source, roles, cust, m, w.start, w.end)
    before, sql0 = _by_customer(source, roles, cust, m, w.base_start, w.start)
    part = Part("csat_trend", f"{sql};\n{sql0}")
    for who, (value, n) in now.items():
        if who in before:
            prior, n0 = before[who]
            change = value - prior
            detail = f"{m.spec.en} {value:.2f} ({n}) against {prior:.2f} before ({n0})"
            part.values[who] = (round(change, 2), clamp(100 + 200 * change / _span(m)), n, detail)
    return part


def nps(source: Source, roles: Roles, cust: CustomerKey, w: Window) -> Part:
    m = roles.nps_metric()
    if m is None:
        return Part("nps", "", missing="no NPS metric in the catalog")
    now, sql = _by_customer(source, roles, cust, m, w.start, w.end)
    part = Part("nps", sql)
    for who, (value, n) in now.items():
        part.values[who] = (round(value, 1), clamp((value + 100) / 2), n, f"NPS {value:.0f} ({n})")
    return part


def sla_misses(source: Source, roles: Roles, cust: CustomerKey, w: Window) -> Part:
    metrics = [m for m in roles.sla_metrics() if not m.filter_sql and per_record(m)]
    if not metrics:
        return Part("sla_misses", "", missing="no SLA metric over all cases in the catalog")
    m = metrics[0]
    now, sql = _by_customer(source, roles, cust, m, w.start, w.end)
    part = Part("sla_misses", sql)
    for who, (value, n) in now.items():
        miss = value if m.direction == "lower_is_better" else 100 - value
        part.values[who] = (round(miss, 1), clamp(100 - miss), n, f"{miss:.0f}% of {n} missed")
    return part


def sentiment(source: Source, roles: Roles, cust: CustomerKey, w: Window) -> Part:
    m = roles.negative_share_metric()
    if m is None:
        return Part("sentiment", "", missing="no negative-feedback share metric in the catalog")
    now, sql = _by_customer(source, roles, cust, m, w.start, w.end)
    part = Part("sentiment", sql)
    for who, (value, n) in now.items():
        part.values[who] = (round(value, 1), clamp(100 - value), n, f"{value:.0f}% of {n} negative")
    return part


def repeat_issues(
    source: Source, roles: Roles, cust: CustomerKey, w: Window, within_days: int
) -> Part:
    tables = roles.case_tables()
    if not tables:
        return Part("repeat_issues", "", missing="no dated cases with a problem dimension")
    table = tables[0]
    cases, keys = contacts_sql(roles, table, w.start - timedelta(days=within_days), w.end)
    sql = (
        f"WITH c AS ({cases}), "
        f"r AS (SELECT *, lag(at) OVER (PARTITION BY {', '.join(keys)} ORDER BY at) AS prev_at "
        f"FROM c) "
        f"SELECT customer, count(*) FILTER (WHERE at >= {stamp(w.start)}) AS cases, "
        f"count(*) FILTER (WHERE at >= {stamp(w.start)} AND prev_at IS NOT NULL "
        f"AND at <= prev_at + INTERVAL {within_days} DAY) AS repeats FROM r GROUP BY customer "
        f"HAVING count(*) FILTER (WHERE at >= {stamp(w.start)}) > 0"
    )
    part = Part("repeat_issues", sql)
    for r in source.sql(sql, max_rows=100_000).records():
        n, k = int(r["cases"]), int(r["repeats"])
        detail = f"{k} repeat contact(s) in {n} cases"
        part.values[str(r["customer"])] = (float(k), clamp(100 - 25 * k), n, detail)
    return part


def renewal(source: Source, roles: Roles, cust: CustomerKey, w: Window, days: int) -> Part:
    found = roles.contract()
    if found is None:
        return Part("renewal", "", missing="no contracts with an end date per customer")
    end, renewed = found
    who = cust.by_table[end.table]
    open_ = f"{renewed.sql} IS NOT TRUE" if renewed else "TRUE"
    lapsed = f"{renewed.sql} = FALSE" if renewed else "FALSE"
    horizon = w.end + timedelta(days=days)
    sql = (
        f"SELECT {who} AS customer, count(*) AS contracts, "
        f"min({end.sql}) FILTER (WHERE {end.sql} >= {day(w.end)} AND {end.sql} < {day(horizon)} "
        f"AND {open_}) AS next_end, "
        f"count(*) FILTER (WHERE {end.sql} >= {day(w.start)} AND {end.sql} < {day(w.end)} "
        f"AND {lapsed}) AS lapsed FROM {end.table} WHERE {end.sql} >= {day(w.start)} "
        f"AND {who} IS NOT NULL GROUP BY {who}"
    )
    part = Part("renewal", sql)
    for r in source.sql(sql, max_rows=100_000).records():
        part.values[str(r["customer"])] = _renewal_value(r, w.end, days)
    return part


def _renewal_value(r: dict[str, Any], as_of: date, days: int) -> tuple[float, float, int, str]:
    n = int(r["contracts"])
    if int(r["lapsed"] or 0):
        return 0.0, 0.0, n, f"{r['lapsed']} contract(s) ended unrenewed"
    if r.get("next_end") is None:
        return float(days), 100.0, n, f"no contract ends in the next {days} days"
    left = (date.fromisoformat(str(r["next_end"])[:10]) - as_of).days
    return float(left), clamp(100 * left / days), n, f"a contract ends in {left} days, not renewed"
