"""Metrics of a derived table: its row count, sums and averages of measures, a rate and a count
of each yes/no column, and average and median durations between start and end date columns."""

from __future__ import annotations

import re
from typing import Any

from ..list_items import REPLIES, ListShape, items_expr
from .catalog_columns import Column
from .catalog_entries import CJK, EN_WORDS, Changes, english, put, words, zh
from .catalog_time import Concept, concept, is_end, spoken_span
from .infer import q

# Words of an export's file name that say how it was exported, not what its rows are.
_FILE_WORDS = frozenset(
    ("export", "exports", "log", "logs", "event", "events", "data", "dataset", "sample", "file",
     "files", "report", "dump", "extract", "table", "list", "full", "all", "raw", "clean",
     "cleaned", "final", "new", "old", "copy", "latest", "every")
)  # fmt: skip


def _spoken(c: Column) -> str:
    """A column as an English name says it: a Chinese name in English words ("留言时间" →
    message time) where it has them."""
    return (english(c.original) if CJK.search(c.original) else "") or c.label


def record_noun(table: str) -> str:
    """What a table's rows are, from its name: "incident_event_log_every4th_incident" →
    "incident"; the whole name when nothing is left."""
    kept = [w for w in words(table).split() if not re.search(r"\d", w) and w not in _FILE_WORDS]
    kept = list(dict.fromkeys(reversed(kept)))[::-1]  # a repeated word counts once, last
    return " ".join(kept) or words(table)


# Free-text columns whose name says what each row is ("review": one review per row).
_TEXT_NOUNS = frozenset(
    ("review", "comment", "complaint", "feedback", "message", "tweet", "post", "ticket", "note")
)


def text_noun(table: str, columns: list[Column]) -> str | None:
    """What a row is, from its one free-text column's name ("review"), when the table's own
    name does not say it already."""
    named = [
        c.name.lower().rstrip("s") for c in columns if c.name.lower().rstrip("s") in _TEXT_NOUNS
    ]
    if len(named) != 1 or named[0] in record_noun(table):
        return None
    return named[0]


# What a Chinese column name says beside the records' noun: "留言编号", "留言时间", "留言详情".
_ZH_COLUMN_TAILS = (
    "编号",
    "单号",
    "号",
    "时间",
    "日期",
    "主题",
    "标题",
    "详情",
    "内容",
    "类型",
    "分类",
    "状态",
    "id",
    "ID",
)


def columns_noun_zh(columns: list[Column]) -> str | None:
    """The records' noun in Chinese, when the columns say it: the word two or more of them begin
    with before a tail such as 编号/时间/详情 ("留言" of 留言编号, 留言时间, 留言详情)."""
    heads: dict[str, int] = {}
    for c in columns:
        name = c.original or c.name
        for tail in _ZH_COLUMN_TAILS:
            head = name.removesuffix(tail)
            if head != name and 2 <= len(head) <= 4 and all(CJK.match(ch) for ch in head):
                heads[head] = heads.get(head, 0) + 1
                break
    found = [h for h, n in heads.items() if n >= 2]
    return found[0] if len(found) == 1 else None


def add_count(
    data: dict[str, Any],
    table: str,
    changes: Changes,
    noun_said: str | None = None,
    noun_zh: str | None = None,
) -> None:
    label = words(table)
    noun = noun_said or record_noun(table)
    singular = noun[:-1] if noun.endswith("s") else noun
    last = singular.split()[-1] if singular else singular
    plural = _plural(noun)
    aliases = [f"{singular} count", f"{last} count", f"number of {plural}", f"{last}s"]
    aliases += list(dict.fromkeys([f"number of {label}", label, plural]))
    if noun_said:  # the table's own name too: "online shopping cats"
        aliases += [f"{record_noun(table)} count", _plural(record_noun(table))]
    if noun_zh:  # "留言数量", "留言条数", "留言"
        aliases += [noun_zh, f"{noun_zh}数", f"{noun_zh}条数", f"{noun_zh}量"]
    zh_name = f"{noun_zh}数量" if noun_zh else ""
    count = {
        "en": f"{noun.capitalize()} count",
        "zh": zh_name or (f"{zh(last) or table}数量" if zh(last) or CJK.search(table) else ""),
        "aliases": aliases + ([f"{zh(last)}数"] if zh(last) else []),
        "table": table,
        "expr": "COUNT(*)",
        "unit": "count",
        "direction": "neutral",
        "definition": f"Number of rows of {table}.",
    }
    put(data, "metrics", f"{table}_count", count, table, changes)


def add_label_count(data: dict[str, Any], table: str, base: str, changes: Changes) -> None:
    """The count of a long flags table: by ``label``, how many rows carry each flag."""
    label = record_noun(base)
    named = ["label count", "tag count", "topic count", "number of labels", "标签数"]
    named += [f"{label} label count", f"{words(base)} label count"]
    item = {
        "en": f"{label.capitalize()} label count",
        "zh": f"{zh(label.split()[-1]) or label}标签数" if CJK.search(label) else "",
        "aliases": named,
        "table": table,
        "expr": "COUNT(*)",
        "unit": "count",
        "direction": "neutral",
        "definition": f"Number of flags set on {base} rows (one per row and flag); by label, "
        "the rows carrying each flag.",
    }
    put(data, "metrics", f"{table}_count", item, table, changes)


def add_measure(data: dict[str, Any], table: str, c: Column, changes: Changes) -> None:
    for prefix, func, what in (("avg", "AVG", "Average"), ("total", "SUM", "Total")):
        item = {
            "en": f"{what} {c.label} ({record_noun(table)})",
            "zh": _measure_zh(c, prefix),
            # What managers call a system's column ("update count" for sys_mod_count) too.
            "aliases": [
                f"{what.lower()} {n}" for n in (c.label, *EN_WORDS.get(c.name.lower(), []))
            ],
            "table": table,
            "expr": f"{func}({q(c.name)})",
            "unit": "number",
            "direction": "neutral",
            "definition": f"{what} of {table}.{c.name} over the rows with a value.",
        }
        put(data, "metrics", f"{prefix}_{c.name}", item, table, changes)
    if _EVENT_COUNT.search(c.name) and c.low is not None and c.low >= 0:
        _add_at_least_once(data, table, c, changes)


def _measure_zh(c: Column, prefix: str) -> str:
    """ "平均转派次数" / "转派次数合计": the column's Chinese name, its own or a translation."""
    name = c.original if CJK.search(c.label) else zh(c.name)
    if not name:
        return ""
    return f"平均{name}" if prefix == "avg" else f"{name}合计"


# Words that only say a column holds identifiers ("response_tweet_id" → "response tweet").
_ID_WORDS = re.compile(r"(?i)(?:\s+(?:ids?|no|nos|numbers?|keys?))+$")


def add_item_count(
    data: dict[str, Any], table: str, c: Column, shape: ListShape, changes: Changes
) -> None:
    """How many items a list cell holds ("H93,H15," → 2 codes), averaged over the records: a
    measure whose per-record value thresholds compare ("logged with three or more codes",
    "收到3条及以上回复"); a record with no value has none. Its names say what the items are,
    never a word as plain as "replies", which the records themselves may be."""
    base = _ID_WORDS.sub("", c.label.lower()).strip() or c.label.lower()
    cn = c.original if CJK.search(c.label) else zh(c.name)
    also: list[str] = []
    if REPLIES.search(c.name) or REPLIES.search(c.original):
        noun, zn = "reply ids", "回复编号"
    elif shape.kind == "codes":
        noun = base if base.endswith(("code", "codes")) else f"{base} codes"
        zn = cn if cn.endswith("代码") else f"{cn}代码"
        also = ["number of codes", "codes per record", "代码个数", "代码数"]
    elif shape.kind == "ids":
        noun, zn = f"{base} ids", f"{cn}编号" if cn else ""
    else:
        noun, zn = base, cn
    noun = _plural(noun)
    # "codes per complaint": the items per one of the table's records, by its own noun.
    one = re.sub(r"s$", "", record_noun(table).split()[-1])
    if one and one != "record":
        also = [
            f"{noun} per {one}",
            *([f"codes per {one}"] if shape.kind == "codes" else []),
            *also,
        ]
    item = {
        "en": f"Average number of {noun} per record",
        "zh": f"平均{zn}个数" if zn else "",
        "aliases": _unused(
            data,
            [f"number of {noun}", f"{noun} per record", *also]
            + ([f"{zn}个数", f"{zn}数量"] if zn else []),
        ),
        "table": table,
        "expr": f"AVG({items_expr(q(c.name), shape.delimiter)})",
        "unit": "number",
        "direction": "neutral",
        "definition": (
            f"Average number of items in the list cell {table}.{c.name} (joined by "
            f"{shape.delimiter!r}); a record with no value counts none."
        ),
    }
    put(data, "metrics", f"avg_{c.name}_items", item, table, changes)


def add_text_length(data: dict[str, Any], table: str, column: str, changes: Changes) -> None:
    """How long the customers' texts are, in characters ("差评平均写了多少字", "which category
    writes the longest reviews"): the average length of a free-text column."""
    item = {
        "en": "Average text length (characters)",
        "zh": "平均字数",
        "aliases": [
            "average length",
            "text length",
            "review length",
            "length of the text",
            "characters",
            "平均长度",
            "字数",
            "多少个字",
            "多少字",
            "篇幅",
            "写得最长",
            "写得更长",
            "写得多长",
        ],
        "table": table,
        "expr": f"AVG(length({q(column)}))",
        "filter": f"{q(column)} IS NOT NULL",
        "unit": "characters",
        "direction": "neutral",
        "definition": f"Average number of characters of {table}.{column}, over the rows with text.",
    }
    put(data, "metrics", f"avg_{column}_length", item, table, changes)


# A column counting how often something happened to a row (reopen_count, times_escalated).
_EVENT_COUNT = re.compile(r"(?i)(?:^|_)(?:count|times|num)(?:$|_)|次数")


def _add_at_least_once(data: dict[str, Any], table: str, c: Column, changes: Changes) -> None:
    """For an event count per row: the share of rows where it happened at least once, and how
    many rows that is ("reopened at least once")."""
    noun = _EVENT_COUNT.sub(" ", c.label.replace(" ", "_")).replace("_", " ").strip() or c.label
    said, better = _flag_concept(c.name)
    cn = zh(c.name).removesuffix("次数")
    _add_share_and_count(
        data, table, f"{c.name}_any", changes,
        when=f"{q(c.name)} > 0",
        rate_expr=f"100.0 * AVG(CASE WHEN {q(c.name)} > 0 THEN 1.0 ELSE 0.0 END)",
        rate_filter=f"{q(c.name)} IS NOT NULL",
        en=(f"Share with {noun} at least once", f"Rows with {noun} at least once"),
        zh_names=(f"发生过{cn}的比例", f"发生过{cn}的数量") if cn else ("", ""),
        rate_aliases=[f"{noun} at least once rate", f"share {noun} at least once", f"{noun} rate"]
        + _unused(data, [f"{w} rate" if w.isascii() else f"{w}率" for w in said])
        + ([f"{cn}率", f"{cn}比例"] if cn else []),
        count_aliases=[f"{noun} at least once", f"number {noun} at least once"]
        + [f"{w} at least once" for w in said if w.isascii()]
        # "the most reopened incidents": the concept said of the records themselves.
        + _unused(data, [f"{w} {_plural(record_noun(table))}" for w in said if w.isascii()]),
        direction=better,
        meaning=(f"with {c.name} above 0, of the rows with a value", f"with {c.name} above 0"),
    )  # fmt: skip


def add_yes_no(data: dict[str, Any], table: str, c: Column, rows: int, changes: Changes) -> None:
    """A rate (share of rows saying yes) and a count (rows saying yes)."""
    over = "all rows" if c.non_null == rows else "the rows with a value"
    cn = c.original if CJK.search(c.label) else zh(c.name)
    said, better = _flag_concept(c.name)
    _add_share_and_count(
        data, table, c.name, changes,
        when=q(c.name),
        rate_expr=f"100.0 * AVG(CAST({q(c.name)} AS INTEGER))",
        rate_filter=None,
        en=(f"{c.label.capitalize()} rate", f"{c.label.capitalize()} count"),
        zh_names=(f"{cn}比例", f"{cn}数量") if cn else ("", ""),
        rate_aliases=[f"{c.label} rate", f"share {c.label}", f"% {c.label}"]
        + ([f"{cn}率", f"{cn}占比"] if cn else [])
        + _unused(data, [f"{w} rate" if w.isascii() else f"{w}率" for w in said]),
        count_aliases=[f"{c.label} count", f"number of {c.label}", f"{c.label} rows"],
        direction=better,
        meaning=(f"where {c.name} is yes, of {over}", f"where {c.name} is yes"),
    )  # fmt: skip
    _add_no_side(data, table, c, cn, over, changes)


def _add_no_side(
    data: dict[str, Any], table: str, c: Column, cn: str, over: str, changes: Changes
) -> None:
    """The other side of a yes/no column as a measure of its own: "breached SLA" for made_sla,
    "not escalated", "未SLA达成". Its rate and count, named by negating the column's words and
    by the opposite words managers use for the flag's concept, run the other way."""
    said, better = _flag_opposite(c.name)
    label = c.label
    direction = {"higher_is_better": "lower_is_better", "lower_is_better": "higher_is_better"}
    _add_share_and_count(
        data, table, f"not_{c.name}", changes,
        when=f"NOT {q(c.name)}",
        rate_expr=f"100.0 * AVG(CAST(NOT {q(c.name)} AS INTEGER))",
        rate_filter=None,
        en=(f"Not {label} rate", f"Not {label} count"),
        zh_names=(f"未{cn}比例", f"未{cn}数量") if cn else ("", ""),
        rate_aliases=[f"not {label} rate", f"share not {label}", f"% not {label}"]
        + ([f"未{cn}率", f"未{cn}占比", f"没有{cn}比例"] if cn else [])
        + _unused(data, [f"{w} rate" if w.isascii() else f"{w}率" for w in said]),
        count_aliases=[f"not {label}", f"not {label} count", f"number not {label}"]
        + ([f"未{cn}", f"没有{cn}"] if cn else [])
        + _unused(data, list(said)),
        direction=direction.get(better, "neutral"),
        meaning=(f"where {c.name} is no, of {over}", f"where {c.name} is no"),
    )  # fmt: skip


def _add_share_and_count(
    data: dict[str, Any],
    table: str,
    key: str,
    changes: Changes,
    *,
    when: str,
    rate_expr: str,
    rate_filter: str | None,
    en: tuple[str, str],
    zh_names: tuple[str, str],
    rate_aliases: list[str],
    count_aliases: list[str],
    direction: str,
    meaning: tuple[str, str],
) -> None:
    """``<key>_rate`` (share of rows where ``when`` holds) and ``<key>_count`` (how many)."""
    noun = record_noun(table)
    rate: dict[str, Any] = {
        "en": f"{en[0]} ({noun})",
        "zh": zh_names[0],
        "aliases": rate_aliases,
        "table": table,
        "expr": rate_expr,
        "unit": "%",
        "direction": direction,
        "definition": f"Share of {table} rows {meaning[0]}.",
    }
    if rate_filter:
        rate["filter"] = rate_filter
    put(data, "metrics", f"{key}_rate", rate, table, changes)
    count = {
        "en": f"{en[1]} ({noun})",
        "zh": zh_names[1],
        "aliases": count_aliases,
        "table": table,
        "expr": f"COUNT(*) FILTER (WHERE {when})",
        "unit": "count",
        "direction": "neutral",
        "definition": f"Number of {table} rows {meaning[1]}.",
    }
    put(data, "metrics", f"{key}_count", count, table, changes)


# How managers name common service flags, beside the column's own words ("met their SLA" for
# made_sla, "SLA达标" for sla_met; each gives "<words> rate" aliases to the flag's rate), and
# which way is better for the rate. A breach is checked first: "sla_breached" is not attainment.
_FLAG_WORDS = (
    (r"breach", ("breach", "sla breach", "违约", "超时"), "lower_is_better"),
    (r"sla", ("sla attainment", "sla compliance", "met sla", "sla met", "SLA达标", "SLA达成"),
     "higher_is_better"),
    (r"reopen", ("reopen", "reopened", "重开", "重新打开"), "lower_is_better"),
    (r"escalat", ("escalation", "escalated", "升级"), "lower_is_better"),
)  # fmt: skip
# The same concepts said of a flag's "no" side ("breached SLA" is made_sla's no).
_OPPOSITE_WORDS = (
    (r"breach", ("met sla", "sla met", "within sla", "SLA达标", "未超时")),
    (r"sla", ("sla breach", "breached sla", "missed sla", "sla missed", "failed sla",
              "sla breached", "out of sla", "SLA未达标", "未达标", "违约", "超时")),
    (r"reopen", ("never reopened", "not reopened", "未重开", "没有重开")),
    (r"escalat", ("never escalated", "not escalated", "未升级", "没有升级")),
)  # fmt: skip


def _plural(noun: str) -> str:
    return noun if noun.endswith("s") else f"{noun}s"


def _flag_concept(name: str) -> tuple[tuple[str, ...], str]:
    """The words managers use for a flag column and its rate's direction ("neutral": unknown)."""
    low = name.lower()
    for pattern, said, direction in _FLAG_WORDS:
        if re.search(pattern, low):
            return said, direction
    return (), "neutral"


def _flag_opposite(name: str) -> tuple[tuple[str, ...], str]:
    """The words managers use for a flag's "no" side, and the flag's own direction."""
    low = name.lower()
    _, better = _flag_concept(name)
    said = next((w for pattern, w in _OPPOSITE_WORDS if re.search(pattern, low)), ())
    return said, better


def _unused(data: dict[str, Any], aliases: list[str]) -> list[str]:
    """Aliases no metric already has (two SLA flags must not both claim "sla attainment")."""
    taken = {a.lower() for m in (data.get("metrics") or {}).values() for a in m.get("aliases", [])}
    return [a for a in aliases if a.lower() not in taken]


def add_durations(
    data: dict[str, Any], table: str, start: Column, end: Column, changes: Changes
) -> None:
    """Average and median hours from ``start`` to ``end`` over rows with end ≥ start. From
    one end event to another (resolved → closed) the names say both events, never the
    concept of the end alone ("closure time" is from opening)."""
    seconds = f"epoch({q(end.name)}) - epoch({q(start.name)})"
    span = f"from {_spoken(start)} to {_spoken(end)}"
    found = concept(end.name)
    between = concept(start.name) if is_end(start.name) else None
    for prefix, func, what in (("avg", "AVG", "Average"), ("median", "MEDIAN", "Median")):
        aliases = [f"{what.lower()} time {span}", f"{what.lower()} hours {span}"]
        if between and found:
            aliases += _between_aliases(between, found, prefix)
        elif found:
            aliases += _concept_aliases(found.en, [found.en, found.zh, *found.aliases], prefix)
            aliases += _spoken_aliases(start.name, found, prefix)
        ended = _spoken(end)
        if CJK.search(end.original) and ended.endswith(" time"):
            # "答复时间" is the reply time: "average reply time", "median reply time".
            aliases += (
                [f"{what.lower()} {ended}", ended]
                if prefix == "avg"
                else [f"{what.lower()} {ended}"]
            )
        item = {
            "en": f"{what} time {span} (hours)",
            "zh": (
                _between_zh(between, found, prefix)
                if between and found
                else _concept_zh(found.zh, prefix)
                if found
                else ""
            ),
            "aliases": aliases,
            "table": table,
            "expr": f"{func}({seconds}) / 3600.0",
            "filter": f"{q(end.name)} >= {q(start.name)}",
            "unit": "hours",
            "direction": "lower_is_better",
            "definition": f"{what} hours from {start.name} to {end.name}, over {table} rows "
            f"where both are present and {end.name} is not before {start.name}.",
        }
        put(data, "metrics", f"{prefix}_hours_{start.name}_to_{end.name}", item, table, changes)


def _between_aliases(start: Concept, end: Concept, prefix: str) -> list[str]:
    en = f"from {start.verb[0]} to {end.verb[0]}"
    zh_span = f"从{start.verb[1]}到{end.verb[1]}"
    if prefix == "avg":
        return [f"time {en}", f"average time {en}", zh_span, f"{zh_span}平均时长"]
    return [f"median time {en}", f"{zh_span}的中位数", f"{zh_span}中位数"]


def _between_zh(start: Concept, end: Concept, prefix: str) -> str:
    span = f"从{start.verb[1]}到{end.verb[1]}"
    return f"{span}平均时长（小时）" if prefix == "avg" else f"{span}时长中位数（小时）"


def _spoken_aliases(start: str, found: Concept, prefix: str) -> list[str]:
    en, zh_span = spoken_span(start, found)
    if not en:
        return []
    if prefix == "avg":
        return [f"time {en}", f"average time {en}", zh_span, f"{zh_span}平均时长"]
    return [f"median time {en}", f"{zh_span}的中位数", f"{zh_span}中位数"]


def _concept_aliases(en: str, names: list[str], prefix: str) -> list[str]:
    chinese = [w for w in names if CJK.search(w)]
    english = [w for w in names if not CJK.search(w)]
    if prefix == "avg":
        return [*names, f"average {en}", f"avg {en}", *(f"平均{w}" for w in chinese)]
    return [f"median {w}" for w in english] + [f"{w}中位数" for w in chinese]


def _concept_zh(word: str, prefix: str) -> str:
    return f"平均{word}（小时）" if prefix == "avg" else f"{word}中位数（小时）"
