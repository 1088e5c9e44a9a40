"""``make_chart``: a chart of an earlier query result, registered as ``C<n>`` evidence.

The tool only decides the axes and copies the data into a spec (fast, no drawing); faces render
the spec when a person wants to see it (``agent.render.charts.to_png(spec_of(ev))``). The
chart's evidence lists its source under ``meta["evidence_ids"]`` so the verifier checks numbers
cited against ``[C<n>]`` in the source as well.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from .base import Tool, ToolContext, ToolError, ToolResult
from .chart_infer import build_spec
from .chart_spec import ChartKind, ChartSpec, describe
from .ledger import Evidence, Ledger


class MakeChartInput(BaseModel):
    evidence_id: str = Field(description='e.g. "Q2"')
    kind: ChartKind | None = None
    x: str | None = Field(None, description="x-axis column")
    y: list[str] | None = Field(None, max_length=4, description="value column(s)")
    series: str | None = Field(None, description="column splitting the series")
    title: str | None = Field(None, max_length=120)

    @field_validator("y", mode="before")
    @classmethod
    def _one_column(cls, value: Any) -> Any:
        # Models often send one column as a bare string.
        return [value] if isinstance(value, str) else value


def add_chart(
    ledger: Ledger,
    evidence_id: str,
    *,
    kind: ChartKind | None = None,
    x: str | None = None,
    y: list[str] | None = None,
    series: str | None = None,
    title: str | None = None,
) -> Evidence:
    """Chart ``evidence_id`` and register it as ``C<n>``; problems raise ``ToolError``."""
    source = _source(ledger, evidence_id)
    spec = build_spec(source, kind=kind, x=x, y=y, series=series, title=title)
    columns = [spec.x_label, spec.series_label or "series", spec.y_label]
    return ledger.add(
        "chart",
        "make_chart",
        columns=columns if spec.series_values() else [columns[0], columns[2]],
        rows=[_row(d.x, d.series, d.value, bool(spec.series_values())) for d in spec.data],
        meta={
            "spec": spec.model_dump(mode="json"),
            "evidence_ids": [source.id],
            "title": spec.title,
            "kind": spec.kind,
        },
    )


def make_chart(ctx: ToolContext, args: MakeChartInput) -> ToolResult:
    ev = add_chart(
        ctx.ledger,
        args.evidence_id,
        kind=args.kind,
        x=args.x,
        y=args.y,
        series=args.series,
        title=args.title,
    )
    spec = ChartSpec.model_validate(ev.meta["spec"])
    content = {
        "id": ev.id,
        "chart": describe(spec),
        "title": spec.title,
        "kind": spec.kind,
        "x": spec.x,
        "y": spec.y,
        "series": spec.series,
        "points": len(spec.data),
        "note": f"Cite the chart as [{ev.id}]; cite its numbers by [{spec.source_id}].",
    }
    return ToolResult(
        content=content, evidence_ids=[ev.id], summary=f"make_chart: {describe(spec)}"
    )


def _source(ledger: Ledger, evidence_id: str) -> Evidence:
    wanted = evidence_id.strip().strip("[]")
    source = ledger.get(wanted)
    if source is not None and source.kind == "query" and source.columns:
        return source
    tables = [i for i, e in ledger.items.items() if e.kind == "query" and e.columns]
    have = f"results you can chart: {', '.join(tables)}" if tables else "no query results yet"
    raise ToolError(
        f"{wanted!r} is not a query result of this conversation ({have}); run query_metric, "
        "run_sql or voc_themes first and chart the Q id it returns."
    )


def _row(x: str, series: str | None, value: float | None, split: bool) -> list[Any]:
    return [x, series, value] if split else [x, value]


TOOL = Tool(name="make_chart", input_model=MakeChartInput, fn=make_chart)
