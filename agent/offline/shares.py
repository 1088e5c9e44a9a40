"""The share of records with a value: "what share of complaints reached 处理反馈?", "酒店的差评
占酒店全部评论的多少？", "所有差评里，酒店占了多大比例？"; split by a group when the question names
one ("which region has the highest share of complaint tickets?"), ranked by the share.

The part is the value the question names last, the whole is the records with the other values it
names (all records when it names one); both are counted on the table the question's records
live in, in one guarded SQL query, so the share is a cited figure, not arithmetic in the text.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

from ...data.duck import q
from ..reading import sql_purpose
from .catalog_choice import plain_count
from .grouped import LOWEST
from .narrative import Writer
from .playbooks import (
    Call,
    Playbook,
    dim_name,
    failed,
    fmt_row,
    metric_or,
    metric_query,
    period_or_all,
    slice_text,
    table,
)
from .slice_sql import literal, reach, share_sql, slice_where
from .slots import Either, Excluded, normal_text
from .text_columns import column_title
from .thresholds import ITEMS, Threshold
from .transcript import Results
from .understand import Intent
from .value_parts import Holding


def share_call(intent: Intent) -> Call | None:
    cat = intent.catalog
    if cat is None or not (intent.filters or intent.unset or intent.unset_column):
        return threshold_call(intent) if intent.threshold else None
    if intent.threshold:
        return threshold_call(intent)
    metric = metric_or(intent)
    if metric not in cat.metrics:
        return None
    base = cat.metrics[metric].table
    whole, dim, value = _parts(intent)
    also = {d: whole.pop(d) for d in intent.part_with if d in whole}
    joins: dict[str, str] = {}
    group = _group(intent)
    named = intent.slots.compared.get(group or "") or []
    # "一汽丰田 and 广汽丰田 - what share of each one's": only the groups named side by side
    # (not values found by a part of their names beside others already kept: "本田" of two
    # brands and of their models).
    either = any(isinstance(v, Either) for v in whole.values())
    # "2019款和2020款": families of values, each a group of its own.
    families = [v for v in named if isinstance(v, Holding)] if len(named) > 1 else []
    families = families if len(families) == len(named) else []
    kept = {**whole, group: Either(*named)} if group and len(named) > 1 and not either else whole
    kept = whole if families else kept  # the families are kept by their own expression below
    # "Resolved on a Saturday": the weekday of the resolution date, of the resolved records.
    dated = intent.event_time
    where = slice_where(cat, base, kept, intent.period, joins, dated)
    part = (
        _unset_column(intent, base) if intent.unset_column else reach(cat, base, dim, joins, dated)
    )
    with_part = slice_where(cat, base, also, None, joins, dated)
    if where is None or part is None or with_part is None:
        return None
    if dated is not None:
        where = [*where, f"{base}.{q(dated)} IS NOT NULL"]
    done = intent.among_done
    if done is not None and done in cat.tables[base].columns:
        where = [*where, f"{base}.{q(done)} IS NOT NULL"]  # "among the answered messages"
    rated = value is not None and rated_only(intent, dim)
    if rated:
        # "在给了满意度评价的留言里，不满意的占多少": of the records that have a rating.
        where = [*where, f"{part} IS NOT NULL"]
    if value is None:  # "never got an assignment group": the value is missing or blank
        match = f"({part} IS NULL OR trim(CAST({part} AS VARCHAR)) = '')"
        if intent.unset_set:  # "linked to a problem record": the value is there
            match = f"NOT {match}"
    elif isinstance(value, Excluded):  # "of the reviews not about hotels"
        listed = ", ".join(literal(v) for v in value.values)
        match = f"({part} IS NULL OR {part} NOT IN ({listed}))"
    elif isinstance(value, Either):  # "“满意”加“基本满意”": either of them
        match = f"{part} IN ({', '.join(literal(v) for v in value.values)})"
    else:
        match = f"{part} = {literal(value)}"
    aged = _aged(intent, base) if intent.unset_column else None
    if aged is not None:  # "…里，已经提交超过一个月的": those that came in that long ago
        match = f"({match}) AND {aged}"
    match = " AND ".join([f"({c})" for c in with_part] + [match]) if with_part else match
    group_expr = reach(cat, base, group, joins) if group else None
    if group_expr is not None and families:
        group_expr = family_case(group_expr, families)
        where = [*where, f"({group_expr}) IS NOT NULL"]
    if intent.threshold_split is not None:
        t, other = intent.threshold_split
        if t.table != base:
            return None
        group_expr = (
            f"CASE WHEN ({t.expr}) {t.op} {t.value:g} THEN {literal(t.said)} "
            f"ELSE {literal(other)} END"
        )
        where = [*where, f"({t.expr}) IS NOT NULL", *([f"({t.where})"] if t.where else [])]
    if group and group_expr is None:
        return None
    # The groups by their share, the end the question asks about first, only those of the size
    # the question sets ("among brands with 30 or more complaints"), with the share over them.
    least = min_records(intent.question) if group and group != SIDE else None
    sql = share_sql(
        base, match, where, joins, group_expr, group, rows=_ROWS,
        by_share=_order(intent, group), least=least, totals=True,
    )  # fmt: skip
    w = Writer(lang=intent.language, seed="", catalog=cat)
    part_label = _part_with(w, also, _said_part(w, intent, dim, value))
    purpose = w.say("share.purpose", part=part_label.removesuffix("的"), whole=slice_text(w, kept))
    if group:
        purpose += w.say("share.by", dim=_group_name(w, group))
    if least is not None:
        purpose += w.say("share.min", n=str(least))
    if rated:
        purpose += w.say("share.rated", dim=dim_name(w, dim))
    if dated is not None:
        purpose += w.say("share.event_time", column=_column_title(cat, dated))
    label = intent.period.label if intent.period else None
    if label and intent.comparison is not None and not group:
        # The period compared with is measured by a second query of the same share.
        label = f"{label} {'对比' if intent.language == 'zh' else 'vs'} {intent.comparison.label}"
    purpose = sql_purpose(purpose, label, intent.language)
    return ("run_sql", {"sql": sql, "purpose": purpose})


_ROWS = 50


def threshold_call(intent: Intent) -> Call | None:
    """The records past the question's threshold, among those with a value of the measure
    compared (resolved incidents for a resolution time), in the slice; split by a group when
    the question names one, ranked by the share when it asks for one, else by the count."""
    cat, t = intent.catalog, intent.threshold
    if cat is None or t is None:
        return None
    joins: dict[str, str] = {}
    where = slice_where(cat, t.table, dict(intent.filters), intent.period, joins)
    if where is None:
        return None
    where = [*where, f"({t.expr}) IS NOT NULL", *([f"({t.where})"] if t.where else [])]
    match = t.condition()
    if intent.threshold_part:
        # "…reopened more than once? Of those, how many made their SLA": the records past the
        # threshold are the whole, the values said after "of those" the part.
        part = slice_where(cat, t.table, dict(intent.threshold_part), None, joins)
        if not part:
            return None
        where, match = [*where, f"({match})"], " AND ".join(f"({c})" for c in part)
    group = _group(intent)
    group_expr = reach(cat, t.table, group, joins) if group else None
    if group and group_expr is None:
        return None
    by_share = ("ASC" if _lowest(intent) else "DESC") if intent.shape.has("share") else None
    if group and group in cat.dimensions and cat.dimensions[group].from_time:
        by_share = "TIME"  # month by month: in their order
    sql = share_sql(
        t.table, match, where, joins, group_expr, group, rows=_ROWS, by_share=by_share,
        least=min_records(_without(intent.question, t.said)) if group else None, totals=True,
    )  # fmt: skip
    if group and intent.parallel:
        sql = _parallel_threshold_sql(intent, group, by_share) or sql
    w = Writer(lang=intent.language, seed="", catalog=cat)
    purpose = w.say(_said_key(t, "purpose"), measure=_measure(w, t), said=t.said)
    if intent.threshold_part:
        named = w.together(w.label(d, v) for d, v in intent.threshold_part.items())
        purpose = w.say("threshold.part_purpose", measure=_measure(w, t), said=t.said, part=named)
    purpose += slice_text(w, intent.filters)
    if group:
        purpose += w.say("share.by", dim=_group_name(w, group))
    purpose = sql_purpose(purpose, intent.period.label if intent.period else None, intent.language)
    return ("run_sql", {"sql": sql, "purpose": purpose})


def _parallel_threshold_sql(intent: Intent, group: str, by_share: str | None) -> str | None:
    """The threshold's records on each group's own table (one export per company), one row
    per table with the group it holds, then ordered like ``share_sql``'s groups, with the
    figures over all of them on every row."""
    cat, t = intent.catalog, intent.threshold
    if cat is None or t is None:
        return None
    parts = []
    for metric in [t.metric, *intent.parallel]:
        table = cat.metrics[metric].table
        joins: dict[str, str] = {}
        where = slice_where(cat, table, dict(intent.filters), intent.period, joins)
        expr = t.expr.replace(f"{t.table}.", f"{table}.")
        group_expr = reach(cat, table, group, joins)
        if where is None or group_expr is None:
            return None
        own = replace(t, table=table, expr=expr)
        where = [*where, f"({expr}) IS NOT NULL", *([f"({t.where})"] if t.where else [])]
        tables = table + "".join(f" JOIN {j} ON {on}" for j, on in joins.items())
        parts.append(
            f"SELECT ANY_VALUE({group_expr}) AS {group}, "
            f"count(*) FILTER (WHERE {own.condition()}) AS part, count(*) AS records "
            f"FROM {tables} WHERE {' AND '.join(where)}"
        )
    order = f"share_pct {by_share}" if by_share in ("ASC", "DESC") else "part DESC"
    return (
        f"WITH g AS ({' UNION ALL '.join(parts)}) "
        f"SELECT {group}, part, records, round(100.0 * part / nullif(records, 0), 1) AS share_pct, "
        "sum(part) OVER () AS all_part, sum(records) OVER () AS all_records, "
        "round(100.0 * sum(part) OVER () / nullif(sum(records) OVER (), 0), 1) AS all_share_pct "
        f"FROM g WHERE records > 0 ORDER BY {order}, records DESC"
    )


def _without(question: str, said: str) -> str:
    return question.replace(said, " ")


def _said_key(t: Threshold, form: str) -> str:
    """The sentence for a threshold; one on a number of items says the items' own words
    ("three or more defect codes"), with no measure before them."""
    return f"threshold.items_{form}" if t.measure == ITEMS else f"threshold.{form}"


def _measure(w: Writer, t: Threshold) -> str:
    """What the threshold compares: its own word for it ("time of day"), else its measure."""
    if t.measure and t.measure != ITEMS:
        return w.say(f"threshold.{t.measure.replace(' ', '_')}")
    return measure_name(w, t.metric)


def measure_name(w: Writer, metric: str) -> str:
    """A measure's name without its aggregate and unit: "time from opened at to resolved at"."""
    name = w.metric(metric)
    name = re.sub(r"(?i)^(?:average|mean|median|avg)\s+|^(?:平均|中位数?)", "", name)
    name = re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", name)
    return name[:1].lower() + name[1:] if w.lang == "en" and name[1:2].islower() else name


_HIGHEST = re.compile(r"(?i)highest|\bmost\b|largest|biggest|最高|最多|最大")


def _order(intent: Intent, group: str | None) -> str:
    """The groups by their share, the end asked about first; units of time in their order; by
    how many records are the part when the question asks the most of them, not a share."""
    cat = intent.catalog
    if cat is not None and group in cat.dimensions and cat.dimensions[group].from_time:
        return "TIME"
    if intent.whole_ranked:
        return "RECORDS"
    if _by_count(intent):
        return "PART_ASC" if _lowest(intent) else "PART"
    return "ASC" if _lowest(intent) else "DESC"


def _by_count(intent: Intent) -> bool:
    """ "Which category has the most messages still without a reply": an end asked of the
    records, not of a share."""
    q = intent.question
    ends = _HIGHEST.search(q) is not None or LOWEST.search(q) is not None
    return not intent.shape.has("share") and ends


# The two sides of a threshold the shares are split by ("7天以内" and "超过7天").
SIDE = "side"


def family_case(expr: str, families: list[Any]) -> str:
    """Each record's family ("2019款") among the families of values named, by the values each
    holds."""
    whens = " ".join(
        f"WHEN CAST({expr} AS VARCHAR) LIKE {literal('%' + f.word + '%')} THEN {literal(f.word)}"
        # A longer word first: "国VI" before "国V", which it holds.
        for f in sorted(families, key=lambda f: -len(f.word))
    )
    return f"CASE {whens} END"


def _group(intent: Intent) -> str | None:
    """The dimension the shares are split by: the first the question groups by."""
    if intent.threshold_split is not None:
        return SIDE
    named = (d for d in intent.slots.dimensions if d not in intent.filters and d != intent.unset)
    return next(named, None)


# "在30条以上的品牌里", "with at least 30 complaints", "more than 50 tickets", "30+ records".
_AT_LEAST = re.compile(
    r"(?i)(?P<a>\d+)\s*(?:条|个|张|件|单|次)?(?:或)?以上|(?:至少|不少于|超过|多于)\s*(?P<b>\d+)"
    r"|\bat least (?P<c>\d+)|\b(?P<m>more than|over) (?P<d>\d+)\b|\b(?P<e>\d+)\s*\+"
    r"|(?P<f>\d+) or more\b"
)


def min_records(question: str) -> int | None:
    """The least number of records a group must have to be ranked, when the question sets one
    ("投诉量在30条以上的品牌里"); "more than"/"超过" N means N + 1."""
    m = _AT_LEAST.search(question)
    if m is None:
        return None
    n = int(next(g for g in (m["a"], m["b"], m["c"], m["d"], m["e"], m["f"]) if g))
    strict = bool(m["m"]) or (m["b"] is not None and re.search("超过|多于", m.group(0)))
    return n + 1 if strict else n


def _lowest(intent: Intent) -> bool:
    """Whether the question asks which group has the lowest share ("差评比例最低")."""
    return LOWEST.search(intent.question) is not None and not _HIGHEST.search(intent.question)


def rated_only(intent: Intent, dim: str) -> bool:
    """Whether the question names the part's dimension itself before its value ("among the
    rated messages, the unsatisfied ones"): the whole is the records that have a value."""
    cat = intent.catalog
    spec = cat.dimensions[dim].spec if cat is not None and dim in cat.dimensions else None
    if spec is None:
        return False
    text = intent.question.lower()
    held = intent.filters.get(dim, "")
    values = [str(v).lower() for v in getattr(held, "values", (held,)) if str(v)]
    # Where the value is said (the last of several named together).
    at_value = max((text.rfind(v) for v in values), default=-1)
    value = values[0] if values else ""
    names = [n.lower() for n in (spec.en, spec.zh, *spec.aliases) if n and len(n) >= 2]
    if any(0 <= _name_at(text, n) < at_value and n not in value for n in names):
        return True
    # "给了评价的留言里", "of the rated messages": the records that have a rating, in any words.
    cue = _RATED.search(text)
    if cue is not None and _COUNTED_OVER.search(text[: cue.start()]):
        return True  # "（按给了评价的留言算）", "only counting rated ones": said after it
    if cue is not None and _WHOLE_BEFORE.search(text[: cue.start()]):
        return True  # "What share of that group's rated messages is that": the whole named
    return cue is not None and 0 <= cue.start() < at_value


def _name_at(text: str, name: str) -> int:
    """Where ``name`` is said in ``text`` (-1: not said); an English name as a whole word
    ("tag" is not said by "tagged as delivery")."""
    if re.search(r"[\u3400-\u9fff]", name):
        return text.find(name)
    m = re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", text)
    return m.start() if m else -1


# Words that say what the whole is, right before the records that have a rating.
_COUNTED_OVER = re.compile(
    r"(?:按|只算|只看|仅算|仅看|在|\bcounting(?: only)?|\bonly counting|\bamong"
    # "among the messages that were rated"
    r"|\b(?:among|of|counting) (?:the |those )?(?:[a-z]+ ){0,2}(?:that|which|who)"
    r" (?:were|was|are|is|have been|got)(?: actually)?)\s*$"
)
# The words that name the whole of a share, right before what it is ("share of that group's
# rated messages", "占给了评价的留言的").
_WHOLE_BEFORE = re.compile(
    r"(?i)\b(?:share|percentage|proportion|fraction|percent)\s+of\b[^.?!]{0,30}$|占[^，。？?,]{0,10}$"
)
_RATED = re.compile(
    r"给了?(?:评价|评分|打分|满意度)|有(?:评价|评分|打分)|评了分|打了分|参与了?评价"
    r"|\brated\b|\bwith an? (?:rating|score)\b|\bgave an? (?:rating|score)\b"
)


def _said_part(w: Writer, intent: Intent, dim: str, value: Any) -> str:
    """The part's label, with how long ago its records came in when the question says so
    ("未填写答复时间（超过一个月）的")."""
    label = _part_label(w, dim, value, intent.unset_set)
    if intent.aged is None or not intent.unset_column:
        return label
    said = intent.aged[2]
    return f"{label.removesuffix('的')}（{said}）的" if w.lang == "zh" else f"{label} ({said})"


def _aged(intent: Intent, base: str) -> str | None:
    """The records that came in at least as long ago as the question says, counted back from
    today, on ``base``'s time column."""
    cat = intent.catalog
    column = cat.tables[base].time_column if cat is not None and base in cat.tables else None
    if intent.aged is None or not column:
        return None
    op, hours, _ = intent.aged
    cut = datetime.combine(intent.as_of, time()) - timedelta(hours=hours)
    return f"{base}.{column} {'<' if op == '>' else '<='} TIMESTAMP '{cut:%Y-%m-%d %H:%M:%S}'"


def _unset_column(intent: Intent, base: str) -> str | None:
    """The date column said missing, when it is a column of the records counted."""
    table, column = intent.unset_column or ("", "")
    return f'{base}."{column}"' if table == base else None


def _parts(intent: Intent) -> tuple[dict[str, str], str, str | None]:
    """The slice (the whole), and the dimension (or date column) and value of the part (None:
    value missing)."""
    if intent.unset:
        return dict(intent.filters), intent.unset, None
    if intent.unset_column:
        return dict(intent.filters), intent.unset_column[1], None
    said = _in_order_said(intent)
    text = intent.question.lower()
    named = [
        (d, v) for d, v in said if not any(base_said(text, n) for n in _said_as(intent, d, v))
    ]  # fmt: skip
    if named and len(named) < len(said):
        # "反映X的留言有几条？在Y类的留言里占几成": Y is the whole, X the part, whatever the order.
        dim, value = named[-1]
        return {d: v for d, v in said if d != dim}, dim, value
    *whole, (dim, value) = said
    return dict(whole), dim, value


def _said_as(intent: Intent, dim: str, value: Any) -> list[str]:
    """A filter's names, and the words the question named it by ("credit reporting")."""
    names = list(value.values) if isinstance(value, (Either, Excluded)) else [str(value)]
    span = intent.slots.said.get(f"{dim}={value}")
    if span is not None:
        names.append(normal_text(intent.question)[span[0] : span[1]])
    return [str(n).lower() for n in names if str(n).strip()]


def base_said(text: str, name: str) -> bool:
    """Whether ``name`` is said in ``text`` as what a share is taken of: "在Y类的留言里占几成",
    "占Y的比例", "what share of all Y complaints is that"."""
    n = re.escape(name)
    return bool(
        re.search(
            rf"(?:在|于)[^，。？?,；;]{{0,12}}{n}[^，。？?,；;]{{0,12}}(?:里|中|内)[^，。？?,；;]{{0,6}}占",
            text,
        )
        or re.search(rf"占[^，。？?,；;]{{0,4}}{n}", text)
        or re.search(
            rf"(?:\bshare|\bpercent(?:age)?|\bproportion|%) of "
            rf"(?:all |the |our )*(?:[a-z]+ ){{0,2}}{n}",
            text,
        )
    )


def _in_order_said(intent: Intent) -> list[tuple[str, Any]]:
    """The filters in the order the question names them ("吉利汽车和一汽马自达这两家除外，其余品牌的
    投诉里…走到了“处理反馈”": the brands first), when each is found in its words; else as
    read."""
    text = intent.question.lower()
    found: list[tuple[int, int, tuple[str, Any]]] = []
    for i, (dim, value) in enumerate(intent.filters.items()):
        names = list(value.values) if isinstance(value, (Either, Excluded)) else [str(value)]
        at = [text.find(n.lower()) for n in names if n and text.find(n.lower()) >= 0]
        span = intent.slots.said.get(f"{dim}={value}")
        if span is not None:
            at.append(span[0])
        if not at:
            return list(intent.filters.items())
        found.append((min(at), i, (dim, value)))
    return [item for _, _, item in sorted(found)]


def _part_with(w: Writer, also: dict[str, Any], label: str) -> str:
    """The part's label with the other conditions it carries ("request dm: yes and provide url:
    yes")."""
    labels = [w.label(d, v) for d, v in also.items()]
    return (" and " if w.lang == "en" else "且").join([*labels, label])


def _part_label(w: Writer, dim: str, value: str | None, is_set: bool = False) -> str:
    if value is not None:
        return w.label(dim, value)
    column = w.catalog is not None and dim not in w.catalog.dimensions
    # A date or free-text column: its own name, as the export wrote it.
    name = _column_title(w.catalog, dim) if column else dim_name(w, dim)
    if is_set:  # "linked to a problem record": the value is recorded
        return w.say("share.set", dim=name)
    return w.say("share.unset", dim=name)


def _column_title(cat: Any, column: str) -> str:
    """A column's name as the export wrote it ("Consumer complaint narrative"), else its own."""
    spec = next((t.columns[column] for t in cat.tables.values() if column in t.columns), None)
    return column_title(spec.description if spec else None, column)


def _stage(intent: Intent, results: Results) -> dict[str, Call]:
    call = share_call(intent)
    if call is None:
        return {}
    calls = {"share": call}
    nxt = _next_call(intent)
    if nxt is not None:
        calls[_NEXT] = nxt
    if intent.comparison is not None and intent.threshold is None and _group(intent) is None:
        # "上个季度的不满意比例和再前一个季度比": the same share in the period compared with.
        before = share_call(replace(intent, period=intent.comparison, comparison=None))
        if before is not None:
            calls[_BEFORE] = before
    return calls


_BEFORE = "share_before"
_NEXT = "share_next"
# "…一家占了百分之多少？排在它后面的是哪家", "and who comes next": the next value of the
# part's column, ranked in the same whole.
_NEXT_ASKED = re.compile(
    r"(?i)排在(?:它|他|其|这家|这个)?后面|(?:第二|次之)(?:的|名|位|多)"
    r"|\bwho(?:'s| is| comes)? next\b|\bcomes? (?:next|second)\b|\brunner[- ]up\b"
    r"|\bnext (?:biggest|largest|one)\b"
)


def _next_call(intent: Intent) -> Call | None:
    """The values of the part's column ranked by the records in the whole, when the question
    asks which comes after the one named; None otherwise."""
    cat = intent.catalog
    if cat is None or intent.threshold or intent.unset_column or _group(intent) is not None:
        return None
    if not _NEXT_ASKED.search(intent.question):
        return None
    whole, dim, value = _parts(intent)
    metric = metric_or(intent)
    if dim is None or not isinstance(value, str) or metric not in cat.metrics:
        return None
    if not plain_count(cat, metric):
        return None
    # Over the share's own period (every date when none was read).
    return metric_query(
        [metric], filters=whole, group_by=[dim], period=period_or_all(intent),
        order_by=f"-{metric}", limit=6,
    )  # fmt: skip


def _write_next(intent: Intent, res: Any, w: Writer) -> None:
    """The value after the one named, with its records."""
    if res is None or not res.ok or not res.rows:
        return
    _, dim, value = _parts(intent)
    metric = next(iter((res.content or {}).get("units") or []), None)
    rows = [r for r in res.records() if r.get(dim) is not None and r.get(metric) is not None]
    names = [str(r[dim]) for r in rows]
    if metric is None or str(value) not in names:
        return
    at = names.index(str(value))
    if at + 1 >= len(rows):
        return
    r = rows[at + 1]
    # Values tied for the next place are each named.
    tied = [x for x in rows[at + 1 :] if x[metric] == r[metric]]
    named = w.together(w.label(dim, x[dim]) for x in tied)
    w.lead.append(w.say("share.next", name=named, n=fmt_row([r[metric]])[0], ref=res.id))


def _write(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("share")
    if failed(w, res) or res is None:
        return
    if intent.among_done is not None and w.catalog is not None:  # "among the answered ones"
        w.coverage.append(
            w.say("share.among_done", column=_column_title(w.catalog, intent.among_done))
        )
    if intent.threshold is not None:
        write_threshold(intent, res, w)
        return
    whole, dim, value = _parts(intent)
    also = {d: whole.pop(d) for d in intent.part_with if d in whole}
    group = _group(intent)
    if group:
        _write_groups(intent, res, w, group)
        return
    r = res.records()[0]
    if not r["records"]:
        w.status = "insufficient_data"
        w.lead.append(w.say("insufficient", reason=w.say("no_rows")))
        return
    w.lead.append(
        w.say(
            "share.lead", n=fmt_row([r["part"]])[0], total=fmt_row([r["records"]])[0],
            share=w.pct(r["share_pct"]),
            part=_part_with(w, also, _said_part(w, intent, dim, value)),
            whole=slice_text(w, whole),
            period=w.period(intent.period.as_dict() if intent.period else None), ref=res.id,
        )
    )  # fmt: skip
    if intent.event_time is not None and w.catalog is not None:
        column = _column_title(w.catalog, intent.event_time)
        total = fmt_row([r["records"]])[0]
        w.lead.append(w.say("share.event_time_note", column=column, total=total, ref=res.id))
    _write_before(intent, r, results.get(_BEFORE), w)
    _write_next(intent, results.get(_NEXT), w)


def _write_before(intent: Intent, now: dict[str, Any], res: Any, w: Writer) -> None:
    """The same share in the period compared with, and which way it moved since."""
    if res is None or not res.ok or not res.rows or intent.comparison is None:
        return
    r = res.records()[0]
    if not r["records"]:
        return
    was, is_ = float(r["share_pct"] or 0), float(now["share_pct"] or 0)
    moved = "share.rose" if is_ > was else "share.fell" if is_ < was else "share.same"
    w.lead.append(
        w.say(
            "share.before", period=w.period(intent.comparison.as_dict()),
            n=fmt_row([r["part"]])[0], total=fmt_row([r["records"]])[0],
            share=w.pct(r["share_pct"]), moved=w.say(moved), ref=res.id,
        )
    )  # fmt: skip


def _write_groups(intent: Intent, res: Any, w: Writer, group: str) -> None:
    rows = [r for r in res.records() if r["records"]]
    if not rows:
        w.status = "insufficient_data"
        w.lead.append(w.say("insufficient", reason=w.say("no_rows")))
        return
    whole, dim, value = _parts(intent)
    top, end = rows[0], rows[-1]
    if _order(intent, group) == "TIME":
        # Units of time are listed in their order; the lead names the highest and the lowest.
        ranked = sorted(rows, key=lambda r: r["share_pct"] or 0, reverse=not _lowest(intent))
        top, end = ranked[0], ranked[-1]
    key = "share.top_least" if _lowest(intent) else "share.top_most"
    if _by_count(intent):
        key = "share.top_fewest" if _lowest(intent) else "share.top_count"
    if intent.whole_ranked:
        key = "share.top_records"
    w.lead.append(
        w.say(
            key, dim=_group_name(w, group), name=w.label(group, top[group]),
            share=w.pct(top["share_pct"]), n=fmt_row([top["part"]])[0],
            total=fmt_row([top["records"]])[0], part=_said_part(w, intent, dim, value),
            whole=slice_text(w, whole),
            period=w.period(intent.period.as_dict() if intent.period else None), ref=res.id,
        )
    )  # fmt: skip
    if len(rows) > 1:
        w.lead.append(
            w.say(
                "share.other_end", name=w.label(group, end[group]), share=w.pct(end["share_pct"]),
                n=fmt_row([end["part"]])[0], total=fmt_row([end["records"]])[0], ref=res.id,
            )
        )  # fmt: skip
    w.lead.append(
        w.say(
            "share.overall_kept" if min_records(intent.question) and group != SIDE
            else "share.overall",
            share=w.pct(top["all_share_pct"]), n=fmt_row([top["all_part"]])[0],
            total=fmt_row([top["all_records"]])[0], ref=res.id,
        )
    )  # fmt: skip
    body = [
        fmt_row([w.label(group, r[group]), r["part"], r["records"], w.pct(r["share_pct"])])
        for r in rows
    ]
    heads = [_group_name(w, group), _said_part(w, intent, dim, value), w.say("share.col_n")]
    heads.append(w.say("mention.col_share"))
    w.body += table(w, heads, body, res.id)
    if any(w.small(r["records"]) for r in rows):
        w.coverage.append(w.say("share.small"))


def _group_name(w: Writer, group: str) -> str:
    return w.say("share.side") if group == SIDE else dim_name(w, group)


def write_threshold(intent: Intent, res: Any, w: Writer) -> None:
    t = intent.threshold
    assert t is not None
    measure = _measure(w, t)
    period = w.period(intent.period.as_dict() if intent.period else None)
    rows = [r for r in res.records() if r["records"]]
    if not rows:
        w.status = "insufficient_data"
        w.lead.append(w.say("insufficient", reason=w.say("no_rows")))
        return
    group = _group(intent)
    whole = slice_text(w, intent.filters)
    if group is not None:  # the records with no value of the group are no group to name
        rows = [r for r in rows if r[group] is not None and str(r[group]).strip()] or rows
    if group is None and intent.threshold_part:
        r = rows[0]
        part = w.together(w.label(d, v) for d, v in intent.threshold_part.items())
        w.lead.append(
            w.say(
                "threshold.part_lead", measure=measure, said=t.said, part=part,
                n=fmt_row([r["part"]])[0], total=fmt_row([r["records"]])[0],
                share=w.pct(r["share_pct"]), whole=whole, period=period, ref=res.id,
            )
        )  # fmt: skip
        return
    if group is None:
        r = rows[0]
        w.lead.append(
            w.say(
                _said_key(t, "lead"), measure=measure, said=t.said, n=fmt_row([r["part"]])[0],
                total=fmt_row([r["records"]])[0], share=w.pct(r["share_pct"]), whole=whole,
                period=period, ref=res.id,
            )
        )  # fmt: skip
        return
    top = rows[0]
    cat = intent.catalog
    if cat is not None and group in cat.dimensions and cat.dimensions[group].from_time:
        # Units of time in their order: the lead names the one with the highest share.
        share = intent.shape.has("share")
        top = max(rows, key=lambda r: (r["share_pct"] if share else r["part"]) or 0)
    key = _said_key(t, "top_share" if intent.shape.has("share") else "top")
    w.lead.append(
        w.say(
            key, dim=_group_name(w, group), name=w.label(group, top[group]), measure=measure,
            said=t.said, n=fmt_row([top["part"]])[0], total=fmt_row([top["records"]])[0],
            share=w.pct(top["share_pct"]), whole=whole, period=period, ref=res.id,
        )
    )  # fmt: skip
    w.lead.append(
        w.say(
            "share.overall", share=w.pct(top["all_share_pct"]), n=fmt_row([top["all_part"]])[0],
            total=fmt_row([top["all_records"]])[0], ref=res.id,
        )
    )  # fmt: skip
    body = [
        fmt_row([w.label(group, r[group]), r["part"], r["records"], w.pct(r["share_pct"])])
        for r in rows
    ]
    said = t.said if t.measure == ITEMS else f"{measure} {t.said}"
    heads = [dim_name(w, group), said, w.say("share.col_n")]
    w.body += table(w, [*heads, w.say("mention.col_share")], body, res.id)


SHARE = Playbook("share_of", (_stage,), _write)
