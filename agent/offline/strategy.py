"""Any strategy template the manager names, filled from what the data can settle.

The evidence is generic, so it works on any catalog: the headline metrics now against the
previous period, and what negative feedback is about when the workspace holds feedback. The
template's "where we stand" section (the first one that needs evidence) is written from the
metrics; a section about customers from the feedback. Everything else is left to the template
tool, which marks it "insufficient evidence" and says what data would settle it — a document
that states only what the data shows, instead of a filled-in guess.
"""

from __future__ import annotations

from typing import Any

from ...tools.templates import load_template
from .catalog_choice import HEADLINE, headline_metrics, reaches
from .documents import Sections, fill_stage, ok_result, voice_call
from .narrative import Writer
from .playbooks import Call, Playbook, failed, metric_query, phrase
from .transcript import Results
from .understand import Intent
from .voc_common import theme_name

# Sections about customers, by id, that feedback themes can speak to.
_CUSTOMER_SECTIONS = ("customers", "customer_selection", "service_content")


def _evidence(intent: Intent, results: Results) -> dict[str, Call]:
    period = phrase(intent, "last quarter")
    cat = intent.catalog
    # Metrics named by name lead; words that only resemble one ("服务体系") do not count here.
    named = [m for m in intent.metrics if m not in {b[0] for b in intent.slots.by_meaning}]
    metrics = list(dict.fromkeys([*named, *headline_metrics(cat)]))[:HEADLINE]
    # Only metrics the question's filters apply to ("repairs" does not filter contracts).
    if cat is not None:
        metrics = [m for m in metrics if all(reaches(cat, m, d) for d in intent.filters)]
    calls: dict[str, Call] = {}
    if metrics:
        calls["moves"] = metric_query(
            metrics, filters=intent.filters, period=period, compare="previous"
        )
    if intent.catalog is not None and "voc" in intent.catalog.tables:
        calls["voice"] = voice_call(intent)
    return calls


def strategy_sections(intent: Intent, results: Results, w: Writer) -> Sections:
    spec = load_template(intent.template or "market_insight")
    moves, voice = ok_result(results, "moves"), ok_result(results, "voice")
    sections: Sections = []
    facts = next((s for s in spec.sections if s.kind == "text" and s.requires_evidence), None)
    if facts is not None and moves is not None:
        sections.append({"section": facts.id, "text": _standing(w, moves)})
    customers = next((s for s in spec.sections if s.id in _CUSTOMER_SECTIONS), None)
    said = _voice(w, voice)
    if customers is not None and said and (facts is None or customers.id != facts.id):
        sections.append({"section": customers.id, "text": said})
    return sections


def _standing(w: Writer, moves: Any) -> str:
    row = moves.records()[0]
    content: dict[str, Any] = moves.content or {}
    parts = []
    for m in content.get("units") or {}:
        if row.get(m) is None:
            continue
        delta = row.get(f"{m}_delta")
        change = f" ({w.change(m, delta)})" if delta is not None else ""
        parts.append(f"{w.metric(m)} {w.value(m, row[m])}{change}")
    period = content.get("period")
    return w.say(
        "strategy.standing",
        period=w.period(period if isinstance(period, dict) else None),
        figures=("；" if w.lang == "zh" else "; ").join(parts),
        ref=moves.id,
    )


def _voice(w: Writer, voice: Any) -> str:
    if voice is None or not voice.content:
        return ""
    themes = [
        t for t in voice.content.get("themes", []) if t.get("count") and t["theme"] != "other"
    ]
    if not themes:
        return ""
    listed = ("、" if w.lang == "zh" else ", ").join(
        f"{theme_name(w, t)} ({t['count']})" for t in themes[:3]
    )
    return w.say("strategy.voice", themes=listed, ref=voice.id)


def _template_of(intent: Intent, results: Results) -> dict[str, Call]:
    return fill_stage(intent.template or "market_insight", strategy_sections)(intent, results)


def _write(intent: Intent, results: Results, w: Writer) -> None:
    spec = load_template(intent.template or "market_insight")
    sections = strategy_sections(intent, results, w)
    doc = results.get("doc")
    if not sections or doc is None or not doc.ok:
        failed(w, None)
        return
    filled = {s["section"] for s in sections}
    w.lead.append(w.say("strategy.lead", template=spec.title.get(w.lang), ref=doc.id))
    for s in sections:
        w.body += [f"### {spec.section(s['section']).title.get(w.lang)}", s["text"], ""]  # type: ignore[union-attr]
    open_ = [x.title.get(w.lang) for x in spec.sections if x.id not in filled]
    if open_:
        sep = "、" if w.lang == "zh" else ", "
        w.coverage.append(w.say("strategy.open", sections=sep.join(open_), ref=doc.id))
    w.actions += [w.say("doc.action1"), w.say("doc.action2")]


STRATEGY = Playbook("strategy_template", (_evidence, _template_of), _write)
