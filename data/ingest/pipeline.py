"""``ingest``: files -> staged, checked tables -> one commit -> derived catalog -> VOC index.

Stages per file: read (encoding, format), type, check bad rows, redact, build VOC rows. Only when
every file has staged cleanly does the warehouse change, in one transaction (``commit.py``), and
only if the catalog derived from the tables as they will be loads: a conflict there refuses the
load and leaves the warehouse as it was. What the commit leaves owed (the catalog file, the
index) is recorded before it (``ingest_marker.py``) and done in ``finish.py``; a run killed on
the way is finished by the next one, which also removes the staging folders killed runs left.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from ..errors import DataError
from ..ingest_marker import Unfinished, read_marker, release, write_marker
from ..workspace import WorkspacePaths
from .catalog_derive import DerivedCatalog
from .commit import Pending, check_voc_ids, commit
from .finish import CatalogInputs, IndexPlan, catalog_inputs, derive, finish, read_catalog
from .infer import table_name
from .mapping import TableMapping, load_mapping
from .readers import stack_files
from .report import IngestReport
from .staging import IngestOptions, TableReport, report_of, stage_one
from .staging_dirs import staging_dir, sweep_staging
from .theme_column import theme_source

__all__ = ["IngestOptions", "IngestReport", "TableReport", "ingest"]

Progress = Callable[[str, int, int], None]


def ingest(
    ws: WorkspacePaths,
    files: list[Path],
    options: IngestOptions,
    *,
    embedder: Any = None,
    progress: Progress | None = None,
    index: bool = True,
    chroma_url: str | None = None,
) -> IngestReport:
    """Load ``files`` into the workspace, all or nothing; derive the catalog; index feedback
    (in the workspace's own store, or on the Chroma server at ``chroma_url``). With no files,
    finish what an interrupted ingest left undone."""
    start = time.perf_counter()
    tick = progress or (lambda stage, done, total: None)
    if options.theme_column and not options.text:
        raise DataError("--theme-column names the themes of the --text feedback; add --text.")
    mappings = load_mapping(options.mapping) if options.mapping else []
    if not files and not ws.exists():
        raise DataError(f"No files to load, and no workspace at {ws.home} to finish.")
    created = not ws.home.exists()
    ws.home.mkdir(parents=True, exist_ok=True)
    swept = sweep_staging(ws.home)
    staging = staging_dir(ws.home)
    existing = read_catalog(ws)
    try:
        if options.table and len(files) > 1:
            # Several exports of one kind (a month each, a company each): one table, stacked.
            tick("stack", 0, 1)
            stacked = staging / "stack"
            stacked.mkdir()
            name = table_name(options.table)
            files = [stack_files(files, stacked, name, encoding=options.encoding)]
            tick("stack", 1, 1)
        reports, pending = _stage_all(ws, files, options, mappings, staging, tick)
        derived = _commit(ws, pending, options, existing, tick) if pending else None
        if pending:
            _keep_rejects(ws, reports)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(p for p in ws.home.iterdir()):
            ws.home.rmdir()
        raise
    shutil.rmtree(staging, ignore_errors=True)
    report = IngestReport(reports, swept=swept)
    plan = IndexPlan(index, embedder, tick, chroma_url)
    try:
        finish(ws, report, plan, existing, derived)
    finally:
        release(ws)
    report.seconds = round(time.perf_counter() - start, 2)
    return report


def _commit(
    ws: WorkspacePaths,
    pending: list[Pending],
    options: IngestOptions,
    existing: dict[str, Any] | None,
    tick: Progress,
) -> DerivedCatalog:
    """Commit the staged tables with the catalog they need checked first; the catalog."""
    check_voc_ids(ws.warehouse, pending)
    inputs = catalog_inputs(pending)
    columns = {p.staged.table: p.theme_column for p in pending if p.theme_column}
    themes = theme_source(options.theme_column, columns)
    older = read_marker(ws)
    owed = Unfinished(inputs, index_owed=any(p.voc_rows for p in pending))
    owed.themes = themes.to_dict() if themes else None
    # Recorded before the commit: a run killed right after it still leaves the record.
    write_marker(ws, owed.merged(older))
    tick("commit", 0, 1)
    try:
        derived = commit(ws.warehouse, pending, _catalog_check(inputs, existing, pending))
    except BaseException:
        write_marker(ws, older)
        raise
    tick("commit", 1, 1)
    return derived


def _catalog_check(
    inputs: CatalogInputs, existing: dict[str, Any] | None, pending: list[Pending]
) -> Callable[[duckdb.DuckDBPyConnection], DerivedCatalog]:
    def check(con: duckdb.DuckDBPyConnection) -> DerivedCatalog:
        try:
            return derive(con, inputs, existing)
        except DataError as exc:
            raise DataError(_clash(pending, str(exc))) from None

    return check


def _clash(pending: list[Pending], problem: str) -> str:
    files = ", ".join(p.staged.source.path.name for p in pending)
    problem = problem.removeprefix("catalog.yaml: ").removeprefix("catalog: ").rstrip(".")
    return (
        f"{files}: the catalog cannot describe the tables as this load would leave them "
        f"({problem}), so nothing was loaded. Load the file under another table name with "
        "--table, rename the column that clashes, or edit catalog.yaml "
        "(`servicelens catalog edit`) and try again."
    )


def _stage_all(
    ws: WorkspacePaths,
    files: list[Path],
    options: IngestOptions,
    mappings: list[TableMapping],
    staging: Path,
    tick: Progress,
) -> tuple[list[TableReport], list[Pending]]:
    reports, pending = [], []
    for n, path in enumerate(files):
        tick(f"read {Path(path).name}", 0, 1)
        folder = staging / f"f{n}"
        folder.mkdir()
        item = stage_one(ws, Path(path), options, mappings, folder, len(files))
        if isinstance(item, TableReport):
            reports.append(item)
        else:
            pending.append(item)
            reports.append(report_of(item))
        tick(f"read {Path(path).name}", 1, 1)
    tables = [p.staged.table for p in pending]
    if len(set(tables)) < len(tables):
        raise DataError("Two files would load into the same table; use --table or rename one.")
    return reports, pending


def _keep_rejects(ws: WorkspacePaths, reports: list[TableReport]) -> None:
    target = ws.home / "rejects"
    for r in reports:
        if r.reject_file:
            target.mkdir(exist_ok=True)
            kept = target / Path(r.reject_file).name
            shutil.move(r.reject_file, kept)
            r.reject_file = str(kept)
