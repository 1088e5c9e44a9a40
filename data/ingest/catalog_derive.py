"""A catalog derived by introspection, for data that came without one (DESIGN §2.3).

For each table: a description and column descriptions from names, types and sample values; a
time column (the first date column, preferring names like created/opened/date/日期); dimensions
from low-cardinality text (with their value lists), yes/no columns and small integer codes, plus
day/month/quarter derivations of each table's time column; metrics for row counts, averages and
sums of numeric columns, and rates of yes/no columns. Tables that share ``voc_id`` with ``voc``
are joined to it both ways (one row each), so complaints can be counted by VOC theme.

The result merges into an existing catalog: what is already there (a user's edits, the demo's
definitions) wins, new tables and names are added, and entries that no longer fit the data are
dropped and reported. It always loads with ``load_catalog`` and compiles with the metric compiler.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb

from ..catalog import key, parse_catalog
from ..errors import DataError
from .infer import q

_MAX_DIM_VALUES = 200
_LIST_VALUES = 50
_TIME_HINTS = re.compile(r"creat|open|date|time|submit|日期|时间|日")
_ID_LIKE = re.compile(r"(^id$|_id$|^id_|编号$|单号$|^voc_id$)")
_CJK = re.compile(r"[\u3400-\u9fff]")
HIDDEN_TABLES = ("_ingest_log",)
# Chinese names for common export column and table words, so Chinese questions find them.
ZH_WORDS = {
    "brand": "品牌", "status": "状态", "region": "区域", "product": "产品", "model": "型号",
    "car_model": "车型", "type": "类型", "channel": "渠道", "priority": "优先级", "city": "城市",
    "category": "类别", "source": "来源", "lang": "语言", "sentiment": "情感", "theme": "主题",
    "urgency": "紧急程度", "cost": "费用", "revenue": "收入", "customer": "客户",
    "complaint": "投诉", "ticket": "工单", "voc": "客户声音", "feedback": "反馈", "order": "订单",
    "segment": "客户群", "engineer": "工程师", "problem": "问题",
}  # fmt: skip
TIME_DIMENSIONS = {
    "day": ("Day", "日期", ["daily", "按天"], "strftime({time}, '%Y-%m-%d')"),
    "month": ("Month", "月份", ["monthly", "按月"], "strftime({time}, '%Y-%m')"),
    "quarter": (
        "Quarter",
        "季度",
        ["quarterly", "按季度"],
        "CAST(year({time}) AS VARCHAR) || '-Q' || CAST(quarter({time}) AS VARCHAR)",
    ),
}


@dataclass
class Column:
    name: str
    sql_type: str
    non_null: int
    distinct: int
    top: list[str] = field(default_factory=list)
    original: str = ""


@dataclass
class DerivedCatalog:
    data: dict[str, Any]
    dropped: list[str]


def derive_catalog(
    con: duckdb.DuckDBPyConnection,
    fresh: list[str],
    existing: dict[str, Any] | None,
    originals: dict[str, dict[str, str]] | None = None,
    sources: dict[str, str] | None = None,
) -> DerivedCatalog:
    """The merged catalog mapping: ``fresh`` tables (re)derived, others kept or added."""
    data = copy.deepcopy(existing) if existing else _empty()
    known = set(data["tables"])
    tables = [t for t in _user_tables(con) if t in fresh or t not in known]
    for table in tables:
        columns = _columns(con, table, (originals or {}).get(table, {}))
        if not columns:
            continue
        _add_table(data, table, columns, (sources or {}).get(table, ""), con)
    _add_voc_joins(data)
    return _validated(data)


def _empty() -> dict[str, Any]:
    return {
        "version": 1,
        "name": "derived",
        "description": "Derived from the loaded tables by `servicelens ingest`; edit freely.",
        "tables": {},
        "joins": [],
        "dimensions": {},
        "metrics": {},
    }


def _user_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name, estimated_size FROM duckdb_tables() "
        "WHERE schema_name = 'main' ORDER BY table_name"
    ).fetchall()
    names = [r[0] for r in rows if r[0] not in HIDDEN_TABLES and not r[0].startswith("_")]
    return [t for t in names if _rows(con, t) > 0]


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {q(table)}").fetchone()
    return int(row[0]) if row else 0


def _columns(con: duckdb.DuckDBPyConnection, table: str, originals: dict[str, str]) -> list[Column]:
    described = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    exprs = [f"count({q(c)}), count(DISTINCT {q(c)})" for c, _t in described]
    stats = con.execute(f"SELECT {', '.join(exprs)} FROM {q(table)}").fetchone() or ()
    columns = []
    for i, (name, sql_type) in enumerate(described):
        col = Column(name, sql_type, int(stats[2 * i]), int(stats[2 * i + 1]))
        col.original = originals.get(name, "")
        if col.non_null and sql_type == "VARCHAR":
            col.top = _top_values(con, table, name)
        columns.append(col)
    return columns


def _top_values(con: duckdb.DuckDBPyConnection, table: str, column: str) -> list[str]:
    rows = con.execute(
        f"SELECT {q(column)} FROM {q(table)} WHERE {q(column)} IS NOT NULL "
        f"GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {_LIST_VALUES + 1}"
    ).fetchall()
    return [str(r[0]) for r in rows]


def words(name: str) -> str:
    return name.replace("_", " ").strip()


def _add_table(
    data: dict[str, Any],
    table: str,
    columns: list[Column],
    source: str,
    con: duckdb.DuckDBPyConnection,
) -> None:
    old = data["tables"].get(table, {})
    old_cols = old.get("columns", {})
    rows = _rows(con, table)
    spec: dict[str, Any] = {
        "description": old.get("description")
        or (f"Loaded from {source}: {rows:,} rows." if source else f"{rows:,} rows."),
        "columns": {
            c.name: old_cols.get(c.name) or {"description": _describe_column(c)} for c in columns
        },
    }
    time_column = _time_column(columns)
    if time_column:
        spec["time_column"] = time_column
    data["tables"][table] = spec
    _add_metrics(data, table, columns, rows)
    _add_dimensions(data, table, columns, rows)
    if time_column:
        for name, (en, zh, aliases, sql) in TIME_DIMENSIONS.items():
            item = {"en": en, "zh": zh, "aliases": aliases, "kind": "time", "time": sql}
            _put(data, "dimensions", name, item)


def _describe_column(c: Column) -> str:
    parts = [f"Source column {c.original!r}." if c.original and c.original != c.name else ""]
    parts.append(f"{c.sql_type.lower()}, {c.distinct:,} distinct values")
    if c.top:
        sample = ", ".join(v[:40] for v in c.top[:5])
        parts.append(f"e.g. {sample}")
    return " ".join(p for p in parts if p).strip()


def _time_column(columns: list[Column]) -> str | None:
    times = [c for c in columns if c.sql_type in ("DATE", "TIMESTAMP") and c.non_null]
    hinted = [c for c in times if _TIME_HINTS.search(c.name)]
    chosen = hinted or times
    return chosen[0].name if chosen else None


def _add_metrics(data: dict[str, Any], table: str, columns: list[Column], rows: int) -> None:
    label = words(table)
    singular = label[:-1] if label.endswith("s") else label
    last = singular.split()[-1] if singular else singular
    aliases = [f"{singular} count", f"{last} count", f"number of {label}", label, f"{last}s"]
    count = {
        "en": f"{label.capitalize()} count",
        "zh": f"{_zh(last) or table}数量" if _zh(last) or _CJK.search(table) else "",
        "aliases": list(dict.fromkeys(aliases + ([f"{_zh(last)}数"] if _zh(last) else []))),
        "table": table,
        "expr": "COUNT(*)",
        "unit": "count",
        "direction": "neutral",
        "definition": f"Number of rows of {table}.",
    }
    _put(data, "metrics", f"{table}_count", count)
    for c in columns:
        if c.non_null == 0 or _ID_LIKE.search(c.name):
            continue
        if c.sql_type in ("BIGINT", "DOUBLE", "INTEGER", "DECIMAL", "FLOAT", "HUGEINT"):
            _numeric_metrics(data, table, c)
        elif c.sql_type == "BOOLEAN":
            _put(data, "metrics", f"{c.name}_rate", _rate(table, c))
    del rows


def _zh(word: str) -> str:
    return ZH_WORDS.get(word, ZH_WORDS.get(word.rstrip("s"), ""))


def _numeric_metrics(data: dict[str, Any], table: str, c: Column) -> None:
    label = words(c.original or c.name)
    for prefix, func, what in (("avg", "AVG", "Average"), ("total", "SUM", "Total")):
        item = {
            "en": f"{what} {label} ({words(table)})",
            "zh": f"平均{c.original}" if prefix == "avg" and _CJK.search(label) else "",
            "aliases": [f"{what.lower()} {label}"],
            "table": table,
            "expr": f"{func}({q(c.name)})",
            "unit": "number",
            "direction": "neutral",
            "definition": f"{what} of {table}.{c.name} over the rows with a value.",
        }
        _put(data, "metrics", f"{prefix}_{c.name}", item, table)


def _rate(table: str, c: Column) -> dict[str, Any]:
    label = words(c.original or c.name)
    return {
        "en": f"{label.capitalize()} rate ({words(table)})",
        "aliases": [f"{label} rate", f"share {label}"],
        "table": table,
        "expr": f"100.0 * AVG(CAST({q(c.name)} AS INTEGER))",
        "unit": "%",
        "direction": "neutral",
        "definition": f"Share of {table} rows with {c.name} = yes, of those with a value.",
    }


def _add_dimensions(data: dict[str, Any], table: str, columns: list[Column], rows: int) -> None:
    for c in columns:
        kind = _dimension_kind(c, rows)
        if kind is None:
            continue
        label = words(c.original or c.name)
        item: dict[str, Any] = {
            "en": label.capitalize(),
            "zh": c.original if _CJK.search(c.original) else ZH_WORDS.get(c.name, ""),
            "kind": kind,
            "sources": {table: q(c.name)},
            "description": _describe_column(c),
        }
        if kind == "category" and len(c.top) <= _LIST_VALUES:
            item["values"] = {v: [] for v in c.top}
        _put(data, "dimensions", c.name, item, table)


def _dimension_kind(c: Column, rows: int) -> str | None:
    if c.non_null == 0 or _ID_LIKE.search(c.name):
        return None
    if c.sql_type == "BOOLEAN":
        return "boolean"
    if c.sql_type == "BIGINT" and c.distinct <= 12:
        return "number"
    if c.sql_type != "VARCHAR" or c.distinct > _MAX_DIM_VALUES:
        return None
    if c.distinct > max(2, rows // 2) or max((len(v) for v in c.top), default=0) > 60:
        return None
    return "category"


def _put(
    data: dict[str, Any], section: str, name: str, item: dict[str, Any], table: str = ""
) -> None:
    """Add ``item`` unless the name exists; aliases already taken elsewhere are left out."""
    items = data[section]
    if name in items and _same_table(items[name], table):
        return
    if name in items:
        name = f"{table}_{name}"
        if name in items:
            return
    taken = {key(a) for other in items.values() for a in _aliases(other)}
    item["aliases"] = [a for a in item.get("aliases", []) if key(a) not in taken]
    for label in ("en", "zh"):
        if item.get(label) and key(item[label]) in taken:
            item[label] = f"{item[label]} ({words(table)})" if label == "en" else ""
    items[name] = item


def _same_table(item: dict[str, Any], table: str) -> bool:
    if not table:
        return True
    return item.get("table") == table or table in item.get("sources", {})


def _aliases(item: dict[str, Any]) -> list[str]:
    return [a for a in [item.get("en", ""), item.get("zh", ""), *item.get("aliases", [])] if a]


def _add_voc_joins(data: dict[str, Any]) -> None:
    if "voc" not in data["tables"]:
        return
    joins = data.setdefault("joins", [])
    have = {(j["from"], j["to"]) for j in joins}
    for table, spec in data["tables"].items():
        if table != "voc" and "voc_id" in spec["columns"]:
            for pair in ((f"{table}.voc_id", "voc.voc_id"), ("voc.voc_id", f"{table}.voc_id")):
                if pair not in have:
                    joins.append({"from": pair[0], "to": pair[1]})


def _validated(data: dict[str, Any]) -> DerivedCatalog:
    """Drop entries that no longer fit the tables until the catalog loads."""
    dropped: list[str] = []
    for _ in range(200):
        try:
            parse_catalog(data, "catalog.yaml")
        except DataError as exc:
            found = re.search(r"(metrics|dimensions)\.(\w+)", str(exc))
            if not found or found.group(2) not in data[found.group(1)]:
                raise
            del data[found.group(1)][found.group(2)]
            dropped.append(f"{found.group(1)}.{found.group(2)}: {exc}")
            continue
        return DerivedCatalog(data, dropped)
    raise DataError("catalog.yaml: too many entries do not fit the data; edit it by hand.")
