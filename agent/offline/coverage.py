"""Periods the data does not cover: fall back to all of it, or say which dates it holds.

A playbook's default period ("last quarter" from today) can miss a user's data entirely (an
export from 2020). When every result of a question that named no period is empty and that
period lies outside the data, the plan asks ``describe_data`` for the date coverage, reruns the
playbook over the whole covered range and the answer says so. When the manager named the period
himself, the answer is insufficient data, saying which dates the data covers, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from ...data.periods import Period, explicit_range, parse_period
from .playbooks import Call, Playbook, next_calls
from .transcript import Result, Results
from .understand import Intent

COVERAGE = "coverage"
WIDE = "all_"


@dataclass
class Plan:
    """What to do next for one question: the calls still needed, or what to write from."""

    intent: Intent
    results: Results
    calls: dict[str, Call] = field(default_factory=dict)
    missed: str | None = None  # the label of the period that held no data
    span: tuple[str, str] | None = None  # first and last date in the data
    uncovered: bool = False  # the question named a period outside the data


def plan(playbook: Playbook, intent: Intent, results: Results) -> Plan:
    if intent.all_data and intent.period is None:
        return _all_data(playbook, intent, results)
    calls = next_calls(playbook, intent, results)
    own = {t: r for t, r in results.items() if t != COVERAGE and not t.startswith(WIDE)}
    if calls or not own or not all(is_empty(r) for r in own.values()):
        return Plan(intent, results, calls)
    if COVERAGE not in results:
        return Plan(intent, results, {COVERAGE: ("describe_data", {"focus": "coverage"})})
    span = data_span(results[COVERAGE], _tables(own, intent))
    asked = _asked_period(own, intent)
    if span is None or asked is None:
        return Plan(intent, results)
    if intent.period is not None:
        if _overlaps(asked, span):
            return Plan(intent, results)
        return Plan(intent, results, missed=asked.label, span=span, uncovered=True)
    # No period named and none of the default one's records fit (none in it at all, or none
    # of the slice asked): every date the data holds, said so.
    wide = _widened(intent, span)
    sub = {t[len(WIDE) :]: r for t, r in results.items() if t.startswith(WIDE)}
    more = {WIDE + t: c for t, c in next_calls(playbook, wide, sub).items()}
    return Plan(wide, sub, more, missed=asked.label, span=span)


def _all_data(playbook: Playbook, intent: Intent, results: Results) -> Plan:
    """ "Overall", "至今": the playbook runs over every date the data holds, said as such."""
    if COVERAGE not in results:
        return Plan(intent, results, {COVERAGE: ("describe_data", {"focus": "coverage"})})
    span = data_span(results[COVERAGE], _intent_tables(intent))
    if span is None:
        # No dates at all (an export of reviews with no time column): every record counts, and
        # the playbook's default period is not asked for.
        whole = replace(intent, whole_data=True, compare=False)
        calls = next_calls(playbook, whole, results)
        return Plan(whole, results, {t: _undated(c) for t, c in calls.items()})
    wide = _widened(intent, span)
    sub = {t[len(WIDE) :]: r for t, r in results.items() if t.startswith(WIDE)}
    more = {WIDE + t: c for t, c in next_calls(playbook, wide, sub).items()}
    return Plan(wide, sub, more, span=span)


def _undated(call: Call) -> Call:
    name, args = call
    return name, {k: v for k, v in args.items() if k not in ("period", "compare")}


def _widened(intent: Intent, span: tuple[str, str]) -> Intent:
    first, last = date.fromisoformat(span[0]), date.fromisoformat(span[1])
    whole = explicit_range(first, last, f"{span[0]}..{span[1]}")
    return replace(intent, period=whole, whole_data=True, compare=False)


def _intent_tables(intent: Intent) -> set[str] | None:
    cat = intent.catalog
    if cat is None or not intent.metrics:
        return None
    # The other groups' tables measured beside the first (``Intent.parallel``) count too.
    return {cat.metrics[m].table for m in [*intent.metrics, *intent.parallel] if m in cat.metrics}


def is_empty(result: Result) -> bool:
    """Whether a tool result holds no data (an error counts: nothing to write from)."""
    if not result.ok:
        return True
    content: dict[str, Any] = result.content or {}
    if "themes" in content:
        return not content.get("records")
    if "quotes" in content:
        return not content.get("quotes")
    if "rows" not in content:
        return False
    records = result.records()
    counts = [c for c in result.columns if c.startswith("n_") and not c.endswith("_prev")]
    if counts:
        return all(not r.get(c) for r in records for c in counts)
    metrics = list(content.get("units") or [])
    if not metrics:  # SQL rows: any row is data
        return not records
    return not records or all(r.get(m) is None for r in records for m in metrics)


def data_span(result: Result, only: set[str] | None = None) -> tuple[str, str] | None:
    """The first and last date in ``describe_data``'s coverage: of the tables the question's
    calls read when they are known, else of every table with rows."""
    tables = (result.content or {}).get("coverage") or {}
    usable = {
        name: t
        for name, t in tables.items()
        if isinstance(t, dict) and t.get("rows") and t.get("from") and t.get("to")
    }
    chosen = {n: t for n, t in usable.items() if n in (only or set())} or usable
    spans = [(str(t["from"])[:10], str(t["to"])[:10]) for t in chosen.values()]
    if not spans:
        return None
    return min(s for s, _ in spans), max(e for _, e in spans)


def _tables(results: Results, intent: Intent) -> set[str]:
    """The tables behind the metrics the calls asked for; "voc" for customer-voice tools."""
    cat = intent.catalog
    out: set[str] = set()
    for r in results.values():
        if r.name in ("voc_themes", "search_voc"):
            out.add("voc")
        for m in r.args.get("metrics") or []:
            if cat is not None and m in cat.metrics:
                out.add(cat.metrics[m].table)
    return out


def _asked_period(results: Results, intent: Intent) -> Period | None:
    """The period the empty calls asked about: the question's own, else the default the tools
    resolved (read from their results, not parsed again)."""
    if intent.period is not None:
        return intent.period
    for r in results.values():
        shown = period_shown(r)
        if shown is not None and shown.label:
            return shown
    # A tool that refused an empty period (voc_themes) returned no period: take the phrase
    # the playbook asked it for.
    for r in results.values():
        phrase = r.args.get("period")
        if isinstance(phrase, str) and phrase:
            return parse_period(phrase, intent.as_of)
    return None


def period_shown(result: Result) -> Period | None:
    """The period a tool result says it covered (None when it says none)."""
    shown = (result.content or {}).get("period")
    if not isinstance(shown, dict) or not shown.get("start"):
        return None
    last = shown.get("last_day") or shown.get("end")
    if not last:
        return None
    start, end = date.fromisoformat(shown["start"]), date.fromisoformat(last)
    return Period(start, end + timedelta(days=1), str(shown.get("label") or ""), "")


def _overlaps(period: Period, span: tuple[str, str]) -> bool:
    first, last = date.fromisoformat(span[0]), date.fromisoformat(span[1])
    return period.start <= last and period.end > first
