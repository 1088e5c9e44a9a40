"""The playbook of a measure split by whether an event happened to the records at least once
("the SLA rate for reopened tickets and for the others"); the reading is ``happened``. One
guarded query splits the records by the condition and computes the measure on each side, so
every figure is a cell of it."""

from __future__ import annotations

from ...data.catalog import Catalog
from ...data.duck import q
from ..evidence_numbers import names_percent
from ..reading import sql_purpose
from .happened import Condition, feedback_link
from .mentions import FEEDBACK, text_holds
from .narrative import Writer
from .playbooks import Call, Playbook, dim_name, failed, fmt_row, slice_text, table
from .slice_sql import literal, reach, slice_where
from .transcript import Results
from .understand import Intent

CONDITION = "condition_split"


def condition_sql(cat: Catalog, intent: Intent) -> str | None:
    c = intent.condition
    if c is None or c.metric not in cat.metrics:
        return None
    metric = cat.metrics[c.metric]
    joins: dict[str, str] = {}
    where = slice_where(cat, c.table, dict(intent.filters), intent.period, joins)
    if where is None:
        return None
    tables = c.table + "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    own = [f"({metric.filter_sql})"] if metric.filter_sql else []
    clause = " AND ".join([*where, *own]) or "TRUE"
    if c.values is not None:
        # The records holding the values named, against the rest of the column's values.
        expr = reach(cat, c.table, c.values[0], joins)
        if expr is None:
            return None
        tables = c.table + "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
        if c.values[1]:
            listed = ", ".join(literal(v) for v in c.values[1])
            test = f"({expr}) IN ({listed})"
            clause = " AND ".join([*where, *own, f"({expr}) IS NOT NULL"])
        else:
            # No value named: the records with none recorded against those with one.
            test = f"({expr}) IS NULL"
    elif c.terms:
        # The records whose feedback text holds any of the words.
        link = feedback_link(cat, c.table)
        if link is None:
            return None
        test = text_holds(list(c.terms))
        if link == "voc_id":
            tables += f" LEFT JOIN {FEEDBACK} ON {FEEDBACK}.voc_id = {c.table}.voc_id"
        else:  # feedback written about the record, any of it
            test = f"EXISTS (SELECT 1 FROM {FEEDBACK} WHERE {link} AND ({test}))"
    else:
        test = f'CAST({c.table}."{c.column}" AS INTEGER) >= {c.least}'
    # "…and the most times any ticket was reopened": the column's highest value on each side.
    most = f', MAX({c.table}."{c.column}") AS most' if c.most else ""
    return (
        f"SELECT CASE WHEN {test} THEN 1 ELSE 0 END AS happened, "
        f"count(*) AS records, ROUND({metric.expr}, {metric.decimals}) AS {q(_column(cat, c))}"
        f"{most} FROM {tables} WHERE {clause} GROUP BY 1 ORDER BY 1 DESC"
    )


def _times(w: Writer, c: Condition) -> str:
    """How often the event happened to the records asked about: "at least once", "至少2次"."""
    return w.say("condition.once") if c.least <= 1 else w.say("condition.times", k=c.least)


def _column(cat: Catalog, c: Condition) -> str:
    """The measure's column: its name, marked as a percentage when it is one and its name does
    not say so ("sla_attainment_pct"), so the figure is read as the percentage it is."""
    said = names_percent(c.metric)
    return c.metric if said or cat.metrics[c.metric].unit != "%" else f"{c.metric}_pct"


def _stage(intent: Intent, results: Results) -> dict[str, Call]:
    cat, c = intent.catalog, intent.condition
    if cat is None or c is None:
        return {}
    sql = condition_sql(cat, intent)
    if sql is None:
        return {}
    w = Writer(lang=intent.language, seed="", catalog=cat)
    purpose = w.say(
        _key(c, "purpose"), metric=w.metric(c.metric), said=c.said, times=_times(w, c),
        where=slice_text(w, dict(intent.filters)),
    )  # fmt: skip
    label = intent.period.label if intent.period else None
    calls = {CONDITION: ("run_sql", {"sql": sql, "purpose": sql_purpose(purpose, label, w.lang)})}
    counted = _all_mentioning_sql(cat, intent) if intent.shape.has("count") else None
    if counted is not None:
        # "How many such messages are there, and on average how many days …": every record
        # mentioning the words, with a value of the measure or not.
        said = w.say("condition.mention_all_purpose", said=c.said)
        calls[ALL_MENTIONING] = (
            "run_sql",
            {"sql": counted, "purpose": sql_purpose(said, label, w.lang)},
        )
    return calls


ALL_MENTIONING = "condition_all"


def _all_mentioning_sql(cat: Catalog, intent: Intent) -> str | None:
    """The records of the slice whose feedback mentions the condition's words, counted."""
    c = intent.condition
    if c is None or not c.terms or feedback_link(cat, c.table) != "voc_id":
        return None
    joins: dict[str, str] = {}
    where = slice_where(cat, c.table, dict(intent.filters), intent.period, joins)
    if where is None:
        return None
    tables = c.table + "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    tables += f" LEFT JOIN {FEEDBACK} ON {FEEDBACK}.voc_id = {c.table}.voc_id"
    clause = " AND ".join([*where, f"({text_holds(list(c.terms))})"])
    return f"SELECT count(*) AS records_mentioning FROM {tables} WHERE {clause}"


def _write(intent: Intent, results: Results, w: Writer) -> None:
    res, c = results.get(CONDITION), intent.condition
    if c is None or failed(w, res) or res is None:
        return
    # The records the event happened to (1) and the others (0), each with the measure.
    col = _column(w.catalog, c) if w.catalog is not None else c.metric
    rows = {int(r["happened"]): r for r in res.records() if r.get(col) is not None}
    yes, no = rows.get(1), rows.get(0)
    times = _times(w, c)
    if yes is None:
        w.lead.append(w.say(_key(c, "none"), said=c.said, times=times, ref=res.id))
        return
    other = _key(c, "other") if c.least <= 1 else "condition.other_fewer"
    for side, row in ((_key(c, "lead"), yes), (other, no)):
        if row is None:
            continue
        w.lead.append(
            w.say(
                side,
                said=c.said,
                times=times,
                k=c.least,
                metric=w.metric(c.metric),
                value=w.value(c.metric, row[col]),
                n=fmt_row([row["records"]])[0],
                ref=res.id,
            )
        )
        if row is yes and c.most and yes.get("most") is not None:
            w.lead.append(w.say("condition.most", value=fmt_row([yes["most"]])[0], ref=res.id))
    counted = results.get(ALL_MENTIONING)
    if counted is not None and counted.ok and counted.rows:
        n = counted.records()[0].get("records_mentioning")
        w.lead.append(
            w.say("condition.mention_all", said=c.said, n=fmt_row([n])[0], ref=counted.id)
        )
    head = (
        dim_name(w, c.values[0])
        if c.values is not None
        else w.say(_key(c, "head"), said=c.said, times=times)
    )
    heads = [head, w.metric(c.metric), w.say("labels.records")]
    yes_no = ("condition.yes", "condition.no")
    if c.values is not None:
        yes_no = ("condition.values_head", "condition.rest")
        if not c.values[1]:
            yes_no = ("condition.unset_yes", "condition.unset_no")
    body = [
        fmt_row([w.say(yes_no[0] if k else yes_no[1], said=c.said), w.value(c.metric, r[col]),
                 r["records"]])
        for k, r in sorted(rows.items(), reverse=True)
    ]  # fmt: skip
    w.body += table(w, heads, body, res.id)


def _key(c: Condition, part: str) -> str:
    """The phrase of an event counted ("condition.lead"), of words mentioned, or of values set
    against the rest of their column."""
    if c.values is not None and not c.values[1]:
        kind = "unset_"
    else:
        kind = "values_" if c.values is not None else "mention_" if c.terms else ""
    return f"condition.{kind}{part}"


CONDITION_SPLIT = Playbook(CONDITION, (_stage,), _write)
