"""The tools the model may call, in the order it sees them.

Explicit on purpose: each entry is imported by name, so a tool that fails to import fails here
(and the test suite) instead of silently vanishing from the model's list. Adding a tool is its
module (input model, function, ``TOOL``), its description in ``prompts/tools/<name>.md`` and one
line below.
"""

from __future__ import annotations

from typing import Any

from . import (
    describe_data,
    fill_template,
    make_chart,
    query_metric,
    run_sql,
    search_voc,
    voc_themes,
)
from .base import Tool

TOOLS: tuple[Tool[Any], ...] = (
    describe_data.TOOL,
    query_metric.TOOL,
    run_sql.TOOL,
    search_voc.TOOL,
    voc_themes.TOOL,
    fill_template.TOOL,
    make_chart.TOOL,
)
