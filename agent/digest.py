"""The digest: what a service manager should know about a period without asking.

``build_digest`` resolves the period once (``since`` counted back from ``as_of``), runs every
registered section (``digest_sections.SECTIONS``) on an analyst dated ``as_of``, keeps the items
the audience receives, and checks that every number an item's text shows is one of the figures
the machinery computed for it. Nothing here is written by a model: item texts are templates
filled with those figures (``digest_text``), and each item carries its evidence (the SQL and
parameters behind it, its test or backtest figures) and, when the server's public address is
configured, a link back to it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from ..data.periods import Period, PeriodError, parse_period, phrase_for, rolling
from .digest_model import (
    AUDIENCES,
    Audience,
    Digest,
    DigestItem,
    DigestPeriod,
    DigestSection,
    Direction,
    ItemEvidence,
    Lang,
    Status,
)
from .numbers import extract_numbers
from .results import RequestError, TableResult

if TYPE_CHECKING:
    from .analyst import Analyst

__all__ = ["AUDIENCES", "Audience", "Digest", "DigestItem", "DigestPeriod", "DigestSection"]
__all__ += ["Direction", "ItemEvidence", "Lang", "Status", "build_digest", "check_numbers"]
__all__ += ["digest_period", "item_rows", "resolve_since"]

# Management reads the largest items of each section, not every one.
MANAGEMENT_ITEMS = 3
_SINCE = re.compile(r"^\s*(\d{1,4})\s*([dwm])\s*$", re.I)
_UNITS = {"d": "days", "w": "weeks", "m": "months"}


def resolve_since(since: str, as_of: date) -> Period:
    """``7d``, ``2w`` or ``3m`` (complete days, weeks or months before ``as_of``), or a date
    phrase ("last quarter", 上周); raises ``PeriodError`` with the accepted forms."""
    found = _SINCE.match(since)
    if found:
        return rolling(int(found.group(1)), _UNITS[found.group(2).lower()], as_of, since)
    try:
        return parse_period(since, as_of)
    except PeriodError:
        raise PeriodError(
            f"Unknown --since {since!r}: use 7d, 2w, 3m or a period such as 'last quarter'."
        ) from None


def digest_period(since: str, as_of: date, *, min_n: int = 30, fdr: float = 0.05) -> DigestPeriod:
    period = resolve_since(since, as_of)
    if period.open_start or period.end > as_of:
        raise PeriodError(
            f"The digest needs a period that has ended, with a start: {period.label} does not."
        )
    # The tools are given the phrase, so the comparison is the one they read it with.
    phrase = phrase_for(period, as_of)
    before = parse_period(phrase, as_of).previous()
    return DigestPeriod(
        since=since, as_of=as_of, label=period.label, start=period.start, end=period.last_day,
        phrase=phrase, comparison_label=before.label,
        comparison_start=before.start, comparison_end=before.last_day, min_n=min_n, fdr=fdr,
    )  # fmt: skip


def build_digest(
    analyst: Analyst,
    *,
    since: str = "7d",
    as_of: date | None = None,
    lang: Lang = "en",
    audience: Audience | None = None,
    min_n: int = 30,
    fdr: float = 0.05,
) -> Digest:
    from .digest_sections import SECTIONS
    from .digest_text import words

    if lang not in ("en", "zh"):
        raise ValueError(f"Unknown language {lang!r}; use en or zh.")
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"Unknown audience {audience!r}; use one of {', '.join(AUDIENCES)}.")
    dated = analyst if as_of is None or as_of == analyst.as_of else analyst.at(as_of)
    period = digest_period(since, dated.as_of, min_n=min_n, fdr=fdr)
    sections = [spec.build(dated, period, lang) for spec in SECTIONS]
    for section in sections:
        section.items = _for_audience(section.items, audience)
        for item in section.items:
            check_numbers(item)
    base = analyst.settings.public_url
    digest = Digest(
        title=words(lang).title(period.label, audience),
        lang=lang,
        audience=audience,
        period=period,
        sections=sections,
        dashboard_url=f"{base.rstrip('/')}/dashboard?lang={lang}" if base else None,
    )
    if base:
        for item in digest.items():
            item.evidence.link = item_link(base, item.id, period, lang)
    return digest


def item_link(base: str, item_id: str, period: DigestPeriod, lang: str) -> str:
    """The item's evidence on the server: it recomputes the same digest and runs the item's SQL."""
    query = f"since={period.since}&as_of={period.as_of.isoformat()}&lang={lang}"
    return f"{base.rstrip('/')}/v1/digest/items/{item_id}?{query}"


def item_rows(analyst: Analyst, item: DigestItem) -> TableResult:
    """The rows of an item's query, run again through the SQL guard."""
    from ..data.sql_params import inline_params

    if not item.evidence.sql:
        raise RequestError(f"Item {item.id} has no query behind it.")
    return analyst.sql(inline_params(item.evidence.sql, item.evidence.params))


def _for_audience(items: list[DigestItem], audience: Audience | None) -> list[DigestItem]:
    if audience is None:
        return items
    mine = [i for i in items if audience in i.audiences]
    if audience == "management":
        mine = sorted(mine, key=lambda i: -i.size)[:MANAGEMENT_ITEMS]
    return mine


class UncheckedNumberError(AssertionError):
    """An item's text shows a number none of its figures has: a bug in a section's template."""


def check_numbers(item: DigestItem) -> None:
    """Every number the item's title and text show is one of its figures, as rounded there."""
    values = [float(v) for v in item.figures.values() if isinstance(v, int | float)]
    for text in (item.title, item.text):
        for n in extract_numbers(text, item.names):
            # A move is shown without its sign where a word says which way it went.
            if not any(abs(abs(v) - abs(n.value)) <= n.tolerance + 1e-9 for v in values):
                raise UncheckedNumberError(
                    f"{item.id}: {n.text!r} in {text!r} is none of its figures {item.figures}"
                )
