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
from .commit import Pending, check_voc_ids, commit, options_key, previous_load
from .infer import table_name
from .load import stage_file, write_rejects
from .mapping import TableMapping, apply_mapping, load_mapping, mapping_for
from .readers import open_source
from .theme_column import check_theme_column, theme_source
from .voc_rows import VocOptions, build_voc, redact_columns

Progress = Callable[[str, int, int], None]
CATALOG_HEADER = (
    "# Derived by `servicelens ingest` from the loaded tables. Edit freely: descriptions, aliases\n"
    "# (English and Chinese), value lists, metric definitions. Entries you keep here win over\n"
    "# re-derived ones; check your edits with `servicelens catalog validate`.\n"
)


@dataclass
class IngestOptions:
    table: str | None = None
    text: str | None = None
    id: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    mapping: Path | None = None
    skip_bad_rows: bool = False
    encoding: str | None = None
    theme_column: str | None = None  # a category column whose values are the feedback themes


@dataclass
class TableReport:
    file: str
    table: str
    rows: int
    rejected: int = 0
    reject_file: str | None = None
    unchanged: bool = False
    types: dict[str, str] = field(default_factory=dict)
    voc_rows: int = 0
    redactions: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    tables: list[TableReport]
    catalog: str | None = None
    catalog_dropped: list[str] = field(default_factory=list)
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
) -> IngestReport:
    """Load ``files`` into the workspace, all or nothing; derive the catalog; index feedback."""
    start = time.perf_counter()
    tick = progress or (lambda stage, done, total: None)
    if options.table and len(files) > 1:
        raise DataError("--table names one table; load several files without it.")
    if options.theme_column and not options.text:
        raise DataError("--theme-column names the themes of the --text feedback; add --text.")
    mappings = load_mapping(options.mapping) if options.mapping else []
    created = not ws.home.exists()
    ws.home.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".ingest-", dir=ws.home))
    try:
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
        _after_commit(ws, pending, report, embedder, tick, index, themes)
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
        item = _stage_one(ws, Path(path), options, mappings, folder, len(files))
        if isinstance(item, TableReport):
            reports.append(item)
        else:
            pending.append(item)
            reports.append(_report(item))
        tick(f"read {Path(path).name}", 1, 1)
    tables = [p.staged.table for p in pending]
    if len(set(tables)) < len(tables):
        raise DataError("Two files would load into the same table; use --table or rename one.")
    return reports, pending


def _stage_one(
    ws: WorkspacePaths,
    path: Path,
    options: IngestOptions,
    mappings: list[TableMapping],
    folder: Path,
    n_files: int,
) -> Pending | TableReport:
    source = open_source(path, folder, encoding=options.encoding)
    mapping = mapping_for(mappings, path, n_files)
    table = mapping.table if mapping else table_name(options.table or path.stem)
    key = options_key(
        table=table, text=options.text, id=options.id, meta=options.meta,
        mapping=asdict(mapping) if mapping else None, skip=options.skip_bad_rows,
        # Only when given, so loads from before the option keep their key.
        **({"theme_column": options.theme_column} if options.theme_column else {}),
    )  # fmt: skip
    before = previous_load(ws.warehouse, table)
    if before and before["sha256"] == source.sha256 and before["options"] == key:
        return TableReport(path.name, table, before["rows_loaded"], unchanged=True)
    database = folder / "staging.duckdb"
    con = duck.connect(database)
    try:
        staged = stage_file(con, source, table, skip_bad_rows=options.skip_bad_rows)
        if staged.rejected:
            write_rejects(con, staged, folder / f"{table}.rejects.csv")
        item = Pending(staged, database, key)
        if mapping:
            apply_mapping(con, staged, mapping)
            item.canonical = True
        redactions = redact_columns(con, staged)
        if options.text:
            voc = VocOptions(options.text, options.id, options.meta)
            item.voc_rows = build_voc(con, staged, voc)
            if options.theme_column:
                item.theme_column = check_theme_column(con, staged, options.theme_column)
        staged.notes.append(_redaction_note(redactions))
        item.redactions = redactions
    finally:
        con.close()
    return item


def _redaction_note(counts: dict[str, int]) -> str:
    found = {k: v for k, v in counts.items() if v}
    return "redacted " + ", ".join(f"{v} {k}" for k, v in found.items()) if found else ""


def _report(item: Pending) -> TableReport:
    s = item.staged
    return TableReport(
        s.source.path.name, s.table, s.rows, s.rejected,
        str(s.reject_file) if s.reject_file else None, False, dict(s.types), item.voc_rows,
        item.redactions, [n for n in s.notes if n],
    )  # fmt: skip


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
) -> None:
    if index and any(p.voc_rows for p in pending):
        from ..voc_pipeline import index_voc

        try:
            done = index_voc(ws, embedder=embedder, progress=tick, themes=themes)
            report.index = done.to_dict()
        except ServiceLensError as exc:
            # The data is in; only the search index is behind, and `index` can finish it.
            report.index_error = f"{exc} Run `servicelens index` to build the search index."
    tick("catalog", 0, 1)
    write_catalog(ws, pending, report)
    tick("catalog", 1, 1)


def write_catalog(ws: WorkspacePaths, pending: list[Pending], report: IngestReport) -> None:
    """Derive (merge) the catalog from the warehouse and write it atomically."""
    existing = None
    if ws.catalog.exists():
        existing = yaml.safe_load(ws.catalog.read_text(encoding="utf-8"))
    fresh = [p.staged.table for p in pending] + (
        ["voc"] if any(p.voc_rows for p in pending) else []
    )
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
