"""The numbers evidence holds, and whether a number written in an answer is one of them.

A written number matches when it equals a cell, a meta value or a number in a VOC record,
rounded to the precision it was shown with; percentages may be ratios (63.2% = 0.632);
percentage-point changes and signed deltas may be the difference of two values of one column
or one row. A number also has to be about the right thing: if its clause names a row
("East") or a metric column of the same kind, the matching value must come from there.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..data.period_phrases import month_said
from ..tools.ledger import Evidence
from .numbers import NumberMention, extract_numbers

_PERCENT_WORDS = re.compile(
    r"(?i)pct|percent|rate|ratio|share|prop|yoy|mom|率|占比|比例|比重|份额|％|%"
)
_CHANGE_WORDS = re.compile(r"(?i)delta|change|diff|growth|yoy|mom|变化|增长|增幅|差")
_GENERIC = {"avg", "mean", "total", "sum", "count", "num", "pct", "rate", "value", "the", "per"}
_EPS = 1e-9


@dataclass(frozen=True)
class Cell:
    value: float
    evidence_id: str
    column: str | None = None
    row: int | None = None
    percent_like: bool = False
    is_int: bool = False


@dataclass(frozen=True)
class Match:
    cell: Cell
    derived: bool = False


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(?:\.\d+)?\s*", value):
        return float(value)
    return None


# Percentage-point columns such as voc_themes' ``change_pp``.
_POINTS_COLUMN = re.compile(r"(?:^|_)(?:pp|points?)(?:$|_)")


def names_percent(name: str) -> bool:
    """Whether a column's name says it holds percentages ("share_pct", "sla_rate")."""
    return bool(_PERCENT_WORDS.search(name))


def percent_column(ev: Evidence, column: str | None) -> bool:
    """Whether a column holds percentages: by its name, or by the unit its metric declares
    (query_metric records ``meta["metrics"]`` with units; ``sla_attainment`` is a % metric)."""
    if not column:
        return False
    if _PERCENT_WORDS.search(column) or _POINTS_COLUMN.search(column):
        return True
    metrics = ev.meta.get("metrics")
    if not isinstance(metrics, list):
        return False
    names = [
        m["name"]
        for m in metrics
        if isinstance(m, dict) and m.get("unit") == "%" and isinstance(m.get("name"), str)
    ]
    return any(column == name or column.startswith(name + "_") for name in names)


def cells(ev: Evidence) -> list[Cell]:
    """Every number the evidence holds, with where it came from."""
    out: list[Cell] = []
    for r, row in enumerate(ev.rows):
        row_pct = any(isinstance(v, str) and _PERCENT_WORDS.search(v) for v in row)
        for c, raw in enumerate(row):
            value = _as_number(raw)
            if value is None:
                continue
            col = ev.columns[c] if c < len(ev.columns) else None
            pct = row_pct or percent_column(ev, col)
            out.append(Cell(value, ev.id, col, r, pct, isinstance(raw, int)))
    out.extend(_meta_cells(ev.id, ev.meta))
    if ev.kind == "query":
        out.append(Cell(float(len(ev.rows)), ev.id, "row_count", None, False, True))
    for n in extract_numbers(ev.text or ""):
        out.append(Cell(n.value, ev.id, None, None, n.percent, n.decimals == 0))
    return out


def _meta_cells(ev_id: str, meta: Any, key: str = "") -> list[Cell]:
    if isinstance(meta, dict):
        return [c for k, v in meta.items() for c in _meta_cells(ev_id, v, str(k))]
    if isinstance(meta, list | tuple):
        return [c for v in meta for c in _meta_cells(ev_id, v, key)]
    value = _as_number(meta) if not isinstance(meta, str) else None
    if value is None:
        return []
    pct = bool(_PERCENT_WORDS.search(key))
    return [Cell(value, ev_id, None, None, pct, isinstance(meta, int))]


def representations(n: NumberMention, cell: Cell) -> list[float]:
    """The cell's value in the units the number was written in."""
    v = cell.value
    if n.unit == "d":
        return [v, v / 24]  # hours shown in days as well ("148.7 hours (6.2 days)")
    if not (n.percent or n.points):
        return [v]
    reps = []
    if cell.percent_like or not cell.is_int:
        if cell.percent_like:
            reps.append(v)
        if abs(v) <= 1.5 or cell.percent_like:
            reps.append(v * 100)
    return reps


def _close(target: float, rep: float, n: NumberMention) -> bool:
    return abs(target - rep) <= n.tolerance + _EPS * max(1.0, abs(rep))


def _target(n: NumberMention) -> float:
    return abs(n.value) if (n.signed or n.points) else n.value


def direct_matches(n: NumberMention, pool: list[Cell]) -> list[Match]:
    target = _target(n)
    absolute = n.signed or n.points
    out = []
    for cell in pool:
        for rep in representations(n, cell):
            if _close(target, abs(rep) if absolute else rep, n):
                out.append(Match(cell))
                break
    return out


def derived_matches(n: NumberMention, pool: list[Cell]) -> list[Match]:
    """Differences of two values in one column or one row, for changes and pp."""
    if not (n.signed or n.points):
        return []
    target = abs(n.value)
    for a, b in _pairs(pool):
        diff = abs(a.value - b.value)
        reps = [diff]
        if n.points or n.percent:
            ratio = abs(a.value) <= 1.5 and abs(b.value) <= 1.5
            pct = a.percent_like and b.percent_like
            reps = ([diff] if pct else []) + ([diff * 100] if ratio or pct else [])
        if any(_close(target, r, n) for r in reps):
            return [Match(a, derived=True)]
    return []


def _pairs(pool: list[Cell]) -> list[tuple[Cell, Cell]]:
    # Only levels are subtracted: a delta minus a percent change means nothing. Within a row,
    # only values of one kind (two rates, or two counts) make a meaningful difference.
    groups: dict[tuple[Any, ...], list[Cell]] = {}
    for c in pool:
        if c.row is None or (c.column and _CHANGE_WORDS.search(c.column)):
            continue
        groups.setdefault((c.evidence_id, "col", c.column), []).append(c)
        groups.setdefault((c.evidence_id, "row", c.row, _kind(c)), []).append(c)
    return [(a, b) for g in groups.values() for i, a in enumerate(g) for b in g[i + 1 :]]


def _kind(c: Cell) -> str:
    if c.percent_like or (not c.is_int and abs(c.value) <= 1.5):
        return "rate"
    return "int" if c.is_int else "float"


def closest(n: NumberMention, pool: list[Cell]) -> float | None:
    target = _target(n)
    reps = [r for c in pool for r in representations(n, c)]
    if not reps:
        return None
    return min(reps, key=lambda r: abs(target - abs(r) if n.signed else target - r))


def misattributed(
    n: NumberMention, clause: str, evidence: list[Evidence], matches: list[Match]
) -> str | None:
    """Why the matches are about something other than what the clause names, or None."""
    direct = [m.cell for m in matches if not m.derived]
    if not direct or any(c.row is None for c in direct):
        return None
    rows = _mentioned_rows(clause, evidence)
    if rows and not any((c.evidence_id, c.row) in rows for c in direct):
        names = ", ".join(sorted({label for label in rows.values()}))
        return f"the matching value belongs to another row, not {names}"
    # A group named as the row ("AmazonHelp") does not name a column whose name carries it
    # (the record count of "twcs_amazonhelp_100_outbound", one table per company).
    groups = {w for label in rows.values() for w in re.split(r"[_\W]+", label.lower()) if w}
    cols = _mentioned_columns(clause, evidence, n, groups)
    if cols and not any(c.column in cols for c in direct):
        found = sorted({str(c.column) for c in direct})
        return f"it matches {', '.join(found)}, but the clause is about {', '.join(sorted(cols))}"
    return None


def _mentioned_rows(clause: str, evidence: list[Evidence]) -> dict[tuple[str, int], str]:
    out = {}
    for ev in evidence:
        for r, row in enumerate(ev.rows):
            for v in row:
                if isinstance(v, str) and len(v) >= 2 and _mentions_label(clause, v):
                    out[(ev.id, r)] = v
    return out


def _mentions_label(clause: str, label: str) -> bool:
    """Whether the clause names a row by its label; a month ("2026-04") also as people say it
    ("April 2026", "2026年4月"), and not as the start of a day ("2026-04-01")."""
    names = month_said(label)
    if names is None:
        return _mentions(clause, label)
    said = rf"(?<![\d-]){re.escape(label)}(?![\d-])|" + "|".join(re.escape(n) for n in names)
    return re.search(said, clause) is not None


def _mentioned_columns(
    clause: str, evidence: list[Evidence], n: NumberMention, groups: Collection[str] = ()
) -> set[str]:
    wants_pct = n.percent or n.points
    out = set()
    for ev in evidence:
        for i, col in enumerate(ev.columns):
            numeric = any(i < len(row) and _as_number(row[i]) is not None for row in ev.rows)
            kind_pct = percent_column(ev, col)
            if numeric and kind_pct == wants_pct and _mentions_column(clause, col, groups):
                out.add(col)
    return out


def _mentions_column(clause: str, column: str, groups: Collection[str] = ()) -> bool:
    words = [w for w in re.split(r"[_\W]+", column.lower()) if w]
    if _mentions(clause, " ".join(words)):
        return True
    return any(
        len(w) >= 3 and w not in _GENERIC and w not in groups and _mentions(clause, w)
        for w in words
    )


def _mentions(clause: str, term: str) -> bool:
    if not term.isascii():
        return term in clause
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", clause, re.I) is not None
