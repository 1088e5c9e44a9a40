"""Feedback text in a live source's table, indexed incrementally into the workspace's
feedback index (``servicelens index --source NAME``); see ``data.sources.feedback``."""

from __future__ import annotations

from typing import Any

from ..data.errors import ServiceLensError
from ..data.sources.feedback import FeedbackTable, SyncReport, sync_feedback
from .settings import Settings
from .sources import open_source
from .workspace import embedder_for, require_workspace


def index_source_feedback(
    settings: Settings,
    name: str,
    *,
    full: bool = False,
    progress: Any = None,
) -> SyncReport:
    """Index the feedback table of the source ``name`` incrementally: the rows new or changed
    since the last run (``full``: every row, dropping records whose row is gone)."""
    spec = settings.sources.get(name)
    if spec is None:
        raise ServiceLensError(f"No source named {name} in servicelens.toml.")
    if not (spec.feedback_table and spec.feedback_id and spec.feedback_updated_at):
        raise ServiceLensError(
            f"The source {name} names no feedback table; set feedback_table, feedback_id and "
            f"feedback_updated_at in [servicelens.sources.{name}] (or `servicelens connect "
            f"{name} URL --feedback TABLE --feedback-id COL --feedback-updated-at COL`)."
        )
    table = FeedbackTable(
        spec.feedback_table, spec.feedback_id, spec.feedback_updated_at,
        spec.feedback_text, spec.feedback_created_at,
    )  # fmt: skip
    paths = require_workspace(settings)
    with open_source(settings, name) as source:
        return sync_feedback(
            paths, source, table, embedder=embedder_for(settings), full=full,
            progress=progress, chroma_url=settings.chroma_url,
        )  # fmt: skip
