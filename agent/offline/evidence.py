"""The evidence playbook: what customers say about a theme, counted and quoted verbatim."""

from __future__ import annotations

from typing import Any

from ...data.periods import phrase_for
from .narrative import Writer
from .playbooks import (
    VOC_NEEDS,
    Call,
    Playbook,
    failed,
    metric_query,
    period_or_all,
    slice_text,
)
from .transcript import Results
from .understand import Intent
from .voc_common import count_word, quote_lines, voc_slice, voc_where


def _evidence_stage(intent: Intent, results: Results) -> dict[str, Call]:
    sliced = voc_slice(intent)
    search: dict[str, Any] = {"query": intent.question[:300], "k": 5} | sliced
    if intent.period:
        search["period"] = phrase_for(intent.period, intent.as_of)
    calls: dict[str, Call] = {}
    if intent.theme:
        search["theme"] = intent.theme
        # The count holds every filter the quotes do ("吉利汽车" of a complaints table too), so
        # the number said for the slice is the slice's.
        own = {k: v for k, v in sliced.items() if k != "filters"}
        filters = {"theme": intent.theme} | own | sliced.get("filters", {})
        calls["count"] = metric_query(["voc_count"], filters=filters, period=period_or_all(intent))
    calls["quotes"] = ("search_voc", search)
    return calls


def _write_evidence(intent: Intent, results: Results, w: Writer) -> None:
    quotes, count = results.get("quotes"), results.get("count")
    found = (quotes.content or {}).get("quotes", []) if quotes and quotes.ok else []
    if not found:
        failed(w, quotes)
        return
    shown = count_word(w, min(len(found), 3))
    where = slice_text(w, voc_where(intent))
    if count is not None and count.ok and count.rows:
        total = count.records()[0]["voc_count"]
        period = (count.content or {}).get("period")
        w.lead.append(
            w.say(
                "evidence.lead_count",
                where=where,
                theme=_theme_label(w, intent),
                total=total,
                shown=shown,
                period=w.period(period if isinstance(period, dict) else None),
                ref=count.id,
            )
        )
    else:
        w.lead.append(w.say("evidence.lead", shown=shown, where=where))
    w.evidence += quote_lines(w, found, 3)
    w.coverage.append(w.say("evidence.coverage"))
    theme = _theme_label(w, intent) if intent.theme else w.say("evidence.this_issue")
    w.actions += [
        w.say("evidence.action1", theme=theme),
        w.say("evidence.action2", theme=theme),
    ]


def _theme_label(w: Writer, intent: Intent) -> str:
    if intent.themes is None:
        return intent.theme or ""
    return intent.themes.name(intent.theme or "", w.lang)


EVIDENCE = Playbook("voc_evidence", (_evidence_stage,), _write_evidence, VOC_NEEDS)
