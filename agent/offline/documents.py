"""Shared pieces of the strategy playbooks: evidence calls, and filling and writing a template."""

from __future__ import annotations

from typing import Any

from ...data.periods import parse_period
from .influencers import INFLUENCER_SQL
from .narrative import Writer
from .playbooks import (
    Call,
    failed,
    phrase,
)
from .transcript import Result, Results
from .understand import Intent

Sections = list[dict[str, Any]]


def doc_period(intent: Intent) -> Any:
    return intent.period or parse_period("last quarter", intent.as_of)


def influencer_call(intent: Intent) -> Call:
    p = doc_period(intent)
    sql = INFLUENCER_SQL.format(start=p.start.isoformat(), end=p.end.isoformat())
    return (
        "run_sql",
        {"sql": sql, "purpose": "High-reach social posts without a ticket in 2 hours"},
    )


def voice_call(intent: Intent, **extra: Any) -> Call:
    args = {
        "period": phrase(intent, "last quarter"),
        "sentiment": "negative",
        "top": 3,
        "quotes_per_theme": 1,
        **extra,
    }
    return ("voc_themes", args)


def ok_result(results: Results, tag: str) -> Result | None:
    r = results.get(tag)
    return r if r is not None and r.ok and (r.rows or (r.content or {}).get("themes")) else None


def fill_stage(template: str, build: Any) -> Any:
    def stage(intent: Intent, results: Results) -> dict[str, Call]:
        w = Writer(lang=intent.language, seed=intent.question, catalog=intent.catalog)
        sections = build(intent, results, w)
        if not sections:
            return {}
        args = {"template": template, "language": intent.language, "sections": sections}
        return {"doc": ("fill_template", args)}

    return stage


def write_doc(build: Any, title_key: str) -> Any:
    def write(intent: Intent, results: Results, w: Writer) -> None:
        sections = build(intent, results, w)
        doc = results.get("doc")
        if not sections:
            failed(w, None)
            return
        ref = f" [{doc.id}]" if doc is not None and doc.ok and doc.id else ""
        w.lead.append(w.say(title_key, period=w.period(doc_period(intent).as_dict()), ref=ref))
        for s in sections:
            w.body.append(f"### {w.say('section.' + s['section'])}")
            if s.get("text"):
                w.body.append(s["text"])
            for item in s.get("items", []):
                w.body.append("- " + _item_text(w, item))
            w.body.append("")
        w.actions += [w.say("doc.action1"), w.say("doc.action2")]

    return write


def _item_text(w: Writer, item: dict[str, Any]) -> str:
    parts = []
    for k, v in item.items():
        if k == "citations":
            continue
        value = "; ".join(v) if isinstance(v, list) else str(v)
        parts.append(f"**{w.say('field.' + k)}**: {value}")
    return " — ".join(parts)
