"""A number column's average or total, named by the column's words in another form:
"which group reassigns tickets the most on average" is the average of ``reassignment_count``;
"how many times were incidents reopened in total" its sum.

The question must say which aggregate ("on average", "平均", "in total", "总共") and name the
column by its words, each as the same word in another form (reassigns ≈ reassignment: a long
shared beginning), or, for a Chinese column, by the column's name without a counting word.
Only the catalog's unfiltered ``AVG``/``SUM`` of one column qualifies, and only one may fit.
"""

from __future__ import annotations

import re

from ...data.catalog import Catalog
from .durations import AVERAGE

_TOTAL = re.compile(r"(?i)\bin total\b|\btotal\b|\bsum of\b|\baltogether\b|总共|合计|总计|累计")
_AGGREGATE = re.compile(r'^(AVG|SUM)\(\s*"?(\w+)"?\s*\)$', re.IGNORECASE)
# Words of a column's name that say how it counts, not what.
_COUNTING = frozenset(
    ("count", "counts", "number", "num", "no", "total", "amount", "sum", "avg", "qty", "cnt", "n")
)
_ZH_COUNTING = re.compile(r"(?:次数|数量|个数|总数|数)$")
_CJK = re.compile(r"[\u3400-\u9fff]")
# Two words are one in another form when they begin alike for this many letters and for most
# of the shorter one ("reassigns"/"reassignment", "reopened"/"reopen").
_SHARED = 5
_SHARE_OF_SHORTER = 0.6


def column_measure(question: str, catalog: Catalog) -> str | None:
    """The catalog metric averaging (or summing) the number column the question names, when
    the question asks for that aggregate and exactly one such metric fits."""
    want = "AVG" if AVERAGE.search(question) else "SUM" if _TOTAL.search(question) else None
    if want is None:
        return None
    asked = re.findall(r"[a-z]+", question.lower())
    fits = []
    for name, metric in catalog.metrics.items():
        m = _AGGREGATE.match(metric.spec.expr.strip())
        if metric.spec.filter or m is None or m.group(1).upper() != want:
            continue
        own = re.sub(r"^平均|合计$", "", metric.spec.zh or "")
        if names_column(catalog, metric.table, m.group(2), own, asked, question):
            fits.append(name)
    return fits[0] if len(fits) == 1 else None


def names_column(
    catalog: Catalog,
    table: str,
    column: str,
    own: str,
    asked: list[str],
    question: str,
    other: list[str] | None = None,
) -> bool:
    """Whether the question names a number column: by its words in another form, by its
    Chinese name as a dimension, by the Chinese name ``own`` its measure carries, or by the
    ``other`` names its measure is known by."""
    names = [column, *chinese_names(catalog, table, column), own, *(other or [])]
    return any(_names_column(n, asked, question) for n in names)


def chinese_names(catalog: Catalog, table: str, column: str) -> list[str]:
    """The Chinese names the catalog gives a column as a dimension ("转派次数"); a source
    may name its table ('t."reopen_count"')."""
    out = []
    for dim in catalog.dimensions.values():
        source = dim.sources.get(table, "").rsplit(".", 1)[-1].strip('"')
        if source == column and dim.spec.zh:
            out.append(dim.spec.zh)
    return out


def _names_column(column: str, asked: list[str], question: str) -> bool:
    if not column:
        return False
    if _CJK.search(column):
        core = _ZH_COUNTING.sub("", column)
        return len(core) >= 2 and core in question
    words = [w for w in re.split(r"[_\W]+", column.lower()) if w and w not in _COUNTING]
    return bool(words) and all(any(same_word(w, a) for a in asked) for w in words)


def same_word(a: str, b: str) -> bool:
    """Whether two English words are one word in another form (a long shared beginning)."""
    if a == b:
        return True
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= _SHARED and n >= _SHARE_OF_SHORTER * min(len(a), len(b))
