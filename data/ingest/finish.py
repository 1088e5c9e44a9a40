"""After the tables: the catalog written and the feedback indexed, or what is still owed said.

Every ``ingest`` run ends here, one that loaded nothing new included: work an earlier run was
killed before doing is finished from the record it left (``ingest_marker.py``) and from what the
warehouse, catalog and index hold (``agreement.py``), so a re-run never calls a half-finished
workspace up to date.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import yaml

from .. import duck
from ..errors import DataError, ServiceLensError
from ..ingest_marker import CatalogInputs, Unfinished, read_marker, settle
from ..theme_set import ThemeSource
from ..workspace import WorkspacePaths
from .agreement import agreement
from .catalog_derive import DerivedCatalog, derive_catalog
from .commit import Pending
from .labels import SUFFIX
from .report import IngestReport

Progress = Callable[[str, int, int], None]
CATALOG_HEADER = (
    "# Derived by `servicelens ingest` from the loaded tables. Edit freely: descriptions, aliases\n"
    "# (English and Chinese), value lists, metric definitions. Entries you keep here win over\n"
    "# re-derived ones; check your edits with `servicelens catalog validate`.\n"
)
INDEX_FIX = "run `servicelens index` to build it."


@dataclass
class IndexPlan:
    """Whether and how this run indexes feedback."""

    enabled: bool
    embedder: Any
    progress: Progress
    chroma_url: str | None = None


def catalog_inputs(pending: list[Pending]) -> CatalogInputs:
    fresh = [p.staged.table for p in pending] + (
        ["voc"] if any(p.voc_rows for p in pending) else []
    )
    fresh += [p.staged.table + SUFFIX for p in pending if p.labels_rows]
    originals = {
        p.staged.table: dict(zip(p.staged.source.columns, p.staged.source.raw_columns, strict=True))
        for p in pending
    }
    sources = {p.staged.table: p.staged.source.path.name for p in pending}
    return CatalogInputs(fresh, originals, sources)


def read_catalog(ws: WorkspacePaths) -> dict[str, Any] | None:
    if not ws.catalog.exists():
        return None
    data = yaml.safe_load(ws.catalog.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None


def finish(
    ws: WorkspacePaths,
    report: IngestReport,
    plan: IndexPlan,
    existing: dict[str, Any] | None,
    derived: DerivedCatalog | None = None,
) -> None:
    """Write the catalog (``derived`` when this run committed tables) and index the feedback,
    as far as the run and any interrupted one before it owe them."""
    owed = read_marker(ws)
    if derived is None and owed and owed.running and owed.pid != os.getpid():
        report.unfinished.append(
            f"Another ingest (pid {owed.pid}) is still loading this workspace; run "
            "`servicelens ingest` again once it has finished."
        )
        return
    plan.progress("catalog", 0, 1)
    inputs = owed.catalog if owed else CatalogInputs()
    found = agreement(ws)
    if derived is not None:
        save_catalog(ws, derived, report)
        settle(ws, catalog=True)
    else:
        _finish_catalog(ws, report, owed, inputs, existing, found.uncatalogued)
    if (owed and owed.index_owed) or found.index_behind:
        themes = owed.theme_source if owed else None
        if not plan.enabled:
            report.unfinished.append(f"The feedback index is behind the feedback; {INDEX_FIX}")
        elif _index(ws, report, plan, themes):
            # Enrichment has filled the feedback's columns: describe their values too.
            _refresh_catalog(ws, report, inputs, existing)
        if derived is None and report.index and not report.index_error:
            report.finished.append(f"feedback index: {report.index['records']:,} records")
    plan.progress("catalog", 1, 1)


def _finish_catalog(
    ws: WorkspacePaths,
    report: IngestReport,
    owed: Unfinished | None,
    inputs: CatalogInputs,
    existing: dict[str, Any] | None,
    missing: list[str],
) -> None:
    if not (missing or (owed and owed.catalog_owed) or not ws.catalog.exists()):
        return
    try:
        write_catalog(ws, inputs, report, existing)
    except DataError as exc:
        report.unfinished.append(
            f"Table(s) {', '.join(missing)} are loaded but the catalog cannot describe them "
            f"({exc}). Fix catalog.yaml (`servicelens catalog edit`) or reload them under "
            "another name with --table, then run `servicelens ingest` again."
        )
        return
    settle(ws, catalog=True)
    if missing or owed:
        report.finished.append(f"catalog: {', '.join(missing) or 'derived again'}")


def _refresh_catalog(
    ws: WorkspacePaths, report: IngestReport, inputs: CatalogInputs, existing: dict[str, Any] | None
) -> None:
    try:
        write_catalog(ws, inputs, report, existing)
    except DataError as exc:
        # The catalog written before indexing stands; only the feedback's new values are missing.
        report.unfinished.append(
            f"The catalog was not refreshed after indexing ({exc}); check it with "
            "`servicelens catalog validate`."
        )


def _index(
    ws: WorkspacePaths, report: IngestReport, plan: IndexPlan, themes: ThemeSource | None
) -> bool:
    """Bring the index up to date; whether it was rebuilt."""
    from ..voc_pipeline import index_voc

    try:
        done = index_voc(
            ws,
            embedder=plan.embedder,
            progress=plan.progress,
            themes=themes,
            chroma_url=plan.chroma_url,
        )
    except ServiceLensError as exc:
        # The data is in; only the search index is behind, and `index` can finish it.
        report.index_error = f"{exc} Run `servicelens index` to build the search index."
        return False
    report.index = done.to_dict()
    return not done.skipped


def write_catalog(
    ws: WorkspacePaths,
    inputs: CatalogInputs,
    report: IngestReport,
    existing: dict[str, Any] | None,
) -> None:
    """Derive the catalog from the warehouse, merged into ``existing``; write it atomically."""
    con = duck.connect(ws.warehouse, read_only=True)
    try:
        derived = derive(con, inputs, existing)
    finally:
        con.close()
    save_catalog(ws, derived, report)


def derive(
    con: duckdb.DuckDBPyConnection, inputs: CatalogInputs, existing: dict[str, Any] | None
) -> DerivedCatalog:
    return derive_catalog(con, inputs.fresh, existing, inputs.originals, inputs.sources)


def save_catalog(ws: WorkspacePaths, derived: DerivedCatalog, report: IngestReport) -> None:
    text = yaml.safe_dump(derived.data, allow_unicode=True, sort_keys=False, width=100)
    temp = ws.catalog.with_name(".catalog.yaml.tmp")
    temp.write_text(CATALOG_HEADER + text, encoding="utf-8")
    os.replace(temp, ws.catalog)
    report.catalog = str(ws.catalog)
    report.catalog_dropped = derived.dropped
    report.catalog_added, report.catalog_skipped = derived.added, derived.skipped
    for table in report.tables:
        note = derived.time_notes.get(table.table)
        if note and not table.unchanged and note not in table.notes:
            table.notes.insert(0, note)
