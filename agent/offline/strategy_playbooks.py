"""Strategy playbooks: a performance/opportunity gap analysis and a business-design draft.

Both gather evidence first, then fill the strategy template through ``fill_template`` with
sections built from those results (every fact cited), and finally write the same sections into
the answer, so the verifier checks each figure against the query it came from.
"""

from __future__ import annotations

from typing import Any

from ...data.periods import parse_period
from .narrative import Writer
from .ops_playbooks import _SAVING_SQL
from .playbooks import Call, Playbook, failed, metric_query, phrase
from .transcript import Result, Results
from .understand import Intent
from .voc_playbooks import _INFLUENCER_SQL, quote_lines, theme_name

Sections = list[dict[str, Any]]


def _period(intent: Intent) -> Any:
    return intent.period or parse_period("last quarter", intent.as_of)


def _influencer_call(intent: Intent) -> Call:
    p = _period(intent)
    sql = _INFLUENCER_SQL.format(start=p.start.isoformat(), end=p.end.isoformat())
    return (
        "run_sql",
        {"sql": sql, "purpose": "High-reach social posts without a ticket in 2 hours"},
    )


def _voice_call(intent: Intent, **extra: Any) -> Call:
    args = {
        "period": phrase(intent, "last quarter"),
        "sentiment": "negative",
        "top": 3,
        "quotes_per_theme": 1,
        **extra,
    }
    return ("voc_themes", args)


def _ok(results: Results, tag: str) -> Result | None:
    r = results.get(tag)
    return r if r is not None and r.ok and (r.rows or (r.content or {}).get("themes")) else None


def _fill_stage(template: str, build: Any) -> Any:
    def stage(intent: Intent, results: Results) -> dict[str, Call]:
        w = Writer(lang=intent.language, seed=intent.question, catalog=intent.catalog)
        sections = build(intent, results, w)
        if not sections:
            return {}
        args = {"template": template, "language": intent.language, "sections": sections}
        return {"doc": ("fill_template", args)}

    return stage


def _write_doc(build: Any, title_key: str) -> Any:
    def write(intent: Intent, results: Results, w: Writer) -> None:
        sections = build(intent, results, w)
        doc = results.get("doc")
        if not sections:
            failed(w, None)
            return
        ref = f" [{doc.id}]" if doc is not None and doc.ok and doc.id else ""
        w.lead.append(w.say(title_key, period=w.period(_period(intent).as_dict()), ref=ref))
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


# --- Gap analysis ---------------------------------------------------------------------------


def _gap_evidence(intent: Intent, results: Results) -> dict[str, Call]:
    period = phrase(intent, "last quarter")
    return {
        "inst": metric_query(
            ["installation_on_time_rate"],
            group_by=["region"],
            period=period,
            compare="previous",
            order_by="installation_on_time_rate_delta",
        ),
        "vol": metric_query(
            ["ticket_count"], filters={"type": "installation"}, period=period, compare="previous"
        ),
        "infl": _influencer_call(intent),
        "voice": _voice_call(intent),
    }


def gap_sections(intent: Intent, results: Results, w: Writer) -> Sections:
    inst, vol, infl = _ok(results, "inst"), _ok(results, "vol"), _ok(results, "infl")
    if inst is None:
        return []
    worst = inst.records()[0]
    region = w.label("region", worst["region"])
    values = {
        "region": region,
        "cur": w.pct(worst["installation_on_time_rate"]),
        "prev": w.pct(worst["installation_on_time_rate_prev"]),
        "delta": w.pp(worst["installation_on_time_rate_delta"]),
        "ref": inst.id,
    }
    summary = [w.say("gap.summary_perf", **values)]
    causes = [w.say("gap.cause_staff", region=region)]
    cites = [inst.id]
    if vol is not None:
        v = vol.records()[0]
        causes.insert(
            0, w.say("gap.cause_volume", pct=w.pct_change(v["ticket_count_pct_change"]), ref=vol.id)
        )
        cites.append(vol.id)
    perf = {
        "metric": w.say("gap.metric", region=region),
        "current": f"{values['cur']} [{inst.id}]",
        "target": w.say("gap.target", prev=values["prev"], ref=inst.id),
        "gap": f"{values['delta']} [{inst.id}]",
        "root_causes": causes,
        "actions": [w.say("gap.act_capacity", region=region), w.say("gap.act_dispatch")],
        "deadline": w.say("gap.deadline"),
        "owner": w.say("gap.owner", region=region),
        "citations": cites,
    }
    opps = _opportunities(results, w)
    if infl is not None:
        r = infl.records()[0]
        summary.append(
            w.say(
                "gap.summary_opp",
                unanswered=r["unanswered_posts"],
                posts=r["high_reach_posts"],
                ref=infl.id,
            )
        )
    sections: Sections = [
        {"section": "summary", "text": " ".join(summary)},
        {"section": "performance_gaps", "items": [perf]},
    ]
    if opps:
        sections.append({"section": "opportunity_gaps", "items": opps})
    sections.append({"section": "priorities", "text": w.say("gap.priorities", region=region)})
    return sections


def _opportunities(results: Results, w: Writer) -> list[dict[str, Any]]:
    out = []
    infl, voice = _ok(results, "infl"), _ok(results, "voice")
    if infl is not None:
        r = infl.records()[0]
        out.append(
            {
                "opportunity": w.say("gap.opp_social"),
                "evidence": w.say(
                    "gap.opp_social_ev",
                    unanswered=r["unanswered_posts"],
                    posts=r["high_reach_posts"],
                    ref=infl.id,
                ),
                "business_design_need": w.say("gap.opp_social_need"),
                "owner": w.say("gap.opp_social_owner"),
                "citations": [infl.id],
            }
        )
    if voice is not None and voice.content:
        themes = [t for t in voice.content["themes"] if t.get("count") and t["theme"] != "other"]
        if themes:
            t = themes[0]
            out.append(
                {
                    "opportunity": w.say("gap.opp_theme", theme=theme_name(w, t)),
                    "evidence": w.say(
                        "gap.opp_theme_ev",
                        count=t["count"],
                        share=w.pct(t["share_pct"]),
                        ref=voice.id,
                    ),
                    "business_design_need": w.say("gap.opp_theme_need"),
                    "owner": w.say("gap.opp_theme_owner"),
                    "citations": [voice.id],
                }
            )
    return out


GAP_ANALYSIS = Playbook(
    "gap_analysis",
    (_gap_evidence, _fill_stage("gap_analysis", gap_sections)),
    _write_doc(gap_sections, "gap.lead"),
)


# --- Business design ------------------------------------------------------------------------


def _design_evidence(intent: Intent, results: Results) -> dict[str, Call]:
    period = phrase(intent, "last quarter")
    return {
        "seg": metric_query(
            ["service_revenue", "csat_avg"],
            group_by=["segment"],
            period=period,
            compare="previous",
            order_by="-service_revenue",
        ),
        "remote": metric_query(
            ["cost_per_ticket", "csat_avg"], filters={"type": "repair"}, group_by=["remote"]
        ),
        "saving": (
            "run_sql",
            {
                "sql": _SAVING_SQL.format(where=""),
                "purpose": "How much less a remotely resolved repair costs",
            },
        ),
        "contracts": metric_query(
            ["contract_value", "contract_renewal_rate"], period="last 12 months", compare="previous"
        ),
        "ka_voice": _voice_call(intent, segment="key account"),
        "infl": _influencer_call(intent),
    }


def design_sections(intent: Intent, results: Results, w: Writer) -> Sections:
    seg = _ok(results, "seg")
    if seg is None:
        return []
    rows = {r["segment"]: r for r in seg.records()}
    ka = rows.get("key account") or next(iter(rows.values()))
    sections: Sections = [
        {
            "section": "customer_selection",
            "text": w.say(
                "bd.customers",
                revenue=w.value("service_revenue", ka["service_revenue"]),
                csat=ka["csat_avg"],
                prev=ka["csat_avg_prev"],
                delta=w.change("csat_avg", ka["csat_avg_delta"]),
                ref=seg.id,
            ),
        }
    ]
    voice = _ok(results, "ka_voice")
    if voice is not None and voice.content:
        themes = [t for t in voice.content["themes"] if t.get("count") and t["theme"] != "other"]
        if themes:
            quotes = quote_lines(w, themes[0].get("quotes", []), 1)
            text = w.say(
                "bd.value", theme=theme_name(w, themes[0]), count=themes[0]["count"], ref=voice.id
            )
            sections.append({"section": "value_proposition", "text": " ".join([text, *quotes])})
    contracts = _ok(results, "contracts")
    if contracts is not None:
        c = contracts.records()[0]
        sections.append(
            {
                "section": "value_capture",
                "text": w.say(
                    "bd.capture",
                    value=w.value("contract_value", c["contract_value"]),
                    pct=w.pct_change(c["contract_value_pct_change"]),
                    renewal=w.pct(c["contract_renewal_rate"]),
                    ref=contracts.id,
                ),
            }
        )
    _scope(results, w, sections)
    sections.append(
        {"section": "strategic_control_points", "text": w.say("bd.control", ref=seg.id)}
    )
    infl = _ok(results, "infl")
    risks = [
        {
            "risk": w.say("bd.risk_ka"),
            "signal": w.say(
                "bd.risk_ka_signal", delta=w.change("csat_avg", ka["csat_avg_delta"]), ref=seg.id
            ),
            "mitigation": w.say("bd.risk_ka_mit"),
            "citations": [seg.id],
        }
    ]
    if infl is not None:
        r = infl.records()[0]
        risks.append(
            {
                "risk": w.say("bd.risk_social"),
                "signal": w.say(
                    "gap.opp_social_ev",
                    unanswered=r["unanswered_posts"],
                    posts=r["high_reach_posts"],
                    ref=infl.id,
                ),
                "mitigation": w.say("gap.opp_social_need"),
                "citations": [infl.id],
            }
        )
    sections.append({"section": "risks", "items": risks})
    return sections


def _scope(results: Results, w: Writer, sections: Sections) -> None:
    remote, saving = _ok(results, "remote"), _ok(results, "saving")
    if remote is None or saving is None:
        return
    by = {bool(r["remote"]): r for r in remote.records() if r["remote"] is not None}
    if True not in by or False not in by:
        return
    s = saving.records()[0]
    sections.append(
        {
            "section": "scope_of_activities",
            "text": w.say(
                "bd.scope",
                pct=w.pct(s["remote_cost_saving_pct"]),
                sref=saving.id,
                remote=w.value("cost_per_ticket", by[True]["cost_per_ticket"]),
                onsite=w.value("cost_per_ticket", by[False]["cost_per_ticket"]),
                rcsat=by[True]["csat_avg"],
                ocsat=by[False]["csat_avg"],
                ref=remote.id,
            ),
        }
    )


BUSINESS_DESIGN = Playbook(
    "business_design",
    (_design_evidence, _fill_stage("business_design", design_sections)),
    _write_doc(design_sections, "bd.lead"),
)
