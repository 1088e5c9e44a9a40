"""What the catalog's tables, columns, dimensions and metrics stand for, as the early warnings
and customer health need it: who the customer is, which table holds feedback and how far its
authors reach, which metrics are SLAs or satisfaction scores.

Nothing here knows the demo's names. A column plays a role when the catalog says so
(``role: reach`` on the column), else when its name says so, else when its description does,
in English or Chinese ("followers", "粉丝"); dimensions and metrics are matched on their
names, aliases and definitions the same way, and on their units and directions. Each found
part records how it was found, so a report can show it; a part that is not found is ``None``
and the feature that needed it says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import get_args

from ..data.catalog import Catalog, Dimension, Metric
from ..data.catalog_model import ColumnRole

# Column roles a catalog may declare (``columns.<name>.role``).
COLUMN_ROLES: tuple[str, ...] = get_args(ColumnRole)

_CUSTOMER = re.compile(
    r"customer|client|caller|consumer|requester|account|客户|顾客|用户|来电人", re.I
)
_IDISH = re.compile(r"(^|_)(id|no|number|code|key)$|id$|编号|编码|\bid\b|identifier", re.I)
_NAME = re.compile(r"^(name|full_name|customer_name|company|title)$|名称|姓名|客户名", re.I)
_REACH = re.compile(r"reach|follower|audience|fans|subscriber|粉丝|关注|影响力|受众", re.I)
_RESPONSE = re.compile(r"respon|repl(y|ied)|answer|回复|响应|答复", re.I)
_TEXT = re.compile(r"^(text|body|content|comment|message|review|feedback)$|文本|内容|评论", re.I)
_PRODUCT = re.compile(r"product|model|sku|device|item|机型|型号|产品|品类", re.I)
_PROBLEM_ORDER = (
    re.compile(r"theme|topic|主题|话题", re.I),
    re.compile(r"issue|problem|symptom|fault|defect|问题|故障|症状", re.I),
    re.compile(r"sub_?category|category|类别|分类", re.I),
    re.compile(r"(^|_)type$|^type|类型", re.I),
)
_URGENCY = re.compile(r"urgen|priority|severity|紧急|优先|严重", re.I)
_URGENT_VALUE = re.compile(r"^(high|urgent|critical|p1|1 - high|紧急|高|严重|加急)$", re.I)
_SENTIMENT = re.compile(r"sentiment|情感|情绪", re.I)
_KEY_ACCOUNT = re.compile(r"key.?accounts?|\bka\b|\bvip\b|strategic|大客户|重点客户|战略客户", re.I)
_SLA = re.compile(r"\bsla\b|on[- ]time|breach|made_sla|超时|及时|达成|按时|准时", re.I)
_WORSE = re.compile(
    r"breach|miss|late|overdue|violat|reopen|fail|defect|return|complain|repeat|escalat|"
    r"超时|违约|逾期|重开|失败|投诉|返修",
    re.I,
)
_BETTER = re.compile(
    r"made|\bmet\b|attain|on.?time|fixed|resolved|solved|success|within|达成|及时|解决|修复",
    re.I,
)
_CSAT = re.compile(r"csat|satisfaction|满意", re.I)
_NPS = re.compile(r"\bnps\b|net promoter|净推荐", re.I)
_NEGATIVE = re.compile(r"negative|负面", re.I)
_END = re.compile(
    r"(^|_)(end|ends|ends_on|end_date|expires?|expiry|valid_until|until)(_|$)|到期|截止|结束", re.I
)
_RENEWED = re.compile(r"renew|续约|续签|续", re.I)
_HANDLE = re.compile(r"handl(e|ing)[ _]?time|\baht\b|talk[ _]?time", re.I)
_TIME_TYPES = ("TIMESTAMP", "DATE", "TIMESTAMP WITH TIME ZONE")


@dataclass(frozen=True)
class Col:
    """A column that plays a role, and how that was seen (for reports)."""

    table: str
    column: str
    found: str  # "catalog role", "name" or "description"

    @property
    def sql(self) -> str:
        # Catalog table and column names are plain identifiers (the catalog loader checks).
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class CustomerKey:
    entity: Col  # the key on the customers' own table, or the one table that has it
    by_table: dict[str, str]  # table -> qualified column holding the customer key
    name: Col | None
    key_account: tuple[str, str] | None  # (dimension, value) marking key accounts


@dataclass(frozen=True)
class Feedback:
    table: str
    key: str  # the record id column
    time: str
    reach: Col | None
    urgency: tuple[str, list[str]] | None  # (qualified column SQL, urgent values)
    responded_at: Col | None
    responded: Col | None
    linked_case: tuple[str, str, str] | None  # (feedback column, case table, case key)


@dataclass
class Roles:
    catalog: Catalog
    types: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> column -> type

    # --- Columns ----------------------------------------------------------------------------

    def column(self, table: str, role: str, pattern: re.Pattern[str]) -> Col | None:
        """The first column of ``table`` that plays ``role``: declared, named, or described."""
        cols = self.catalog.tables[table].columns
        for name, spec in cols.items():
            if spec.role == role:
                return Col(table, name, "catalog role")
        for name in cols:
            if pattern.search(name):
                return Col(table, name, "name")
        for name, spec in cols.items():
            if spec.description and pattern.search(spec.description) and not spec.role:
                return Col(table, name, "description")
        return None

    def type_of(self, table: str, column: str) -> str:
        return self.types.get(table, {}).get(column, "").upper()

    def is_time(self, table: str, column: str) -> bool:
        return self.type_of(table, column).startswith(_TIME_TYPES)

    def is_number(self, table: str, column: str) -> bool:
        kind = self.type_of(table, column)
        return any(t in kind for t in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL", "NUMERIC"))

    def key_of(self, table: str) -> str:
        """The column identifying a record: the first id-like column that names no customer
        or product (``ticket_id``, ``case_id``), else the first column."""
        cols = self.catalog.tables[table].columns
        for name, spec in cols.items():
            named = _CUSTOMER.search(name) or _PRODUCT.search(name)
            if spec.role is None and _IDISH.search(name) and not named:
                return name
        return next(iter(cols))

    def time_of(self, table: str) -> str | None:
        return self.catalog.tables[table].time_column

    # --- Customers --------------------------------------------------------------------------

    @cached_property
    def customer(self) -> CustomerKey | None:
        found = {t: c for t in self.catalog.tables if (c := self._customer_col(t)) is not None}
        if not found:
            return None
        targets = {j.to for j in self.catalog.spec.joins}
        entity = next((c for c in found.values() if c.sql in targets), None)
        if entity is None:
            by_table = {t: c.sql for t, c in found.items()}
            entity = next(iter(found.values()))
        else:
            by_table = {entity.table: entity.sql}
            for j in self.catalog.spec.joins:
                if j.to == entity.sql:
                    by_table[j.from_table] = j.from_
        name = self.column(entity.table, "customer_name", _NAME)
        name = name if name is not None and name.column != entity.column else None
        return CustomerKey(entity, by_table, name, self._key_account(entity.table))

    def _customer_col(self, table: str) -> Col | None:
        for name, spec in self.catalog.tables[table].columns.items():
            if spec.role == "customer":
                return Col(table, name, "catalog role")
        for name in self.catalog.tables[table].columns:
            if _CUSTOMER.search(name) and _IDISH.search(name):
                return Col(table, name, "name")
        return None

    def _key_account(self, table: str) -> tuple[str, str] | None:
        for dim in self.catalog.dimensions.values():
            if dim.from_time or not dim.spec.values or table not in self._reach(dim):
                continue
            for value, aliases in dim.spec.values.items():
                if any(_KEY_ACCOUNT.search(a) for a in (value, *aliases)):
                    return dim.name, value
        return None

    def _reach(self, dim: Dimension) -> set[str]:
        """Tables from which ``dim`` can be read through the joins."""
        return {
            t
            for t in self.catalog.tables
            if any(self.catalog.join_path(t, s) is not None for s in dim.sources)
        }

    # --- Feedback ---------------------------------------------------------------------------

    @cached_property
    def feedback(self) -> Feedback | None:
        for table, spec in self.catalog.tables.items():
            text = self.column(table, "text", _TEXT)
            if text is None or not spec.time_column:
                continue
            reach = self.column(table, "reach", _REACH)
            reach = reach if reach is not None and self.is_number(table, reach.column) else None
            responded_at = self.column(table, "responded_at", _RESPONSE)
            if responded_at is not None and not self.is_time(table, responded_at.column):
                responded_at = None
            responded = self.column(table, "responded", _RESPONSE)
            if responded is not None and self.type_of(table, responded.column) != "BOOLEAN":
                responded = None
            return Feedback(
                table=table,
                key=self.key_of(table),
                time=spec.time_column,
                reach=reach,
                urgency=self._urgency(table),
                responded_at=responded_at,
                responded=responded,
                linked_case=self._linked_case(table),
            )
        return None

    def _urgency(self, table: str) -> tuple[str, list[str]] | None:
        for dim in self.catalog.dimensions.values():
            source = dim.sources.get(table)
            if source is None or not _URGENCY.search(" ".join(_words(dim))):
                continue
            urgent = [
                v
                for v, aliases in (dim.spec.values or {}).items()
                if any(_URGENT_VALUE.match(a.strip()) for a in (v, *aliases))
            ]
            if urgent:
                return source, urgent
        return None

    def _linked_case(self, table: str) -> tuple[str, str, str] | None:
        for j in self.catalog.spec.joins:
            other = j.to_table
            if j.from_table != table or other == table or not self.time_of(other):
                continue
            if self.customer and other in self.customer.by_table and other != self._entity:
                return j.from_, other, j.to
        return None

    @property
    def _entity(self) -> str | None:
        return self.customer.entity.table if self.customer else None

    # --- Cases (the records customers open) -------------------------------------------------

    def case_tables(self) -> list[str]:
        """Tables of dated records a customer opens (tickets, cases), most rows first is not
        known here, so in catalog order; feedback and the customer table are not cases."""
        cust = self.customer
        if cust is None:
            return []
        fb = self.feedback.table if self.feedback else None
        return [
            t
            for t in cust.by_table
            if t not in (fb, cust.entity.table if len(cust.by_table) > 1 else None)
            and self.time_of(t)
            and self.problem_dimension(t) is not None
        ]

    def problem_dimension(self, table: str) -> Dimension | None:
        """The dimension saying what a record of ``table`` is about (theme, issue, type)."""
        dims = [
            d
            for d in self.catalog.dimensions.values()
            if table in d.sources
            and not d.from_time
            and d.kind == "category"
            and not _PRODUCT.search(d.name)
        ]
        for pattern in _PROBLEM_ORDER:
            for d in dims:
                if pattern.search(d.name) or pattern.search(d.spec.en):
                    return d
        return None

    def negative_value(self, table: str) -> tuple[str, str] | None:
        """(the sentiment dimension, its negative value) for records of ``table``."""
        for dim in self.catalog.dimensions.values():
            if table not in dim.sources or not _SENTIMENT.search(" ".join(_words(dim))):
                continue
            for value, aliases in (dim.spec.values or {}).items():
                if any(_NEGATIVE.search(a) for a in (value, *aliases)):
                    return dim.name, value
        return None

    def product_column(self, table: str) -> Col | None:
        col = self.column(table, "product", _PRODUCT)
        return col if col is not None and _IDISH.search(col.column) else None

    def product_dimensions(self) -> list[Dimension]:
        return [
            d
            for d in self.catalog.dimensions.values()
            if not d.from_time and d.kind == "category" and _PRODUCT.search(" ".join(_words(d)))
        ]

    # --- Metrics ----------------------------------------------------------------------------

    def metrics_like(self, pattern: re.Pattern[str], *, unit: str | None = None) -> list[Metric]:
        return [
            m
            for m in self.catalog.metrics.values()
            if (unit is None or m.unit == unit)
            and self.catalog.time_column(m)
            and pattern.search(" ".join([m.name, m.spec.en, *m.spec.aliases, m.spec.definition]))
        ]

    def sla_metrics(self) -> list[Metric]:
        found = [self.judged(m) for m in self.metrics_like(_SLA, unit="%")]
        kept = [m for m in found if m is not None]
        # A flag's "no" side (``not_<flag>_rate``) is the same measure read the other way.
        names = {m.name for m in kept}
        return [m for m in kept if not (m.name.startswith("not_") and m.name[4:] in names)]

    def judged(self, m: Metric) -> Metric | None:
        """``m`` with a direction: its own, or for one the catalog left neutral (a derived
        catalog's "made_sla" or "fixed" rate) the one its words say; None when they say none."""
        if m.direction != "neutral":
            return m
        words = " ".join([m.name, m.spec.en, m.spec.definition])
        if _WORSE.search(words):
            better = "lower_is_better"
        elif _BETTER.search(words):
            better = "higher_is_better"
        else:
            return None
        return Metric(m.name, m.spec.model_copy(update={"direction": better}), m.expr, m.filter_sql)

    def csat_metric(self) -> Metric | None:
        found = [m for m in self.metrics_like(_CSAT) if m.unit != "%" and "AVG" in m.expr.upper()]
        return found[0] if found else None

    def nps_metric(self) -> Metric | None:
        found = self.metrics_like(_NPS)
        return found[0] if found else None

    def negative_share_metric(self) -> Metric | None:
        found = [m for m in self.metrics_like(_NEGATIVE, unit="%") if _is_sentiment(self, m)]
        return found[0] if found else None

    def handle_time_metric(self) -> Metric | None:
        found = [m for m in self.metrics_like(_HANDLE) if m.unit in ("minutes", "seconds", "hours")]
        return found[0] if found else None

    # --- Contracts --------------------------------------------------------------------------

    def contract(self) -> tuple[Col, Col | None] | None:
        """(the end date column, the renewed flag) of a table of customers' contracts."""
        cust = self.customer
        for table in cust.by_table if cust else []:
            end = self.column(table, "contract_end", _END)
            if end is None or not self.is_time(table, end.column):
                continue
            renewed = self.column(table, "renewed", _RENEWED)
            if renewed is not None and self.type_of(table, renewed.column) != "BOOLEAN":
                renewed = None
            return end, renewed
        return None


def _words(dim: Dimension) -> list[str]:
    return [dim.name, dim.spec.en, dim.spec.zh, *dim.spec.aliases]


def _is_sentiment(roles: Roles, m: Metric) -> bool:
    return any(
        _SENTIMENT.search(" ".join(_words(d))) and m.table in d.sources
        for d in roles.catalog.dimensions.values()
    ) or bool(_SENTIMENT.search(m.spec.definition + m.expr))
