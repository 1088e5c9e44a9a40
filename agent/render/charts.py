"""Charts of evidence: one spec, built from a ledger result, rendered three ways.

    spec = build_spec(ledger.get("Q3"))                # axes inferred from the columns
    to_vega_lite(spec)   # Vega-Lite v5 JSON with inline data, for portals
    to_png(spec)         # PNG bytes drawn offline by vl-convert (no browser, no CDN)
    to_terminal(spec)    # unicode bars for a terminal

A ``C<n>`` evidence made by ``make_chart`` holds the spec in ``meta["spec"]``; ``spec_of(ev)``
turns it back into a ``ChartSpec`` for any renderer. Rendering happens when a face asks for it,
never inside the tool call.
"""

from __future__ import annotations

from ...tools.chart_infer import MAX_POINTS, MAX_SERIES, build_spec
from ...tools.chart_spec import ChartDatum, ChartKind, ChartSpec, describe, format_value, spec_of
from .chart_text import to_terminal
from .chart_vega import CjkFont, find_cjk_font, to_png, to_vega_lite

__all__ = [
    "MAX_POINTS",
    "MAX_SERIES",
    "ChartDatum",
    "ChartKind",
    "ChartSpec",
    "CjkFont",
    "build_spec",
    "describe",
    "find_cjk_font",
    "format_value",
    "spec_of",
    "to_png",
    "to_terminal",
    "to_vega_lite",
]
