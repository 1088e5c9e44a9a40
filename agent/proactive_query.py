"""The queries behind early warnings, customer health and staffing, and the evidence they leave.

Every query goes through the library's guarded ``sql`` (read-only, catalog tables only), so
the SQL in a warning's evidence is exactly what ran and anyone can run it again. Catalog
metrics are compiled by the metric tool's own compiler, with extra groupings where a finding
needs one the catalog does not name (a customer, a time window, an hour slot), so a figure is
computed from the same definition as everywhere else.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, Field

from ..data.catalog import Catalog, Dimension, DimensionSpec, Metric
from ..data.duck import q
from ..data.metric_query import MetricRequest, compile_request
from ..data.period_types import explicit_range
from ..data.sql_params import inline_params, literal
from .results import TableResult
from .roles import Roles

Number = float | int | str | None
MAX_IDS = 20


class Evidence(BaseModel):
    """What a finding rests on: the query, the records behind it and its figures."""

    sql: str
    table: str | None = None
    ids: list[str] = Field(default_factory=list)  # keys of the records behind it
    feedback_ids: list[str] = Field(default_factory=list)  # "V:<id>", as answers cite them
    more_ids: int = 0  # records behind it beyond those listed
    ids_sql: str | None = None  # the query that listed the ids, when not ``sql`` itself
    other_sql: list[str] = Field(default_factory=list)  # queries behind its other figures
    numbers: dict[str, Number] = Field(default_factory=dict)


class Source(Protocol):
    """What the proactive features need of an analyst: the catalog and guarded SQL."""

    @property
    def catalog(self) -> Catalog | None: ...

    def sql(self, query: str, *, max_rows: int | None = None) -> TableResult: ...


def roles_of(source: Source) -> Roles:
    """The catalog's roles, with each table's column types read through the guard."""
    catalog = source.catalog
    if catalog is None:
        raise ValueError("The workspace has no catalog yet; ingest data first.")
    types: dict[str, dict[str, str]] = {}
    for table, spec in catalog.tables.items():
        cols = ", ".join(f"typeof({q(c)}) AS {q(c)}" for c in spec.columns)
        result = source.sql(f"SELECT {cols} FROM {q(table)} LIMIT 1", max_rows=1)
        row = result.rows[0] if result.rows else [""] * len(result.columns)
        types[table] = {c: str(v) for c, v in zip(result.columns, row, strict=True)}
    return Roles(catalog, types)


def day(value: date) -> str:
    return literal(value)


def stamp(value: date) -> str:
    return f"TIMESTAMP '{value.isoformat()} 00:00:00'"


def ids_of(rows: list[dict[str, Any]], key: str, limit: int = MAX_IDS) -> tuple[list[str], int]:
    found = [str(r[key]) for r in rows if r.get(key) is not None]
    return found[:limit], max(0, len(found) - limit)


def time_dimension(name: str, sql: str) -> Dimension:
    """A grouping computed from each metric's own time column (``{time}`` in ``sql``)."""
    return Dimension(name, DimensionSpec(en=name, kind="time", time=sql), {})


def key_dimension(name: str, by_table: dict[str, str]) -> Dimension:
    """A grouping by a column the catalog has no dimension for (a customer's key)."""
    return Dimension(name, DimensionSpec(en=name, sources=dict(by_table)), dict(by_table))


def window_dimension(name: str, edges: list[tuple[str, date]]) -> Dimension:
    """Labels for consecutive windows: each label holds the times from its date to the next
    label's date (the last label to the end of the queried period)."""
    cases = " ".join(
        f"WHEN {{time}} >= {stamp(start)} THEN '{label}'" for label, start in reversed(edges)
    )
    return time_dimension(name, f"CASE {cases} END")


def metric_rows(
    source: Source,
    catalog: Catalog,
    metrics: list[Metric],
    extra: list[Dimension],
    start: date,
    end: date,
    *,
    by: tuple[str, ...] = (),
    where: dict[str, list[Any]] | None = None,
    max_rows: int = 10_000,
) -> TableResult:
    """``metrics`` over [start, end), grouped by catalog dimensions ``by`` and the ``extra``
    groupings, filtered ``where``, as the metric tool computes them (metrics the catalog does
    not hold are compiled alongside); the SQL with its values written in."""
    dims = {**catalog.dimensions, **{d.name: d for d in extra}}
    extended = Catalog(catalog.spec, {**catalog.metrics, **{m.name: m for m in metrics}}, dims)
    compiled = compile_request(
        extended,
        MetricRequest(
            metrics=[m.name for m in metrics],
            group_by=[*by, *(d.name for d in extra)],
            filters=dict(where or {}),
            period=explicit_range(start, end - timedelta(days=1), "window"),
        ),
    )
    return source.sql(inline_params(compiled.sql, compiled.params), max_rows=max_rows)


_AVG = re.compile(r"^\s*AVG\((?P<x>.+)\)\s*(/\s*(?P<k>[0-9.]+))?\s*$", re.I | re.S)


def per_record(metric: Metric) -> tuple[str, float] | None:
    """For a metric that is a mean of one value per record (``AVG(x)`` or ``AVG(x) / k``,
    ``100.0 * AVG(x)``): that value's SQL and the factor the mean is multiplied by."""
    expr = metric.expr.strip()
    factor = 1.0
    scaled = re.match(r"^\s*100(\.0*)?\s*\*\s*(?P<rest>AVG\(.+\))\s*$", expr, re.I | re.S)
    if scaled:
        expr, factor = scaled.group("rest"), 100.0
    found = _AVG.match(expr)
    if found is None or not _balanced(found.group("x")):
        return None
    if found.group("k"):
        factor /= float(found.group("k"))
    return found.group("x"), factor


def _balanced(sql: str) -> bool:
    depth = 0
    for ch in sql:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def ad_hoc_metric(base: Metric, name: str, expr: str, unit: str = "value") -> Metric:
    """A metric over ``base``'s records and row filter with another aggregate (a variance,
    a count of values) that the catalog does not name."""
    spec = base.spec.model_copy(
        update={"en": name, "zh": "", "aliases": [], "expr": expr, "unit": unit, "decimals": 6}
    )
    return Metric(name, spec, expr, base.filter_sql)


def count_column(metric: Metric) -> str:
    """The column of a metric result that counts the records behind each value."""
    return f"n_{metric.table}"
