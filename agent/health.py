"""Customer health: a transparent score per customer, and the customers at risk.

The score is the weighted mean of the components a customer has (``health_parts`` lists them
and how each turns into points out of 100); every component is shown with its value, points
and weight, and the components a customer lacks, or the workspace cannot compute, are named.
Weights are ``[servicelens.health.weights]`` settings. Key accounts (when the catalog marks
them) come first; the at-risk list is the customers scoring below ``at_risk_below`` with at
least ``min_components`` components, key accounts first, lowest score first, each with the
components that cost it most.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from ..data.sql_params import literal as sql_literal
from . import health_parts as hp
from .proactive_query import Evidence, Source, key_dimension, metric_rows, roles_of
from .proactive_rules import HealthRules
from .roles import CustomerKey, Roles

COMPONENTS = ("csat_trend", "nps", "repeat_issues", "sla_misses", "sentiment", "renewal")
# Components that average a customer's records, so need a few of them to say anything.
_SAMPLED = ("csat_trend", "nps", "sla_misses", "sentiment")
_REASONS = {
    "csat_trend": ("satisfaction fell", "满意度下降"),
    "nps": ("low NPS", "净推荐值低"),
    "repeat_issues": ("repeat contacts about the same problem", "同一问题反复联系"),
    "sla_misses": ("cases missed the SLA", "工单未达 SLA"),
    "sentiment": ("negative messages", "负面反馈"),
    "renewal": ("contract renewal at risk", "合同续约有风险"),
}


class Component(BaseModel):
    name: str
    value: float | None  # in the component's own terms (see health_parts)
    points: float | None  # 0..100, 100 = healthy
    weight: float
    records: int = 0
    detail: str = ""


class CustomerHealth(BaseModel):
    customer: str
    name: str | None = None
    key_account: bool = False
    score: float | None  # None: fewer than min_components known
    components: list[Component]
    missing: list[str]  # components this customer has no data for
    reasons: list[str] = Field(default_factory=list)  # the components that cost most, in words
    reasons_zh: list[str] = Field(default_factory=list)
    evidence: Evidence | None = None


class HealthReport(BaseModel):
    as_of: date
    window: dict[str, date]
    weights: dict[str, float]
    scored: int
    distribution: dict[str, int]  # customers per 10-point band of the score
    at_risk: list[CustomerHealth]
    customers: list[CustomerHealth]  # key accounts first, then lowest score first
    missing_inputs: dict[str, str]  # component -> why the workspace cannot compute it
    queries: dict[str, str]  # component -> the SQL behind it
    key_account_marker: str | None  # "segment = key account", when the catalog marks them
    notes: list[str] = Field(default_factory=list)


def customer_health(
    source: Source,
    *,
    as_of: date,
    rules: HealthRules,
    within_days: int = 30,
    top: int = 10,
    limit: int = 200,
) -> HealthReport:
    roles = roles_of(source)
    cust = roles.customer
    if cust is None:
        raise ValueError("No column identifies the customer, so there is no health to score.")
    w = hp.Window.of(rules, as_of)
    parts = _parts(source, roles, cust, w, rules, within_days)
    weights = rules.weights.model_dump()
    people = sorted({c for p in parts for c in p.values})
    names, keys = _who(source, roles, cust, people)
    scored = [_score(c, parts, weights, rules, names, keys) for c in people]
    scored.sort(key=lambda h: (not h.key_account, 101 if h.score is None else h.score))
    risk = [h for h in scored if h.score is not None and h.score < rules.at_risk_below][:top]
    for h in risk:
        h.evidence = _evidence(source, roles, cust, parts, h, w)
    return HealthReport(
        as_of=as_of,
        window={"from": w.start, "to": w.end, "baseline_from": w.base_start},
        weights=weights,
        scored=sum(h.score is not None for h in scored),
        distribution=_bands(scored),
        at_risk=risk,
        customers=scored[:limit],
        missing_inputs={p.name: p.missing for p in parts if p.missing},
        queries={p.name: p.sql for p in parts if p.sql},
        key_account_marker=f"{cust.key_account[0]} = {cust.key_account[1]}"
        if cust.key_account
        else None,
        notes=_notes(cust, len(people), limit),
    )


def _parts(
    source: Source, roles: Roles, cust: CustomerKey, w: hp.Window, rules: HealthRules, within: int
) -> list[hp.Part]:
    return [
        hp.csat_trend(source, roles, cust, w),
        hp.nps(source, roles, cust, w),
        hp.repeat_issues(source, roles, cust, w, within),
        hp.sla_misses(source, roles, cust, w),
        hp.sentiment(source, roles, cust, w),
        hp.renewal(source, roles, cust, w, rules.renewal_days),
    ]


def _score(
    who: str,
    parts: list[hp.Part],
    weights: dict[str, float],
    rules: HealthRules,
    names: dict[str, str],
    keys: set[str],
) -> CustomerHealth:
    comps, missing = [], []
    for p in parts:
        found = p.values.get(who)
        if found is None:
            missing.append(p.name)
            comps.append(Component(name=p.name, value=None, points=None, weight=weights[p.name]))
            continue
        value, points, n, detail = found
        if p.name in _SAMPLED and n < rules.min_records:
            missing.append(p.name)
            comps.append(
                Component(
                    name=p.name,
                    value=None,
                    points=None,
                    weight=weights[p.name],
                    records=n,
                    detail=f"{detail}: too few records",
                )
            )
            continue
        comps.append(
            Component(
                name=p.name,
                value=value,
                points=points,
                weight=weights[p.name],
                records=n,
                detail=detail,
            )
        )
    known = [c for c in comps if c.points is not None and c.weight > 0]
    total = sum(c.weight for c in known)
    score = None
    if len(known) >= rules.min_components and total > 0:
        score = round(sum(c.weight * (c.points or 0) for c in known) / total, 1)
    costly = sorted(
        (c for c in known if (c.points or 0) < 60),
        key=lambda c: -(c.weight * (100 - (c.points or 0))),
    )
    return CustomerHealth(
        customer=who,
        name=names.get(who),
        key_account=who in keys,
        score=score,
        components=comps,
        missing=missing,
        reasons=[f"{_REASONS[c.name][0]}: {c.detail}" for c in costly],
        reasons_zh=[f"{_REASONS[c.name][1]}：{c.detail}" for c in costly],
    )


def _who(
    source: Source, roles: Roles, cust: CustomerKey, people: list[str]
) -> tuple[dict[str, str], set[str]]:
    """Customers' display names and which of them are key accounts."""
    cols = [f"{cust.entity.sql} AS id"]
    if cust.name is not None:
        cols.append(f"{cust.name.sql} AS name")
    if cust.key_account is not None:
        dim = roles.catalog.dimensions[cust.key_account[0]]
        marker = dim.sources.get(cust.entity.table)
        if marker is not None:
            value = cust.key_account[1].replace("'", "''")
            cols.append(f"({marker} = '{value}') AS key_account")
    if len(cols) == 1 or not people:
        return {}, set()
    sql = f"SELECT {', '.join(cols)} FROM {cust.entity.table}"
    rows = source.sql(sql, max_rows=max(len(people) * 4, 100_000)).records()
    names = {str(r["id"]): str(r["name"]) for r in rows if r.get("name") is not None}
    return names, {str(r["id"]) for r in rows if r.get("key_account")}


def _bands(scored: list[CustomerHealth]) -> dict[str, int]:
    bands = {f"{b}-{b + 10}": 0 for b in range(0, 100, 10)}
    for h in scored:
        if h.score is not None:
            b = min(int(h.score // 10) * 10, 90)
            bands[f"{b}-{b + 10}"] += 1
    return bands


def _evidence(
    source: Source,
    roles: Roles,
    cust: CustomerKey,
    parts: list[hp.Part],
    h: CustomerHealth,
    w: hp.Window,
) -> Evidence:
    """The customer's own figures: the SQL of the component that cost most, for them alone."""
    numbers: dict[str, Any] = {c.name: c.value for c in h.components if c.value is not None}
    numbers["score"] = h.score
    worst = next((c.name for c in sorted(h.components, key=_loss) if c.points is not None), None)
    sql = next((p.sql for p in parts if p.name == worst), "")
    metric = {
        "csat_trend": roles.csat_metric(),
        "nps": roles.nps_metric(),
        "sentiment": roles.negative_share_metric(),
    }.get(worst or "")
    if metric is not None:
        dim = key_dimension(hp.CUSTOMER, cust.by_table)
        start = w.base_start if worst == "csat_trend" else w.start
        sql = metric_rows(
            source, roles.catalog, [metric], [dim], start, w.end, where={hp.CUSTOMER: [h.customer]}
        ).sql
    elif sql:
        # The component's query over every customer, narrowed to this one's row.
        column = hp.CUSTOMER if worst == "sla_misses" else "customer"
        who = sql_literal(h.customer)
        sql = f"SELECT * FROM ({sql}) AS e WHERE CAST(e.{column} AS VARCHAR) = {who}"
    return Evidence(sql=sql, table=cust.entity.table, ids=[h.customer], numbers=numbers)


def _loss(c: Component) -> float:
    return -(c.weight * (100 - (c.points if c.points is not None else 100)))


def _notes(cust: CustomerKey, people: int, limit: int) -> list[str]:
    out = []
    if cust.key_account is None:
        out.append("The catalog marks no key accounts, so none are listed first.")
    if people > limit:
        out.append(
            f"{people:,} customers scored; the {limit} listed are key accounts first, "
            "then the lowest scores."
        )
    return out
