"""A filtered slice of the enriched ``voc`` table: theme counts per period and quotes per theme.

Filter values are resolved to canonical values first (catalog aliases such as 华东 → East, or a
case-insensitive match against the values present), so the SQL compares with plain equality
and an unknown value raises ``UnknownNameError`` listing the known ones. Queries run with
parameters; the SQL kept as evidence has the values written in, so it can be re-run as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog, UnknownNameError
from .duck import q
from .periods import Period
from .sql_params import inline_params
from .taxonomy import default_taxonomy
from .theme_set import ThemeSet, from_taxonomy
from .warehouse import Warehouse

_COLUMN = {
    "region": "v.region",
    "product_line": "p.product_line",
    "model": "p.model",
    "source": "v.source",
    "segment": "c.segment",
    "sentiment": "v.sentiment",
    "lang": "v.lang",
}
_KNOWN_SQL = {
    "region": "SELECT DISTINCT region FROM voc WHERE region IS NOT NULL",
    "product_line": "SELECT DISTINCT product_line FROM products WHERE product_line IS NOT NULL",
    "model": "SELECT DISTINCT model FROM products WHERE model IS NOT NULL",
    "segment": "SELECT DISTINCT segment FROM customers WHERE segment IS NOT NULL",
}


@dataclass(frozen=True)
class SliceFilters:
    values: dict[str, str] = field(default_factory=dict)
    # Groupings of the records the feedback came from (a brand, a car model): dimension →
    # (table, the column's SQL on it, the values any of which a record has).
    records: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = field(
        default_factory=dict
    )

    def described(self) -> dict[str, str]:
        return dict(self.values) | {d: "/".join(v) for d, (_, v) in self.records.items()}

    def joins(self) -> str:
        sql = ""
        if {"product_line", "model"} & self.values.keys():
            sql += " LEFT JOIN products p ON p.product_id = v.product_id"
        if "segment" in self.values:
            sql += " LEFT JOIN customers c ON c.customer_id = v.customer_id"
        return sql

    def where(self) -> tuple[list[str], list[Any]]:
        conds = [f"{_COLUMN[k]} = ?" for k in self.values]
        params: list[Any] = list(self.values.values())
        for sources, values in self.records.values():
            conds.append(f"v.voc_id IN ({_ids_sql(sources, len(values))})")
            params += list(values) * len(sources)
        return conds, params


def _ids_sql(sources: tuple[tuple[str, str], ...], n: int = 1) -> str:
    """The feedback ids written from the rows of each table where the column holds one of ``n``
    values (``n`` parameters per table)."""
    marks = ", ".join("?" * n)
    return " UNION ALL ".join(
        f"SELECT CAST(voc_id AS VARCHAR) FROM {q(t)} WHERE CAST({c} AS VARCHAR) IN ({marks})"
        for t, c in sources
    )


_ALL = 50_000_000


class SliceFilterError(ValueError):
    """A grouping the feedback cannot be filtered by: no table holding it has feedback text."""


def linked_source(catalog: Catalog | None, dimension: str) -> tuple[tuple[str, str], ...]:
    """The tables (with the dimension's SQL on each) whose rows the feedback was written from,
    of those holding the dimension; empty when none of them has feedback text."""
    dim = catalog.dimensions.get(dimension) if catalog is not None else None
    if catalog is None or dim is None or dim.from_time:
        return ()
    return tuple(
        (table, column)
        for table, column in dim.sources.items()
        if table != "voc"
        and (spec := catalog.tables.get(table)) is not None
        and "voc_id" in spec.columns
    )


def record_filters(
    catalog: Catalog | None, given: Mapping[str, str | list[str]] | None
) -> dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]]:
    """``{dimension: value or values}`` of the feedback's source records (a record with any of
    a dimension's values is in), each resolved to its table and column, the values to the
    catalog's spelling; raises ``SliceFilterError`` for one the feedback cannot be filtered
    by."""
    out: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {}
    for dimension, value in (given or {}).items():
        listed = value if isinstance(value, list) else [value]
        values = [str(v).strip() for v in listed if v is not None and str(v).strip()]
        if not values:
            continue
        linked = linked_source(catalog, dimension)
        if not linked or catalog is None:
            raise SliceFilterError(
                f"Feedback cannot be filtered by {dimension!r}: no table holding it has "
                "feedback text; only the figures can be split or filtered by it."
            )
        texts = []
        for one in values:
            resolved = catalog.resolve_value(dimension, one)
            # A yes/no as DuckDB writes it ("true"), for the comparison as text.
            texts.append(str(resolved).lower() if isinstance(resolved, bool) else str(resolved))
        out[dimension] = (linked, tuple(dict.fromkeys(texts)))
    return out


def record_ids(
    warehouse: Warehouse,
    records: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]],
) -> frozenset[str]:
    """The feedback ids of the source records matching every one of ``records``."""
    ids: set[str] | None = None
    for sources, values in records.values():
        params = list(values) * len(sources)
        rows = warehouse.execute(_ids_sql(sources, len(values)), params, max_rows=_ALL).rows
        found = {str(r[0]) for r in rows}
        ids = found if ids is None else ids & found
    return frozenset(ids or ())


def resolve_filters(
    warehouse: Warehouse,
    catalog: Catalog | None,
    given: dict[str, str | None],
    records: Mapping[str, str | list[str]] | None = None,
) -> SliceFilters:
    values = {}
    for name, value in given.items():
        if value is None or not str(value).strip():
            continue
        text = str(value).strip()
        values[name] = _canonical(warehouse, catalog, name, text) if name in _KNOWN_SQL else text
    return SliceFilters(values, record_filters(catalog, records))


def _canonical(warehouse: Warehouse, catalog: Catalog | None, name: str, value: str) -> str:
    if catalog is not None and name != "model":
        return str(catalog.resolve_value(name, value))
    known = [str(r[0]) for r in warehouse.execute(_KNOWN_SQL[name], max_rows=500).rows]
    for candidate in known:
        if candidate.lower() == value.lower():
            return candidate
    hint = f" Known values: {', '.join(sorted(known)[:30])}."
    raise UnknownNameError(name, value, [], hint)


@dataclass
class ThemeCounts:
    rows: list[tuple[str, int, int]]  # theme, count in period, count in previous period
    total: int
    previous_total: int
    sql: str


def _span(period: Period | None, previous: Period | None) -> tuple[list[str], list[Any]]:
    if period is None:
        return [], []
    start = previous.start if previous else period.start
    return ["v.created_at >= ?", "v.created_at < ?"], [start, period.end]


def theme_counts(
    warehouse: Warehouse, filters: SliceFilters, period: Period | None, previous: Period | None
) -> ThemeCounts:
    """Records per theme in ``period`` and ``previous`` (both optional) within the filters."""
    conds, params = _span(period, previous)
    counts_sql, count_params = _count_columns(period, previous)
    f_conds, f_params = filters.where()
    sql = (
        f"SELECT COALESCE(v.theme, 'other') AS theme, {counts_sql} "
        f"FROM voc v{filters.joins()}{_where(conds + f_conds)} GROUP BY 1 ORDER BY 2 DESC, 1"
    )
    all_params = count_params + params + f_params
    result = warehouse.execute(sql, all_params, max_rows=1000)
    rows = [(str(t), int(n), int(p)) for t, n, p in result.rows if n or p]
    total = sum(n for _, n, _ in rows)
    return ThemeCounts(rows, total, sum(p for _, _, p in rows), inline_params(sql, all_params))


def _count_columns(period: Period | None, previous: Period | None) -> tuple[str, list[Any]]:
    window = "COUNT(*) FILTER (WHERE v.created_at >= ? AND v.created_at < ?)"
    if period is None:
        return "COUNT(*) AS count, 0 AS previous_count", []
    if previous is None:
        return f"{window} AS count, 0 AS previous_count", [period.start, period.end]
    params = [period.start, period.end, previous.start, previous.end]
    return f"{window} AS count, {window} AS previous_count", params


def _where(conds: list[str]) -> str:
    return f" WHERE {' AND '.join(conds)}" if conds else ""


@dataclass(frozen=True)
class Quote:
    voc_id: str
    theme: str
    text: str
    source: str | None
    created_at: str | None
    region: str | None
    lang: str | None
    sentiment: str | None


def quotes_by_theme(
    warehouse: Warehouse,
    filters: SliceFilters,
    period: Period | None,
    themes: list[str],
    k: int,
    theme_set: ThemeSet | None = None,
) -> dict[str, list[Quote]]:
    """Up to ``k`` distinct, on-theme quotes per theme from the period (not the previous one)."""
    if not themes or k == 0:
        return {}
    theme_set = theme_set or from_taxonomy(default_taxonomy())
    sql, params = _quote_sql(filters, period, themes, k, theme_set.praise)
    result = warehouse.execute(sql, params, max_rows=len(themes) * k * 6)
    candidates: dict[str, list[Quote]] = {}
    for row in result.rows:
        quote = Quote(*(str(v) if v is not None else None for v in row))  # type: ignore[arg-type]
        candidates.setdefault(quote.theme, []).append(quote)
    return {
        theme: _pick(theme_set.cue_patterns(theme), found, k) for theme, found in candidates.items()
    }


def _quote_sql(
    filters: SliceFilters, period: Period | None, themes: list[str], k: int, praised: frozenset[str]
) -> tuple[str, list[Any]]:
    conds, params = _span(period, None)
    f_conds, f_params = filters.where()
    marks = ", ".join("?" * len(themes))
    # Theme ids of a taxonomy are plain identifiers; an empty list still makes valid SQL.
    praise = ", ".join(f"'{t}'" for t in sorted(praised)) or "NULL"
    # Representative: sentiment that fits the theme, a readable length, then the most recent.
    order = (
        f"CASE WHEN v.sentiment = CASE WHEN v.theme IN ({praise}) THEN 'positive' "
        "ELSE 'negative' END THEN 0 ELSE 1 END, abs(length(v.text) - 100), "
        "v.created_at DESC, v.voc_id"
    )
    sql = (
        "SELECT voc_id, theme, text, source, created_at, region, lang, sentiment FROM ("
        "SELECT v.voc_id, v.theme, v.text, v.source, "
        "strftime(v.created_at, '%Y-%m-%dT%H:%M') AS created_at, v.region, v.lang, v.sentiment, "
        f"ROW_NUMBER() OVER (PARTITION BY v.theme ORDER BY {order}) AS rn "
        f"FROM voc v{filters.joins()}"
        f"{_where([*conds, *f_conds, f'v.theme IN ({marks})', 'v.text IS NOT NULL'])}"
        ") WHERE rn <= ? ORDER BY theme, rn"
    )
    return sql, [*params, *f_params, *themes, k * 6]


def _pick(patterns: list[str], found: list[Quote], k: int) -> list[Quote]:
    # Texts that carry one of the theme's cue words show the theme most plainly; duplicates
    # (the same message sent twice) are shown once.
    cues = [re.compile(c, re.IGNORECASE) for c in patterns]
    ranked = sorted(found, key=lambda q: not any(c.search(q.text) for c in cues))
    picked: list[Quote] = []
    seen: set[str] = set()
    for quote in ranked:
        key = re.sub(r"\W+", "", quote.text.lower())[:40]
        if key not in seen:
            seen.add(key)
            picked.append(quote)
    return picked[:k]
