"""Early warnings and customers at risk, answered from the library's own machinery.

The warnings and health scores come from ``findings.Findings`` (the same code as
``servicelens warnings`` / ``health`` and the digest); the playbook then asks ``run_sql`` for
the records behind each finding, and the answer shows only figures those results hold (a
post's reach, the number of records behind a warning, a customer's own component rows), each
cited, so the verifier checks them like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .narrative import Writer
from .playbooks import Call, Playbook, failed
from .transcript import Result, Results
from .understand import Intent

if TYPE_CHECKING:
    from ..health import HealthReport
    from ..warnings import EarlyWarning, WarningReport

SHOWN = 5
_WEEKDAYS_ZH = {"every day": "每天", "Mon": "周一", "Tue": "周二", "Wed": "周三", "Thu": "周四"}
_WEEKDAYS_ZH |= {"Fri": "周五", "Sat": "周六", "Sun": "周日"}
_SEVERITY = {"high": ("High", "高"), "medium": ("Medium", "中"), "low": ("Low", "低")}


_NO_DATA = "this workspace was opened without its data"


def _warnings(intent: Intent) -> WarningReport | str:
    return intent.findings.warnings(intent.as_of) if intent.findings else _NO_DATA


def _health(intent: Intent) -> HealthReport | str:
    return intent.findings.health(intent.as_of) if intent.findings else _NO_DATA


def _warn_stage(intent: Intent, results: Results) -> dict[str, Call]:
    report = _warnings(intent)
    if isinstance(report, str):
        return {}
    return {
        f"warning{n}": _records_call(
            w.evidence.ids_sql or w.evidence.sql, f"Early warnings: the records behind {w.id}"
        )
        for n, w in enumerate(report.warnings[:SHOWN], 1)
    }


def _records_call(sql: str, purpose: str) -> Call:
    return ("run_sql", {"sql": sql, "purpose": purpose})


def _write_warnings(intent: Intent, results: Results, w: Writer) -> None:
    zh = w.lang == "zh"
    report = _warnings(intent)
    if isinstance(report, str):
        failed(w, None)
        w.lead[-1:] = [_cannot(zh, str(report))]
        return
    if not report.warnings:
        w.lead.append(
            f"截至 {report.as_of}，没有需要处理的预警。"
            if zh
            else f"No early warning is open as of {report.as_of}."
        )
    else:
        w.lead.append(
            f"截至 {report.as_of} 需要关注的预警如下，按严重程度排列；"
            "每条写明由谁处理、何时之前完成，以及依据的记录："
            if zh
            else f"These early warnings are open as of {report.as_of}, most severe first, each "
            "with who should act, by when, and the records behind it:"
        )
    for n, warning in enumerate(report.warnings[:SHOWN], 1):
        w.evidence.append(_warning_line(warning, results.get(f"warning{n}"), zh))
    _skipped(report, w, zh)
    if report.warnings:
        first = report.warnings[0]
        w.actions.append(first.action.zh if zh else first.action.en)
    w.actions.append(
        "用 `servicelens digest --send` 把预警按部门推送给各负责团队。"
        if zh
        else "Send them to the owning teams with `servicelens digest --send` (one task each)."
    )


def _warning_line(warning: EarlyWarning, res: Result | None, zh: bool) -> str:
    severity = _SEVERITY[warning.severity][zh]
    owner = warning.owner.zh if zh else warning.owner.en
    what = _what(warning, res, zh)
    if zh:
        return f"**{severity}** · {what}。负责：{owner}，截止 {warning.due}。{warning.action.zh}"
    return f"**{severity}** · {what}. Owner: {owner}, by {warning.due}. {warning.action.en}"


def _what(warning: EarlyWarning, res: Result | None, zh: bool) -> str:
    """The finding in words, with the figures its records hold, cited."""
    s = warning.subject
    n = _count(res)
    if warning.kind == "unanswered_feedback":
        reach = _cell(res, "reach", s.get("feedback"))
        by = (
            f"（作者粉丝 {reach:,}）"
            if zh and reach
            else f" (author reach {reach:,})"
            if reach
            else ""
        )
        text = (
            f"反馈 {s.get('feedback')}{by}（{s.get('theme')}）未在规定时间内得到响应"
            if zh
            else f"feedback {s.get('feedback')}{by} about {s.get('theme')} got no response in time"
        )
        # Its record is the row its reach comes from; the query's other rows are not its.
        return f"{text} [{res.id}]" if res is not None and res.ok and reach else text
    elif warning.kind == "repeat_contact":
        text = (
            f"客户 {s.get('customer')} 就同一问题反复联系"
            if zh
            else f"customer {s.get('customer')} came back about the same problem"
        )
    elif warning.kind == "sla_cluster":
        day = s.get("weekday", "")
        where = f"{_WEEKDAYS_ZH.get(day, day) if zh else day} {_hours(s.get('hours', ''))}".strip()
        text = f"SLA 未达标集中在 {where}" if zh else f"SLA misses cluster at {where}"
    else:
        group = ", ".join(f"{k} = {v}" for k, v in s.items() if k != "signal")
        signal = s.get("signal", "").replace("theme:", "")
        also = warning.evidence.numbers.get("also")
        seen = ""
        if isinstance(also, str) and also:
            places = ", ".join(p.split(": ")[0] for p in also.split("; "))
            seen = f"（同见于 {places}）" if zh else f" (also seen in {places})"
        text = (
            f"{group}：{signal} 持续恶化{seen}"
            if zh
            else f"{group}: {signal} is getting worse{seen}"
        )
    if res is None or not res.ok:
        return text
    if zh:
        return f"{text}，依据 {n} 条记录 [{res.id}]"
    return f"{text} — {n} {'record' if n == 1 else 'records'} behind it [{res.id}]"


def _hours(hours: str) -> str:
    parts = hours.split("-")
    return f"{parts[0]}:00–{parts[1]}:00" if len(parts) == 2 else hours


def _count(res: Result | None) -> int:
    return int((res.content or {}).get("row_count", len(res.rows))) if res and res.ok else 0


def _cell(res: Result | None, column: str, record: str | None) -> Any:
    """``column`` of the result's row for ``record`` (its first column holds the record id)."""
    if res is None or not res.ok or column not in res.columns:
        return None
    row = next((r for r in res.rows if r and str(r[0]) == record), None)
    return row[res.columns.index(column)] if row else None


def _skipped(report: WarningReport, w: Writer, zh: bool) -> None:
    for s in report.skipped:
        w.coverage.append(
            f"无法检查 {s.kind}：{s.reason}。" if zh else f"Not checked: {s.kind} ({s.reason})."
        )


def _cannot(zh: bool, why: str) -> str:
    return f"本工作区无法计算：{why}。" if zh else f"This workspace cannot compute it: {why}."


def _risk_stage(intent: Intent, results: Results) -> dict[str, Call]:
    report = _health(intent)
    if isinstance(report, str):
        return {}
    return {
        f"customer{n}": _records_call(
            h.evidence.sql, f"Customers at risk: the records behind {h.customer}'s health score"
        )
        for n, h in enumerate(report.at_risk[:SHOWN], 1)
        if h.evidence is not None and h.evidence.sql
    }


def _write_risk(intent: Intent, results: Results, w: Writer) -> None:
    zh = w.lang == "zh"
    report = _health(intent)
    if isinstance(report, str):
        failed(w, None)
        w.lead[-1:] = [_cannot(zh, str(report))]
        return
    if not report.at_risk:
        w.lead.append(
            f"截至 {report.as_of}，没有客户处于风险中。"
            if zh
            else f"No customer is at risk as of {report.as_of}."
        )
    else:
        w.lead.append(
            f"截至 {report.as_of} 有流失风险的客户如下（大客户在前），"
            "每位附上拉低其健康分最多的因素及其记录："
            if zh
            else f"These customers are at risk as of {report.as_of}, key accounts first, each "
            "with what costs its health score most and the records behind it:"
        )
    for n, h in enumerate(report.at_risk[:SHOWN], 1):
        who = h.name or h.customer
        key = ("（大客户）" if zh else " (key account)") if h.key_account else ""
        reasons = ("；" if zh else "; ").join(
            _plain(r) for r in (h.reasons_zh if zh else h.reasons)[:2]
        )
        res = results.get(f"customer{n}")
        rows = _rows_text(res, h.customer)
        sep = "：" if zh else ": "
        w.evidence.append(f"**{who}**{key}{sep}{reasons or '-'}{rows}")
    if report.missing_inputs:
        gone = ", ".join(report.missing_inputs)
        w.coverage.append(
            f"无法计算的分项：{gone}。"
            if zh
            else f"Components this workspace cannot compute: {gone}."
        )
    w.coverage.append(
        "健康分是满意度趋势、NPS、重复联系、SLA 未达标、情绪和续约各分项的加权平均；"
        "`servicelens health` 列出每个分项及权重。"
        if zh
        else "The health score is a weighted mean of satisfaction trend, NPS, repeat contacts, "
        "SLA misses, sentiment and renewal; `servicelens health` shows every component and weight."
    )
    w.actions.append(
        "本周先回访有风险的大客户，指定专人跟进。"
        if zh
        else "Call the key accounts at risk this week and give each one owner."
    )


def _plain(reason: str) -> str:
    """A reason without its figures (the figures the answer shows are its records')."""
    return reason.split(":")[0].split("：")[0]


def _rows_text(res: Result | None, customer: str) -> str:
    if res is None or not res.ok or not res.rows:
        return ""
    row = res.rows[0]
    pairs = [
        f"{c} {v}"
        for c, v in zip(res.columns, row, strict=False)
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    return f" ({', '.join(pairs)}) [{res.id}]" if pairs else f" [{res.id}]"


EARLY_WARNINGS = Playbook("early_warnings", (_warn_stage,), _write_warnings)
CUSTOMERS_AT_RISK = Playbook("customers_at_risk", (_risk_stage,), _write_risk)
