"""The catalog's parts: its YAML spec models and the validated ``Catalog``, ``Metric`` and
``Dimension`` with lookups by name or alias. ``catalog`` loads them; import from there."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import DataError, ServiceLensError

Direction = Literal["higher_is_better", "lower_is_better", "neutral"]
DimensionKind = Literal["category", "boolean", "number", "time"]
# What a column stands for, when its name does not say it (read by agent/roles.py).
ColumnRole = Literal[
    "customer",
    "customer_name",
    "reach",
    "responded_at",
    "responded",
    "text",
    "product",
    "contract_end",
    "renewed",
]
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
# The feedback table every source's texts are gathered in, and its row id.
FEEDBACK_TABLE, FEEDBACK_ID = "voc", "voc_id"


class UnknownNameError(ServiceLensError, LookupError):
    """A metric, dimension or value the catalog does not know; carries close matches."""

    def __init__(self, kind: str, name: str, suggestions: list[str], hint: str = "") -> None:
        self.kind, self.name, self.suggestions = kind, name, suggestions
        close = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown {kind} {name!r}.{close}{hint}")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ColumnSpec(_Spec):
    description: str = ""
    unit: str | None = None
    # What the column stands for when its name does not say it: the early warnings and
    # customer health read roles from here before they look at names and descriptions.
    role: ColumnRole | None = None


class TableSpec(_Spec):
    description: str = ""
    time_column: str | None = None
    # The live source (``servicelens connect NAME``) the table lives in; None: the DuckDB file.
    source: str | None = None
    columns: dict[str, ColumnSpec]


class JoinSpec(_Spec):
    # Many-to-one: each row of ``from`` matches at most one row of ``to``, so joining never
    # multiplies the rows a metric aggregates.
    from_: str = Field(alias="from", pattern=r"^\w+\.\w+$")
    to: str = Field(pattern=r"^\w+\.\w+$")

    @property
    def from_table(self) -> str:
        return self.from_.split(".")[0]

    @property
    def to_table(self) -> str:
        return self.to.split(".")[0]

    def on(self) -> str:
        return f"{self.from_} = {self.to}"


class DimensionSpec(_Spec):
    en: str
    zh: str = ""
    aliases: list[str] = []
    kind: DimensionKind = "category"
    description: str = ""
    # Table -> column or SQL expression over that table, in order of preference.
    sources: dict[str, str] = {}
    # Time dimensions: SQL over the metric's own time column, written as {time}.
    time: str | None = None
    # Canonical value -> aliases (English, Chinese, abbreviations).
    values: dict[str, list[str]] | None = None
    # Another dimension holding each value's display name (an engineer's name for the id):
    # results grouped by this dimension carry it, and answers show it.
    label: str | None = None


class MetricSpec(_Spec):
    en: str
    zh: str = ""
    aliases: list[str] = []
    table: str
    expr: str
    filter: str | None = None
    time_column: str | None = None
    unit: str
    scale: str | None = None
    direction: Direction
    decimals: int | None = Field(None, ge=0, le=6)
    definition: str

    @field_validator("unit")
    @classmethod
    def _unit_known(cls, unit: str) -> str:
        if not unit.strip():
            raise ValueError("unit must not be empty")
        return unit


class CatalogSpec(_Spec):
    version: int = 1
    name: str = "catalog"
    description: str = ""
    tables: dict[str, TableSpec]
    joins: list[JoinSpec] = []
    dimensions: dict[str, DimensionSpec] = {}
    metrics: dict[str, MetricSpec]
    # The metrics that say how the service is doing, most important first: what an analysis
    # looks at when the question names none ("what changed?", a strategy document).
    headline: list[str] = []
    # Dimensions that usually say where a metric's move sits, most telling first.
    splits: list[str] = []
    # What a question naming no period covers when it asks no change or trend: "all" (every
    # date in the data: an export looked back on) or "last quarter" (a service run day by day,
    # whose managers ask how it is doing now). Changes always compare the latest full quarter
    # with the one before.
    default_period: Literal["all", "last quarter"] = "all"


def key(text: str) -> str:
    """Normalised lookup key: case, spaces, hyphens and underscores do not matter."""
    return re.sub(r"[\s_\-]+", " ", str(text).strip().lower())


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(name, list(candidates), n=n, cutoff=0.5)


_DEFAULT_DECIMALS = {"%": 1, "hours": 1, "days": 1, "CNY": 0, "count": 0, "score": 2}


class Metric:
    """A validated metric: its spec plus SQL with every column qualified by its table."""

    def __init__(self, name: str, spec: MetricSpec, expr: str, filter_sql: str | None) -> None:
        self.name, self.spec = name, spec
        self.expr, self.filter_sql = expr, filter_sql

    @property
    def table(self) -> str:
        return self.spec.table

    @property
    def unit(self) -> str:
        return self.spec.unit

    @property
    def direction(self) -> Direction:
        return self.spec.direction

    @property
    def decimals(self) -> int:
        if self.spec.decimals is not None:
            return self.spec.decimals
        return _DEFAULT_DECIMALS.get(self.unit, 2)

    def summary(self) -> dict[str, Any]:
        out = {"name": self.name, "en": self.spec.en, "zh": self.spec.zh, "unit": self.unit}
        out |= {"direction": self.direction, "table": self.table}
        if self.spec.scale:
            out["scale"] = self.spec.scale
        return out | {"definition": self.spec.definition}


class Dimension:
    """A validated dimension: where it lives per table and its value aliases."""

    def __init__(self, name: str, spec: DimensionSpec, sources: dict[str, str]) -> None:
        self.name, self.spec, self.sources = name, spec, sources
        self._values: dict[str, str] = {}
        for canonical, aliases in (spec.values or {}).items():
            for alias in [canonical, *aliases]:
                self._values.setdefault(key(alias), canonical)

    @property
    def kind(self) -> DimensionKind:
        return self.spec.kind

    @property
    def from_time(self) -> bool:
        """Computed from each metric's own time column (month, weekday, hour)."""
        return self.spec.time is not None

    @property
    def hour_of_day(self) -> bool:
        """The hour of the day a record's time falls in (0-23)."""
        return (self.spec.time or "").startswith("hour(")

    @property
    def values(self) -> list[str] | None:
        return list(self.spec.values) if self.spec.values is not None else None

    def resolve_value(self, value: object) -> Any:
        """The canonical value for a user's value or alias; unknown values raise."""
        text = str(value).strip()
        if self.kind == "boolean":
            return _boolean(self.name, text)
        if self.kind == "number":
            try:
                return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
            except ValueError:
                raise UnknownNameError(f"{self.name} value", text, [], " Use a number.") from None
        if self.spec.values is None:
            return text
        found = self._values.get(key(text))
        if found is None:
            hint = f" Known values: {', '.join(self.spec.values)}."
            near = [self._values[k] for k in closest(key(text), self._values)]
            raise UnknownNameError(f"{self.name} value", text, list(dict.fromkeys(near)), hint)
        return found


_TRUE = {"true", "yes", "y", "1", "是", "远程", "上门"}
_FALSE = {"false", "no", "n", "0", "否", "不是"}


def _boolean(dim: str, text: str) -> bool:
    if key(text) in _TRUE:
        return True
    if key(text) in _FALSE:
        return False
    raise UnknownNameError(f"{dim} value", text, [], " Use true or false.")


class Catalog:
    """A loaded catalog with lookups by name or alias."""

    def __init__(self, spec: CatalogSpec, metrics: dict[str, Metric], dims: dict[str, Dimension]):
        self.spec, self.metrics, self.dimensions = spec, metrics, dims
        self._metric_keys = _alias_index("metric", {n: m.spec for n, m in metrics.items()})
        self._dim_keys = _alias_index("dimension", {n: d.spec for n, d in dims.items()})

    @property
    def tables(self) -> dict[str, TableSpec]:
        return self.spec.tables

    def metric(self, name: str) -> Metric:
        found = self._metric_keys.get(key(name))
        if found is None:
            raise UnknownNameError("metric", name, self._suggest(name, self._metric_keys))
        return self.metrics[found]

    def dimension(self, name: str) -> Dimension:
        found = self._dim_keys.get(key(name))
        if found is None:
            raise UnknownNameError("dimension", name, self._suggest(name, self._dim_keys))
        return self.dimensions[found]

    def resolve_value(self, dimension: str, value: object) -> Any:
        return self.dimension(dimension).resolve_value(value)

    def find_values(self, text: str) -> list[tuple[str, str]]:
        """Every (dimension, canonical value) whose value or alias equals ``text``."""
        return [
            (name, dim._values[key(text)])
            for name, dim in self.dimensions.items()
            if key(text) in dim._values
        ]

    def time_column(self, metric: Metric) -> str | None:
        return metric.spec.time_column or self.tables[metric.table].time_column

    @cached_property
    def _edges(self) -> dict[str, list[JoinSpec]]:
        edges: dict[str, list[JoinSpec]] = {}
        for join in self.spec.joins:
            edges.setdefault(join.from_table, []).append(join)
        return edges

    def join_path(self, base: str, target: str) -> list[JoinSpec] | None:
        """The shortest many-to-one join path from ``base`` to ``target`` (None if none)."""
        paths: dict[str, list[JoinSpec]] = {base: []}
        frontier = [base]
        while frontier and target not in paths:
            nxt = []
            for table in frontier:
                for join in self._edges.get(table, []):
                    if _through_feedback(paths[table], join):
                        continue
                    if join.to_table not in paths:
                        paths[join.to_table] = [*paths[table], join]
                        nxt.append(join.to_table)
            frontier = nxt
        return paths.get(target)

    def held_alongside(self, base: str, dim: Dimension) -> str | None:
        """The SQL of ``dim`` for rows of ``base`` when several tables one join away hold it
        and ``base`` does not (the feedback of one export per company, each row in one of
        them): the value of whichever table holds the row, one correlated lookup per table.
        None when one table or none holds it that near."""
        if base in dim.sources:
            return None
        near = []
        for table, sql in dim.sources.items():
            path = self.join_path(base, table)
            if path is not None and len(path) == 1:
                near.append(f"(SELECT ANY_VALUE({sql}) FROM {table} WHERE {path[0].on()})")
        return f"COALESCE({', '.join(near)})" if len(near) > 1 else None

    def describe(self) -> dict[str, Any]:
        """A compact summary for people and models (no data; coverage is added by the tool)."""
        dims = {}
        for name, dim in self.dimensions.items():
            entry: dict[str, Any] = {"en": dim.spec.en, "zh": dim.spec.zh, "kind": dim.kind}
            if dim.values is not None:
                entry["values"] = dim.values
            dims[name] = entry
        return {
            "catalog": self.spec.name,
            "description": self.spec.description,
            "tables": {n: t.description for n, t in self.tables.items()},
            "metrics": [m.summary() for m in self.metrics.values()],
            "dimensions": dims,
        }

    @staticmethod
    def _suggest(name: str, keys: dict[str, str]) -> list[str]:
        return list(dict.fromkeys(keys[k] for k in closest(key(name), keys)))


def _alias_index(kind: str, specs: dict[str, Any]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, spec in specs.items():
        for alias in [name, spec.en, spec.zh, *spec.aliases]:
            if not alias:
                continue
            owner = index.setdefault(key(alias), name)
            if owner != name:
                raise DataError(
                    f"catalog: {kind} alias {alias!r} is used by both {owner!r} and {name!r}."
                )
    return index


def _through_feedback(path: list[JoinSpec], join: JoinSpec) -> bool:
    """Whether ``join`` leaves the feedback table by the row id the path entered it by: every
    feedback row comes from one source table, so two source tables never share one, and a
    path from one to another through it would match no record."""
    return bool(path) and path[-1].to == join.from_ == f"{FEEDBACK_TABLE}.{FEEDBACK_ID}"
