"""How many of the export's own categories each record carries: "how many tweets don't fit any
of our topics", "同时涉及两个或更多话题的有多少条".

A table whose flag columns are also held long (``catalog_choice.label_sets``) gives each record
the number of flags it carries. One guarded SQL query counts, per group, the records in the
slice, those carrying none (or at least two) and their share; with one table per group
(``Intent.parallel``) the same count is taken on each group's table, side by side.
"""

from __future__ import annotations

from typing import Any

from ...data.catalog import Catalog
from ...data.duck import q
from ...data.ingest.labels import SUFFIX as LABELS_SUFFIX
from ..reading import shared_measure, sql_purpose
from .catalog_choice import label_sets
from .label_depth_words import AVERAGE_DEPTH, DEPTH_WORDS, ONLY_DEPTH
from .label_depth_words import asked_depth as asked_depth
from .label_shares import label_base
from .narrative import Writer
from .playbooks import Call, Playbook, dim_name, failed, fmt_row, slice_text, table
from .slice_sql import literal, reach, slice_where
from .transcript import Results
from .understand import Intent

DEPTH = "label_depth"


def depth_sql(cat: Catalog, intent: Intent, metrics: list[str], group: str | None) -> str | None:
    """Per group (or for the one table), the records, those with the asked number of labels and
    their share; one SELECT per labelled table, joined by UNION ALL."""
    parts = []
    for metric in metrics:
        labels = cat.metrics[metric].table
        base, on = label_base(cat, labels)
        if base is None or on is None:
            return None
        joins: dict[str, str] = {}
        # Over all the data, every record counts (the tables' first dates differ).
        period = None if intent.whole_data else intent.period
        where = slice_where(cat, base, dict(intent.filters), period, joins)
        expr = reach(cat, base, group, joins) if group else None
        if where is None or (group and expr is None):
            return None
        own, theirs = q(on[0]), q(on[1])
        n, col = _asked(intent)
        # One category and no other: of the records carrying it ("of the iPhone tweets").
        named = intent.labels[:1] if intent.label_depth == ONLY_DEPTH else []
        dim = label_sets(cat).get(metric)
        label_expr = cat.dimensions[dim].sources.get(labels) if dim else None
        if named and not label_expr:
            return None
        of = "count(*) FILTER (WHERE coalesce(c.x, 0) >= 1)" if named else "count(*)"
        carrying = (
            f", count(*) FILTER (WHERE {label_expr} = {literal(named[0])}) AS x" if named else ""
        )
        sql = (
            f"SELECT {expr + ' AS ' + q(group) + ', ' if group and expr else ''}"
            f"{of} AS of_records, count(*) FILTER (WHERE {n}) AS {col}, "
            f"round(100.0 * count(*) FILTER (WHERE {n}) / NULLIF({of}, 0), 1) AS share_pct, "
            f"round(avg(coalesce(c.n, 0)), 2) AS categories_per_record "
            f"FROM {base}"
            + "".join(f" JOIN {t} ON {c}" for t, c in joins.items())
            + f" LEFT JOIN (SELECT {own} AS k, count(*) AS n{carrying} FROM {labels} GROUP BY 1)"
            f" AS c ON c.k = {base}.{theirs}"
            + (" WHERE " + " AND ".join(where) if where else "")
            + (" GROUP BY 1" if group else "")
        )
        parts.append(sql)
    return " UNION ALL ".join(f"({p})" for p in parts) + (" ORDER BY 1" if group else "")


def _asked(intent: Intent) -> tuple[str, str]:
    """The condition on a record's number of categories that the question counts, and the
    name of its column: none, N or more, or (for an average) at least one."""
    depth = intent.label_depth or 0
    if depth == ONLY_DEPTH:
        return "coalesce(c.n, 0) = 1 AND coalesce(c.x, 0) = 1", "carrying_only"
    if depth == 0:
        return "coalesce(c.n, 0) = 0", "carrying_none"
    if depth == AVERAGE_DEPTH:
        return "coalesce(c.n, 0) >= 1", "carrying_any"
    return f"coalesce(c.n, 0) >= {depth}", f"carrying_{depth}_or_more"


def _which(intent: Intent) -> str:
    if intent.label_depth == AVERAGE_DEPTH:
        return "average"
    if intent.label_depth == ONLY_DEPTH:
        return "only"
    return "none" if intent.label_depth == 0 else "several"


def _k(intent: Intent, w: Writer) -> str:
    """The number of categories asked, in words ("three", "三")."""
    return DEPTH_WORDS[w.lang].get(intent.label_depth or 2, DEPTH_WORDS[w.lang][2])


def _group(intent: Intent) -> str | None:
    sets = label_sets(intent.catalog)
    skip = set(intent.filters) | set(sets.values())
    return next((d for d in intent.slots.dimensions if d not in skip), None)


def _stage(intent: Intent, results: Results) -> dict[str, Call]:
    cat = intent.catalog
    if cat is None or intent.label_depth is None or not intent.metrics:
        return {}
    group = _group(intent)
    measured = [intent.metrics[0], *intent.parallel]
    sql = depth_sql(cat, intent, measured, group)
    if sql is None:
        return {}
    w = Writer(lang=intent.language, seed="", catalog=cat)
    key = f"depth.{_which(intent)}_purpose"
    # Whose records: the tables' names, less the group each is for ("twcs 200 inbound").
    tables = [cat.metrics[m].table.removesuffix(LABELS_SUFFIX) for m in measured]
    names = [t.replace("_", " ") for t in tables]
    purpose = w.say(
        key, whole=slice_text(w, dict(intent.filters)), of=shared_measure(names) or names[0],
        k=_k(intent, w), name=", ".join(intent.labels[:1]),
    )  # fmt: skip
    if group:
        by = dim_name(w, group)
        purpose += f"，按{by}" if intent.language == "zh" else f", by {by}"
    label = intent.period.label if intent.period and not intent.whole_data else None
    return {
        DEPTH: ("run_sql", {"sql": sql, "purpose": sql_purpose(purpose, label, intent.language)})
    }


def _write(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get(DEPTH)
    if failed(w, res) or res is None:
        return
    rows: list[dict[str, Any]] = [r for r in res.records() if r.get("of_records")]
    if not rows:
        failed(w, None)
        return
    which = _which(intent)
    group = res.columns[0] if res.columns[0] != "of_records" else None
    col = _asked(intent)[1]
    sep = "; " if w.lang == "en" else "；"
    parts = [
        w.say(
            "depth.part_average" if which == "average" else "depth.part",
            name=w.label(group, r[group]) if group else "",
            n=fmt_row([r[col]])[0],
            total=fmt_row([r["of_records"]])[0],
            share=w.pct(r["share_pct"]),
            average=fmt_row([r["categories_per_record"]])[0],
        ).strip()
        for r in rows
    ]
    w.lead.append(
        w.say(
            f"depth.lead_{which}",
            whole=slice_text(w, dict(intent.filters)),
            parts=sep.join(parts),
            ref=res.id,
            k=_k(intent, w),
            name=", ".join(intent.labels[:1]),
        )
    )
    if group:
        heads = [
            dim_name(w, group),
            w.say("labels.records"),
            w.say(f"depth.col_{which}", k=_k(intent, w)),
            w.say("labels.share"),
        ]
        body = [
            fmt_row([w.label(group, r[group]), r["of_records"], r[col], w.pct(r["share_pct"])])
            if which != "average"
            else fmt_row([w.label(group, r[group]), r["of_records"], r["categories_per_record"]])
            for r in rows
        ]
        if which == "average":
            heads = heads[:3]
        w.body += table(w, heads, body, res.id)
    w.coverage.append(w.say("depth.how", ref=res.id))


LABEL_DEPTH = Playbook(DEPTH, (_stage,), _write)
