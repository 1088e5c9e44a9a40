"""The share of records with a value: "what share of complaints reached 处理反馈?", "酒店的差评
占酒店全部评论的多少？", "所有差评里，酒店占了多大比例？".

The part is the value the question names last, the whole is the records with the other values it
names (all records when it names one); both are counted on the table the question's records
live in, in one guarded SQL query, so the share is a cited figure, not arithmetic in the text.
"""

from __future__ import annotations

from ..reading import sql_purpose
from .narrative import Writer
from .playbooks import Call, Playbook, dim_name, failed, fmt_row, metric_or, slice_text
from .slice_sql import literal, reach, share_sql, slice_where
from .transcript import Results
from .understand import Intent


def share_call(intent: Intent) -> Call | None:
    cat = intent.catalog
    if cat is None or not (intent.filters or intent.unset):
        return None
    metric = metric_or(intent)
    if metric not in cat.metrics:
        return None
    base = cat.metrics[metric].table
    whole, dim, value = _parts(intent)
    joins: dict[str, str] = {}
    where = slice_where(cat, base, whole, intent.period, joins)
    part = reach(cat, base, dim, joins)
    if where is None or part is None:
        return None
    if value is None:  # "never got an assignment group": the value is missing or blank
        match = f"({part} IS NULL OR trim(CAST({part} AS VARCHAR)) = '')"
    else:
        match = f"{part} = {literal(value)}"
    sql = share_sql(base, match, where, joins)
    w = Writer(lang=intent.language, seed="", catalog=cat)
    purpose = w.say("share.purpose", part=_part_label(w, dim, value), whole=slice_text(w, whole))
    purpose = sql_purpose(purpose, intent.period.label if intent.period else None, intent.language)
    return ("run_sql", {"sql": sql, "purpose": purpose})


def _parts(intent: Intent) -> tuple[dict[str, str], str, str | None]:
    """The slice (the whole), and the dimension and value of the part (None: value missing)."""
    if intent.unset:
        return dict(intent.filters), intent.unset, None
    *whole, (dim, value) = intent.filters.items()
    return dict(whole), dim, value


def _part_label(w: Writer, dim: str, value: str | None) -> str:
    if value is not None:
        return w.label(dim, value)
    return w.say("share.unset", dim=dim_name(w, dim))


def _stage(intent: Intent, results: Results) -> dict[str, Call]:
    call = share_call(intent)
    return {"share": call} if call is not None else {}


def _write(intent: Intent, results: Results, w: Writer) -> None:
    res = results.get("share")
    if failed(w, res) or res is None:
        return
    r = res.records()[0]
    whole, dim, value = _parts(intent)
    w.lead.append(
        w.say(
            "share.lead", n=fmt_row([r["part"]])[0], total=fmt_row([r["records"]])[0],
            share=w.pct(r["share_pct"]), part=_part_label(w, dim, value),
            whole=slice_text(w, whole),
            period=w.period(intent.period.as_dict() if intent.period else None), ref=res.id,
        )
    )  # fmt: skip


SHARE = Playbook("share_of", (_stage,), _write)
