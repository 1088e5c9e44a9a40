"""The digest's words in English and Chinese, and how its figures are shown.

Sentences are templates filled with figures the machinery computed; a number is shown with the
precision ``fmt`` gives it, which is what ``digest.check_numbers`` holds the text to.
"""

from __future__ import annotations

from dataclasses import dataclass


def fmt(value: float, unit: str) -> str:
    """A figure as the digest shows it: a share with one decimal and %, a count whole."""
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "count" or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" + (f" {unit}" if unit else "")


def fmt_p(p: float) -> str:
    return f"{p:.2g}" if p >= 1e-4 else f"{p:.1e}"


@dataclass(frozen=True)
class Words:
    lang: str
    change: str
    forecast: str
    sections: dict[str, str]
    audiences: dict[str, str]
    records: str
    no_items: str
    more: str  # "{n} more"
    evidence: str
    method: str
    period: str
    compared: str
    unavailable: str
    rose: str
    fell: str

    def title(self, label: str, audience: str | None) -> str:
        who = f" · {self.audiences[audience]}" if audience else ""
        head = "Service digest" if self.lang == "en" else "服务简报"
        return f"{head}: {label}{who}"

    def moved(self, up: bool) -> str:
        return self.rose if up else self.fell


EN = Words(
    lang="en",
    change="Significant change",
    forecast="Forecast",
    sections={
        "changes": "What changed (beyond noise)",
        "forecast": "Forecast (not actual data)",
        "warnings": "Early warnings",
        "at_risk": "Customers at risk",
    },
    audiences={"service": "service team", "product": "product team", "management": "management"},
    records="records",
    no_items="Nothing to report.",
    more="{n} more not shown.",
    evidence="Evidence",
    method="Method",
    period="Period",
    compared="compared with",
    unavailable="Not available",
    rose="rose",
    fell="fell",
)

ZH = Words(
    lang="zh",
    change="显著变化",
    forecast="预测",
    sections={
        "changes": "显著变化（已排除噪声）",
        "forecast": "预测（非实际数据）",
        "warnings": "预警",
        "at_risk": "风险客户",
    },
    audiences={"service": "服务团队", "product": "产品团队", "management": "管理层"},
    records="条记录",
    no_items="本期无事项。",
    more="另有 {n} 项未列出。",
    evidence="证据",
    method="方法",
    period="周期",
    compared="对比",
    unavailable="暂不可用",
    rose="上升",
    fell="下降",
)


def words(lang: str) -> Words:
    return ZH if lang == "zh" else EN
