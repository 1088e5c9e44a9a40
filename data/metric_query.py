"""The metric compiler: (metrics, group-by, filters, period, comparison) -> ONE SQL query.

Metrics are grouped by grain (base table, time column, row filter); each grain becomes one CTE
per period that aggregates its metrics by the requested dimensions, reached through the
catalog's many-to-one joins. The CTEs are joined on the group keys, and delta and percent change
are computed in SQL, rounded to each metric's decimals, so the rows are exactly what a person or
the model is shown. User values (filters, dates, limit) are always bound parameters; only
identifiers and SQL from the validated catalog are written into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from .catalog import Catalog, Dimension, Metric, UnknownNameError, key
from .duck import q
from .errors import ServiceLensError
from .periods import Period

Compare = Literal["previous", "year_ago"]
_MAX_ITEMS = 12


class MetricQueryError(ServiceLensError, ValueError):
    """A request the catalog cannot answer as asked (not combinable, compare without period)."""


@dataclass
class MetricRequest:
    metrics: list[str]
    group_by: list[str] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)  # dimension -> value or values
    period: Period | None = None
    compare: Compare | None = None
    order_by: str | None = None
    limit: int | None = None
    # Dimension -> value or values the rows must NOT have ("not hotels", "不算酒店"); rows
    # without a value are kept, unless "" (no value) is among those left out.
    exclude: dict[str, Any] = field(default_factory=dict)


@dataclass
class Grain:
    """Metrics that aggregate the same rows: one base table, time column and row filter."""

    table: str
    time_column: str | None
    row_filter: str | None
    metrics: list[Metric]
    count_column: str


@dataclass
class CompiledQuery:
    sql: str
    params: list[Any]
    metrics: list[Metric]
    group_by: list[str]
    filters: dict[str, list[Any]]
    period: Period | None
    comparison: Period | None
    compare: Compare | None
    columns: list[str]
    exclude: dict[str, list[Any]] = field(default_factory=dict)


def compile_request(catalog: Catalog, request: MetricRequest) -> CompiledQuery:
    metrics = _unique([catalog.metric(m) for m in request.metrics], "metrics")
    dims = _unique([catalog.dimension(d) for d in request.group_by], "group_by")
    filters = _resolve_filters(catalog, request.filters)
    exclude = _resolve_filters(catalog, request.exclude, blank=True)
    comparison = _comparison(request, dims)
    periods: list[Period | None] = [p for p in (request.period, comparison) if p is not None]
    periods = periods or [None]
    grains = _grains(catalog, metrics)
    ctes: list[str] = []
    params: list[Any] = []
    for gi, grain in enumerate(grains):
        for pi, period in enumerate(periods):
            sql, p = _grain_cte(catalog, grain, dims, filters, period, exclude)
            ctes.append(f"{_cte_name(gi, pi)} AS (\n{sql}\n)")
            params += p
    calendar = _calendar_keys(catalog, grains, dims, request.period if comparison is None else None)
    select, columns = _final_select(grains, dims, len(periods) == 2, calendar)
    tail, tail_params = _order_limit(catalog, request, dims, columns)
    sql = "WITH " + ",\n".join(ctes) + "\n" + select + tail
    return CompiledQuery(
        sql=sql,
        params=params + tail_params,
        metrics=metrics,
        group_by=[d.name for d in dims],
        filters={d.name: values for d, values in filters},
        period=request.period,
        comparison=comparison,
        compare=request.compare,
        columns=columns,
        exclude={d.name: values for d, values in exclude},
    )


def _unique(items: list[Any], what: str) -> list[Any]:
    if what == "metrics" and not items:
        raise MetricQueryError("Name at least one metric.")
    if len(items) > _MAX_ITEMS:
        raise MetricQueryError(f"At most {_MAX_ITEMS} {what} per query.")
    return list({item.name: item for item in items}.values())


def _resolve_filters(
    catalog: Catalog, filters: dict[str, Any], *, blank: bool = False
) -> list[tuple[Dimension, list[Any]]]:
    """Each dimension with its values as the data holds them; with ``blank``, "" stands for
    no value at all (rows left out when it is among the values excluded)."""
    out: dict[str, tuple[Dimension, list[Any]]] = {}
    for name, raw in filters.items():
        dim = catalog.dimension(name)
        values = [raw] if isinstance(raw, str | int | float | bool) else list(raw)
        if not values:
            raise MetricQueryError(f"The filter on {dim.name} lists no values.")
        resolved = list(
            dict.fromkeys(v if blank and v == "" else dim.resolve_value(v) for v in values)
        )
        previous = out.get(dim.name, (dim, []))[1]
        out[dim.name] = (dim, list(dict.fromkeys(previous + resolved)))
    return list(out.values())


def _comparison(request: MetricRequest, dims: list[Dimension]) -> Period | None:
    if request.compare is None:
        return None
    if request.period is None:
        raise MetricQueryError("A comparison needs a period; say which period to compare.")
    # Calendar buckets (month, quarter) differ between the two periods, so rows would not pair
    # up; cyclic ones (weekday, hour) do, and are allowed.
    time_dims = [d.name for d in dims if d.kind == "time"]
    if time_dims:
        raise MetricQueryError(
            f"Compare cannot be combined with grouping by {time_dims[0]}; group by "
            f"{time_dims[0]} over a longer period to see the trend instead."
        )
    if request.compare == "year_ago":
        return request.period.year_ago()
    return request.period.previous()


def _grains(catalog: Catalog, metrics: list[Metric]) -> list[Grain]:
    grains: dict[tuple[str, str | None, str | None], Grain] = {}
    seen_tables: set[str] = set()
    for metric in metrics:
        gkey = (metric.table, catalog.time_column(metric), metric.filter_sql)
        if gkey not in grains:
            # The first grain of a table counts its rows as n_<table>; others by their metric.
            label = metric.table if metric.table not in seen_tables else metric.name
            seen_tables.add(metric.table)
            grains[gkey] = Grain(*gkey, metrics=[], count_column=f"n_{label}")
        grains[gkey].metrics.append(metric)
    return list(grains.values())


def dimension_sql(catalog: Catalog, dim: Dimension, grain: Grain, joins: dict[str, str]) -> str:
    """The SQL of ``dim`` seen from ``grain``'s base table; adds the joins it needs."""
    if dim.from_time:
        if grain.time_column is None:
            raise MetricQueryError(f"{grain.table} has no time column to group by {dim.name}.")
        return (dim.spec.time or "").replace("{time}", f"{grain.table}.{grain.time_column}")
    alongside = catalog.held_alongside(grain.table, dim)
    if alongside is not None:
        return alongside
    best: tuple[int, str, list[Any]] | None = None
    for table, sql in dim.sources.items():
        path = catalog.join_path(grain.table, table)
        if path is not None and (best is None or len(path) < best[0]):
            best = (len(path), sql, path)
    if best is None:
        names = ", ".join(m.name for m in grain.metrics)
        raise MetricQueryError(
            f"{names} (measured on {grain.table}) cannot be broken down or filtered by "
            f"{dim.name}; query {dim.name} with metrics of {', '.join(dim.sources)} instead."
        )
    for join in best[2]:
        joins.setdefault(join.to_table, f"LEFT JOIN {join.to_table} ON {join.on()}")
    return best[1]


def _grain_cte(
    catalog: Catalog,
    grain: Grain,
    dims: list[Dimension],
    filters: list[tuple[Dimension, list[Any]]],
    period: Period | None,
    exclude: list[tuple[Dimension, list[Any]]] | None = None,
) -> tuple[str, list[Any]]:
    joins: dict[str, str] = {}
    select = [f"  {dimension_sql(catalog, d, grain, joins)} AS {q(d.name)}" for d in dims]
    select += [f"  {m.expr} AS {q(m.name)}" for m in grain.metrics]
    select.append(f"  COUNT(*) AS {q(grain.count_column)}")
    where, params = _where(catalog, grain, filters, period, joins, exclude or [])
    sql = "SELECT\n" + ",\n".join(select) + f"\nFROM {grain.table}"
    sql += "".join(f"\n{j}" for j in joins.values())
    sql += "\nWHERE " + "\n  AND ".join(where)
    return sql + ("\nGROUP BY ALL" if dims else ""), params


def _where(
    catalog: Catalog,
    grain: Grain,
    filters: list[tuple[Dimension, list[Any]]],
    period: Period | None,
    joins: dict[str, str],
    exclude: list[tuple[Dimension, list[Any]]],
) -> tuple[list[str], list[Any]]:
    where, params = ["TRUE"], []
    if period is not None:
        if grain.time_column is None:
            raise MetricQueryError(f"{grain.table} has no time column, so it cannot take a period.")
        column = f"{grain.table}.{grain.time_column}"
        where.append(f"{column} >= ? AND {column} < ?")
        params += [period.start, period.end]
    if grain.row_filter:
        where.append(f"({grain.row_filter})")
    for dim, values in filters:
        sql = dimension_sql(catalog, dim, grain, joins)
        where.append(f"{sql} IN ({', '.join('?' for _ in values)})")
        params += values
    for dim, values in exclude:
        sql = dimension_sql(catalog, dim, grain, joins)
        given = [v for v in values if v != ""]
        listed = f"{sql} NOT IN ({', '.join('?' for _ in given)})" if given else "TRUE"
        if "" in values:  # the rows with no value are left out too
            where.append(f"({sql} IS NOT NULL AND trim(CAST({sql} AS VARCHAR)) <> '' AND {listed})")
        else:
            where.append(f"({sql} IS NULL OR {listed})")
        params += given
    return where, params


def _cte_name(grain_index: int, period_index: int) -> str:
    return f"g{grain_index}_{'cur' if period_index == 0 else 'cmp'}"


def _final_select(
    grains: list[Grain], dims: list[Dimension], compare: bool, calendar: str = ""
) -> tuple[str, list[str]]:
    names = [_cte_name(g, p) for g in range(len(grains)) for p in range(2 if compare else 1)]
    cols = [f"k.{q(d.name)}" for d in dims]
    columns = [d.name for d in dims]
    for gi, grain in enumerate(grains):
        cur, cmp = _cte_name(gi, 0), _cte_name(gi, 1)
        for m in grain.metrics:
            exprs = _metric_columns(m, cur, cmp if compare else None)
            cols += [f"{sql} AS {q(name)}" for name, sql in exprs]
            columns += [name for name, _ in exprs]
        n = grain.count_column
        cols.append(f"COALESCE({cur}.{q(n)}, 0) AS {q(n)}")
        columns.append(n)
        if compare:
            cols.append(f"COALESCE({cmp}.{q(n)}, 0) AS {q(n + '_prev')}")
            columns.append(n + "_prev")
    sql = "SELECT " + ", ".join(cols) + "\n" + _from_clause(names, dims, calendar)
    return sql, columns


def _metric_columns(m: Metric, cur: str, cmp: str | None) -> list[tuple[str, str]]:
    def value(cte: str) -> str:
        raw = f"{cte}.{q(m.name)}"
        return f"COALESCE({raw}, 0)" if m.unit == "count" else raw

    d = m.decimals
    out = [(m.name, f"ROUND({value(cur)}, {d})")]
    if cmp is None:
        return out
    now, before = value(cur), value(cmp)
    out.append((f"{m.name}_prev", f"ROUND({before}, {d})"))
    out.append((f"{m.name}_delta", f"ROUND({now} - {before}, {d})"))
    pct = f"100.0 * ({now} - {before}) / NULLIF(ABS({before}), 0)"
    out.append((f"{m.name}_pct_change", f"ROUND({pct}, 1)"))
    return out


def _calendar_keys(
    catalog: Catalog, grains: list[Grain], dims: list[Dimension], period: Period | None
) -> str:
    """ "Month by month from September to December": the months (quarters, weeks, days) of a
    period named that the table's records span, as keys of their own, so that one with no
    record of the slice shows a count of 0 instead of being left out. Only for counts (a rate
    has no value there) over one calendar grouping of a table in the DuckDB file (a live
    source's dialect has no such series); empty otherwise."""
    if period is None or period.open_start or len(dims) != 1 or len(grains) != 1:
        return ""
    if catalog.tables[grains[0].table].source is not None:
        return ""
    template = dims[0].spec.time or ""
    grain = grains[0]
    if "{time}" not in template or not re.search(r"%Y|year\(|date_trunc", template):
        return ""
    if grain.time_column is None or any(m.unit != "count" for m in grain.metrics):
        return ""
    column = f"{grain.table}.{grain.time_column}"
    spans = (
        f"SELECT greatest(DATE '{period.start.isoformat()}', CAST(min({column}) AS DATE)) AS a, "
        f"least(DATE '{(period.end - timedelta(days=1)).isoformat()}', "
        f"CAST(max({column}) AS DATE)) AS b FROM {grain.table}"
    )
    day = "CAST(d.day AS TIMESTAMP)"
    key = template.replace("{time}", day)
    return (
        f"SELECT DISTINCT {key} AS {q(dims[0].name)} FROM ({spans}) AS s, "
        f"LATERAL (SELECT unnest(generate_series(s.a, s.b, INTERVAL 1 DAY)) AS day) AS d "
        f"WHERE s.a <= s.b"
    )


def _from_clause(names: list[str], dims: list[Dimension], calendar: str = "") -> str:
    if not dims:
        # Aggregates without GROUP BY return exactly one row each, so a cross join lines them up.
        return "FROM " + " CROSS JOIN ".join(names)
    keys = ", ".join(q(d.name) for d in dims)
    selects = [f"SELECT {keys} FROM {n}" for n in names] + ([calendar] if calendar else [])
    union = "\nUNION ".join(selects)
    sql = f"FROM ({union}) AS k"
    for n in names:
        on = " AND ".join(f"{n}.{q(d.name)} IS NOT DISTINCT FROM k.{q(d.name)}" for d in dims)
        sql += f"\nLEFT JOIN {n} ON {on}"
    return sql


def _order_limit(
    catalog: Catalog, request: MetricRequest, dims: list[Dimension], columns: list[str]
) -> tuple[str, list[Any]]:
    order = [f"{q(d.name)} ASC NULLS LAST" for d in dims]
    if request.order_by:
        order = [_order_term(catalog, request.order_by, columns), *order]
    sql = "\nORDER BY " + ", ".join(order) if order else ""
    if request.limit is None:
        return sql, []
    if not 1 <= int(request.limit) <= 10_000:
        raise MetricQueryError("limit must be between 1 and 10000.")
    return sql + "\nLIMIT ?", [int(request.limit)]


def _order_term(catalog: Catalog, order_by: str, columns: list[str]) -> str:
    text = order_by.strip()
    desc = text.startswith("-") or key(text).endswith(" desc")
    name = text.lstrip("-+").strip()
    for suffix in (" desc", " asc", " DESC", " ASC"):
        name = name.removesuffix(suffix)
    if name not in columns:
        name = _canonical_column(catalog, name, columns)
    return f"{q(name)} {'DESC' if desc else 'ASC'} NULLS LAST"


def _canonical_column(catalog: Catalog, name: str, columns: list[str]) -> str:
    for lookup in (catalog.metric, catalog.dimension):
        try:
            canonical = lookup(name).name
        except UnknownNameError:
            continue
        if canonical in columns:
            return canonical
    raise UnknownNameError("order_by column", name, [c for c in columns if key(name) in c][:3])
