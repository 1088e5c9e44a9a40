"""Choosing what to query from the workspace's own catalog when the question does not say.

The catalog's own order says what matters: with no metric named, the plain count metric of
the table that holds the dimension asked about (or, for "worst"/"best", the first metric with a
good direction); with no split named, the first category dimension it lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache

from ...data.catalog import Catalog, Metric, key
from ...data.ingest.labels import SUFFIX as LABELS_SUFFIX
from ...prompts import load_yaml

# Dimension -> table -> the values it holds there (``data.catalog_values.values_by_table``).
Held = Mapping[str, Mapping[str, list[str]]]


def default_metric(
    catalog: Catalog | None,
    dim: str | None = None,
    filters: Iterable[str] | Mapping[str, object] = (),
    *,
    held: Held | None = None,
    question: str = "",
) -> str:
    """The plain count of the records the question is about: a count metric that can be split
    by ``dim`` and filtered by every dimension in ``filters``, on a table whose records hold
    the filters' values (with one export per company, "Amazon" picks Amazon's tables) and that
    the question's words name (``table_cue``), on the table that holds those dimensions itself
    if there is one (repairs are counted on the table with the ticket type), else of any timed
    table."""
    if catalog is None:
        return ""
    counts = [m for m in catalog.metrics.values() if m.unit == "count" and not m.spec.filter]
    wanted = [d for d in [*filters, dim] if d and d in catalog.dimensions]
    usable = [m for m in counts if all(reaches(catalog, m.name, d) for d in wanted)]
    if held and isinstance(filters, Mapping):
        usable = [m for m in usable if holds(catalog, held, m, filters)] or usable
    cued = table_cue(question, [m.table for m in usable])
    if cued:
        usable = [m for m in usable if m.table in cued]
    # The table holding every dimension asked itself (a company's customer tweets, with their
    # Refund and Return columns), before one holding the first of them.
    own = [m for m in usable if all(m.table in catalog.dimensions[d].sources for d in wanted)]
    if wanted and own:
        return (_timed(catalog, own) or own)[0].name
    for d in wanted:
        own = [m for m in usable if m.table in catalog.dimensions[d].sources]
        timed = _timed(catalog, own)
        if timed or own:
            return (timed or own)[0].name
    usable = _timed(catalog, usable) or usable or _timed(catalog, counts)
    return usable[0].name if usable else next(iter(catalog.metrics))


def reaches(catalog: Catalog, metric: str, dim: str | None) -> bool:
    """Whether ``metric`` can be grouped or filtered by ``dim`` (on its table or by a join)."""
    if dim is None or dim not in catalog.dimensions:
        return True
    d = catalog.dimensions[dim]
    if d.from_time:
        return True
    table = catalog.metrics[metric].table
    return any(src == table or catalog.join_path(table, src) for src in d.sources)


def default_dimension(catalog: Catalog | None, metric: str | None = None) -> str:
    """The catalog's first category dimension ("" when it has none); with ``metric``, the first
    that its records can be grouped by, when one can."""
    if catalog is None:
        return ""
    names = [n for n, d in catalog.dimensions.items() if d.kind == "category" and d.sources]
    own = label_sets(catalog).get(metric or "")
    if own is not None:
        return own  # a count of the export's categories: by category
    if metric in catalog.metrics:
        names = [n for n in names if reaches(catalog, metric, n)] or names
    return names[0] if names else ""


HEADLINE = 6


def headline_metrics(
    catalog: Catalog | None, most: int = HEADLINE, *, timed: bool = True
) -> list[str]:
    """Metrics to stand for 'where we are': the catalog's own headline list, else those with
    a good direction first, then counts, in catalog order; only metrics with a time column,
    unless ``timed`` is off (data with no dates at all)."""
    if catalog is None:
        return []
    if catalog.spec.headline:
        ranked = [catalog.metrics[m] for m in catalog.spec.headline]
    else:
        ranked = sorted(catalog.metrics.values(), key=lambda m: m.direction == "neutral")
    return [m.name for m in ranked if catalog.time_column(m) or not timed][:most]


def _timed(catalog: Catalog, metrics: list[Metric]) -> list[Metric]:
    return [m for m in metrics if catalog.tables[m.table].time_column]


def split_dimension(catalog: Catalog | None, metric: str, filters: dict[str, str]) -> str | None:
    """A dimension to say where a metric's value or move sits (see ``split_dimensions``)."""
    dims = split_dimensions(catalog, metric, filters)
    return dims[0] if dims else None


def split_dimensions(catalog: Catalog | None, metric: str, filters: dict[str, str]) -> list[str]:
    """Dimensions that can say where a metric's value or move sits: the catalog's declared
    splits, then its listed categories (a handful of values each), in catalog order; only those
    the metric can be split by and the question did not filter on."""
    if catalog is None or metric not in catalog.metrics:
        return []
    listed = [
        n
        for n, d in catalog.dimensions.items()
        if d.kind == "category" and d.values and 2 <= len(d.values) <= 30
    ]
    names = dict.fromkeys([*catalog.spec.splits, *listed])
    return [d for d in names if d not in filters and reaches(catalog, metric, d)]


def holds(catalog: Catalog, held: Held, metric: Metric, filters: Mapping[str, object]) -> bool:
    """Whether the records ``metric`` counts can hold every filter value: for a dimension found
    in several tables, a table the metric reaches holds the value (the table itself, or the one
    it joins to)."""
    for dim, value in filters.items():
        tables = held.get(dim)
        if not tables:
            continue
        wanted = {key(str(v)) for v in (value if isinstance(value, list) else [value])}
        reached = nearest(catalog, metric.table, tables)
        if reached and not any(wanted & {key(v) for v in tables[t]} for t in reached):
            return False
    return True


def nearest(catalog: Catalog, table: str, sources: Iterable[str]) -> list[str]:
    """Of ``sources``, the tables a query on ``table`` takes a dimension from: those nearest by
    joins (``table`` itself first of all); none when no join reaches any."""
    paths = {t: catalog.join_path(table, t) for t in sources}
    near = {t: len(p) for t, p in paths.items() if p is not None}
    return [t for t, n in near.items() if n == min(near.values())] if near else []


@cache
def _table_words() -> dict[str, list[re.Pattern[str]]]:
    data = load_yaml("offline_shapes.yaml").get("table_words", {})
    return {word: [re.compile(p, re.IGNORECASE) for p in pats] for word, pats in data.items()}


def table_cue(question: str, tables: Iterable[str]) -> set[str]:
    """The tables the question's own words pick out when tables are named for the way records
    flow ("…_inbound" for customers' messages, "…_outbound" for the agents' replies): the
    first such word in the question decides. Empty when nothing is said, or it picks none."""
    names = set(tables)
    word = cue_word(question) if len(names) > 1 else None
    if word is None:
        return set()
    picked = {t for t in names if word in re.split(r"[_\W]+", t.lower())}
    return picked if picked != names else set()


def cue_word(question: str) -> str | None:
    """The way records flow that the question's words name first ("inbound" for customers'
    messages, "outbound" for the agents' replies); None when it names none."""
    first: tuple[int, str] | None = None
    for word, patterns in _table_words().items():
        for p in patterns:
            m = p.search(question or "")
            if m and (first is None or m.start() < first[0]):
                first = (m.start(), word)
    return first[1] if first else None


def flow_filter(catalog: Catalog, question: str, tables: Iterable[str]) -> tuple[str, bool] | None:
    """A yes/no dimension named for the way records flow ("inbound"), held by every one of
    ``tables``, and the value that keeps the records the question's words name: the
    customers' messages (inbound: yes) or the agents' replies (inbound: no)."""
    word = cue_word(question)
    words = set(_table_words())
    if word is None:
        return None
    for name, dim in catalog.dimensions.items():
        said = key(dim.spec.en or name).replace(" ", "_")
        if dim.kind != "boolean" or said not in words or not set(tables) <= set(dim.sources):
            continue
        return name, said == word
    return None


def label_sets(catalog: Catalog | None) -> dict[str, str]:
    """Count metric -> label dimension, for each table whose flag columns an export also holds
    long (``<table>_labels``, one row per record and flag set): ranking the count by the label
    ranks the export's own categories ("Delivery", "Refund") for that table's records."""
    return {} if catalog is None else dict(_label_sets(catalog))


@lru_cache(maxsize=8)
def _label_sets(catalog: Catalog) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for name, m in catalog.metrics.items():
        base = m.table.removesuffix(LABELS_SUFFIX)
        if m.unit != "count" or base == m.table or base not in catalog.tables:
            continue
        dims = [
            d for d, dim in catalog.dimensions.items()
            if dim.kind == "category" and m.table in dim.sources
        ]  # fmt: skip
        if len(dims) == 1 and catalog.join_path(m.table, base):
            out[name] = dims[0]
    return tuple(out.items())


def holds_all(
    catalog: Catalog | None, held: Held, metric: str, filters: Mapping[str, object]
) -> bool:
    """``holds`` by metric name; False for a metric the catalog does not have."""
    if catalog is None or metric not in catalog.metrics:
        return False
    return holds(catalog, held, catalog.metrics[metric], filters)


# At most this many tables' measures are put side by side in one metric query.
_PARALLEL_MAX = 11


def parallel_metrics(
    catalog: Catalog | None, held: Held, metric: str, dim: str | None
) -> list[str]:
    """The same measure on the other groups' tables, when an export holds one file per group
    (one per company, each loaded as its own table): ``metric`` measures the records of one
    value of ``dim``, and metrics with the same expression and filter measure the others on
    tables named alike but for the group's name ("…_amazonhelp_200_inbound" and
    "…_applesupport_200_inbound"). One metric per other value; none when ``metric``'s table
    holds several values of ``dim`` (it can be split by it as it is)."""
    if catalog is None or not dim or metric not in catalog.metrics or dim not in held:
        return []
    m = catalog.metrics[metric]
    own = _only_value(catalog, held[dim], m.table)
    stem = _stem(m.table, own) if own is not None else None
    if own is None or stem is None:
        return []
    same = (m.spec.expr, m.spec.filter, m.unit)
    found: dict[str, str] = {}
    for other in catalog.metrics.values():
        if other.table == m.table or (other.spec.expr, other.spec.filter, other.unit) != same:
            continue
        value = _only_value(catalog, held[dim], other.table)
        if value is None or value == own or value in found:
            continue
        if _stem(other.table, value) == stem:
            found[value] = other.name
    return list(found.values())[:_PARALLEL_MAX]


def _only_value(catalog: Catalog, tables: Mapping[str, list[str]], table: str) -> str | None:
    """The one value of a dimension the records of ``table`` hold (through its joins)."""
    values = {v for t in nearest(catalog, table, tables) for v in tables[t]}
    return next(iter(values)) if len(values) == 1 else None


def _stem(table: str, value: str) -> str | None:
    """A table's name without the group's name and without numbers; None when the name does
    not carry the group's name."""
    name, token = re.sub(r"[\W_]+", "", table.lower()), re.sub(r"[\W_]+", "", value.lower())
    if len(token) < 2 or token not in name:
        return None
    return re.sub(r"\d+", "", name.replace(token, "\x00", 1))


def plain_count(cat: Catalog | None, metric: str) -> bool:
    """Whether ``metric`` counts every row of its table (``COUNT(*)``, no filter)."""
    if cat is None or metric not in cat.metrics:
        return False
    m = cat.metrics[metric]
    return (
        m.unit == "count"
        and not m.spec.filter
        and m.spec.expr.replace(" ", "").upper() == "COUNT(*)"
    )
