"""How many different values of a grouping the records hold ("how many brands", "多少个不同的
州"), of a size when the question sets one ("brands with more than 10 complaints"), and which
they are when asked: one guarded SQL query each, written before the figures they go with.
"""

from __future__ import annotations

import re
from typing import Any

from ...data.catalog import Catalog
from ..reading import sql_purpose
from .narrative import Writer
from .playbooks import Call, dim_name, fmt_row
from .slice_sql import distinct_sql
from .thresholds import records_per_group, values_per_group
from .transcript import Results
from .understand import MEDIAN, Intent


def distinct_calls(intent: Intent) -> dict[str, Call]:
    """ "How many brands": the number of different values of each dimension asked about."""
    cat = intent.catalog
    if cat is None:
        return {}
    calls: dict[str, Call] = {}
    # The table of the records counted: its own values are the ones told apart.
    counted = intent.counted_table or next(
        (cat.metrics[m].table for m in intent.metrics if m in cat.metrics), None
    )
    for dim in intent.distinct:
        size, of = _size_of(intent.question, cat, dim)
        sized = size[:2] if size and not intent.per_group else None
        sql = distinct_sql(
            cat, dim, intent.filters, intent.period, sized, intent.per_group, counted, of=of,
        )  # fmt: skip
        if sql is not None:
            w = Writer(lang=intent.language, seed="", catalog=cat)
            purpose = w.say("distinct.purpose", dim=dim_name(w, dim))
            if size is not None:
                purpose += w.say("distinct.sized", said=size[2])
            period = intent.period.label if intent.period else None
            purpose = sql_purpose(purpose, period, intent.language)
            calls[f"distinct:{dim}"] = ("run_sql", {"sql": sql, "purpose": purpose})
            # "Which brands have more than 5 models": the groups sized so are what is asked.
            which = _WHICH_ONES if of is None else _WHICH_SIZED
            listed = sized is not None and which.search(intent.question) is not None
            sql = distinct_sql(
                cat, dim, intent.filters, intent.period, sized, base=counted, listed=True, of=of,
            ) if listed else None  # fmt: skip
            if sql is not None:
                purpose = w.say("distinct.listed", dim=dim_name(w, dim), said=size[2])  # type: ignore[index]
                purpose = sql_purpose(purpose, period, intent.language)
                calls[f"listed:{dim}"] = ("run_sql", {"sql": sql, "purpose": purpose})
    return calls


def _size_of(
    question: str, cat: Catalog | None, dim: str
) -> tuple[tuple[str, int, str] | None, str | None]:
    """The condition on each group of ``dim`` the question sets — its number of records, or of
    different values of another dimension ("车型超过5款的品牌": car models) — and that
    dimension (None: records)."""
    per = values_per_group(question, cat, dim) if cat is not None else None
    if per is not None:
        return per[:3], per[3]
    return records_per_group(question), None


# "… and which ones are they", "是哪几个月": the groups of that size are named too.
_WHICH_ONES = re.compile(
    r"(?i)\bwhich (?:ones?|are they|were they)\b|\bwhich \w+ (?:are|were) (?:they|those|these)\b"
    r"|\b(?:name|list) them\b|\bwhich\s+\w+\s*\?\s*$|哪几|哪些|是哪"
)


_WHICH_SIZED = re.compile(r"(?i)\bwhich\b|\bwhat\b|\blist\b|\bname them\b|哪些|哪几|是哪|有谁")


def write_distinct(results: Results, w: Writer, question: str = "") -> None:
    for tag, res in results.items():
        if not tag.startswith("distinct:") or res is None or not res.ok or not res.rows:
            continue
        dim = tag.split(":", 1)[1]
        size, of = _size_of(question, w.catalog, dim)
        row = res.records()[0]
        n = row[f"distinct_{dim}"]
        if f"per_{dim}" in row:  # "on average, how many per brand": records over the groups
            said = w.say(
                "distinct.per_group",
                per=fmt_row([row[f"per_{dim}"]])[0],
                dim=dim_name(w, dim),
                records=fmt_row([row["records"]])[0],
                n=n,
                ref=res.id,
            )
            w.lead.insert(0, said)
            if MEDIAN.search(question) and row.get(f"median_per_{dim}") is not None:
                # "The median number of complaints per brand": the middle group's records.
                median = fmt_row([row[f"median_per_{dim}"]])[0]
                key, name = "distinct.median_per_group", dim_name(w, dim)
                w.lead.insert(1, w.say(key, n=median, dim=name, ref=res.id))
            continue
        if size is not None:  # "How many brands have more than 10 complaints": those, first
            held = row.get("records_of_those")
            key = "distinct.sized_lead_held" if held else "distinct.sized_lead"
            said = w.say(
                key, n=n, dim=dim_name(w, dim), said=size[2], held=fmt_row([held])[0], ref=res.id
            )
            if row.get(f"all_{dim}"):
                # Of every value, and their share of every record of the slice.
                said += w.say(
                    "distinct.of_all" if held else "distinct.of_all_values",
                    all=fmt_row([row[f"all_{dim}"]])[0], dim=dim_name(w, dim),
                    total=fmt_row([row["all_records"]])[0], share=w.pct(row["share_pct"]),
                    ref=res.id,
                )  # fmt: skip
            w.lead.insert(0, said)
            listed = results.get(f"listed:{dim}")
            if listed is not None and listed.ok and listed.rows:
                items = [
                    f"{w.label(dim, r[dim])} ({_listed_size(w, r, of)})" for r in listed.records()
                ]
                sep = "、" if w.lang == "zh" else ", "
                said = w.say("distinct.listed_lead", items=sep.join(items), ref=listed.id)
                w.lead.insert(1, said)
            continue
        w.lead.append(w.say("distinct.lead", n=n, dim=dim_name(w, dim), ref=res.id))


def _listed_size(w: Writer, row: dict[str, Any], of: str | None) -> str:
    """A group listed with its records, and its different values of ``of`` when the condition
    counted them ("吉利汽车 (12 个车型, 41 条)")."""
    records = fmt_row([row["records"]])[0]
    if of is None or row.get(f"distinct_{of}") is None:
        return records
    k = fmt_row([row[f"distinct_{of}"]])[0]
    return w.say("distinct.listed_values", k=k, dim=dim_name(w, of), n=records)
