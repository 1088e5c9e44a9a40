"""Adding entries to a derived catalog: names, Chinese words, and aliases that stay unique.

An entry already in the catalog (a user's edit, the demo's definition) is never overwritten.
Aliases another entry already uses are left out, so the catalog always loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..catalog import key

CJK = re.compile(r"[\u3400-\u9fff]")
# Chinese names for common export column and table words, so Chinese questions find them.
ZH_WORDS = {
    "brand": "品牌", "status": "状态", "region": "区域", "product": "产品", "model": "型号",
    "car_model": "车型", "type": "类型", "channel": "渠道", "priority": "优先级", "city": "城市",
    "category": "类别", "source": "来源", "lang": "语言", "sentiment": "情感", "theme": "主题",
    "urgency": "紧急程度", "cost": "费用", "revenue": "收入", "customer": "客户",
    "complaint": "投诉", "ticket": "工单", "voc": "客户声音", "feedback": "反馈", "order": "订单",
    "segment": "客户群", "engineer": "工程师", "problem": "问题", "company": "公司",
    "incident": "事件", "label": "标签", "review": "评论", "caller": "来电人",
    "assignment_group": "处理组", "location": "地点", "subcategory": "子类别",
    "made_sla": "SLA达成", "reopen_count": "重开次数", "reassignment_count": "转派次数",
    "contact_type": "联系方式", "cat": "类别", "assigned_to": "处理人", "closed_code": "关闭代码",
    "symptom": "症状", "impact": "影响", "urgency_level": "紧急程度", "state": "状态",
    "knowledge": "知识库", "issue": "问题", "sub_issue": "子问题", "sub_product": "子产品",
    "rating": "评分", "score": "得分", "satisfaction": "满意度", "district": "区县",
    "province": "省份", "department": "部门", "agent": "客服", "reply": "回复",
    "submitted_via": "提交渠道", "timely_response": "及时回复", "company_response": "公司回复",
}  # fmt: skip
# What managers call common export columns, when the column's own name is a system's word.
EN_WORDS = {
    "contact_type": ["channel", "contact channel"], "assignment_group": ["support group", "team"],
    "submitted_via": ["channel", "submission channel"],
    "assigned_to": ["assignee"], "caller_id": ["caller"], "cat": ["category"],
    "closed_code": ["close code", "resolution code"],
}  # fmt: skip


@dataclass(frozen=True)
class LeftOut:
    """A column that is neither a dimension nor a metric: an id or free text, and why."""

    table: str
    column: str
    role: str  # "id" or "text"
    figures: str  # "600 distinct of 600 values"

    @property
    def why(self) -> str:
        return f"{'an id' if self.role == 'id' else 'free text'} ({self.figures})"


@dataclass
class Changes:
    """What one derivation added to the catalog and what it left out, with the reasons."""

    added: list[str] = field(default_factory=list)
    skipped: list[LeftOut] = field(default_factory=list)


def words(name: str) -> str:
    return name.replace("_", " ").strip()


def zh(word: str) -> str:
    return ZH_WORDS.get(word, ZH_WORDS.get(word.rstrip("s"), ""))


def put(
    data: dict[str, Any],
    section: str,
    name: str,
    item: dict[str, Any],
    table: str = "",
    changes: Changes | None = None,
) -> str | None:
    """Add ``item`` unless the name exists (for this table); the name it got, if added."""
    items = data[section]
    if name in items and same_table(items[name], table):
        return None
    if name in items or key(name) in _taken(items):
        name = f"{table}_{name}"
        if name in items or key(name) in _taken(items):
            return None
    unique_labels(items, item, table)
    items[name] = item
    if changes is not None:
        changes.added.append(f"{section}.{name}")
    return name


def _taken(items: dict[str, Any]) -> set[str]:
    return {key(a) for other_name, other in items.items() for a in [other_name, *aliases(other)]}


def unique_labels(items: dict[str, Any], item: dict[str, Any], table: str) -> None:
    taken = _taken(items)
    kept = [a for a in item.get("aliases", []) if key(a) not in taken]
    item["aliases"] = list({key(a): a for a in kept}.values())
    for label in ("en", "zh"):
        if item.get(label) and key(item[label]) in taken:
            item[label] = f"{item[label]} ({words(table)})" if label == "en" else ""


def same_table(item: dict[str, Any], table: str) -> bool:
    if not table:
        return True
    return item.get("table") == table or table in item.get("sources", {})


def aliases(item: dict[str, Any]) -> list[str]:
    return [a for a in [item.get("en", ""), item.get("zh", ""), *item.get("aliases", [])] if a]
