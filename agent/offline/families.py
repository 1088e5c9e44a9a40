"""Values compared by a name several of them share: "奔驰和宝马谁被投诉得多？各几条" over brands
written 北京奔驰 and 奔驰（进口）, 华晨宝马 and 宝马（进口）; "Toyota vs Honda" over "FAW Toyota",
"GAC Toyota", "Dongfeng Honda".

Each name the question says is a family: the values holding it. When at least one name holds
several values, the records are counted per family in one guarded SQL query (the families'
totals are cited figures, not sums written in the text), and the values themselves are ranked
below as before.
"""

from __future__ import annotations

from typing import Any

from ..reading import sql_purpose
from .catalog_choice import plain_count
from .narrative import Writer
from .playbooks import Call, dim_name, fmt_row
from .slice_sql import literal, reach, slice_where
from .transcript import Results
from .understand import Intent

FAMILIES = "families"


def family_call(intent: Intent, metric: str, dim: str) -> dict[str, Call]:
    """The records of each family in the slice, with the values it holds."""
    cat, families = intent.catalog, intent.families
    if cat is None or not families or metric not in cat.metrics or not plain_count(cat, metric):
        return {}
    base = cat.metrics[metric].table
    joins: dict[str, str] = {}
    kept = {d: v for d, v in intent.filters.items() if d != dim}
    where = slice_where(cat, base, kept, intent.period, joins)
    column = reach(cat, base, dim, joins)
    if where is None or column is None:
        return {}
    cases = " ".join(
        f"WHEN {column} IN ({', '.join(literal(v) for v in values)}) THEN {literal(name)}"
        for name, values in families.items()
    )
    every = ", ".join(literal(v) for values in families.values() for v in values)
    sql = (
        f"SELECT CASE {cases} END AS family, count(*) AS records, "
        f"string_agg(DISTINCT CAST({column} AS VARCHAR), ' / ' ORDER BY CAST({column} AS VARCHAR))"
        f" AS members FROM {base}"
        + "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
        + " WHERE "
        + " AND ".join([*where, f"{column} IN ({every})"])
        + " GROUP BY 1 ORDER BY records DESC, family"
    )
    w = Writer(lang=intent.language, seed="", catalog=cat)
    purpose = w.say("families.purpose", dim=dim_name(w, dim))
    label = intent.period.label if intent.period else None
    return {
        FAMILIES: ("run_sql", {"sql": sql, "purpose": sql_purpose(purpose, label, intent.language)})
    }


def write_families(results: Results, w: Writer) -> None:
    """Each family's records, the most first, before the values' own ranking."""
    res = results.get(FAMILIES)
    if res is None or not res.ok or not res.rows:
        return
    rows: list[dict[str, Any]] = res.records()
    sep = "；" if w.lang == "zh" else "; "
    parts = [
        w.say("families.one", name=r["family"], members=r["members"], n=fmt_row([r["records"]])[0])
        for r in rows
    ]
    key = (
        "families.tie"
        if len(rows) > 1 and rows[0]["records"] == rows[1]["records"]
        else ("families.lead")
    )
    w.lead.insert(0, w.say(key, parts=sep.join(parts), name=rows[0]["family"], ref=res.id))
