"""``servicelens metric`` and ``servicelens describe``: catalog metrics for people and scripts.

Both go through the same tool functions the model calls (with a fresh ledger), so the CLI and
the agent always show the same numbers for the same question.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from ..results import DataDescription, RequestError
from .common import HomeOption, JsonOption, console, open_analyst, print_json

if TYPE_CHECKING:
    from ...data.catalog import Catalog

# The metric request cannot be answered as given (unknown name, bad period, ...): exit 2.
MetricRequestError = RequestError


def parse_where(items: list[str]) -> dict[str, list[str]]:
    """``["type=installation", "region=East,South"]`` -> ``{"type": [...], "region": [...]}``."""
    filters: dict[str, list[str]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise MetricRequestError(
                f"--where {item!r} must look like DIM=VALUE, e.g. region=East."
            )
        values = [v.strip() for v in re.split(r"[,，]", value) if v.strip()]
        filters.setdefault(name.strip(), []).extend(values)
    return filters


def metric(
    names: Annotated[
        list[str], typer.Argument(help="Metric names or aliases, e.g. sla_attainment.")
    ],
    by: Annotated[list[str] | None, typer.Option("--by", help="Group by a dimension.")] = None,
    where: Annotated[
        list[str] | None, typer.Option("--where", help="Filter DIM=VALUE (VALUE may be a,b).")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help='e.g. "last quarter", 2026-Q3, 上个月.')
    ] = None,
    compare: Annotated[str | None, typer.Option("--compare", help="previous or year_ago.")] = None,
    order_by: Annotated[
        str | None, typer.Option("--order-by", help='Sort column; "-" for descending.')
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=200)] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compute catalog metrics by dimension over a period, optionally against an earlier one."""
    if compare not in (None, "previous", "year_ago"):
        raise MetricRequestError("--compare must be previous or year_ago.")
    with open_analyst(home) as analyst:
        result = analyst.metric(
            names,
            by=by,
            where=parse_where(where or []),
            period=period,
            compare=compare,
            order_by=order_by,
            limit=limit,
        )
        catalog = analyst.catalog
    if as_json:
        print_json(
            {
                **result.meta,
                "columns": result.columns,
                "rows": result.records(),
                "truncated": result.truncated,
                "sql": result.sql,
            }
        )
        return
    assert catalog is not None  # a metric result needs one
    console.print(metric_table(catalog, result.meta, result.columns, result.rows))
    if result.truncated:
        console.print("Rows were capped; narrow the filters to see everything.", style="yellow")


def fmt(value: Any, unit: str, delta: bool = False) -> str:
    """A value as a manager reads it: 63.2%, 12.5 h, ¥1,234, 4.12; deltas carry a sign."""
    if value is None:
        return "–"
    sign = "+" if delta and value > 0 else ""
    if unit == "%":
        return f"{sign}{value:,.1f} pp" if delta else f"{value:,.1f}%"
    if unit == "CNY":
        return f"{sign}¥{value:,.0f}" if value >= 0 else f"-¥{-value:,.0f}"
    if unit in ("hours", "days"):
        return f"{sign}{value:,.1f} {'h' if unit == 'hours' else 'd'}"
    if unit == "count":
        return f"{sign}{value:,.0f}"
    return f"{sign}{value:,.2f}"


def _change(value: Any, direction: str, text: str) -> Text:
    # Arrows show the direction of the number; colour says whether that is good news.
    if value is None or value == 0:
        return Text(text or "–")
    arrow = "▲" if value > 0 else "▼"
    good = (value > 0) == (direction == "higher_is_better")
    style = "" if direction == "neutral" else ("green" if good else "red")
    return Text(f"{arrow} {text}", style=style)


def metric_table(
    catalog: Catalog, meta: dict[str, Any], columns: list[str], rows: list[list[Any]]
) -> Table:
    """The result as a rich table with the resolved period(s) spelled out as dates."""
    period, cmp = meta["period"], meta["comparison_period"]
    label = period["label"] if period else "all data"
    names = ", ".join(m["label"] for m in meta["metrics"])
    by = f" by {', '.join(meta['group_by'])}" if meta["group_by"] else ""
    caption = [f"Period: {_dates(period)}" + (f"  vs  {_dates(cmp)}" if cmp else "")]
    if meta["filters"]:
        caption.append(
            "Filters: "
            + "; ".join(f"{k} = {', '.join(map(str, v))}" for k, v in meta["filters"].items())
        )
    table = Table(title=f"{names}{by}", caption="\n".join(caption), header_style="bold")
    units = {m["name"]: m for m in meta["metrics"]}
    cells: list[list[Any]] = [[] for _ in rows]
    for i, col in enumerate(columns):
        # Without a comparison the period is in the caption; with one, headers say which is which.
        labels = (label, cmp["label"]) if cmp else ("", "")
        header, render = _column(catalog, col, units, *labels)
        table.add_column(header, justify="left" if col in meta["group_by"] else "right")
        for r, row in enumerate(rows):
            cells[r].append(render(row[i]))
    for row_cells in cells:
        table.add_row(*row_cells)
    return table


def _dates(p: dict[str, str] | None) -> str:
    if p is None:
        return "all data"
    dates = f"{p['start']} – {p['end']}"
    return dates if ".." in p["label"] else f"{p['label']} ({dates})"


def _column(catalog: Catalog, col: str, metrics: dict[str, Any], label: str, cmp: str) -> Any:
    if col in catalog.dimensions:
        return catalog.dimensions[col].spec.en, lambda v: "(none)" if v is None else str(v)
    if col.startswith("n_"):
        what = col.removeprefix("n_").removesuffix("_prev").replace("_", " ")
        when = cmp if col.endswith("_prev") else label
        return f"n {what} {when}".strip(), lambda v: fmt(v, "count")
    name = next((n for n in sorted(metrics, key=len, reverse=True) if col.startswith(n)), None)
    if name is None:
        return col, str
    m, suffix = metrics[name], col[len(name) :]
    unit, direction = m["unit"], m["direction"]
    if suffix == "_delta":
        return "Δ", lambda v: _change(v, direction, fmt(v, unit, delta=True))
    if suffix == "_pct_change":
        return "% change", lambda v: _change(v, direction, "" if v is None else f"{v:+.1f}%")
    header = f"{m['label']} {cmp if suffix == '_prev' else label}".strip()
    return header, lambda v: fmt(v, unit)


def describe(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Show the metrics, dimensions and date coverage of the workspace's data."""
    with open_analyst(home) as analyst:
        description = analyst.describe()
    if as_json:
        print_json(description.model_dump(mode="json", by_alias=True))
        return
    render_describe(description)


def render_describe(d: DataDescription) -> None:
    cover = Table(title=f"Data coverage (as of {d.as_of})", header_style="bold")
    for col in ("table", "from", "to", "rows"):
        cover.add_column(col, justify="right" if col == "rows" else "left")
    for table, c in d.coverage.items():
        cover.add_row(table, str(c.start), str(c.end), f"{c.rows:,}")
    console.print(cover)
    metrics = Table(title="Metrics", header_style="bold", show_lines=False)
    metrics.add_column("metric", style="cyan", no_wrap=True)
    metrics.add_column("meaning", overflow="fold")
    for line in d.metrics:
        name, _, rest = line.partition(" ")
        metrics.add_row(name, rest)
    console.print(metrics)
    dims = Table(title="Dimensions (--by / --where)", header_style="bold")
    dims.add_column("dimension", style="cyan", no_wrap=True)
    dims.add_column("values", overflow="fold")
    for name, line in d.dimensions.items():
        dims.add_row(name, line)
    console.print(dims)
    for example in d.examples:
        console.print(Text(f"Example: {example}", style="dim"))


def changes(
    period: Annotated[
        str, typer.Option("--period", help="The period to test against the one before it.")
    ] = "last quarter",
    metrics: Annotated[
        list[str] | None, typer.Option("--metric", help="Metrics to test (default: all timed).")
    ] = None,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="Dimensions to split by (default: splits).")
    ] = None,
    min_n: Annotated[
        int, typer.Option("--min-n", min=1, help="Records a side needs to be tested.")
    ] = 30,
    fdr: Annotated[
        float, typer.Option("--fdr", help="False discovery rate the findings are held to.")
    ] = 0.05,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Findings shown.")] = 20,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """What moved against the period before, beyond noise (p-values adjusted for many tests).

    Tests: two proportions for rates, Poisson for counts; Benjamini-Hochberg over all segments."""
    with open_analyst(home) as analyst:
        report = analyst.changes(period=period, metrics=metrics, by=by, min_n=min_n, fdr=fdr)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    table = Table(title=f"What changed: {report.period} against {report.comparison}")
    for name in ("metric", "segment", "before", "after", "records", "test", "q"):
        table.add_column(name, justify="right" if name in ("before", "after", "q") else "left")
    for c in report.findings[:limit]:
        unit = "%" if c.unit == "%" else ""
        table.add_row(
            Text(c.label), Text(c.segment), f"{c.before:g}{unit}", f"{c.after:g}{unit}",
            f"{c.n_before:,} / {c.n_after:,}", "z" if c.unit == "%" else "Poisson",
            f"{c.q_value:.2g}",
        )  # fmt: skip
    console.print(table)
    console.print(
        Text(
            f"{len(report.findings)} of {report.tested} segments moved beyond noise (q: the "
            f"p-value adjusted for all {report.tested} tests, at most {report.fdr:g}; z: two "
            f"proportions, Poisson: counts); {report.too_small} had fewer than {report.min_n} "
            "records and were not tested."
            + (
                f" Not tested (averages need each record's value): "
                f"{', '.join(report.untested_metrics)}."
                if report.untested_metrics
                else ""
            )
        )
    )


def register(app: typer.Typer) -> None:
    app.command("metric")(metric)
    app.command("describe")(describe)
    app.command("changes")(changes)
