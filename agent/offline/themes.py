"""The top-themes playbook: what customers raise most in a slice, and what is rising."""

from __future__ import annotations

from typing import Any

from .narrative import Writer
from .playbooks import (
    VOC_NEEDS,
    Call,
    Playbook,
    failed,
    phrase,
    slice_text,
)
from .transcript import Results
from .understand import Intent
from .voc_common import NEGATIVE, quote_lines, theme_name, voc_slice, voc_where


def _themes_stage(intent: Intent, results: Results) -> dict[str, Call]:
    # Small enough that the tool message is never clipped (clipped JSON cannot be read back).
    args: dict[str, Any] = {
        "period": phrase(intent, "last quarter"),
        "top": 5,
        "quotes_per_theme": 1,
    }
    args |= voc_slice(intent)
    if intent.whole_data:  # every date in the data: there is no earlier period to compare
        args["compare"] = False
    if NEGATIVE.search(intent.question) or intent.filters.get("type") == "complaint":
        args["sentiment"] = "negative"
    return {"themes": ("voc_themes", args)}


def _write_themes(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("themes")
    if res is None or not res.ok or not res.content:
        failed(w, res)
        return
    c = res.content
    themes = [t for t in c.get("themes", []) if t.get("count") and t["theme"] != "other"]
    if not themes:
        failed(w, None)
        return
    top = themes[0]
    w.lead.append(
        w.say(
            "themes.lead",
            where=slice_text(w, voc_where(intent)),
            theme=theme_name(w, top),
            count=top["count"],
            share=w.pct(top["share_pct"]),
            records=c["records"],
            ref=res.id,
        )
    )
    for t in themes[1:4]:
        w.evidence.append(
            w.say(
                "themes.item",
                theme=theme_name(w, t),
                count=t["count"],
                share=w.pct(t["share_pct"]),
                ref=res.id,
            )
        )
    moved = [t for t in themes if (t.get("change_pp") or 0) > 0]
    if moved:
        m = max(moved, key=lambda t: t["change_pp"])
        w.evidence.append(
            w.say(
                "themes.rising",
                theme=theme_name(w, m),
                prev=w.pct(m["previous_share_pct"]),
                share=w.pct(m["share_pct"]),
                ref=res.id,
            )
        )
    for t in [t for t in themes[1:] if t.get("emerging")][:2]:
        w.evidence.append(
            w.say("themes.emerging", theme=theme_name(w, t), count=t["count"], ref=res.id)
        )
    w.evidence += quote_lines(w, top.get("quotes", []), 1)
    period = c.get("period") if isinstance(c.get("period"), dict) else None
    w.coverage.append(w.say("coverage.rows", period=w.period(period), ref=res.id))
    w.coverage += _source_lines(w, c.get("theme_source") or {})
    w.actions.append(
        w.say("themes.action1", theme=theme_name(w, top), count=top["count"], ref=res.id)
    )
    if moved and m["theme"] != top["theme"]:
        w.actions.append(w.say("themes.action_rising", theme=theme_name(w, m)))


def _source_lines(w: Writer, source: dict[str, Any]) -> list[str]:
    """Where the themes come from, so the reader knows what the names mean."""
    kind = source.get("kind")
    if kind not in ("discovered", "column", "taxonomy"):
        return []
    return [w.say(f"themes.source_{kind}", column=source.get("column") or "")]


THEMES = Playbook("voc_themes", (_themes_stage,), _write_themes, VOC_NEEDS)
