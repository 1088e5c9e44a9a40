"""``ingest``: files -> staged, checked tables -> one commit -> VOC index -> derived catalog.

Stages per file: read (encoding, format), type, check bad rows, redact, build VOC rows. Only when
every file has staged cleanly does the warehouse change, in one transaction (``commit.py``).
Then the VOC index is rebuilt (when feedback changed) and the catalog derived and written; both
happen after the data is safely in, and a failure there says how to finish by hand.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import duck
from ..errors import DataError, ServiceLensError
from ..theme_set import ThemeSource
from ..workspace import WorkspacePaths
from .catalog_derive import derive_catalog
from .catalog_entries import LeftOut
from .commit import Pending, check_voc_ids, commit
from .infer import table_name
from .labels import SUFFIX
from .mapping import TableMapping, load_mapping
from .readers import stack_files
from .staging import IngestOptions, TableReport, report_of, stage_one
from .theme_column import theme_source

__all__ = ["IngestOptions", "IngestReport", "TableReport", "ingest", "write_catalog"]

Progress = Callable[[str, int, int], None]
CATALOG_HEADER = (
    "# Derived by `servicelens ingest` from the loaded tables. Edit freely: descriptions, aliases\n"
    "# (English and Chinese), value lists, metric definitions. Entries you keep here win over\n"
    "# re-derived ones; check your edits with `servicelens catalog validate`.\n"
)


@dataclass
class IngestReport:
    tables: list[TableReport]
    catalog: str | None = None
    catalog_dropped: list[str] = field(default_factory=list)
    catalog_added: list[str] = field(default_factory=list)
    catalog_skipped: list[LeftOut] = field(default_factory=list)
    index: dict[str, Any] | None = None
    index_error: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    (in the workspace's own store, or on the Chroma server at ``chroma_url``)."""
    start = time.perf_counter()
    tick = progress or (lambda stage, done, total: None)
    if options.theme_column and not options.text:
        raise DataError("--theme-column names the themes of the --text feedback; add --text.")
    mappings = load_mapping(options.mapping) if options.mapping else []
    created = not ws.home.exists()
    ws.home.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".ingest-", dir=ws.home))
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
        if pending:
            check_voc_ids(ws.warehouse, pending)
            tick("commit", 0, 1)
            commit(ws.warehouse, pending)
            tick("commit", 1, 1)
            _keep_rejects(ws, reports)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(p for p in ws.home.iterdir()):
            ws.home.rmdir()
        raise
    shutil.rmtree(staging, ignore_errors=True)
    report = IngestReport(reports)
    if pending or not ws.catalog.exists():
        columns = {p.staged.table: p.theme_column for p in pending if p.theme_column}
        themes = theme_source(options.theme_column, columns)
        _after_commit(ws, pending, report, embedder, tick, index, themes, chroma_url)
    report.seconds = round(time.perf_counter() - start, 2)
    return report


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


def _after_commit(
    ws: WorkspacePaths,
    pending: list[Pending],
    report: IngestReport,
    embedder: Any,
    tick: Progress,
    index: bool,
    themes: ThemeSource | None = None,
    chroma_url: str | None = None,
) -> None:
    # The catalog is written before indexing, which can take long on large feedback exports,
    # so the tables can be asked about even if indexing is interrupted; it is derived again
    # (from the same starting catalog) once enrichment has filled the feedback's columns.
    before = _read_catalog(ws)
    tick("catalog", 0, 1)
    write_catalog(ws, pending, report, before)
    if index and any(p.voc_rows for p in pending):
        from ..voc_pipeline import index_voc

        try:
            done = index_voc(
                ws, embedder=embedder, progress=tick, themes=themes, chroma_url=chroma_url
            )
            report.index = done.to_dict()
        except ServiceLensError as exc:
            # The data is in; only the search index is behind, and `index` can finish it.
            report.index_error = f"{exc} Run `servicelens index` to build the search index."
        write_catalog(ws, pending, report, before)
    tick("catalog", 1, 1)


def _read_catalog(ws: WorkspacePaths) -> dict[str, Any] | None:
    if not ws.catalog.exists():
        return None
    data = yaml.safe_load(ws.catalog.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None


def write_catalog(
    ws: WorkspacePaths,
    pending: list[Pending],
    report: IngestReport,
    existing: dict[str, Any] | None,
) -> None:
    """Derive the catalog from the warehouse, merged into ``existing``; write it atomically."""
    fresh = [p.staged.table for p in pending] + (
        ["voc"] if any(p.voc_rows for p in pending) else []
    )
    fresh += [p.staged.table + SUFFIX for p in pending if p.labels_rows]
    originals = {
        p.staged.table: dict(zip(p.staged.source.columns, p.staged.source.raw_columns, strict=True))
        for p in pending
    }
    sources = {p.staged.table: p.staged.source.path.name for p in pending}
    con = duck.connect(ws.warehouse, read_only=True)
    try:
        derived = derive_catalog(con, fresh, existing, originals, sources)
    finally:
        con.close()
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
