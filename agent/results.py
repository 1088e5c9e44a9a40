"""Typed results of the analyst's direct operations (``describe``, ``metric``, ``sql``, ``search``,
``themes``, ``report``): what the faces format and what library users get back."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..data.errors import ServiceLensError


class RequestError(ServiceLensError):
    """A direct request the data cannot answer as given (unknown metric, refused SQL, bad filter).

    The message says what was wrong and what to do instead."""

    exit_code = 2


class Coverage(BaseModel):
    start: str | None = Field(None, alias="from")
    end: str | None = Field(None, alias="to")
    rows: int = 0

    model_config = {"populate_by_name": True}


class DataDescription(BaseModel):
    """What the workspace holds: tables, date coverage, metrics and dimensions (one line each)."""

    as_of: str
    tables: dict[str, str]
    coverage: dict[str, Coverage]
    metrics: list[str]
    dimensions: dict[str, str]
    # Example queries built from this workspace's own catalog, for help texts.
    examples: list[str] = Field(default_factory=list)


class TableResult(BaseModel):
    """Rows of a metric query or a read-only SQL query, with the SQL exactly as it ran."""

    sql: str
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = False
    row_cap: int | None = None
    elapsed_ms: float = 0.0
    # Query metric results: the metrics with units, periods, filters and bound parameters.
    meta: dict[str, Any] = Field(default_factory=dict)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class SearchHit(BaseModel):
    id: str
    score: float
    text: str
    meta: dict[str, Any] = Field(default_factory=dict)


class SearchOutput(BaseModel):
    query: str
    mode: str
    total_matching: int
    keyword_matches: int | None = None
    hits: list[SearchHit]


class ThemesOutput(BaseModel):
    """Feedback themes of a slice: counts, shares, change against the previous period, quotes."""

    period: dict[str, Any] | str
    previous_period: dict[str, Any] | None = None
    filters: dict[str, Any] = Field(default_factory=dict)
    records: int
    previous_records: int | None = None
    themes: list[dict[str, Any]]
    themes_not_shown: int = 0
    truncated: bool = False
    # Where the themes come from: kind (taxonomy, discovered, column), column, themes, text.
    theme_source: dict[str, Any] = Field(default_factory=dict)


class Report(BaseModel):
    """An answer (or a whole thread) as a Markdown report with its sources appendix."""

    markdown: str
    title: str
    language: str
