"""The business-design playbook: a draft built from segment, cost, contract and voice evidence."""

from __future__ import annotations

from .documents import (
    Sections,
    fill_stage,
    influencer_call,
    ok_result,
    voice_call,
    write_doc,
)
from .influencers import NEEDS as INFLUENCER_NEEDS
from .narrative import Writer
from .playbooks import (
    Call,
    Needs,
    Playbook,
    metric_query,
    phrase,
)
from .remote import NEEDS as REMOTE_NEEDS
from .remote import SAVING_SQL
from .transcript import Results
from .understand import Intent
from .voc_common import quote_lines, theme_name


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
                "sql": SAVING_SQL.format(where=""),
                "purpose": "How much less a remotely resolved repair costs",
            },
        ),
        "contracts": metric_query(
            ["contract_value", "contract_renewal_rate"], period="last 12 months", compare="previous"
        ),
        "ka_voice": voice_call(intent, segment="key account"),
        "infl": influencer_call(intent),
    }


def design_sections(intent: Intent, results: Results, w: Writer) -> Sections:
    seg = ok_result(results, "seg")
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
    voice = ok_result(results, "ka_voice")
    if voice is not None and voice.content:
        themes = [t for t in voice.content["themes"] if t.get("count") and t["theme"] != "other"]
        if themes:
            quotes = quote_lines(w, themes[0].get("quotes", []), 1)
            text = w.say(
                "bd.value", theme=theme_name(w, themes[0]), count=themes[0]["count"], ref=voice.id
            )
            sections.append({"section": "value_proposition", "text": " ".join([text, *quotes])})
    contracts = ok_result(results, "contracts")
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
    infl = ok_result(results, "infl")
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
    remote, saving = ok_result(results, "remote"), ok_result(results, "saving")
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


NEEDS = Needs(
    metrics=(*REMOTE_NEEDS.metrics, "service_revenue", "contract_value", "contract_renewal_rate"),
    dimensions=REMOTE_NEEDS.dimensions + INFLUENCER_NEEDS.dimensions + ("segment",),
    columns=REMOTE_NEEDS.columns + INFLUENCER_NEEDS.columns,
)
BUSINESS_DESIGN = Playbook(
    "business_design",
    (_design_evidence, fill_stage("business_design", design_sections)),
    write_doc(design_sections, "bd.lead"),
    NEEDS,
)
