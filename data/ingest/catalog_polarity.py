"""A yes/no column that is the export's own sentiment label, recognised from its text.

Review exports rate each record with a bare flag (``label``: 1/0, ``is_positive``: true/false)
whose name says nothing about what it means. When the records also carry text (the feedback
table, ``voc``), the text of each side is read with the sentiment lexicon enrichment uses; if the
rows saying yes read clearly positive and the rows saying no clearly negative (or the other way
round), the flag is a sentiment label. Then the catalog names it as managers do: its values are
"positive" and "negative" (好评 and 差评), and its rates are the positive and the negative share,
so "差评率" and "how many negative reviews" reach the export's own judgement.

A topic flag ("refund", "bad support") only leans one way: its "no" rows are not the opposite
sentiment, so it is not a label. Both sides must be large enough to tell.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ..sentiment import lexicon_score
from .catalog_columns import Column
from .catalog_entries import Changes, put
from .infer import q

# Each side of the flag needs this many records with text, and a clear lean of its own (the
# mean of +1 positive / -1 negative / 0 neutral), opposite to the other side's.
MIN_ROWS = 30
MIN_LEAN = 0.25
MIN_GAP = 0.6
# Records read per side: enough to tell, cheap on an export of millions.
SAMPLE = 1500

# How people name the two sides of a sentiment label: generic words, not a data set's.
_SIDES = {
    "positive": {
        "en": "positive",
        "zh": "好评",
        "values": ["good", "好评", "正面", "正面评价", "positive review", "positive reviews",
                   "good reviews", "好评价"],
        "rate": ["positive rate", "positive share", "share positive", "% positive",
                 "positive review rate", "好评率", "好评比例", "好评占比", "正面比例"],
        "count": ["positive count", "number of positive", "positive reviews count", "好评数",
                  "好评数量", "好评条数"],
        "direction": "higher_is_better",
    },
    "negative": {
        "en": "negative",
        "zh": "差评",
        "values": ["bad", "差评", "负面", "负面评价", "negative review", "negative reviews",
                   "bad reviews", "坏评"],
        "rate": ["negative rate", "negative share", "share negative", "% negative",
                 "negative review rate", "差评率", "差评比例", "差评占比", "负面比例", "负评率"],
        "count": ["negative count", "number of negative", "negative reviews count", "差评数",
                  "差评数量", "差评条数"],
        "direction": "lower_is_better",
    },
}  # fmt: skip


def yes_means(con: duckdb.DuckDBPyConnection, table: str, c: Column) -> str | None:
    """ "positive" or "negative" when the flag ``c`` is the records' sentiment label (what its
    yes means), else None: no text to judge by, too few rows, or no clear opposite lean.

    The text is scored with the shipped sentiment lexicon (as enrichment does later), on a
    fixed sample of each side, so the catalog can say it before the feedback is indexed."""
    if table == "voc" or not _has_text(con, table):
        return None
    rows = con.execute(
        f"SELECT side, text FROM (SELECT t.{q(c.name)} AS side, v.text, row_number() OVER "
        f"(PARTITION BY t.{q(c.name)} ORDER BY hash(v.voc_id)) AS n FROM {q(table)} t "
        f"JOIN voc v ON v.voc_id = t.voc_id WHERE t.{q(c.name)} IS NOT NULL "
        f"AND v.text IS NOT NULL) WHERE n <= {SAMPLE}"
    ).fetchall()
    sides: dict[bool, list[float]] = {}
    for side, text in rows:
        score = lexicon_score(str(text))
        sides.setdefault(bool(side), []).append(1.0 if score >= 1 else -1.0 if score <= -1 else 0.0)
    if set(sides) != {True, False} or min(len(v) for v in sides.values()) < MIN_ROWS:
        return None
    yes, no = (sum(sides[k]) / len(sides[k]) for k in (True, False))
    if min(abs(yes), abs(no)) < MIN_LEAN or yes * no >= 0 or abs(yes - no) < MIN_GAP:
        return None
    return "positive" if yes > 0 else "negative"


def _has_text(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND ((table_name = ? AND column_name = 'voc_id') "
        "OR (table_name = 'voc' AND column_name IN ('voc_id', 'text')))",
        [table],
    ).fetchone()
    return found is not None and int(found[0]) == 3


def polar_dimension(item: dict[str, Any], c: Column, table: str, yes: str) -> dict[str, Any]:
    """The flag as a positive/negative dimension (the rows without a value stay out)."""
    no = "negative" if yes == "positive" else "positive"
    col = q(c.name)
    item = dict(item)
    item["kind"] = "category"
    item["sources"] = {
        table: f"CASE WHEN {col} THEN '{yes}' WHEN NOT {col} THEN '{no}' END",
    }
    item["values"] = {side: list(_SIDES[side]["values"]) for side in ("positive", "negative")}
    said = [f"{c.label} sentiment", "positive or negative", "好评还是差评", "好差评", "好评差评"]
    item["aliases"] = [*item.get("aliases", []), *said]
    item["description"] = (
        f"{item.get('description', '')}; the records' sentiment label: {c.name} = true is "
        f"{yes}, false is {no} (the text of each side reads so)."
    ).lstrip("; ")
    return item


def add_polar_rates(
    data: dict[str, Any], table: str, c: Column, yes: str, changes: Changes
) -> None:
    """The positive and the negative share of the records, and how many of each."""
    col = q(c.name)
    for side in ("positive", "negative"):
        words = _SIDES[side]
        when = col if side == yes else f"NOT {col}"
        en, cn = str(words["en"]), str(words["zh"])
        rate = {
            "en": f"{en.capitalize()} share",
            "zh": f"{cn}率",
            "aliases": list(words["rate"]),
            "table": table,
            "expr": f"100.0 * AVG(CASE WHEN {when} THEN 1.0 ELSE 0.0 END)",
            "filter": f"{col} IS NOT NULL",
            "unit": "%",
            "direction": words["direction"],
            "definition": f"Share of {table} rows labelled {en} ({c.name} = "
            f"{'true' if side == yes else 'false'}), of the rows with a label.",
        }
        put(data, "metrics", f"{c.name}_{side}_rate", rate, table, changes)
        count = {
            "en": f"{en.capitalize()} count",
            "zh": f"{cn}数",
            "aliases": list(words["count"]),
            "table": table,
            "expr": f"COUNT(*) FILTER (WHERE {when})",
            "unit": "count",
            "direction": "neutral",
            "definition": f"Number of {table} rows labelled {en} ({c.name} = "
            f"{'true' if side == yes else 'false'}).",
        }
        put(data, "metrics", f"{c.name}_{side}_count", count, table, changes)
