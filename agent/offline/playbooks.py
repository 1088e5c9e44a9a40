"""Playbooks: small state machines that pick the next tool calls from the results so far.

A playbook is a list of stages and a writer. Each stage looks at the intent and the results of
earlier stages and returns the calls it needs, keyed by a tag; the engine replays the stages
against the results already in the conversation and asks for the first calls still missing, so
the provider stays stateless. When every stage is satisfied the playbook is done and its writer
turns the results into the answer. The metric playbooks live here; others in sibling modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...data.catalog import Catalog
from ...data.periods import parse_period, phrase_for
from .catalog_choice import default_metric
from .narrative import Writer, fmt
from .slots import Excluded, split_excluded
from .transcript import Result, Results
from .understand import Intent

Call = tuple[str, dict[str, Any]]
Stage = Callable[[Intent, Results], dict[str, Call]]
WriteFn = Callable[[Intent, Results, Writer], None]
TABLE_ROWS = 12
# Groups with fewer records than this are listed but not ranked (when enough others remain).
SOLID_N = 20


@dataclass(frozen=True)
class Needs:
    """What a playbook written for one kind of operation needs from the workspace's catalog:
    metrics and dimensions by name, and table columns its own SQL reads. A playbook whose needs
    the catalog does not meet steps aside, and the question goes to the generic ones."""

    metrics: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # "table.column"

    def met_by(self, catalog: Catalog | None) -> bool:
        if catalog is None:
            return False
        if any(m not in catalog.metrics for m in self.metrics):
            return False
        if any(d not in catalog.dimensions for d in self.dimensions):
            return False
        for ref in self.columns:
            table, column = ref.split(".")
            if table not in catalog.tables or column not in catalog.tables[table].columns:
                return False
        return True


# The customer-voice playbooks read the feedback table's text (quotes, themes, mentions).
VOC_NEEDS = Needs(columns=("voc.text",))


@dataclass(frozen=True)
class Playbook:
    name: str
    stages: tuple[Stage, ...]
    write: WriteFn
    # None: the playbook works from whatever the catalog holds.
    needs: Needs | None = None

    def available(self, catalog: Catalog | None) -> bool:
        return self.needs is None or self.needs.met_by(catalog)


def next_calls(playbook: Playbook, intent: Intent, results: Results) -> dict[str, Call]:
    """The first calls the playbook still needs; empty when it is done."""
    for stage in playbook.stages:
        missing = {t: c for t, c in stage(intent, results).items() if t not in results}
        if missing:
            return missing
    return {}


# --- Shared helpers -------------------------------------------------------------------------


def phrase(intent: Intent, default: str) -> str:
    """The period phrase for tool calls: the question's own, else the playbook's default."""
    return phrase_for(intent.period, intent.as_of) if intent.period else default


def default_period(intent: Intent, default: str) -> dict[str, Any]:
    p = intent.period or parse_period(default, intent.as_of)
    return p.as_dict()


def metric_or(intent: Intent, dim: str | None = None) -> str:
    """The question's metric, else the count of the records it is about (see
    ``catalog_choice.default_metric``)."""
    if intent.metrics:
        return intent.metrics[0]
    return default_metric(intent.catalog, dim, intent.filters, question=intent.question)


def compare_kind(intent: Intent) -> str:
    """ "year_ago" when the comparison the question names is the same period a year earlier
    ("first half of 2024 against the first half of 2023", "比去年同期"), else "previous"."""
    p, c = intent.period, intent.comparison
    if p is not None and c is not None:
        ago = p.year_ago()
        if (ago.start, ago.end) == (c.start, c.end):
            return "year_ago"
    return "previous"


def metric_query(
    metrics: list[str], *, filters: dict[str, Any] | None = None, **extra: Any
) -> Call:
    args: dict[str, Any] = {"metrics": metrics}
    keep, drop = split_excluded(filters or {})
    if keep:
        args["filters"] = keep
    for d, v in (filters or {}).items():
        if isinstance(v, Excluded) and not v.unset:
            drop[d] = [*drop[d], ""]  # "leave out tickets that never got a group": no value
    if drop:
        args["exclude"] = drop
    args.update({k: v for k, v in extra.items() if v is not None})
    return ("query_metric", args)


def slice_text(w: Writer, filters: dict[str, Any]) -> str:
    """ "for East, installation" / "（华东、安装）" — the slice a number belongs to."""
    if not filters:
        return ""
    labels = [w.label(dim, value) for dim, value in filters.items()]
    return w.say("slice", values=", ".join(labels) if w.lang == "en" else "、".join(labels))


def table(w: Writer, headers: list[str], rows: list[list[str]], ref: str) -> list[str]:
    """A small Markdown table; the line before it cites the evidence every cell comes from."""
    lines = [w.say("table.source", ref=ref), "", "| " + " | ".join(headers) + " |"]
    lines.append("|" + "---|" * len(headers))
    lines += ["| " + " | ".join(r) + " |" for r in rows[:TABLE_ROWS]]
    return lines


def failed(w: Writer, *results: Result | None) -> bool:
    """Write the insufficient-data answer when a needed result is missing or empty."""
    bad = [r for r in results if r is None or not r.ok or not r.rows]
    if not bad:
        return False
    reason = next((r.error for r in bad if r is not None and r.error), "")
    w.lead.append(w.say("insufficient", reason=reason or w.say("no_rows")))
    w.status = "insufficient_data"
    return True


def pick(rows: list[dict[str, Any]], column: str, worst_low: bool) -> list[dict[str, Any]]:
    """Rows ordered worst first for a column (None last)."""
    have = [r for r in rows if r.get(column) is not None]
    return sorted(have, key=lambda r: r[column], reverse=not worst_low)


def fmt_row(values: list[Any]) -> list[str]:
    return [fmt(v) if isinstance(v, int | float) else str(v) for v in values]


def dim_name(w: Writer, dim: str) -> str:
    """A dimension's display name: "region" / "区域"."""
    if w.catalog is None or dim not in w.catalog.dimensions:
        return dim
    spec = w.catalog.dimensions[dim].spec
    return spec.zh if w.lang == "zh" and spec.zh else spec.en.lower()


def direction(w: Writer, metric: str) -> str:
    """ "higher_is_better", "lower_is_better" or "neutral"."""
    if w.catalog is None or metric not in w.catalog.metrics:
        return "neutral"
    return w.catalog.metrics[metric].direction


def n_of(w: Writer, metric: str, row: dict[str, Any], prev: bool = False) -> Any:
    """The row count behind a metric value (``n_tickets``), or None."""
    return row.get(count_column(w, metric) + ("_prev" if prev else ""))


def fold_parallel(
    w: Writer, metrics: list[str], rows: list[dict[str, Any]], compared: bool = False
) -> list[dict[str, Any]]:
    """Rows of one measure taken on several groups' tables side by side (``parallel_metrics``):
    each row's figures and record count are those of the table that holds its group, under the
    first metric's names; ``compared``, the figures of the period before and the change too."""
    if len(metrics) < 2 or w.catalog is None:
        return rows
    first = count_column(w, metrics[0])
    ends = ("", "_prev", "_delta", "_pct_change") if compared else ("",)
    counts = ("", "_prev") if compared else ("",)
    out = []
    for row in rows:
        row = dict(row)
        for name in metrics:
            n = count_column(w, name)
            if any(row.get(n + c) for c in counts):  # the table that holds this group's records
                for end in ends:
                    row[metrics[0] + end] = row.get(name + end)
                for c in counts:
                    row[first + c] = row.get(n + c)
                break
        out.append(row)
    return out


def count_column(w: Writer, metric: str) -> str:
    """The column of a metric query's rows that counts the records behind ``metric``."""
    return f"n_{w.catalog.metrics[metric].table if w.catalog else 'tickets'}"


def solid(w: Writer, metric: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with enough records to rank (at least twenty), when three or more have that many."""
    if w.unit(metric) == "count":  # a count is its own sample size: every group ranks
        return rows
    enough = [r for r in rows if (n_of(w, metric, r) or 0) >= SOLID_N]
    return enough if len(enough) >= 3 else rows


def period_or_all(intent: Intent) -> str | None:
    return phrase_for(intent.period, intent.as_of) if intent.period else None


def where_sql(intent: Intent, column: str) -> str:
    if not intent.period:
        return ""
    p = intent.period
    return (
        f" AND {column} >= DATE '{p.start.isoformat()}' AND {column} < DATE '{p.end.isoformat()}'"
    )


def day_label(w: Writer, weekday: Any) -> str:
    text = str(weekday)
    return w.label("weekday", text) if w.lang == "zh" else text.split("-")[-1]
