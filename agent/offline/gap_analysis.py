"""The gap-analysis playbook: performance and opportunity gaps, filled into a template."""

from __future__ import annotations

import re
from typing import Any

from .catalog_choice import headline_metrics, split_dimension
from .documents import (
    Sections,
    fill_stage,
    influencer_call,
    ok_result,
    voice_call,
    write_doc,
)
from .metric_actions import lever_action
from .narrative import Writer
from .playbooks import (
    Call,
    Playbook,
    dim_name,
    direction,
    metric_query,
    phrase,
    slice_text,
)
from .transcript import Results
from .understand import Intent
from .voc_common import theme_name


def _gap_evidence(intent: Intent, results: Results) -> dict[str, Call]:
    if _generic(intent):
        return _generic_calls(intent)
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
    if _generic(intent):
        return _generic_sections(intent, results, w)
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


# --- Any metric, any catalog: the metric the manager names, against the target they give ---

_TARGET = re.compile(
    r"(?i)(?:target|goal|aim)\D{0,40}?(\d+(?:\.\d+)?\s*%?)|(\d+(?:\.\d+)?\s*%?)\s*(?:the )?"
    r"(?:target|goal)|目标\D{0,12}?(\d+(?:\.\d+)?\s*%?)|(\d+(?:\.\d+)?\s*%?)\s*(?:的)?目标"
    r"|拿\s*(\d+(?:\.\d+)?\s*%?)\s*当"
)


def target_of(question: str) -> str | None:
    """The target the manager states ("a target of 4.2", "目标是85%"), as written."""
    m = _TARGET.search(question)
    return next((g.replace(" ", "") for g in m.groups() if g), None) if m else None


def _generic(intent: Intent) -> bool:
    """A metric the manager named (not just the word for the records, "服务"/"tickets"), or a
    catalog without the demo's installation metric."""
    cat = intent.catalog
    named = bool(intent.metrics) and not intent.slots.noun_only
    return named or cat is None or "installation_on_time_rate" not in cat.metrics


def _focus_metric(intent: Intent) -> str | None:
    if intent.metrics:
        return intent.metrics[0]
    ranked = headline_metrics(intent.catalog)
    return ranked[0] if ranked else None


def _generic_calls(intent: Intent) -> dict[str, Call]:
    metric = _focus_metric(intent)
    if metric is None:
        return {}
    period = phrase(intent, "last quarter")
    calls = {
        "focus": metric_query([metric], filters=intent.filters, period=period, compare="previous")
    }
    dim = split_dimension(intent.catalog, metric, intent.filters)
    if dim:
        calls["where"] = metric_query(
            [metric], filters=intent.filters, group_by=[dim], period=period, compare="previous"
        )
    if intent.catalog is not None and "voc" in intent.catalog.tables:
        calls["voice"] = voice_call(intent)
    return calls


def _generic_sections(intent: Intent, results: Results, w: Writer) -> Sections:
    focus = ok_result(results, "focus")
    if focus is None:
        return []
    metric = next(iter((focus.content or {})["units"]))
    row = focus.records()[0]
    name = w.metric(metric) + slice_text(w, intent.filters)
    target = target_of(intent.question)
    cur, prev = w.value(metric, row.get(metric)), w.value(metric, row.get(f"{metric}_prev"))
    against = (
        w.say("gap.g.against_target", target=target)
        if target
        else w.say("gap.g.against_prev", prev=prev, ref=focus.id)
    )
    summary = w.say("gap.g.summary", metric=name, cur=cur, ref=focus.id, against=against)
    causes, actions, cites = _where(w, metric, ok_result(results, "where"), focus.id)
    item = {
        "metric": name,
        "current": f"{cur} [{focus.id}]",
        "target": w.say("gap.g.target_given", target=target) if target else against,
        "gap": _gap_words(w, metric, row, target, focus.id),
        "root_causes": causes,
        "actions": actions,
        "deadline": w.say("gap.deadline"),
        "owner": w.say("gap.g.owner"),
        "citations": cites,
    }
    sections: Sections = [
        {"section": "summary", "text": summary},
        {"section": "performance_gaps", "items": [item]},
    ]
    opps = _opportunities(results, w)
    if opps:
        sections.append({"section": "opportunity_gaps", "items": opps})
    sections.append({"section": "priorities", "text": w.say("gap.g.priorities", metric=name)})
    return sections


def _gap_words(w: Writer, metric: str, row: dict[str, Any], target: str | None, ref: str) -> str:
    """The gap in words against a stated target (no figure the data does not hold), or the
    change against the previous period as the tool computed it."""
    if not target:
        return f"{w.change(metric, row.get(f'{metric}_delta'))} [{ref}]"
    value, goal = row.get(metric), float(target.rstrip("%"))
    if value is None:
        return w.say("gap.g.unknown")
    worse = value < goal if direction(w, metric) != "lower_is_better" else value > goal
    return w.say("gap.g.short" if worse else "gap.g.met", target=target)


def _where(
    w: Writer, metric: str, res: Any, focus_ref: str
) -> tuple[list[str], list[str], list[str]]:
    if res is None:
        return [w.say("gap.g.cause_unknown")], [w.say("gap.g.act_review")], [focus_ref]
    dim = res.columns[0]
    rows = [r for r in res.records() if r.get(metric) is not None and r.get(dim) is not None]
    if not rows:
        return [w.say("gap.g.cause_unknown")], [w.say("gap.g.act_review")], [focus_ref]
    worst_first = direction(w, metric) != "lower_is_better"
    weak = sorted(rows, key=lambda r: r[metric], reverse=not worst_first)[0]
    label = w.label(dim, weak[dim])
    cause = w.say(
        "gap.g.cause_group",
        dim=dim_name(w, dim),
        name=label,
        value=w.value(metric, weak[metric]),
        ref=res.id,
    )
    action = lever_action(w, metric, label, weak, res.id, with_prev=False)
    return [cause], [action], [focus_ref, res.id]
