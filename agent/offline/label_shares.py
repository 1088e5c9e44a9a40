"""The export's own categories ranked with their share of the records: "what do customers
contact us about most" over a table whose flag columns (Delivery, Prime, Refund…) are also held
long (``catalog_choice.label_sets``).

A record can carry several flags or none, so the shares do not add up to 100% and are taken of
the records in the slice, not of the flags: one guarded SQL query counts, per flag, the records
carrying it, the records in the slice, their share, and the records carrying no flag at all, so
every figure the answer gives is a cited one.
"""

from __future__ import annotations

import re
from typing import Any

from ...data.catalog import Catalog
from ...data.duck import q
from ..reading import sql_purpose
from .catalog_choice import label_sets
from .coverage import period_shown
from .grouped import LOWEST
from .narrative import Writer
from .playbooks import TABLE_ROWS, Call, fmt_row, slice_text, table
from .slice_sql import literal, slice_where
from .slots import fixed
from .transcript import Result, Results
from .understand import Intent

SHARES = "label_shares"
_MOST = re.compile(r"(?i)\bmost\b|\btop\b|最多|最常")


def label_share_call(intent: Intent, metric: str, rank: Result | None) -> Call | None:
    """The run_sql call for ``metric``'s labels over the rank's slice and period; None when the
    metric is no label count or the ranking has not run."""
    cat = intent.catalog
    dim = label_sets(cat).get(metric)
    if cat is None or dim is None or rank is None or not rank.ok:
        return None
    named = [d for d in intent.slots.dimensions if not fixed(intent.filters, d)]
    if named and named[0] != dim:
        # "Which company's customers mention refunds most": the companies are ranked.
        return None
    labels = cat.metrics[metric].table
    base, on = label_base(cat, labels)
    if base is None or on is None:
        return None
    # Over all the data, every record counts (one may be dated before the first flag).
    shown = period_shown(rank)
    period = None if intent.whole_data else shown
    joins: dict[str, str] = {}
    # The categories set aside are left out of the ranking below, not of the records.
    kept = {d: v for d, v in intent.filters.items() if d != dim}
    where = slice_where(cat, base, kept, period, joins)
    if where is None:
        return None
    label_expr = cat.dimensions[dim].sources[labels]
    sql = _sql(labels, base, on, label_expr, where, joins, intent.labels, intent.labels_aside)
    w = Writer(lang=intent.language, seed="", catalog=cat)
    purpose = w.say("labels.purpose", whole=slice_text(w, dict(intent.filters)))
    label = shown.label if shown is not None else None
    return ("run_sql", {"sql": sql, "purpose": sql_purpose(purpose, label, intent.language)})


def label_base(cat: Catalog, labels: str) -> tuple[str | None, tuple[str, str] | None]:
    """The table the labels belong to and the key columns that join them."""
    for join in cat.spec.joins:
        if join.from_table == labels:
            return join.to_table, (join.from_.split(".")[1], join.to.split(".")[1])
    return None, None


def _sql(
    labels: str,
    base: str,
    on: tuple[str, str],
    label_expr: str,
    where: list[str],
    joins: dict[str, str],
    named: list[str],
    aside: list[str] | None = None,
) -> str:
    own, theirs = q(on[0]), q(on[1])
    scope = f"SELECT {base}.{theirs} AS k FROM {base}"
    scope += "".join(f" JOIN {t} ON {cond}" for t, cond in joins.items())
    if where:
        scope += " WHERE " + " AND ".join(where)
    total = "(SELECT count(*) FROM slice)"
    tagged = f"{labels}.{own} IN (SELECT k FROM slice)"
    chosen = ""
    if aside:  # "after iPhone": the categories set aside are not ranked
        chosen = f" AND {label_expr} NOT IN ({', '.join(literal(v) for v in aside)})"
    extra = ""
    if named:
        chosen = f" AND {label_expr} IN ({', '.join(literal(v) for v in named)})"
        of_named = f"FROM {labels} WHERE {tagged}{chosen}"
        # Records carrying any of the named labels, and all of them.
        all_named = (
            f"(SELECT count(*) FROM (SELECT {own} {of_named} GROUP BY {own} "
            f"HAVING count(DISTINCT {label_expr}) = {len(set(named))}))"
        )
        first = (
            f"(SELECT count(DISTINCT {own}) FROM {labels} WHERE {tagged} "
            f"AND {label_expr} = {literal(named[0])})"
        )
        none = f"{total} - (SELECT count(DISTINCT {own}) {of_named})"
        extra = (
            f"(SELECT count(DISTINCT {own}) {of_named}) AS any_named, "
            # "Neither asks to DM nor gives a link": the records carrying none of them.
            f"{none} AS none_named, "
            f"round(100.0 * ({none}) / NULLIF({total}, 0), 1) AS none_named_pct, "
            f"{all_named} AS all_named, "
            # Of the records with the first label named, the share that also carry the rest.
            f"round(100.0 * {all_named} / NULLIF({first}, 0), 1) AS all_of_first_pct, "
            f"{first} AS first_named, "
        )
    return (
        f"WITH slice AS ({scope}) "
        f"SELECT {label_expr} AS label, count(DISTINCT {labels}.{own}) AS records, "
        f"{total} AS of_records, "
        f"round(100.0 * count(DISTINCT {labels}.{own}) / NULLIF({total}, 0), 1) AS share_pct, "
        f"{extra}"
        f"(SELECT count(*) FROM slice WHERE k NOT IN (SELECT {own} FROM {labels} "
        f"WHERE {own} IS NOT NULL)) AS without_label "
        f"FROM {labels} WHERE {tagged}{chosen} "
        f"GROUP BY 1 ORDER BY records DESC, label LIMIT 50"
    )


# "Neither asks to DM nor includes a link", "两个都没有": the records carrying none of them.
_NEITHER = re.compile(r"(?i)\bneither\b|\bnor\b|\bnone of\b|都不|都没|既不|既没|均不|均未|一个都没")


def write_label_shares(intent: Intent, results: Results, w: Writer) -> bool:
    """The lead and table from the label shares; False when they are not there to write."""
    res = results.get(SHARES)
    if res is None or not res.ok or not res.rows:
        return False
    rows = res.records()
    if intent.labels:
        _write_named(intent, res, rows, w)
        return True
    least = bool(LOWEST.search(intent.question))
    # "Most and least often": the most first, and the fewest said too.
    both = least and _MOST.search(intent.question) is not None
    least = least and not both
    if least:  # "which topic is mentioned least": the fewest first
        rows = rows[::-1]
    top, total = rows[0], rows[0]["of_records"]
    rank = results.get("rank")
    period: dict[str, Any] = (rank.content or {}).get("period", {}) if rank else {}
    # Of all the records: the categories set aside ("after iPhone") are only not ranked.
    aside = set(intent.labels_aside)
    whole = slice_text(
        w, {d: v for d, v in intent.filters.items() if not set(getattr(v, "values", ())) & aside}
    )
    then = [
        f"{r['label']} {fmt_row([r['records']])[0]} ({w.pct(r['share_pct'])})" for r in rows[1:3]
    ]
    w.lead.append(
        w.say(
            "labels.lead_least" if least else "labels.lead",
            total=fmt_row([total])[0],
            whole=whole,
            period=period.get("label", ""),
            name=top["label"],
            n=fmt_row([top["records"]])[0],
            share=w.pct(top["share_pct"]),
            then=", ".join(then) if w.lang == "en" else "、".join(then),
            ref=res.id,
        )
    )
    if both and len(rows) > 1:
        last = rows[-1]
        w.lead.append(
            w.say(
                "labels.also_least",
                name=last["label"],
                n=fmt_row([last["records"]])[0],
                share=w.pct(last["share_pct"]),
                ref=res.id,
            )
        )
    body = [fmt_row([r["label"], r["records"], w.pct(r["share_pct"])]) for r in rows]
    headers = [w.say("labels.label"), w.say("labels.records"), w.say("labels.share")]
    w.body += table(w, headers, body[:TABLE_ROWS], res.id)
    none = top.get("without_label")
    if none is not None:
        w.coverage.append(
            w.say("labels.none", n=fmt_row([none])[0], total=fmt_row([total])[0], ref=res.id)
        )
    return True


def _write_named(intent: Intent, res: Result, rows: list[dict[str, Any]], w: Writer) -> None:
    """Each named label's records and share; with several, how many carry any and all."""
    total = fmt_row([rows[0]["of_records"]])[0]
    whole = slice_text(w, dict(intent.filters))
    parts = [
        w.say(
            "labels.one", name=r["label"], n=fmt_row([r["records"]])[0], share=w.pct(r["share_pct"])
        )
        for r in rows
    ]
    sep = "; " if w.lang == "en" else "；"
    w.lead.append(
        w.say("labels.named", total=total, whole=whole, parts=sep.join(parts), ref=res.id)
    )
    found = {r["label"] for r in rows}
    first = rows[0]
    if intent.labels_within and len(intent.labels) == 2 and first.get("first_named"):
        # "Of the iPhone tweets, what share also bring up the battery": of the first's records.
        w.lead.append(
            w.say(
                "labels.within",
                n=fmt_row([first["first_named"]])[0],
                first=intent.labels[0],
                second=intent.labels[1],
                all=fmt_row([first["all_named"]])[0],
                share=w.pct(first["all_of_first_pct"]),
                ref=res.id,
            )
        )
    elif len(intent.labels) > 1 and rows[0].get("any_named") is not None:
        w.lead.append(
            w.say(
                "labels.any_all",
                any=fmt_row([rows[0]["any_named"]])[0],
                all=fmt_row([rows[0]["all_named"]])[0],
                ref=res.id,
            )
        )
    if _NEITHER.search(intent.question) and rows[0].get("none_named") is not None:
        w.lead.insert(
            0,
            w.say(
                "labels.none_named",
                n=fmt_row([rows[0]["none_named"]])[0],
                total=total,
                whole=whole,
                share=w.pct(rows[0]["none_named_pct"]),
                ref=res.id,
            ),
        )
    missing = [v for v in intent.labels if v not in found]
    if missing:
        w.coverage.append(w.say("labels.absent", names=", ".join(missing), ref=res.id))
