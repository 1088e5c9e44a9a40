"""Counting the feedback that mentions something: "how many complaints mention 异响?", "提到物流或
快递的评论有多少条？其中差评占多少？", "which brand has the most complaints about the gearbox?".

The words counted are the question's own (quoted, or after "mention"/"提到"/"涉及"…); the count is
over the workspace's feedback (the ``voc`` table every workspace with feedback has), joined to
the tables that hold the question's filters and split, through the catalog's joins. One SQL
query, run by the guarded SQL tool, gives the records mentioning the words, all records in the
slice and the share, so every number in the answer is cited.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import replace
from typing import Any

from ...data.catalog import Catalog
from ...data.duck import q
from ..reading import PRELIMINARY, sql_purpose
from .grouped import LOWEST
from .mention_words import LINK_WORDS, SYMBOL_WORDS, words_as_written
from .mention_words import mention_terms as mention_terms
from .narrative import Writer
from .playbooks import (
    VOC_NEEDS,
    Call,
    Playbook,
    dim_name,
    failed,
    fmt_row,
    slice_text,
    table,
)
from .shares import base_said, family_case, rated_only
from .slice_sql import literal, reach, share_sql, slice_where
from .slots import VOC_COLUMNS, Either, fixed
from .transcript import Results
from .understand import OF_WHICH, SHARE_WORD, WHICH, Intent
from .value_parts import Holding

FEEDBACK = "voc"
TEXT = "text"
NEEDS = VOC_NEEDS


_PLURAL = re.compile(r"^[a-z]{2,}(?<![su])s$")


def text_holds(terms: list[str], joiner: str = " OR ") -> str:
    """The SQL condition that the feedback's text mentions ``terms``: any of them, or all with
    ``joiner`` " AND "."""
    text = f"lower(coalesce({FEEDBACK}.{TEXT}, ''))"
    return joiner.join(_says(text, t) for t in terms)


def _says(text: str, term: str) -> str:
    """The condition that ``text`` (an SQL expression) says ``term``; a mark named by its name
    ("question mark") in either width."""
    marks = SYMBOL_WORDS.get(term.lower().strip())
    if marks:
        return "(" + " OR ".join(f"contains({text}, {literal(m)})" for m in marks) + ")"
    return f"contains({text}, {literal(matched(term))})"


def _holds(term: str, intent: Intent) -> str:
    """The condition that a record says ``term``: in the feedback's text, or in the column of
    the records' own words that says it where the text never does (``subject_columns``)."""
    column = intent.mention_columns.get(term)
    return text_holds([term]) if column is None else _column_says(column, term)


def _column_says(column: str, term: str) -> str:
    """The condition that a column of words (an SQL expression) says ``term``."""
    return _says(f"lower(coalesce(CAST({column} AS VARCHAR), ''))", term)


def subject_columns(catalog: Catalog, intent: Intent) -> dict[str, str]:
    """Columns of the records' own words beside the feedback text — a subject or title, a
    category column of many different values on the records' table — by dimension: the SQL
    expression of each on that table. Listed categories are values, read as such."""
    source = records_table(catalog, intent)
    out: dict[str, str] = {}
    for name, dim in catalog.dimensions.items():
        if source is None or dim.kind != "category" or dim.from_time or name in VOC_COLUMNS:
            continue
        expr = dim.sources.get(source)
        if expr is None or (dim.spec.values and len(dim.spec.values) <= _LISTED):
            continue
        column = expr.strip()
        if re.fullmatch(r'"[^"]+"', column):
            column = f"{source}.{column}"
        if re.fullmatch(rf'{re.escape(source)}\."[^"]+"', column):  # a column, not a formula
            out[name] = column
    return out


_LISTED = 30


def matched(term: str) -> str:
    """The text a record must hold to mention ``term``: the word itself, lower case, and for an
    English plural its stem, so the singular counts too ("inquiries" → "inquir": inquiry,
    inquiries; "refunds" → "refund")."""
    word = term.lower().strip()
    if word in LINK_WORDS:
        return "http"  # a link in a message is written as its address ("https://t.co/…")
    if len(word) < 5 or not _PLURAL.match(word):
        return word
    if word.endswith("ies"):
        return word[:-3]
    if word.endswith("es") and re.search(r"(?:[sxz]|ch|sh)es$", word):
        return word[:-2]
    return word[:-1]


def _families(intent: Intent, group: str | None) -> list[Holding]:
    """The families of values named side by side on ``group`` ("2018款和2019款"), if that is
    what was named there."""
    named = intent.slots.compared.get(group or "") or []
    families = [v for v in named if isinstance(v, Holding)]
    return families if len(named) > 1 and len(families) == len(named) else []


def mention_sql(
    catalog: Catalog, terms: list[str], intent: Intent, group: str | None = None
) -> str | None:
    """One query: mentions, records and the share, for the question's slice (and split by
    ``group``); None when a filter or the split cannot reach the feedback table."""
    source = records_table(catalog, intent)
    base = source or FEEDBACK
    joins = {} if source else _counted_table(catalog, intent, group)
    where = slice_where(catalog, base, intent.filters, intent.period, joins)
    if where is None:
        return None
    done = intent.among_done
    if done is not None and source and done in catalog.tables[source].columns:
        where = [*where, f"{source}.{q(done)} IS NOT NULL"]  # "已经答复的留言里"
    group_expr = reach(catalog, base, group, joins) if group else None
    if group and group_expr is None:
        return None
    families = _families(intent, group)
    if group_expr is not None and families:
        # "2018款和2019款的车，各自的投诉里": each family of values a group of its own.
        group_expr = family_case(group_expr, families)
        where = [*where, f"({group_expr}) IS NOT NULL"]
    outer = {FEEDBACK: f"{FEEDBACK}.voc_id = {source}.voc_id"} if source else None
    joiner = " AND " if intent.mentions_all else " OR "
    conds = [_holds(t, intent) for t in terms]
    match = joiner.join(conds)
    if intent.mentions_not:  # the records that do not mention them
        match = f"NOT ({match})"
    # Several words, none of them required together: each one's count as well.
    each = (
        {f"mentions_{i + 1}": c for i, c in enumerate(conds)}
        if len(conds) > 1 and not intent.mentions_all and not intent.mentions_not and not group
        else None
    )
    return share_sql(
        base, match, where, joins, group_expr, group, names=_NAMES, each=each, outer=outer,
        by_share=_share_end(intent) if group else None,
    )  # fmt: skip


def _share_end(intent: Intent) -> str | None:
    """ "哪一类…的比例最高", "which company's tweets mention refunds at the lowest rate": the
    groups ranked by their share of records mentioning the words ("DESC" or "ASC"), not by
    how many mention them; None when no share is asked at an end."""
    q = intent.question
    if not SHARE_WORD.search(q) or intent.mentions_not:
        return None
    if LOWEST.search(q) and not _HIGHEST_SHARE.search(q):
        return "ASC"
    return "DESC" if _HIGHEST_SHARE.search(q) else None


_HIGHEST_SHARE = re.compile(r"(?i)\bhighest\b|\blargest\b|\bbiggest\b|最高|最大")


def records_table(catalog: Catalog, intent: Intent) -> str | None:
    """The table of the records whose text is searched, when it is one table (the one counted,
    or the only one the feedback was written from): its records are counted, those without
    any text too ("what share of all mortgage complaints mention foreclosure"); None when the
    feedback is counted itself."""
    sources = [
        t for t, spec in catalog.tables.items()
        if t != FEEDBACK and "voc_id" in spec.columns and not t.endswith("_labels")
    ]  # fmt: skip
    if intent.counted_table in sources:
        return intent.counted_table
    return sources[0] if len(sources) == 1 else None


def _counted_table(catalog: Catalog, intent: Intent, group: str | None) -> dict[str, str]:
    """The join to the table of the records the question counts, when the feedback comes from
    several tables that hold its filters ("Amazon customers" are the customers' tweets, not
    the agents' replies, though both files carry the company): the filters are then read
    there."""
    said = [d for d in [*intent.filters, group] if d and d in catalog.dimensions]
    tables = {t for d in said for t in catalog.dimensions[d].sources if t != FEEDBACK}
    if len(tables) < 2:
        return {}
    table_name = intent.counted_table or ""
    path = catalog.join_path(FEEDBACK, table_name) if table_name in tables else None
    return {step.to_table: step.on() for step in path or []}


_NAMES = ("mentions", "records", "mention_share_pct")


def part_named_after(intent: Intent) -> tuple[str, str] | None:
    """The filter the question names after "其中"/"of which" ("提到客服的评论有多少条？其中差评比例
    是多少？"): a part of the mentioning records, not the slice they are counted in."""
    cat, q = intent.catalog, intent.question
    cue = OF_WHICH.search(q)
    if cat is None:
        return None
    if cue is None:
        # "Of the 性价比 reviews, what share are positive", "what share of the 异响 complaints
        # are against Mazda": a value said after the words counted is the part of them asked.
        said = [q.lower().find(t.lower()) for t in intent.mentions]
        first = min((a for a in said if a >= 0), default=-1)
        if first < 0 or not intent.shape.has("share"):
            return None
        cue_end = first + 1
    else:
        cue_end = cue.end()
    after, before = q[cue_end:].lower(), q[: max(0, cue_end - 1)].lower()
    for dim, value in reversed(list(intent.filters.items())):
        spec = cat.dimensions[dim].spec if dim in cat.dimensions else None
        values = [str(v) for v in value.values] if isinstance(value, Either) else [str(value)]
        aliases: dict[str, list[str]] = (spec.values or {}) if spec else {}
        names = [*values, *(a for v in values for a in aliases.get(v, []))]
        if spec is not None and cat.dimensions[dim].kind == "boolean":
            # A yes/no column is said by its own words ("of those, how many were disputed").
            last = dim.split("_")[-1]
            names += [spec.en, spec.zh, *spec.aliases, *([last] if len(last) >= 4 else [])]
        if cue is None and any(n and str(n).lower() in before for n in names):
            # "在所有差评中，提到“质量”的差评占几成": said first, the value is the records the
            # words are counted in, not a part of them.
            continue
        if any(n and str(n).lower() in after for n in names):
            if cue is None and any(base_said(after, str(n).lower()) for n in names if n):
                # "反映幼儿园收费太高的留言有几条？在教育文体类的留言里占几成": the records the
                # words' share is taken of, not a part of those mentioning them.
                continue
            return dim, value
    return None


def part_sql(
    catalog: Catalog,
    terms: list[str],
    intent: Intent,
    part: tuple[str, str] | None,
    words: list[str] | None = None,
    group: str | None = None,
) -> str | None:
    """Of the records mentioning ``terms`` (in the rest of the slice), how many are ``part``,
    or mention ``words`` too; per ``group``, ranked by that share, when one is given."""
    joins: dict[str, str] = {}
    rest = {d: v for d, v in intent.filters.items() if part is None or d != part[0]}
    where = slice_where(catalog, FEEDBACK, rest, intent.period, joins)
    column = reach(catalog, FEEDBACK, part[0], joins) if part else None
    group_expr = reach(catalog, FEEDBACK, group, joins) if group else None
    if where is None or (part is not None and column is None) or (group and group_expr is None):
        return None
    joiner = " AND " if intent.mentions_all else " OR "
    where = [*where, f"({text_holds(terms)})"]
    if part is None:
        also = text_holds(words or [], joiner)
        if also and intent.mentions_not:  # "其中没提到异响的": those not mentioning them
            also = f"NOT ({also})"
        return share_sql(FEEDBACK, also or "false", where, joins, names=_PART_NAMES)
    value = part[1]
    # "满意加基本满意": either of the values is the part.
    is_part = (
        f"{column} IN ({', '.join(literal(str(v)) for v in value.values)})"
        if isinstance(value, Either)
        else f"{column} = {literal(value)}"
    )
    if rated_only(intent, part[0]) and not group and column is not None:
        # "反映出租车问题的留言有多少条？在给了满意度评价的里面，“不满意”占多少": every record
        # mentioning the words, and the part's share of those with a rating.
        return _rated_part_sql(FEEDBACK, is_part, column, where, joins)
    if rated_only(intent, part[0]):  # "在给了满意度评价的里面": of those with a rating
        where = [*where, f"{column} IS NOT NULL"]
    order = "ASC" if LOWEST.search(intent.question) else "DESC"
    if group and not _group_share_asked(intent.question):
        order = "RECORDS"  # "which category do most of them come from": by how many
    return share_sql(
        FEEDBACK, is_part, where, joins, group_expr, group,
        names=_PART_NAMES, by_share=order if group else None, totals=bool(group),
    )  # fmt: skip


# The clauses of a question ("which category do most of them come from", "哪个品类的差评比例最高").
_CLAUSES = re.compile(r"[，,。？?；;！!]|\band\b")


def _group_share_asked(question: str) -> bool:
    """Whether the groups are to be ranked by the part's share (the clause naming the grouping
    asks a share), not by how many records mention the words."""
    clauses = [c for c in _CLAUSES.split(question) if WHICH.search(c)]
    return not clauses or any(SHARE_WORD.search(c) for c in clauses)


def _mentioned(w: Writer, intent: Intent) -> str:
    words = _join(w, intent.mentions, intent.mentions_all)
    if intent.mentions_not:
        return f"没有提到{words}的" if w.lang == "zh" else f"not mentioning {words}"
    return f"提到{words}的" if w.lang == "zh" else f"mentioning {words}"


_PART_NAMES = ("part", "mentions", "part_share_pct")


def _rated_part_sql(
    base: str, part: str, column: str, where: list[str], joins: dict[str, str]
) -> str:
    """How many records of the slice are the part, of how many with a value of its column
    (``mentions``, the share's base), beside every record of the slice (``all_mentions``)."""
    hit, rated = f"count(*) FILTER (WHERE {part})", f"count(*) FILTER (WHERE {column} IS NOT NULL)"
    tables = base + "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    return (
        f"SELECT {hit} AS part, {rated} AS mentions, "
        f"round(100.0 * {hit} / nullif({rated}, 0), 1) AS part_share_pct, "
        f"count(*) AS all_mentions FROM {tables} WHERE {' AND '.join(where) or 'TRUE'}"
    )


# Its call id marks it as a preliminary step (``reading.PRELIMINARY``).
PRE_HEADS = PRELIMINARY + "heads"
_CJK_TERM = re.compile(r"^[\u3400-\u9fff]{4,12}$")


def _compounds(intent: Intent) -> list[str]:
    """The Chinese terms of four characters or more, not quoted: a compound ("小区学位划片")
    the text may say only by its head ("学位划片")."""
    written = set(words_as_written(intent.question))
    return [t for t in intent.mentions if _CJK_TERM.match(t) and t not in written]


def _heads_stage(intent: Intent, results: Results) -> dict[str, Call]:
    """How often the feedback says each compound term and each of its endings, to count the
    term by the longest ending the text says when it never says the whole."""
    terms = _compounds(intent)
    if intent.catalog is None or not terms:
        return {}
    cells = [
        f"count(*) FILTER (WHERE {text_holds([t[i:]])}) AS {_head_cell(t, i)}"
        for t in terms for i in range(len(t) - 1)
    ]  # fmt: skip
    sql = f"SELECT {', '.join(cells)} FROM {FEEDBACK}"
    purpose = (
        "提到各词及其后半部分的反馈条数"
        if intent.language == "zh"
        else ("Feedback records mentioning each word and its endings")
    )
    return {PRE_HEADS: ("run_sql", {"sql": sql, "purpose": purpose})}


# A compound the text says word for word this many times less often than one of its endings
# (at least ``_MIN_ENDING`` records) is likely said by the ending ("车辆抖动" by "抖动"): the
# answer keeps the words asked and offers the ending as the other reading.
_RARELY = 4
_MIN_ENDING = 5


def rarer_than_ending(intent: Intent, results: Results) -> tuple[str, str] | None:
    """(term, ending) of the first compound term the feedback says far less often than its
    longest ending it says often; None when there is none."""
    res = results.get(PRE_HEADS)
    if res is None or not res.ok or not res.rows:
        return None
    row = res.records()[0]
    for term in _compounds(intent):
        whole = row.get(_head_cell(term, 0)) or 0
        if not whole:
            continue  # never said whole: counted by its ending already
        for k in range(1, len(term) - 1):
            if (row.get(_head_cell(term, k)) or 0) >= max(_MIN_ENDING, _RARELY * whole):
                return term, term[k:]
    return None


def _head_cell(term: str, i: int) -> str:
    return f"h{zlib.crc32(term.encode()) % 100_000}_{i}"


def counted_terms(intent: Intent, results: Results) -> Intent:
    """``intent`` with each compound term the feedback never says replaced by the longest
    ending of it the feedback does say ("小区学位划片" → "学位划片"), and each word the text
    never says but one column of the records' own words does counted in that column; as it
    was otherwise."""
    res = results.get(PRE_HEADS)
    out, compounds = list(intent.mentions), _compounds(intent)
    if res is not None and res.ok and res.rows:
        row = res.records()[0]
        for i, term in enumerate(out):
            if term in compounds and not row.get(_head_cell(term, 0)):
                out[i] = next(
                    (term[k:] for k in range(1, len(term) - 1) if row.get(_head_cell(term, k))),
                    term,
                )
    columns = _said_in_columns(intent, results)
    if out == intent.mentions and not columns:
        return intent
    return replace(intent, mentions=out, mention_columns=columns)


def _tag(intent: Intent, name: str) -> str:
    """A query's tag; another where words are counted in a column of the records' own words
    (the count in the text, which said none, stays as it was)."""
    return f"{name}_in_columns" if intent.mention_columns else name


def _said_in_columns(intent: Intent, results: Results) -> dict[str, str]:
    res = results.get(PRE_COLUMNS)
    if res is None or not res.ok or not res.rows or intent.catalog is None:
        return {}
    row, columns = res.records()[0], subject_columns(intent.catalog, intent)
    out = {}
    for i, term in enumerate(intent.mentions):
        if row.get(f"t{i}"):
            continue  # the text says it: counted there
        holding = [expr for j, expr in enumerate(columns.values()) if row.get(f"c{i}_{j}")]
        if len(holding) == 1:
            out[term] = holding[0]
    return out


PRE_COLUMNS = PRELIMINARY + "columns"


def _columns_stage(intent: Intent, results: Results) -> dict[str, Call]:
    """How many records say each word in the feedback's text, and in each column of the
    records' own words (a subject line), to count a word the text never says where it is."""
    cat = intent.catalog
    res = results.get("mentions")
    if cat is None or res is None or not res.ok or not res.rows or res.records()[0].get("mentions"):
        return {}  # asked only where the text says none of the words
    columns = subject_columns(cat, intent)
    source = records_table(cat, intent)
    if not columns or source is None:
        return {}
    cells = []
    for i, term in enumerate(intent.mentions):
        cells.append(f"count(*) FILTER (WHERE {text_holds([term])}) AS t{i}")
        for j, expr in enumerate(columns.values()):
            cells.append(f"count(*) FILTER (WHERE {_column_says(expr, term)}) AS c{i}_{j}")
    sql = (
        f"SELECT {', '.join(cells)} FROM {source} "
        f"LEFT JOIN {FEEDBACK} ON {FEEDBACK}.voc_id = {source}.voc_id"
    )
    purpose = (
        "提到各词的记录数：反馈正文中，以及各文字列中"
        if intent.language == "zh"
        else "Records saying each word, in the feedback text and in each column of words"
    )
    return {PRE_COLUMNS: ("run_sql", {"sql": sql, "purpose": purpose})}


def _stage(intent: Intent, results: Results) -> dict[str, Call]:
    intent = counted_terms(intent, results)
    cat = intent.catalog
    if cat is None or not intent.mentions:
        return {}
    both = intent.mentions_all
    joiner = ("和" if both else "或") if intent.language == "zh" else (" and " if both else " or ")
    words = joiner.join(f"“{t}”" for t in intent.mentions)
    if intent.language == "zh":
        purpose = ("没有提到" if intent.mentions_not else "提到") + words + "的反馈条数"
    else:
        verb = "not mentioning " if intent.mentions_not else "mentioning "
        purpose = "Feedback records " + verb + words
    period = intent.period.label if intent.period else None
    w = Writer(lang=intent.language, seed="", catalog=cat)
    if intent.filters:  # the slice the words are counted in, on the reading line
        purpose += " · " + " · ".join(w.label(d, v) for d, v in intent.filters.items())
    calls: dict[str, Call] = {}
    if intent.mentions_within:
        sql = part_sql(cat, intent.mentions_within, intent, None, intent.mentions)
        if sql is not None:
            said = w.say(
                "mention.part_purpose", words=_join(w, intent.mentions_within),
                part=_mentioned(w, intent).removesuffix("的"),
            )  # fmt: skip
            calls["part"] = (
                "run_sql",
                {"sql": sql, "purpose": sql_purpose(said, period, intent.language)},
            )
            return calls
    unset = None if intent.mentions_not else unset_part_sql(cat, intent.mentions, intent)
    if unset is not None:
        said = w.say(
            "mention.part_purpose",
            words=_join(w, intent.mentions),
            part=_unset_label(w, intent).removesuffix("的"),
        )
        calls["part"] = (
            "run_sql",
            {"sql": unset, "purpose": sql_purpose(said, period, intent.language)},
        )
        return calls
    part = None if intent.mentions_not else part_named_after(intent)
    # A value set aside leaves the others of its grouping to split by ("除了蒙牛…哪个品类").
    group = next((d for d in intent.slots.dimensions if not fixed(intent.filters, d)), None)
    if part is not None and group is not None:
        # "说到“发货”的，哪个品类的差评比例最高": the part's share among each group's records
        # that mention the words, the highest (or lowest) first.
        sql = part_sql(cat, intent.mentions, intent, part, group=group)
        if sql is not None:
            said = w.say(
                "mention.part_purpose", words=_join(w, intent.mentions), part=w.label(*part)
            ) + w.say("share.by", dim=dim_name(w, group))
            calls["part_by"] = (
                "run_sql",
                {"sql": sql, "purpose": sql_purpose(said, period, intent.language)},
            )
            return calls
    if part is not None:
        sql = part_sql(cat, intent.mentions, intent, part)
        if sql is not None:
            said = w.say(
                "mention.part_purpose", words=_join(w, intent.mentions), part=w.label(*part)
            )
            calls["part"] = (
                "run_sql",
                {"sql": sql, "purpose": sql_purpose(said, period, intent.language)},
            )
            return calls
    sql = mention_sql(cat, intent.mentions, intent)
    if sql is not None:
        said = sql_purpose(purpose, period, intent.language)
        calls[_tag(intent, "mentions")] = ("run_sql", {"sql": sql, "purpose": said})
    # A value set aside leaves the others of its grouping to split by ("除了蒙牛…哪个品类").
    group = next((d for d in intent.slots.dimensions if not fixed(intent.filters, d)), None)
    split = intent
    if group is None and intent.slots.compared:
        group = next(iter(intent.slots.compared))
    if group is not None and intent.slots.compared.get(group) and not _families(intent, group):
        # "所有好评里有百分之几提到了“价格”？所有差评里又是百分之几": only the values named side
        # by side, each with its share of the records that mention the words.
        values = Either(*intent.slots.compared[group])
        slots = replace(intent.slots, filters={**intent.filters, group: values})
        split = replace(intent, slots=slots)
    grouped = mention_sql(cat, intent.mentions, split, group) if group else None
    if group is not None and grouped is not None:
        by = dim_name(w, group)
        label = f"{purpose}，按{by}" if intent.language == "zh" else f"{purpose}, by {by}"
        said = sql_purpose(label, period, intent.language)
        calls[_tag(intent, "by")] = ("run_sql", {"sql": grouped, "purpose": said})
    return calls


def unset_part_sql(catalog: Catalog, terms: list[str], intent: Intent) -> str | None:
    """Of the records mentioning ``terms``, how many still have the date column said missing
    (``Intent.unset_column``: "其中还没答复的")."""
    if intent.unset_column is None:
        return None
    table, column = intent.unset_column
    path = catalog.join_path(FEEDBACK, table) if table != FEEDBACK else []
    if path is None:
        return None
    joins = {step.to_table: step.on() for step in path}
    where = slice_where(catalog, FEEDBACK, intent.filters, intent.period, joins)
    if where is None:
        return None
    match = text_holds(terms, " AND " if intent.mentions_all else " OR ")
    empty = f'{table}."{column}" IS NULL'
    part = f"NOT ({empty})" if intent.unset_set else empty
    return share_sql(FEEDBACK, part, [*where, f"({match})"], joins, names=_PART_NAMES)


def _unset_label(w: Writer, intent: Intent) -> str:
    column = (intent.unset_column or ("", ""))[1].replace("_", " ")
    return w.say("share.set" if intent.unset_set else "share.unset", dim=column)


def _write_part(intent: Intent, res: Any, w: Writer) -> None:
    r = res.records()[0]
    if intent.mentions_within:
        if not r["mentions"]:
            failed(w, None)
            return
        _part_lead(intent, r, w, _mentioned(w, intent), dict(intent.filters), res.id)
        return
    if intent.unset_column is not None:
        if not r["mentions"]:
            failed(w, None)
            return
        _part_lead(intent, r, w, _unset_label(w, intent), dict(intent.filters), res.id)
        return
    part = part_named_after(intent)
    if part is None or not r["mentions"]:
        failed(w, None)
        return
    rest = {d: v for d, v in intent.filters.items() if d != part[0]}
    rated = dim_name(w, part[0]) if rated_only(intent, part[0]) else ""
    _part_lead(intent, r, w, w.label(*part), rest, res.id, rated)


def _part_lead(
    intent: Intent,
    r: dict[str, Any],
    w: Writer,
    label: str,
    rest: dict[str, Any],
    ref: str,
    rated: str = "",
) -> None:
    """The records mentioning the words and how many of them are the part; ``rated``: the
    name of the part's column, when only the records with a value of it are counted."""
    words = _join(w, intent.mentions_within or intent.mentions)
    w.lead.append(
        w.say(
            "mention.part_lead_rated" if rated else "mention.part_lead",
            total=fmt_row([r["mentions"]])[0], n=fmt_row([r["part"]])[0],
            share=w.pct(r["part_share_pct"]), words=words, dim=rated,
            part=label, where=slice_text(w, rest),
            period=w.period(intent.period.as_dict() if intent.period else None), ref=ref,
        )
    )  # fmt: skip
    if rated and r.get("all_mentions") is not None:
        # Every record mentioning the words, with a value of the column or not.
        total = fmt_row([r["all_mentions"]])[0]
        w.lead.append(w.say("mention.all_rated_or_not", total=total, words=words, ref=ref))


def _write_part_by(intent: Intent, res: Any, w: Writer) -> None:
    part = part_named_after(intent)
    group = res.columns[0]
    rows = [r for r in res.records() if r["mentions"] and r[group] is not None]
    if part is None or not rows:
        failed(w, None)
        return
    top = rows[0]
    if not _group_share_asked(intent.question):
        # The part among all the records mentioning the words, then the group most of them
        # come from.
        rest = {d: v for d, v in intent.filters.items() if d != part[0]}
        whole = {"mentions": top["all_mentions"], "part": top["all_part"]}
        _part_lead(intent, whole | {"part_share_pct": top["all_part_share_pct"]}, w,
                   w.label(*part), rest, res.id)  # fmt: skip
        w.lead.append(
            w.say(
                "mention.top", dim=dim_name(w, group), name=w.label(group, top[group]),
                n=fmt_row([top["mentions"]])[0], words=_join(w, intent.mentions), ref=res.id,
            )
        )  # fmt: skip
    else:
        _part_top(intent, w, part, group, top, res.id)
    body = [
        fmt_row([w.label(group, r[group]), r["part"], r["mentions"], w.pct(r["part_share_pct"])])
        for r in rows
    ]
    heads = [dim_name(w, group), w.label(*part), w.say("mention.col_n"), w.say("mention.col_share")]
    w.body += table(w, heads, body, res.id)


def _part_top(
    intent: Intent, w: Writer, part: tuple[str, str], group: str, top: dict[str, Any], ref: str
) -> None:
    end = w.say("word.lowest" if LOWEST.search(intent.question) else "word.highest")
    w.lead.append(
        w.say(
            "mention.part_top", dim=dim_name(w, group), name=w.label(group, top[group]),
            end=end, part=w.label(*part), words=_join(w, intent.mentions),
            share=w.pct(top["part_share_pct"]), n=fmt_row([top["part"]])[0],
            total=fmt_row([top["mentions"]])[0], ref=ref,
        )
    )  # fmt: skip


def _write(intent: Intent, results: Results, w: Writer) -> None:
    if intent.among_done is not None:  # "已经答复的留言里": said where the figures are
        w.coverage.append(w.say("share.among_done", column=intent.among_done.replace("_", " ")))
    counted = counted_terms(intent, results)
    for asked, term in zip(intent.mentions, counted.mentions, strict=True):
        if asked != term:  # "the text never says 小区学位划片: counted as 学位划片"
            w.coverage.append(w.say("mention.head", said=asked, term=term))
    cat = intent.catalog
    named = {expr: d for d, expr in subject_columns(cat, intent).items()} if cat else {}
    for term, expr in counted.mention_columns.items():
        # "the text never says 诊所无证行医: counted in the message subject"
        column = dim_name(w, named[expr]) if expr in named else expr
        w.coverage.append(w.say("mention.in_column", term=term, column=column))
    intent = counted
    if (part_by := results.get("part_by")) is not None:
        if not failed(w, part_by):
            _write_part_by(intent, part_by, w)
        return
    if (part := results.get("part")) is not None:
        if not failed(w, part):
            _write_part(intent, part, w)
        return
    res = results.get(_tag(intent, "mentions"))
    if failed(w, res) or res is None:
        return
    words = _join(w, intent.mentions, intent.mentions_all)
    period = w.period(intent.period.as_dict() if intent.period else None)
    r = res.records()[0]
    if not r["records"]:  # no records in the slice: nothing to count the mentions of
        failed(w, None)
        return
    if _other_script(intent, results, w):
        return
    own = intent.catalog is not None and records_table(intent.catalog, intent) is not None
    key = ("mention.lead_not" if intent.mentions_not else "mention.lead") + ("_records" * own)
    w.lead.append(
        w.say(
            key,
            n=fmt_row([r["mentions"]])[0], total=fmt_row([r["records"]])[0],
            share=w.pct(r["mention_share_pct"]), words=words,
            where=slice_text(w, intent.filters), period=period, ref=res.id,
        )
    )  # fmt: skip
    each = [(t, r.get(f"mentions_{i + 1}")) for i, t in enumerate(intent.mentions)]
    if len(each) > 1 and all(n is not None for _, n in each):
        # "“快递”和“物流”哪个被提得更多": each word's own count, the most first.
        said = sorted(each, key=lambda tn: -int(tn[1] or 0))
        sep = "; " if w.lang == "en" else "；"
        parts = sep.join(f"“{t}” {fmt_row([n])[0]}" for t, n in said)
        w.lead.append(w.say("mention.each", parts=parts, ref=res.id))
    by = results.get(_tag(intent, "by"))
    if by is None or not by.ok or not by.rows:
        return
    dim = by.columns[0]
    rows = [x for x in by.records() if x[dim] is not None and x["mentions"]]
    if not rows:
        return
    top = rows[0]
    end = _share_end(intent)
    if end is not None:
        pick = min if end == "ASC" else max
        top = pick(rows, key=lambda x: x["mention_share_pct"])
        w.lead.append(
            w.say(
                "mention.top_share_low" if end == "ASC" else "mention.top_share",
                dim=dim_name(w, dim), name=w.label(dim, top[dim]), words=words,
                share=w.pct(top["mention_share_pct"]), n=fmt_row([top["mentions"]])[0],
                total=fmt_row([top["records"]])[0], ref=by.id,
            )
        )  # fmt: skip
    else:
        w.lead.append(
            w.say(
                "mention.top", dim=dim_name(w, dim), name=w.label(dim, top[dim]),
                n=fmt_row([top["mentions"]])[0], words=words, ref=by.id,
            )
        )  # fmt: skip
    body = [
        fmt_row([w.label(dim, x[dim]), x["mentions"], x["records"], w.pct(x["mention_share_pct"])])
        for x in rows
    ]
    heads = [dim_name(w, dim), w.say("mention.col_n"), w.say("table.n"), w.say("mention.col_share")]
    w.body += table(w, heads, body, by.id)


def _join(w: Writer, words: list[str], both: bool = False) -> str:
    quoted = [f"“{t}”" for t in words]
    if both:
        return (" 和 " if w.lang == "zh" else " and ").join(quoted)
    return (" 或 " if w.lang == "zh" else " or ").join(quoted)


# A term written only in Latin letters, or only in Chinese characters.
_LATIN_TERM = re.compile(r"^[A-Za-z][A-Za-z' -]*$")
_CJK_ONLY = re.compile(r"^[\u3400-\u9fff]+$")
PRE_SCRIPT = PRELIMINARY + "script"


def _script_stage(intent: Intent, results: Results) -> dict[str, Call]:
    """Where no record mentions the words, how much of the feedback is written in their
    script at all: "parking" counted over feedback written in Chinese is no finding."""
    res = results.get("mentions")
    if res is None or not res.ok or not res.rows or not _one_script(intent.mentions):
        return {}
    if counted_terms(intent, results).mention_columns:
        return {}  # the words are said in a column of the records' own words
    r = res.records()[0]
    if r.get("mentions") or not r.get("records"):
        return {}
    text = f"coalesce({FEEDBACK}.{TEXT}, '')"
    sql = (
        f"SELECT count(*) AS records, "
        f"count(*) FILTER (WHERE regexp_matches({text}, '[A-Za-z]{{3}}')) AS latin, "
        f"count(*) FILTER (WHERE regexp_matches({text}, '[\u4e00-\u9fff]')) AS cjk "
        f"FROM {FEEDBACK}"
    )
    purpose = (
        "反馈文字所用的文字（拉丁字母或汉字）"
        if intent.language == "zh"
        else "Feedback records written in Latin letters and in Chinese characters"
    )
    return {PRE_SCRIPT: ("run_sql", {"sql": sql, "purpose": purpose})}


def _one_script(terms: list[str]) -> str | None:
    """ "latin" or "cjk" when every term is written in that script only."""
    if terms and all(_LATIN_TERM.match(t) for t in terms):
        return "latin"
    if terms and all(_CJK_ONLY.match(t) for t in terms):
        return "cjk"
    return None


# Below this share of the feedback written in the words' script, a count of none says only
# that the words were asked in another language than the feedback's.
_FEW_IN_SCRIPT = 0.02


def _other_script(intent: Intent, results: Results, w: Writer) -> bool:
    """Said, with the answer marked partial, when the feedback is (almost) never written in the
    script of the words counted: the words should be asked in the feedback's language."""
    res = results.get(PRE_SCRIPT)
    script = _one_script(intent.mentions)
    if res is None or not res.ok or not res.rows or script is None:
        return False
    r = res.records()[0]
    total = r.get("records") or 0
    if not total or (r.get(script) or 0) > _FEW_IN_SCRIPT * total:
        return False
    key = "mention.other_script_latin" if script == "latin" else "mention.other_script_cjk"
    w.lead.append(w.say(key, words=_join(w, intent.mentions)))
    w.status = "partial"
    return True


MENTIONS = Playbook(
    "mentions", (_heads_stage, _stage, _columns_stage, _script_stage), _write, NEEDS
)
