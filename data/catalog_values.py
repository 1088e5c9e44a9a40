"""Values of dimensions the catalog does not list, looked up in the warehouse.

A derived catalog lists the values of small category columns; a column with hundreds of values
(company, car model, city) is still a dimension, but its values are not written out. To find
"一汽马自达" or "Acme Corp" named in a question, the distinct values of such columns are read once
per workspace, up to a cap; a column with more distinct values than that is free text, not a
dimension anyone names values of.
"""

from __future__ import annotations

import re
from datetime import date

from .catalog import Catalog
from .sql_guard import QueryError
from .warehouse import Warehouse

VALUE_CAP = 5_000
# A dimension with only a handful of values that the catalog leaves unlisted ("open",
# "resolved") was left so on purpose: its values are ordinary words, not names to look for.
MIN_VALUES = 20
_CJK = re.compile(r"[\u3400-\u9fff]")


def unlisted_values(
    catalog: Catalog, warehouse: Warehouse, cap: int = VALUE_CAP
) -> dict[str, list[str]]:
    """Dimension name -> its distinct values, for category dimensions without a value list."""
    out: dict[str, list[str]] = {}
    for name, dim in catalog.dimensions.items():
        if dim.kind != "category" or dim.spec.values or dim.from_time or not dim.sources:
            continue
        # Every table the dimension is found in (one export per company: each its values).
        found = _distinct(warehouse, dim.sources, cap)
        if found is not None and MIN_VALUES < len(found) <= cap:
            out[name] = sorted({v.strip() for v in found if nameable(v)})
    return out


def _distinct(warehouse: Warehouse, sources: dict[str, str], cap: int) -> list[str] | None:
    """The distinct values of the expressions over their tables, up to ``cap`` + 1 of them
    (more than ``cap``: too many to list); None when the query fails."""
    parts = [
        f"SELECT CAST({expr} AS VARCHAR) AS v FROM {table} WHERE {expr} IS NOT NULL"
        for table, expr in sources.items()
    ]
    sql = f"SELECT DISTINCT v FROM ({' UNION ALL '.join(parts)}) LIMIT {cap + 1}"
    try:
        return [str(r[0]) for r in warehouse.execute(sql, max_rows=cap + 1).rows]
    except QueryError:
        return None


def nameable(value: str) -> bool:
    """Whether a value is something a question could name: not a bare number, and long enough
    not to turn up inside ordinary words — or a two-letter code in capitals ("CA", "NY"), which
    a question names in capitals too (matched by case, see ``offline.codes``)."""
    text = value.strip()
    if not text or text.replace(".", "").replace("-", "").isdigit():
        return False
    if len(text) == 2 and text.isascii() and text.isalpha() and text.isupper():
        return True
    return len(text) >= 2 if _CJK.search(text) else len(text) >= 3


def quarter_counts(catalog: Catalog, warehouse: Warehouse) -> dict[str, dict[str, int]]:
    """Records per calendar quarter ("2016-Q2") of every table with a time column: how the
    data is spread over time, to tell whether a default period is representative of it."""
    out: dict[str, dict[str, int]] = {}
    for name, table in catalog.tables.items():
        column = table.time_column
        if not column:
            continue
        sql = (
            f"SELECT CAST(year({column}) AS VARCHAR) || '-Q' || CAST(quarter({column}) AS VARCHAR)"
            f" AS q, count(*) AS n FROM {name} WHERE {column} IS NOT NULL GROUP BY 1"
        )
        try:
            rows = warehouse.execute(sql).rows
        except QueryError:
            continue
        out[name] = {str(q): int(n) for q, n in rows}
    return out


def last_days(catalog: Catalog, warehouse: Warehouse) -> dict[str, date]:
    """The last day each timed table holds a record of: where "the last 30 days of the data"
    end, whatever today is."""
    out: dict[str, date] = {}
    for name, table in catalog.tables.items():
        column = table.time_column
        if not column:
            continue
        try:
            rows = warehouse.execute(f"SELECT CAST(max({column}) AS DATE) FROM {name}").rows
        except QueryError:
            continue
        if rows and isinstance(rows[0][0], date):
            out[name] = rows[0][0]
    return out


HELD_CAP = 200


def values_by_table(
    catalog: Catalog, warehouse: Warehouse, cap: int = HELD_CAP
) -> dict[str, dict[str, list[str]]]:
    """Dimension -> table -> its values there, for category dimensions found in several
    tables (one export per company or region, each file a table): which table's records a value
    such as "AmazonHelp" picks out. A table with more than ``cap`` values is left out: any
    value may be in it."""
    out: dict[str, dict[str, list[str]]] = {}
    for name, dim in catalog.dimensions.items():
        if dim.kind != "category" or dim.from_time or len(dim.sources) < 2:
            continue
        for table, expr in dim.sources.items():
            found = _distinct(warehouse, {table: expr}, cap)
            if found is not None and len(found) <= cap:
                out.setdefault(name, {})[table] = sorted(v.strip() for v in found)
    return out
