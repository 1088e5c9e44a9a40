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
    # Service-desk exports' own system words (ServiceNow and alike).
    "sys_mod_count": "更新次数", "opened_by": "开单人", "resolved_by": "解决人",
    "sys_created_by": "创建人", "sys_updated_by": "最后更新人", "incident_state": "事件状态",
}  # fmt: skip
# What managers call common export columns, when the column's own name is a system's word.
EN_WORDS = {
    "contact_type": ["channel", "contact channel"], "assignment_group": ["support group", "team"],
    "submitted_via": ["channel", "submission channel"],
    "assigned_to": ["assignee"], "caller_id": ["caller"], "cat": ["category"],
    "closed_code": ["close code", "resolution code"],
    "sys_mod_count": ["update count", "number of updates", "modification count"],
    "sys_updated_by": ["last updated by"],
}  # fmt: skip


# English for the common words of Chinese column names, so English questions find a Chinese
# export's columns by name ("which district" → 所属区县, "message subject" → 留言主题). Words
# that only relate a column to its records (所属, 所在) are dropped.
EN_OF_ZH = {
    **{v: k.replace("_", " ") for k, v in reversed(list(ZH_WORDS.items())) if "_" not in k},
    "区县": "district", "区": "district", "县": "county", "市": "city", "省": "province",
    "街道": "street", "地址": "address", "地区": "area", "片区": "area", "网点": "branch",
    "留言": "message", "主题": "subject", "标题": "title", "内容": "content", "正文": "text",
    "分类": "category", "类别": "category", "类型": "type", "一级": "level-1",
    "二级": "level-2", "三级": "level-3", "答复": "reply", "回复": "reply", "意见": "comment",
    "评价": "review", "评论": "review", "时间": "time", "日期": "date", "编号": "number",
    "单号": "number", "状态": "status", "结果": "result", "原因": "reason", "方式": "method",
    "渠道": "channel", "来源": "source", "部门": "department", "单位": "unit", "承办": "handling",
    "办理": "handling", "处理": "handling", "受理": "intake", "人员": "staff", "客服": "agent",
    "坐席": "agent", "工程师": "engineer", "用户": "user", "客户": "customer", "顾客": "customer",
    "商品": "product", "产品": "product", "店铺": "store", "门店": "store", "订单": "order",
    "工单": "ticket", "投诉": "complaint", "咨询": "inquiry", "建议": "suggestion",
    "价格": "price", "金额": "amount", "费用": "cost", "数量": "quantity", "评分": "rating",
    "星级": "star rating", "满意度": "satisfaction", "性别": "gender", "年龄": "age",
    "电话": "phone", "等级": "level", "级别": "level", "优先级": "priority", "紧急": "urgent",
    "程度": "level", "紧急程度": "urgency", "问题": "issue", "品牌": "brand", "车型": "car model",
    "型号": "model", "情感": "sentiment", "标签": "label", "是否": "whether",
}  # fmt: skip
_RELATING = ("所属", "所在", "归属", "的")


def english(name: str) -> str:
    """A Chinese column name in English word by word ("所属区县" → "district", "一级分类" →
    "level-1 category"), longest words first; "" when some part of it has no English."""
    rest, out = name.strip(), []
    while rest:
        if rest.startswith(_RELATING):
            rest = rest[next(len(r) for r in _RELATING if rest.startswith(r)) :]
            continue
        word = next((rest[:n] for n in range(min(len(rest), 4), 0, -1) if rest[:n] in EN_OF_ZH), "")
        if not word:
            return ""
        out.append(EN_OF_ZH[word])
        rest = rest[len(word) :]
    return " ".join(dict.fromkeys(out))


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
    found = ZH_WORDS.get(word, ZH_WORDS.get(word.rstrip("s"), ""))
    if not found and word.lower().endswith("_id"):
        # "caller_id" is who called: 来电人, as "caller" is.
        return zh(word[:-3])
    return found


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
