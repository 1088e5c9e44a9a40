"""The digest's proactive sections: the early warnings open on its day and the customers at
risk, each item a template filled with the figures ``Analyst.warnings`` and
``Analyst.customer_health`` computed, with their evidence.

A warning goes to the department its owner belongs to: R&D and supply warnings to the product
team, the others (social care, service leads, workforce planning) to the service team, and
every one to management, which reads the largest items of each section. An item keeps the
warning's stable id (``ref``) and its owner's team, so a tracker receives each warning once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..data.errors import ServiceLensError
from .digest_model import Audience, DigestItem, DigestPeriod, DigestSection, ItemEvidence, Lang
from .digest_text import words

if TYPE_CHECKING:
    from .analyst import Analyst
    from .health import Component, CustomerHealth, HealthReport
    from .proactive_rules import WarningRules
    from .warnings import EarlyWarning, WarningReport

MAX_ITEMS = 10
# The owners' teams whose warnings are about what is made and supplied: the product team's.
PRODUCT_TEAMS = ("rd", "supply")
_SEVERITY_SIZE = {"high": 3.0, "medium": 2.0, "low": 1.0}
_SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
_KIND_NAMES = {
    "unanswered_feedback": ("unanswered feedback", "未响应的反馈"),
    "repeat_contact": ("repeat contacts", "重复联系"),
    "rising_problem": ("rising product problems", "上升的产品问题"),
    "sla_cluster": ("SLA-miss time clusters", "SLA 未达标时段聚集"),
}


def team_audiences(team: str) -> list[Audience]:
    """Who receives a warning owned by ``team`` (``Owner.team``)."""
    return ["product", "management"] if team in PRODUCT_TEAMS else ["service", "management"]


def warnings_section(analyst: Analyst, period: DigestPeriod, lang: Lang) -> DigestSection:
    """The warnings open as of the digest's day, high severity first."""
    title = words(lang).sections["warnings"]
    try:
        report = analyst.warnings()
    except ServiceLensError as exc:
        return DigestSection(key="warnings", title=title, status="unavailable", note=str(exc))
    skipped = _skipped(report, lang)
    if not report.computed:
        return DigestSection(key="warnings", title=title, status="unavailable", note=skipped)
    rules = analyst.settings.warnings
    items = [_warning_item(w, n + 1, lang, rules) for n, w in enumerate(report.warnings)]
    note = _warnings_note(report, len(items), lang)
    if skipped:
        note += " " + skipped
    if len(items) > MAX_ITEMS:
        note += " " + words(lang).more.format(n=len(items) - MAX_ITEMS)
    return DigestSection(
        key="warnings", title=title, status="ok" if items else "empty", note=note,
        items=items[:MAX_ITEMS],
    )  # fmt: skip


def _warnings_note(report: WarningReport, n: int, lang: Lang) -> str:
    kinds = [_KIND_NAMES[k][lang == "zh"] for k in report.computed]
    if lang == "zh":
        return f"截至 {report.as_of} 检查了{'、'.join(kinds)}，发现 {n} 条预警。"
    return f"Checked {', '.join(kinds)} as of {report.as_of}: {n} warning(s)."


def _skipped(report: WarningReport, lang: Lang) -> str:
    if not report.skipped:
        return ""
    parts = [f"{_KIND_NAMES[s.kind][lang == 'zh']} ({s.reason})" for s in report.skipped]
    if lang == "zh":
        return f"本工作区无法计算：{'；'.join(parts)}。"
    return f"Cannot compute here: {'; '.join(parts)}."


def _warning_item(w: EarlyWarning, n: int, lang: Lang, rules: WarningRules) -> DigestItem:
    zh = lang == "zh"
    owner = w.owner.zh if zh else w.owner.en
    title, action = (w.title.zh, w.action.zh) if zh else (w.title.en, w.action.en)
    also = _also(w)
    if zh:
        label = f"预警 · {_SEVERITY_ZH[w.severity]}"
        seen = f"（同见于 {also}）" if also else ""
        text = f"{title}{seen}。{action}负责：{owner}，截止 {w.due}。"
    else:
        label = f"Early warning · {w.severity}"
        seen = f" (also seen in {also})" if also else ""
        text = f"{title}{seen}. {action} Owner: {owner}, by {w.due}."
    return DigestItem(
        id=f"W{n}", kind="warning", label=label, title=title, text=text,
        direction="worse", figures=_warning_figures(w, rules), names=_names(w),
        method=_warning_method(w), audiences=team_audiences(w.owner.team),
        size=_SEVERITY_SIZE[w.severity], ref=w.id, team=w.owner.team,
        evidence=ItemEvidence(sql=w.evidence.sql, ids=w.evidence.feedback_ids or w.evidence.ids),
    )  # fmt: skip


def _warning_figures(w: EarlyWarning, rules: WarningRules) -> dict[str, float | int | str | None]:
    """The warning's own numbers, its shares as the percentages its title shows, and the
    windows of the rule that found it (its title names them)."""
    figures: dict[str, float | int | str | None] = {
        k: v for k, v in w.evidence.numbers.items() if isinstance(v, int | float)
    }
    for key in ("miss_rate", "other_miss_rate"):
        value = figures.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            figures[f"{key}_pct"] = round(100 * value, 1)
    rule = {
        "unanswered_feedback": rules.feedback,
        "repeat_contact": rules.repeat,
        "rising_problem": rules.rising,
        "sla_cluster": rules.sla_cluster,
    }[w.kind]
    for key in ("recent_days", "baseline_days", "lookback_days", "within_days"):
        if hasattr(rule, key):
            figures[f"rule_{key}"] = getattr(rule, key)
    return figures


def _also(w: EarlyWarning) -> str:
    """The narrower or wider groupings that showed the same rise ("model = AC-1"), folded
    into this warning by the finder."""
    also = w.evidence.numbers.get("also")
    if not isinstance(also, str) or not also:
        return ""
    return ", ".join(part.split(": ")[0] for part in also.split("; "))


def _names(w: EarlyWarning) -> list[str]:
    # What the warning is about (a product line, a customer, a weekday) is a name, not a figure.
    names = [str(v) for v in w.subject.values() if v]
    also = _also(w)
    return [*names, *(p.split(" = ", 1)[-1] for p in also.split(", ") if also)]


def _warning_method(w: EarlyWarning) -> str:
    n = w.evidence.numbers
    if "q_value" in n and isinstance(n["q_value"], int | float):
        return f"{n.get('test', 'test')}: q = {n['q_value']:.2g}"
    if w.kind == "unanswered_feedback":
        return "No response record within the configured time of a high-reach or urgent message."
    if w.kind == "repeat_contact":
        return "Contacts of one customer about the same problem within the configured days."
    return w.kind


def at_risk_section(analyst: Analyst, period: DigestPeriod, lang: Lang) -> DigestSection:
    """The customers whose health score is below the at-risk line, key accounts first."""
    title = words(lang).sections["at_risk"]
    try:
        report = analyst.customer_health(top=MAX_ITEMS)
    except ServiceLensError as exc:
        return DigestSection(key="at_risk", title=title, status="unavailable", note=str(exc))
    threshold = analyst.settings.health.at_risk_below
    items = [_risk_item(h, n + 1, lang) for n, h in enumerate(report.at_risk)]
    note = _health_note(report, threshold, lang)
    return DigestSection(
        key="at_risk", title=title, status="ok" if items else "empty", note=note, items=items
    )


def _health_note(report: HealthReport, threshold: float, lang: Lang) -> str:
    start, end = report.window["from"], report.window["to"]
    if lang == "zh":
        note = (
            f"{report.scored} 位客户有健康分（{start} 至 {end}）；低于 {threshold:g} 分为风险，"
            "大客户在前。"
        )
        if report.missing_inputs:
            gone = "；".join(f"{k}（{v}）" for k, v in report.missing_inputs.items())
            note += f"无法计算的分项：{gone}。"
        return note
    note = (
        f"{report.scored} customers scored over {start} – {end}; below {threshold:g} is at "
        "risk, key accounts first."
    )
    if report.missing_inputs:
        gone = "; ".join(f"{k} ({v})" for k, v in report.missing_inputs.items())
        note += f" Components it cannot compute here: {gone}."
    return note


def _risk_item(h: CustomerHealth, n: int, lang: Lang) -> DigestItem:
    zh = lang == "zh"
    who = h.name or h.customer
    key = ("（大客户）" if zh else " (key account)") if h.key_account else ""
    costly = sorted(
        (c for c in h.components if c.points is not None and c.points < 60),
        key=lambda c: -(c.weight * (100 - (c.points or 0))),
    )
    reasons = ("；" if zh else "; ").join(_reason(c, zh) for c in costly[:3])
    score = f"{h.score:.1f}"
    if zh:
        title = f"{who}{key}：健康分 {score}"
        text = f"{who}{key}的健康分为 {score}（满分 100）" + (f"：{reasons}。" if reasons else "。")
    else:
        title = f"{who}{key}: health {score}"
        text = f"{who}{key} scores {score} of 100" + (f": {reasons}." if reasons else ".")
    figures: dict[str, float | int | str | None] = {"score": h.score, "out_of": 100}
    for c in h.components:
        figures |= {c.name: c.value, f"{c.name}_records": c.records, f"{c.name}_points": c.points}
    evidence = h.evidence
    return DigestItem(
        id=f"R{n}", kind="at_risk", label="风险客户" if zh else "Customer at risk",
        title=title, text=text, direction="worse", figures=figures,
        names=[who, h.customer], method=_risk_method(h), audiences=["service", "management"],
        size=(100.0 if h.key_account else 0.0) + 100 - (h.score or 0), ref=h.customer,
        evidence=ItemEvidence(sql=evidence.sql if evidence else "", ids=[h.customer]),
    )  # fmt: skip


def _reason(c: Component, zh: bool) -> str:
    v = c.value or 0.0
    if c.name == "csat_trend":
        return f"满意度变化 {v:+.2f}" if zh else f"satisfaction {v:+.2f} against before"
    if c.name == "nps":
        return f"NPS {v:.0f}"
    if c.name == "repeat_issues":
        return f"{v:.0f} 次重复联系" if zh else f"{v:.0f} repeat contacts"
    if c.name == "sla_misses":
        return f"{v:.1f}% 的工单未达 SLA" if zh else f"{v:.1f}% of cases missed the SLA"
    if c.name == "sentiment":
        return f"{v:.1f}% 的反馈为负面" if zh else f"{v:.1f}% of messages negative"
    if v == 0:
        return "合同到期未续约" if zh else "a contract ended unrenewed"
    return f"合同 {v:.0f} 天后到期且未续约" if zh else f"a contract ends unrenewed in {v:.0f} days"


def _risk_method(h: CustomerHealth) -> str:
    parts = [f"{c.name} {c.points:.0f}×{c.weight:g}" for c in h.components if c.points is not None]
    return "Weighted mean of component points (points × weight): " + ", ".join(parts)
