"""What changed: the largest metric moves of the period and the emerging feedback themes."""

from __future__ import annotations

from typing import Any

from ...data.periods import phrase_for
from .catalog_choice import headline_metrics, reaches
from .narrative import Writer
from .playbooks import (
    Call,
    Playbook,
    failed,
    metric_query,
)
from .transcript import Results
from .understand import Intent

# Metrics looked at for "what changed": the catalog's headline list (or its own choice).
MAIN = 8


def main_metrics(intent: Intent) -> list[str]:
    """The headline metrics the question's filters apply to."""
    cat = intent.catalog
    metrics = headline_metrics(cat, MAIN)
    if cat is not None:
        metrics = [m for m in metrics if all(reaches(cat, m, d) for d in intent.filters)]
    return metrics


def changed_phrase(intent: Intent) -> str:
    p = intent.period
    if p is None:
        return "last month"
    if p.to_date and p.days < 7 and p.kind in ("month", "quarter", "year", "week"):
        return f"last {p.kind}"
    return phrase_for(p, intent.as_of)


def _changed_stage(intent: Intent, results: Results) -> dict[str, Call]:
    period = changed_phrase(intent)
    return {
        "moves": metric_query(
            main_metrics(intent), filters=intent.filters, period=period, compare="previous"
        ),
        "new_themes": ("voc_themes", {"period": period, "top": 12, "quotes_per_theme": 0}),
    }


def _write_changed(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("moves")
    if failed(w, res) or res is None or w.catalog is None:
        return
    row = res.records()[0]
    period = res.content["period"]  # type: ignore[index]
    asked = phrase_for(intent.period, intent.as_of) if intent.period else ""
    if changed_phrase(intent) != asked:
        w.lead.append(w.say("changed.period", period=w.period(period)))
    moves = [m for m in main_metrics(intent) if row.get(f"{m}_pct_change") is not None]
    moves.sort(key=lambda m: -abs(row[f"{m}_pct_change"]))
    for m in moves[:3]:
        w.evidence.append(
            w.say(
                "changed.move",
                metric=w.metric(m),
                cur=w.value(m, row[m]),
                prev=w.value(m, row[f"{m}_prev"]),
                delta=w.change(m, row[f"{m}_delta"]),
                pct=w.pct_change(row[f"{m}_pct_change"]),
                ref=res.id,
            )
        )
    if moves:
        w.lead.append(
            w.say(
                "changed.lead",
                metric=w.metric(moves[0]),
                pct=w.pct_change(row[f"{moves[0]}_pct_change"]),
                ref=res.id,
            )
        )
    _emerging(results, w)
    w.coverage.append(w.say("coverage.rows", period=w.period(period), ref=res.id))
    if moves:
        w.actions.append(w.say("changed.action1", metric=w.metric(moves[0])))
    rising = _rising(results)
    if rising:
        w.actions.append(w.say("changed.action2", theme=_theme(w, rising[0])))


def _emerging(results: Results, w: Writer) -> None:
    voc = results.get("new_themes")
    if voc is None:
        return
    for t in _rising(results)[:2]:
        name = _theme(w, t)
        w.evidence.append(
            w.say(
                "changed.theme",
                theme=name,
                count=t["count"],
                share=w.pct(t["share_pct"]),
                prev=w.pct(t["previous_share_pct"]),
                ref=voc.id,
            )
        )


WHAT_CHANGED = Playbook("what_changed", (_changed_stage,), _write_changed)


def _rising(results: Results) -> list[dict[str, Any]]:
    """Feedback themes whose share grew against the previous period, fastest first."""
    voc = results.get("new_themes")
    if voc is None or not voc.ok or not voc.content:
        return []
    themes = voc.content.get("themes", [])
    rising = [t for t in themes if (t.get("change_pp") or 0) > 0 and t.get("theme") != "other"]
    return sorted(rising, key=lambda t: -t["change_pp"])


def _theme(w: Writer, theme: dict[str, Any]) -> str:
    return str(theme["theme_name_zh"] if w.lang == "zh" else theme["theme_name"])
