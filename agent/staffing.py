"""Staffing: agents needed each hour of next week for a target service level (Erlang C).

Arrivals per hour are the forecast of next week's volume (``forecast``: the catalog's count
metric, Holt-Winters with intervals) spread over weekdays and hours as the last
``history_weeks`` full weeks were. Handling time is the catalog's handling-time metric where
it has one, else ``[servicelens.staffing] handle_minutes`` (and the report says which).
``erlang`` turns each hour's arrivals into agents. The proposal compares each hour with a flat
roster — ``staffed`` agents, by default the median need over the open hours (those with at
least a quarter of the busiest hour's arrivals) — and names the runs of hours that need more:
"add two agents Thu 14:00–17:00 to answer 80% within 20 s".
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, Field

from ..data.catalog import Metric
from .erlang import agents_needed
from .forecast import ForecastReport
from .proactive_query import Evidence, Source, metric_rows, roles_of, time_dimension
from .proactive_rules import StaffingRules
from .warn_sla import DAYS, DAYS_ZH
from .warning_types import Text


class Forecaster(Source, Protocol):
    def forecast(
        self,
        metric: str,
        *,
        where: Mapping[str, Any] | None = None,
        horizon: int | None = None,
        grain: str = "week",
    ) -> ForecastReport: ...


class HourNeed(BaseModel):
    weekday: int  # ISO: 1 = Monday
    hour: int
    arrivals: float  # forecast contacts in the hour
    traffic: float  # erlangs
    agents: int  # on shift, after shrinkage
    service_level: float
    asa_seconds: float
    occupancy: float


class Proposal(BaseModel):
    weekday: int
    start_hour: int
    end_hour: int  # exclusive
    add: int
    text: Text


class StaffingReport(BaseModel):
    kind: str = "forecast"  # every figure rests on a forecast, not on actual data
    metric: str
    filters: dict[str, list[Any]]
    week_of: date
    weekly_forecast: float
    weekly_interval_80: tuple[float, float]
    model: str
    handle_minutes: float
    handle_source: str
    target: float
    within_seconds: float
    shrinkage: float
    max_occupancy: float
    staffed: int  # the flat roster the proposals add to
    staffed_source: str
    hours: list[HourNeed]
    proposals: list[Proposal]
    evidence: Evidence
    notes: list[str] = Field(default_factory=list)


def staffing_plan(
    source: Forecaster,
    *,
    as_of: date,
    rules: StaffingRules,
    metric: str | None = None,
    where: Mapping[str, Any] | None = None,
    staffed: int | None = None,
) -> StaffingReport:
    roles = roles_of(source)
    m = _count_metric(roles.catalog, metric)
    report = source.forecast(m.name, where=where, horizon=2, grain="week")
    series = report.series[0]
    week = next((f for f in series.forecast if f.start >= as_of), series.forecast[-1])
    shares, sql = _profile(source, roles, m, where, as_of, rules.history_weeks)
    minutes, handle_source = _handle_minutes(source, roles, rules, as_of)
    hours = [_need(d, h, week.forecast * s, minutes, rules) for (d, h), s in shares.items()]
    hours.sort(key=lambda x: (x.weekday, x.hour))
    flat = staffed if staffed is not None else _flat(hours)
    return StaffingReport(
        metric=m.name,
        filters=dict(report.filters),
        week_of=week.start,
        weekly_forecast=round(week.forecast, 1),
        weekly_interval_80=(round(week.lower_80, 1), round(week.upper_80, 1)),
        model=series.model,
        handle_minutes=minutes,
        handle_source=handle_source,
        target=rules.target,
        within_seconds=rules.within_seconds,
        shrinkage=rules.shrinkage,
        max_occupancy=rules.max_occupancy,
        staffed=flat,
        staffed_source="given" if staffed is not None else FLAT,
        hours=hours,
        proposals=_proposals(hours, flat, rules),
        evidence=Evidence(
            sql=sql,
            table=m.table,
            numbers={
                "weekly_forecast": round(week.forecast, 1),
                "history_weeks": rules.history_weeks,
            },
        ),
        notes=_notes(handle_source, minutes),
    )


FLAT = "the median need over the open hours"


def _flat(hours: list[HourNeed]) -> int:
    """The roster a plain schedule would give every open hour: the median need over the hours
    carrying at least a quarter of the busiest hour's arrivals."""
    peak = max((x.arrivals for x in hours), default=0.0)
    open_ = [x.agents for x in hours if peak > 0 and x.arrivals >= peak / 4]
    return int(statistics.median(open_)) if open_ else 0


def _count_metric(catalog: Any, name: str | None) -> Metric:
    if name is not None:
        m = catalog.metric(name)
        if m.unit != "count":
            raise ValueError(f"{m.name} is not a count of contacts; pick a count metric.")
        return m
    counts = [
        catalog.metrics[n]
        for n in [*catalog.spec.headline, *catalog.metrics]
        if n in catalog.metrics
        and catalog.metrics[n].unit == "count"
        and catalog.time_column(catalog.metrics[n])
    ]
    if not counts:
        raise ValueError("The catalog has no dated count metric to forecast arrivals from.")
    return counts[0]


def _profile(
    source: Source,
    roles: Any,
    m: Metric,
    where: Mapping[str, Any] | None,
    as_of: date,
    weeks: int,
) -> tuple[dict[tuple[int, int], float], str]:
    """Each weekday-hour's share of the week's arrivals over the last full weeks."""
    end = as_of - timedelta(days=as_of.weekday())
    start = end - timedelta(weeks=weeks)
    extra = [
        time_dimension("sl_weekday", "isodow({time})"),
        time_dimension("sl_hour", "hour({time})"),
    ]
    filters = {k: v if isinstance(v, list) else [v] for k, v in (where or {}).items()}
    result = metric_rows(source, roles.catalog, [m], extra, start, end, where=filters)
    counts = {
        (int(r["sl_weekday"]), int(r["sl_hour"])): float(r[m.name] or 0)
        for r in result.records()
        if r.get("sl_weekday") is not None
    }
    total = sum(counts.values())
    if total <= 0:
        raise ValueError(f"No {m.table} records in the {weeks} weeks before {as_of}.")
    return {k: v / total for k, v in counts.items()}, result.sql


def _handle_minutes(
    source: Source, roles: Any, rules: StaffingRules, as_of: date
) -> tuple[float, str]:
    m = roles.handle_time_metric()
    if m is None:
        return rules.handle_minutes, "setting"
    start = as_of - timedelta(weeks=rules.history_weeks)
    rows = metric_rows(source, roles.catalog, [m], [], start, as_of).records()
    value = rows[0].get(m.name) if rows else None
    if value is None:
        return rules.handle_minutes, "setting"
    per = {"seconds": 1 / 60, "minutes": 1.0, "hours": 60.0}[m.unit]
    return round(float(value) * per, 2), f"metric {m.name}"


def _need(day: int, hour: int, arrivals: float, minutes: float, rules: StaffingRules) -> HourNeed:
    s = agents_needed(
        arrivals,
        minutes * 60,
        target=rules.target,
        within_s=rules.within_seconds,
        shrinkage=rules.shrinkage,
        max_occupancy=rules.max_occupancy,
    )
    return HourNeed(
        weekday=day,
        hour=hour,
        arrivals=round(arrivals, 2),
        traffic=round(s.traffic, 3),
        agents=s.agents,
        service_level=round(s.service_level, 4),
        asa_seconds=round(s.asa_seconds, 1),
        occupancy=round(s.occupancy, 3),
    )


def _proposals(hours: list[HourNeed], flat: int, rules: StaffingRules) -> list[Proposal]:
    out: list[Proposal] = []
    for day in range(1, 8):
        run: list[HourNeed] = []
        for x in [h for h in hours if h.weekday == day] + [None]:
            extra = (
                x is not None
                and x.agents > flat
                and (not run or (x.hour == run[-1].hour + 1 and x.agents == run[-1].agents))
            )
            if extra and x is not None:
                run.append(x)
                continue
            if run:
                out.append(_proposal(run, flat, rules))
            run = [x] if x is not None and x.agents > flat else []
    out.sort(key=lambda p: (-p.add, p.weekday, p.start_hour))
    return out


def _proposal(run: list[HourNeed], flat: int, rules: StaffingRules) -> Proposal:
    add, day = run[0].agents - flat, run[0].weekday
    span = f"{run[0].hour:02d}:00–{run[-1].hour + 1:02d}:00"
    share, wait = f"{rules.target:.0%}", f"{rules.within_seconds:g} s"
    word = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}.get(add, str(add))
    return Proposal(
        weekday=day,
        start_hour=run[0].hour,
        end_hour=run[-1].hour + 1,
        add=add,
        text=Text(
            en=f"add {word} agent{'s' if add > 1 else ''} {DAYS[day - 1]} {span} to answer "
            f"{share} within {wait}",
            zh=f"{DAYS_ZH[day - 1]} {span} 增加 {add} 名坐席，以保证 {share} 在 {wait} 内接通",
        ),
    )


def _notes(source: str, minutes: float) -> list[str]:
    out = ["Arrivals are a forecast, spread over the week as recent weeks were."]
    if source == "setting":
        out.append(
            f"The data hold no handling time; {minutes:g} minutes per contact comes from the "
            "settings ([servicelens.staffing] handle_minutes, or --aht)."
        )
    return out
