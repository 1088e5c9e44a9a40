"""How a question was read: one line at the top of every answer, and the same as data.

The reading is taken from the tool calls the turn actually made (whoever chose them, a model or
the offline analyst) and the evidence they produced: what was measured, for which slice, split
how, over which period, compared with what. A provider that understood the question itself may
add notes: why a default period was used, and other readings worth offering as follow-ups.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..data.catalog import Catalog
from ..data.periods import parse_period
from ..tools.ledger import Ledger

Shape = Literal[
    "value", "change", "ranking", "breakdown", "trend", "share", "themes", "quotes", "document",
    "sql", "none",
]  # fmt: skip

_WORDS = {
    "en": {
        "lead": "Read as",
        "vs": "vs",
        "all": "all data",
        "by": "by",
        "quotes": "quotes",
        "scope": "within your data scope",
    },
    "zh": {
        "lead": "理解为",
        "vs": "对比",
        "all": "全部数据",
        "by": "按",
        "quotes": "原话",
        "scope": "仅限您的数据范围",
    },
}
_SHAPE_WORDS = {
    "en": {
        "themes": "feedback themes",
        "quotes": "customer quotes",
        "document": "document",
        "trend": "trend",
    },
    "zh": {"themes": "反馈主题", "quotes": "客户原话", "document": "文档", "trend": "趋势"},
}
_TIME_DIMENSIONS = ("day", "week", "month", "quarter", "half_year", "year")


class Alternative(BaseModel):
    """Another way the question could be read, as a question the user can ask in one click."""

    question: str
    reading: str = ""


class ReadingNotes(BaseModel):
    """What only the reader of the question knows (the offline analyst sets these)."""

    # Why the period is what it is when the question named none ("no period named: the
    # latest full quarter", "every date in the data").
    period_note: str = ""
    alternatives: list[Alternative] = Field(default_factory=list)
    # True when nothing in the catalog fitted well: the answer says so rather than guessing.
    unsure: bool = False
    # What the answer says about that ("“channel” matches no grouping in this data; …").
    doubt: str = ""
    # Two named periods compared as rows of one query (a day by day span): the period and the
    # one it is compared with, as the reading should say them.
    compared: tuple[str, str] | None = None


class Reading(BaseModel):
    measures: list[str] = Field(default_factory=list)
    filters: list[str] = Field(default_factory=list)
    group_by: list[str] = Field(default_factory=list)
    period: str = ""
    comparison: str = ""
    shape: Shape = "none"
    period_note: str = ""
    alternatives: list[Alternative] = Field(default_factory=list)
    # Nothing in the catalog fitted the question well; the answer says so.
    unsure: bool = False
    doubt: str = ""
    # The caller's data scope ("region in East"), when the answer was computed inside one.
    scope: str = ""
    line: str = ""


# Tool calls whose id holds this only prepare the answer's own query (the offline analyst's
# "which groups are the biggest" before ranking them): the reading is not taken from them.
PRELIMINARY = "prelim_"


def read_calls(
    trace: list[dict[str, Any]],
    ledger: Ledger,
    catalog: Catalog | None,
    lang: str,
    notes: ReadingNotes | None = None,
) -> Reading | None:
    """The reading of a turn from its first successful tool call that answers something (the
    first that found rows, when an earlier one came back empty and the turn tried again)."""
    found: list[tuple[Reading, bool]] = []
    for call in trace:
        ids = call.get("evidence_ids") or []
        if not call.get("ok") or call.get("name") == "describe_data":
            continue
        if PRELIMINARY in str(call.get("call_id") or ""):
            continue  # a step that only chose what to measure ("the three biggest categories")
        ev = ledger.get(ids[0]) if ids else None
        reading = _reading(call, ev, catalog, lang)
        if reading is not None:
            found.append((reading, ev is None or bool(ev.rows) or ev.kind != "query"))
    if not found:
        return None
    reading = next((r for r, has_rows in found if has_rows), found[0][0])
    if reading.shape == "sql" and not reading.group_by:
        # A count over all the records, then the same split by a grouping asked ("提到异响的…
        # 最多的是哪个品牌"): the reading names the grouping too.
        reading.group_by = next((r.group_by for r, _ in found if r.group_by), [])
    if notes is not None:
        reading.period_note = notes.period_note
        reading.alternatives = notes.alternatives
        reading.unsure = notes.unsure
        reading.doubt = notes.doubt
        if notes.compared is not None:  # "6月8号跟6月5号比": the two periods, not the span
            reading.period, reading.comparison = notes.compared
            reading.group_by, reading.shape = [], "change"

    reading.line = render_line(reading, lang)
    return reading


def _reading(call: dict[str, Any], ev: Any, catalog: Catalog | None, lang: str) -> Reading | None:
    name, args = call.get("name"), call.get("arguments") or {}
    meta = ev.meta if ev is not None else {}
    if name == "query_metric":
        return _metric_reading(args, meta, catalog, lang)
    if name == "voc_themes":
        return _voc_reading("themes", args, meta, catalog, lang)
    if name == "search_voc":
        return _voc_reading("quotes", args, meta, catalog, lang)
    if name == "fill_template":
        title = str(meta.get("title") or args.get("template_id") or "")
        return Reading(measures=[title] if title else [], shape="document")
    if name == "run_sql":
        groups = _sql_groups(ev, catalog, lang)
        return Reading(measures=[str(args.get("purpose") or "")], shape="sql", group_by=groups)
    return None


def _sql_groups(ev: Any, catalog: Catalog | None, lang: str) -> list[str]:
    """The grouping of a query's rows: its first column, when that is a dimension of the
    catalog and the rows are several."""
    if ev is None or catalog is None or len(ev.rows) < 2 or not ev.columns:
        return []
    first = ev.columns[0]
    return [dimension_label(catalog, first, lang)] if first in catalog.dimensions else []


def _metric_reading(
    args: dict[str, Any], meta: dict[str, Any], catalog: Catalog | None, lang: str
) -> Reading:
    group = list(args.get("group_by") or [])
    shape: Shape = "value"
    if any(g in _TIME_DIMENSIONS for g in group):
        shape = "trend"
    elif group:
        shape = "ranking" if args.get("order_by") else "breakdown"
    elif args.get("compare"):
        shape = "change"
    names = [str(m) for m in args.get("metrics") or []]
    measures = [metric_label(catalog, m, lang) for m in names]
    shared = shared_measure(measures) if _on_own_tables(catalog, names) else None
    if shared:  # one measure taken on each group's own table
        n = len(measures)
        measures = [f"{shared}（{n} 张表）" if lang == "zh" else f"{shared} ({n} tables)"]
    return Reading(
        measures=measures,
        filters=_filter_labels(catalog, meta.get("filters") or args.get("filters") or {}, lang)
        + _excluded_labels(catalog, meta.get("exclude") or args.get("exclude") or {}, lang),
        group_by=[dimension_label(catalog, g, lang) for g in group],
        period=_period_label(meta.get("period")),
        comparison=_period_label(meta.get("comparison_period")),
        shape=shape,
    )


def _voc_reading(
    shape: Shape, args: dict[str, Any], meta: dict[str, Any], catalog: Catalog | None, lang: str
) -> Reading:
    keys = ("region", "product_line", "model", "source", "segment", "sentiment", "theme", "lang")
    filters = {k: args[k] for k in keys if args.get(k)}
    if isinstance(args.get("filters"), dict):
        filters |= {str(k): v for k, v in args["filters"].items() if v}
    # The search text is shown without quotation marks: only customers' words are quoted.
    topic = [_clip(str(args["query"]))] if shape == "quotes" and args.get("query") else []
    return Reading(
        measures=[_SHAPE_WORDS[_lang(lang)][shape], *topic],
        filters=_filter_labels(catalog, filters, lang),
        period=_period_label(meta.get("period")) or str(args.get("period") or ""),
        comparison=_period_label(meta.get("previous_period")),
        shape=shape,
    )


def header(r: Reading, lang: str) -> str:
    """What goes above the answer: the reading line, and other readings offered, if any."""
    lines = [r.line]
    if r.doubt:
        lines.append(r.doubt)
    if r.alternatives:
        ask = "您是否想问" if lang == "zh" else "Did you mean"
        options = " / ".join(f"“{a.question}”" for a in r.alternatives)
        lines.append(f"{ask}: {options}")
    return "\n\n".join(lines) + "\n\n"


def render_line(r: Reading, lang: str) -> str:
    words = _WORDS[_lang(lang)]
    parts = [" + ".join(m for m in r.measures if m)]
    parts += r.filters
    if r.group_by and r.shape != "trend":
        parts.append(
            f"{words['by']} {'、'.join(r.group_by) if lang == 'zh' else ', '.join(r.group_by)}"
        )
    elif r.group_by:
        parts.append(f"{_SHAPE_WORDS[_lang(lang)]['trend']} ({', '.join(r.group_by)})")
    # A query's purpose says its own period (see ``sql_purpose``); metrics and feedback tools
    # report theirs, and none means every date in the data.
    period = r.period or ("" if r.shape == "sql" else words["all"])
    if r.comparison:
        period += f" {words['vs']} {r.comparison}"
    parts.append(period)
    line = f"{words['lead']}: " + " · ".join(p for p in parts if p)
    # "all data (no period named: every date in the data)" says the same thing twice.
    if r.period_note and not (not r.period and r.period_note == every_date_note(lang)):
        line += f" ({r.period_note})"
    if r.scope:  # "the weakest region is East" is true within the scope only: say so
        line += f" · {words['scope']}: {r.scope}"
    return line


def sql_purpose(purpose: str, period_label: str | None, lang: str) -> str:
    """A query's purpose with the dates its SQL covers, for the reading line: the period's label,
    or the words for every date in the data."""
    return f"{purpose} · {period_label or _WORDS[_lang(lang)]['all']}"


def metric_label(catalog: Catalog | None, name: str, lang: str) -> str:
    if catalog is None or name not in catalog.metrics:
        return name.replace("_", " ")
    spec = catalog.metrics[name].spec
    return (spec.zh or spec.en) if lang == "zh" else spec.en


# The table a derived metric's name is told apart by: "Refund count (twcs amazonhelp inbound)".
_QUALIFIER = re.compile(r"\s*[（(][^()（）]*[)）]\s*$")


def _on_own_tables(catalog: Catalog | None, metrics: list[str]) -> bool:
    """Several metrics of one unit, each on a table of its own (``parallel_metrics``)."""
    if catalog is None or len(metrics) < 2 or not all(m in catalog.metrics for m in metrics):
        return False
    found = [catalog.metrics[m] for m in metrics]
    return len({m.table for m in found}) == len(found) and len({m.unit for m in found}) == 1


def shared_measure(labels: list[str]) -> str | None:
    """The name several metrics share but for the table each is told apart by, or None."""
    if len(labels) < 2:
        return None
    bases = {_QUALIFIER.sub("", label) for label in labels}
    if len(bases) == 1:
        return bases.pop()
    # "Twcs amazonhelp inbound count", "Twcs applesupport inbound count": the words all share.
    words = [set(label.split()) for label in labels]
    common = [w for w in labels[0].split() if all(w in ws for ws in words[1:])]
    return " ".join(common) if len(common) >= 2 else None


def dimension_label(catalog: Catalog | None, name: str, lang: str) -> str:
    if catalog is None or name not in catalog.dimensions:
        return name.replace("_", " ")
    spec = catalog.dimensions[name].spec
    return (spec.zh or spec.en) if lang == "zh" else spec.en.lower()


def value_label(catalog: Catalog | None, dimension: str, value: Any, lang: str) -> str:
    """A dimension value for display: 华东 for East in Chinese text; yes/no as the column."""
    if catalog is None or dimension not in catalog.dimensions:
        return str(value)
    dim = catalog.dimensions[dimension]
    if dim.kind == "boolean":
        name = dimension_label(catalog, dimension, lang)
        no = "非" if lang == "zh" else "not "
        return name if str(value).lower() in ("true", "1", "yes") else f"{no}{name}"
    if lang == "zh":
        aliases = (dim.spec.values or {}).get(str(value), [])
        zh = [a for a in aliases if any("\u4e00" <= ch <= "\u9fff" for ch in a)]
        if zh:
            return zh[0]
    return str(value)


def _filter_labels(
    catalog: Catalog | None, filters: dict[str, Any], lang: str, *, without: bool = False
) -> list[str]:
    """ "East", "type containing “2018款”"; with ``without`` the values left out ("not East",
    "type not containing “手动”")."""
    out = []
    for dim, value in filters.items():
        values = value if isinstance(value, list) else [value]
        part = _common_part(values)
        if part is not None:
            name = dimension_label(catalog, dim, lang)
            holds = (
                ("不含" if without else "含")
                if lang == "zh"
                else ("not containing" if without else "containing")
            )
            out.append(f"{name}{holds}“{part}”" if lang == "zh" else f"{name} {holds} “{part}”")
            continue
        shown = "/".join(value_label(catalog, dim, v, lang) for v in values[:_LISTED])
        if len(values) > _LISTED:  # a long list: its first values and how many there are
            more = len(values)
            shown += f"…（共 {more} 个值）" if lang == "zh" else f"… ({more} values)"
        out.append((f"不含{shown}" if lang == "zh" else f"not {shown}") if without else shown)
    return out


# Values shown of a long list in the reading line.
_LISTED = 6


def _common_part(values: list[Any]) -> str | None:
    """The words every value of a long list holds ("2018款" of forty trims), which say the
    list better than the list itself; None for a short list or none shared."""
    if len(values) <= 3:
        return None
    split = [[w for w in _PARTS.split(str(v)) if w] for v in values]
    shared = set.intersection(*(set(words) for words in split))
    # Several words in all of them ("2018款" and "CVT"): each, in the order the values say them;
    # one phrase when they stand together in each ("Federal Credit Union").
    kept = [w for w in split[0] if w in shared]
    run = " ".join(kept)
    if kept and all(run in " ".join(words) for words in split):
        return run
    return "”“".join(kept) or _common_run(values)


def _common_run(values: list[Any]) -> str | None:
    """The longest run of Chinese characters every value holds, of three or more ("工厂排放异味"
    of subject lines written "<district><place>工厂排放异味"); None when there is none."""
    texts = [str(v) for v in values]
    shortest = min(texts, key=len)
    for n in range(len(shortest), 2, -1):
        for i in range(len(shortest) - n + 1):
            run = shortest[i : i + n]
            if _CJK_RUN.fullmatch(run) and all(run in t for t in texts):
                return run
    return None


_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


# What separates the words of a value: spaces, or the commas of a list of codes ("H93,H15,").
_PARTS = re.compile(r"[\s,;，；、|]+")


def _excluded_labels(catalog: Catalog | None, exclude: Any, lang: str) -> list[str]:
    """ "not Hotels" / "不含酒店": the values the rows were kept without; "with any
    assignment group" / "有处理组的" where the rows with no value were left out ("")."""
    if not isinstance(exclude, dict):
        return []
    given = {d: [v for v in vs if v != ""] if isinstance(vs, list) else vs
             for d, vs in exclude.items()}  # fmt: skip
    out = _filter_labels(catalog, {d: vs for d, vs in given.items() if vs}, lang, without=True)
    for dim, values in exclude.items():
        if isinstance(values, list) and "" in values:
            name = dimension_label(catalog, dim, lang)
            out.append(f"有{name}的" if lang == "zh" else f"with any {name}")
    return out


def _period_label(period: Any) -> str:
    if isinstance(period, dict) and period.get("label"):
        return str(period["label"])
    return ""


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.replace("“", "").replace("”", "").replace('"', "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _lang(lang: str) -> Literal["en", "zh"]:
    return "zh" if lang == "zh" else "en"


_DEFAULTS = {
    "en": {
        "kept": "period kept from the previous question",
        "none": "no period named: every date in the data",
        "named": "no period named: {what}",
        "last quarter": "the latest full quarter",
        "last month": "the latest full month",
        "last year": "the latest full year",
        "other": "the period the analysis chose",
        "fallback": "no period named; {missed} held no matching records, so all the data",
        "thin": "no period named; {missed} holds few of the records, so all the data",
    },
    "zh": {
        "kept": "沿用上一问的时间",
        "none": "未指定时间：全部数据",
        "named": "未指定时间：{what}",
        "last quarter": "最近一个完整季度",
        "last month": "最近一个完整月",
        "last year": "最近一个完整年度",
        "other": "分析所选的时间",
        "fallback": "未指定时间；{missed}没有符合条件的数据，因此用全部数据",
        "thin": "未指定时间；{missed}的数据很少，因此用全部数据",
    },
}


def fallback_note(missed: str, lang: str, *, thin: bool = False) -> str:
    """The default period held nothing (or little), so the answer covers all the data."""
    return _DEFAULTS[_lang(lang)]["thin" if thin else "fallback"].format(missed=missed)


def every_date_note(lang: str) -> str:
    """No period named, and the question asked of all the records: every date in the data."""
    return _DEFAULTS[_lang(lang)]["none"]


def default_period_note(reading: Reading, as_of: date, lang: str, *, kept: bool) -> str:
    """Why the answer covers the period it does when the question named none."""
    words = _DEFAULTS[_lang(lang)]
    if reading.shape in ("document", "sql", "none"):
        return ""
    if kept and reading.period:
        return words["kept"]
    if not reading.period:
        return words["none"]
    for phrase in ("last quarter", "last month", "last year"):
        if parse_period(phrase, as_of).label == reading.period:
            return words["named"].format(what=words[phrase])
    return words["named"].format(what=words["other"])
