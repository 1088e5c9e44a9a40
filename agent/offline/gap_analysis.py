"""The gap-analysis playbook: performance and opportunity gaps, filled into a template."""

from __future__ import annotations

from typing import Any

from .documents import (
    Sections,
    fill_stage,
    influencer_call,
    ok_result,
    voice_call,
    write_doc,
)
from .narrative import Writer
from .playbooks import (
    Call,
    Playbook,
    metric_query,
    phrase,
)
from .transcript import Results
from .understand import Intent
from .voc_common import theme_name


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
        "infl": influencer_call(intent),
        "voice": voice_call(intent),
    }


def gap_sections(intent: Intent, results: Results, w: Writer) -> Sections:
    inst, vol, infl = (
        ok_result(results, "inst"),
        ok_result(results, "vol"),
        ok_result(results, "infl"),
    )
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
    infl, voice = ok_result(results, "infl"), ok_result(results, "voice")
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
    (_gap_evidence, fill_stage("gap_analysis", gap_sections)),
    write_doc(gap_sections, "gap.lead"),
)
