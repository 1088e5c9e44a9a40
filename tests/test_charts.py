"""Charts: axes inferred from real result shapes, three renderers, and the make_chart tool.

The evidence below copies the shape query_metric and voc_themes register (columns, rows, meta)
on the demo data, so inference is tested against what the tools really produce.
"""

from __future__ import annotations

import struct
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import vl_convert

from servicelens.agent.render.chart_text import cells
from servicelens.agent.render.charts import (
    ChartSpec,
    build_spec,
    find_cjk_font,
    spec_of,
    to_png,
    to_terminal,
    to_vega_lite,
)
from servicelens.tools.base import ToolContext, ToolError
from servicelens.tools.ledger import Evidence, Ledger
from servicelens.tools.make_chart import TOOL, add_chart

Q3 = {"label": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"}
Q2 = {"label": "2026-Q2", "start": "2026-04-01", "end": "2026-06-30"}


def _metric(name: str, label: str, unit: str) -> dict[str, str]:
    return {"name": name, "label": label, "unit": unit, "direction": "neutral"}


def compared() -> dict[str, Any]:
    """query_metric: installation tickets by region, last quarter vs the one before."""
    return {
        "columns": ["region", "ticket_count", "ticket_count_prev", "ticket_count_delta",
                    "ticket_count_pct_change", "n_tickets", "n_tickets_prev"],
        "rows": [["Central", 11, 11, 0, 0.0, 11, 11], ["East", 37, 24, 13, 54.2, 37, 24],
                 ["华南", 32, 14, 18, 128.6, 32, 14]],
        "meta": {"metrics": [_metric("ticket_count", "Ticket volume", "count")],
                 "group_by": ["region"], "period": Q3, "comparison_period": Q2},
    }  # fmt: skip


def monthly() -> dict[str, Any]:
    """query_metric: SLA attainment by month (rows deliberately out of order)."""
    return {
        "columns": ["month", "sla_attainment", "ticket_count", "n_tickets"],
        "rows": [["2026-09", 70.4, 250, 250], ["2026-07", 65.7, 240, 240],
                 ["2026-08", 73.1, 230, 230], ["2026-10", 74.4, 260, 260]],
        "meta": {"metrics": [_metric("sla_attainment", "SLA attainment", "%"),
                             _metric("ticket_count", "Ticket volume", "count")],
                 "period": {"label": "2026-07-01..2026-10-31"}, "comparison_period": None},
    }  # fmt: skip


def by_quarter_and_region() -> dict[str, Any]:
    rows = [[q, r, v] for q, vs in [("2026-Q1", (67.4, 74.1)), ("2026-Q2", (75.2, 73.3))]
            for r, v in zip(["Central", "East"], vs, strict=True)]  # fmt: skip
    return {
        "columns": ["quarter", "region", "first_time_fix_rate"],
        "rows": rows,
        "meta": {"metrics": [_metric("first_time_fix_rate", "First-time fix rate", "%")]},
    }


def themes() -> dict[str, Any]:
    """voc_themes' table: a theme code and its display name, counts and shares."""
    return {
        "columns": ["theme", "theme_name", "count", "share_pct", "previous_count",
                    "previous_share_pct", "change_pp", "change_pct"],
        "rows": [["noise", "Noise", 26, 15.1, 16, 10.3, 4.8, 62.5],
                 ["leak", "Leak", 5, 2.9, 2, 1.3, 1.6, 150.0]],
        "meta": {"period": {"label": "2026-Q3"}, "previous_period": {"label": "2026-Q2"}},
    }  # fmt: skip


def evidence(shape: dict[str, Any], ev_id: str = "Q1") -> Evidence:
    return Evidence(id=ev_id, kind="query", tool="query_metric", **shape)


def ledger_with(*shapes: dict[str, Any]) -> Ledger:
    ledger = Ledger()
    for shape in shapes:
        ledger.add("query", "query_metric", **shape)
    return ledger


# --- inference ------------------------------------------------------------------------------


def test_compared_result_is_grouped_bars_of_both_periods() -> None:
    spec = build_spec(evidence(compared()))
    assert spec.kind == "grouped_bar" and spec.x == "region"
    assert spec.y == ["ticket_count_prev", "ticket_count"]
    assert spec.series_values() == ["2026-Q2", "2026-Q3"] and spec.series_label == "Period"
    assert spec.x_values() == ["Central", "East", "华南"]
    east = {d.series: d.value for d in spec.data if d.x == "East"}
    assert east == {"2026-Q2": 24, "2026-Q3": 37}
    assert spec.unit == "count" and spec.y_label == "Ticket volume"
    assert spec.title == "Ticket volume by region, 2026-Q3 vs 2026-Q2"


def test_period_on_x_makes_a_line_in_time_order() -> None:
    spec = build_spec(evidence(monthly()))
    assert spec.kind == "line" and spec.x == "month" and spec.y == ["sla_attainment"]
    assert spec.x_values() == ["2026-07", "2026-08", "2026-09", "2026-10"]
    assert [d.value for d in spec.data] == [65.7, 73.1, 70.4, 74.4]
    assert spec.unit == "%" and spec.y_label == "SLA attainment (%)" and spec.series is None


def test_second_dimension_becomes_the_series() -> None:
    spec = build_spec(evidence(by_quarter_and_region()))
    assert (spec.kind, spec.x, spec.series) == ("line", "quarter", "region")
    assert spec.series_values() == ["Central", "East"]
    flipped = build_spec(evidence(by_quarter_and_region()), x="region", kind="bar")
    # Bars need a split to be grouped, and quarter splits region's rows.
    assert (flipped.kind, flipped.series) == ("bar", "quarter")


def test_theme_table_shows_names_and_compares_counts() -> None:
    spec = build_spec(evidence(themes()))
    assert spec.x == "theme_name" and spec.y == ["previous_count", "count"]
    assert spec.kind == "grouped_bar" and spec.series_values() == ["2026-Q2", "2026-Q3"]
    shares = build_spec(evidence(themes()), y="share_pct")
    assert shares.unit == "%" and shares.kind == "bar"


def test_one_compared_number_becomes_two_bars() -> None:
    single = {
        "columns": ["csat_avg", "csat_avg_prev", "csat_avg_delta", "n_surveys", "n_surveys_prev"],
        "rows": [[3.8, 3.91, -0.11, 400, 380]],
        "meta": {"metrics": [_metric("csat_avg", "CSAT", "score")], "period": Q3,
                 "comparison_period": Q2},
    }  # fmt: skip
    spec = build_spec(evidence(single))
    assert spec.kind == "bar" and spec.x_label == "Period"
    assert [(d.x, d.value) for d in spec.data] == [("2026-Q2", 3.91), ("2026-Q3", 3.8)]


def test_bad_choices_are_model_fixable_and_name_the_columns() -> None:
    with pytest.raises(ToolError, match=r"no column 'province'.*region, ticket_count"):
        build_spec(evidence(compared()), x="province")
    with pytest.raises(ToolError, match="not numeric"):
        build_spec(evidence(compared()), y="region")
    with pytest.raises(ToolError, match="different units"):
        build_spec(evidence(monthly()), y=["sla_attainment", "ticket_count"])
    three_dims = Evidence(
        id="Q9", kind="query", tool="run_sql", columns=["a", "b", "c", "v"],
        rows=[["x", "p", "m", 1], ["x", "q", "m", 2], ["x", "q", "n", 3]],
    )  # fmt: skip
    with pytest.raises(ToolError, match="same bar"):
        build_spec(three_dims)


# --- renderers ------------------------------------------------------------------------------


def _walk(node: Any) -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [(k, v) for k, v in node.items()] + [p for v in node.values() for p in _walk(v)]
    if isinstance(node, list):
        return [p for v in node for p in _walk(v)]
    return []


@pytest.mark.parametrize("shape", [compared, monthly, by_quarter_and_region, themes])
def test_vega_lite_is_self_contained_and_compiles(shape: Any) -> None:
    spec = build_spec(evidence(shape()))
    vl = to_vega_lite(spec)
    assert vl["$schema"].endswith("/vega-lite/v5.json")
    assert not [k for k, _ in _walk(vl) if k == "url"]
    values = vl["data"]["values"]
    assert [v["value"] for v in values] == [d.value for d in spec.data]
    # The real Vega-Lite compiler (bundled in vl-convert) accepts it and keeps the data inline.
    vega = vl_convert.vegalite_to_vega(vl)
    inline = [d for d in vega["data"] if isinstance(d.get("values"), list) and d["values"]]
    assert inline and not [k for k, _ in _walk(vega) if k == "url"]


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    length, chunk = struct.unpack(">I4s", png[8:16])
    assert (length, chunk) == (13, b"IHDR")
    crc = struct.unpack(">I", png[29:33])[0]
    assert crc == zlib.crc32(png[12:29]), "IHDR checksum"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_png_is_a_real_image_of_the_requested_size() -> None:
    spec = build_spec(evidence(compared()))  # includes a Chinese label
    assert _png_size(to_png(spec, width=640, height=360)) == (640, 360)
    assert _png_size(to_png(spec, width=400, height=300, scale=2)) == (800, 600)
    png = to_png(build_spec(evidence(monthly())))
    assert _png_size(png) == (800, 450) and png.endswith(b"IEND\xaeB`\x82")


def test_terminal_plot_has_labels_values_and_fits() -> None:
    spec = build_spec(evidence(compared()))
    text = to_terminal(spec, width=60)
    for label in ("Central", "East", "华南", "2026-Q2", "2026-Q3", "37", "[Q1]"):
        assert label in text
    assert all(cells(line) <= 60 for line in text.splitlines())
    line = to_terminal(build_spec(evidence(monthly())), width=70)
    assert "2026-07 → 2026-10" in line and "65.7%" in line and "74.4%" in line


def test_cjk_font_lookup(tmp_path: Path) -> None:
    assert find_cjk_font((tmp_path,)) is None
    (tmp_path / "opentype" / "noto").mkdir(parents=True)
    (tmp_path / "opentype" / "noto" / "NotoSansCJK-Regular.ttc").write_bytes(b"")
    font = find_cjk_font((tmp_path,))
    assert font is not None and font.family == "Noto Sans CJK SC"


# --- the tool -------------------------------------------------------------------------------


def test_make_chart_registers_a_chart_citing_its_source() -> None:
    ledger = ledger_with(monthly(), compared())
    ctx = ToolContext(ledger=ledger, as_of=date(2026, 11, 1))
    result = TOOL.run(ctx, {"evidence_id": "Q2", "title": "Installs"})
    assert result.evidence_ids == ["C1"] and result.content["id"] == "C1"
    chart = ledger.get("C1")
    assert chart is not None and chart.kind == "chart" and chart.meta["evidence_ids"] == ["Q2"]
    assert chart.rows[2] == ["East", "2026-Q2", 24]
    spec = spec_of(chart)
    assert isinstance(spec, ChartSpec) and spec.title == "Installs" and spec.source_id == "Q2"
    assert "[C1]" in result.content["note"] and "grouped bar" in result.summary


def test_make_chart_errors_say_what_exists() -> None:
    ledger = ledger_with(monthly())
    ctx = ToolContext(ledger=ledger, as_of=date(2026, 11, 1))
    with pytest.raises(ToolError, match=r"no column 'weekday'.*month, sla_attainment"):
        TOOL.run(ctx, {"evidence_id": "Q1", "x": "weekday"})
    with pytest.raises(ToolError, match="results you can chart: Q1"):
        TOOL.run(ctx, {"evidence_id": "Q7"})
    with pytest.raises(ToolError, match="Invalid arguments"):
        TOOL.run(ctx, {"evidence_id": "Q1", "kind": "pie"})
    assert "C1" not in ledger
    chart = add_chart(ledger, "[Q1]", y=["ticket_count"])
    assert chart.id == "C1" and chart.rows[0] == ["2026-07", 240]
    # A bare string for y is accepted: models often send one column that way.
    assert TOOL.run(ctx, {"evidence_id": "Q1", "y": "ticket_count"}).evidence_ids == ["C2"]


def test_terminal_plot_measures_combining_marks_joiners_and_emoji() -> None:
    # Labels whose code points outnumber their cells: a combining accent, a ZWJ emoji, a flag.
    shape = compared()
    shape["rows"] = [
        ["Cafe\u0301 Nord", 11, 11, 0, 0.0, 11, 11],
        ["👩\u200d🔧 field team", 37, 24, 13, 54.2, 37, 24],
        ["🇨🇳 华南", 32, 14, 18, 128.6, 32, 14],
    ]
    text = to_terminal(build_spec(evidence(shape)), width=60)
    rows = [line for line in text.splitlines() if "│" in line]
    assert len(rows) >= 3
    # Every bar starts in the same terminal column, whatever the label is made of.
    starts = {cells(line.split("│")[0]) for line in rows}
    assert len(starts) == 1, rows
    assert all(cells(line) <= 60 for line in text.splitlines())
