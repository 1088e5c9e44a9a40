"""One file through every step before the commit, in its own staging database.

Read and type (``load.py``), one row per entity and unique ids (``keys.py``), the reject file,
the mapping onto canonical tables, redaction, VOC rows of the ``--text`` column, and the long
table of multi-label flags (``labels.py``). Nothing here touches the workspace's warehouse.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from .. import duck
from ..workspace import WorkspacePaths
from .commit import Pending, options_key, previous_load
from .infer import table_name
from .keys import KeyOptions, add_row_id, apply_keys
from .labels import build_labels, wants_labels
from .load import stage_file, write_rejects
from .mapping import TableMapping, apply_mapping, mapping_for
from .readers import open_source
from .theme_column import check_theme_column
from .voc_rows import VocOptions, build_voc, redact_columns


@dataclass
class IngestOptions:
    table: str | None = None
    text: str | None = None
    id: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    mapping: Path | None = None
    skip_bad_rows: bool = False
    encoding: str | None = None
    latest_per: str | None = None
    latest_by: str | None = None
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
    labels_rows: int = 0


def stage_one(
    ws: WorkspacePaths,
    path: Path,
    options: IngestOptions,
    mappings: list[TableMapping],
    folder: Path,
    n_files: int,
) -> Pending | TableReport:
    """The file staged and checked, or a report that it is unchanged since its last load."""
    source = open_source(path, folder, encoding=options.encoding)
    mapping = mapping_for(mappings, path, n_files)
    table = mapping.table if mapping else table_name(options.table or path.stem)
    key = _options_key(table, options, mapping)
    before = previous_load(ws.warehouse, table)
    if before and before["sha256"] == source.sha256 and before["options"] == key:
        return TableReport(path.name, table, before["rows_loaded"], unchanged=True)
    database = folder / "staging.duckdb"
    con = duck.connect(database)
    try:
        staged = stage_file(con, source, table, skip_bad_rows=options.skip_bad_rows)
        keys = KeyOptions(options.id, options.latest_per, options.latest_by, options.skip_bad_rows)
        row_key = apply_keys(con, staged, keys)
        if staged.rejected:
            write_rejects(con, staged, folder / f"{table}.rejects.csv")
        item = Pending(staged, database, key)
        _shape(con, item, options, mapping, row_key)
    finally:
        con.close()
    return item


def _shape(
    con: duckdb.DuckDBPyConnection,
    item: Pending,
    options: IngestOptions,
    mapping: TableMapping | None,
    row_key: str | None,
) -> None:
    """Mapping, redaction, VOC rows and the long flags table, in that order."""
    staged = item.staged
    if mapping:
        apply_mapping(con, staged, mapping)
        item.canonical = True
    item.redactions = redact_columns(con, staged)
    staged.notes.append(_redaction_note(item.redactions))
    if options.text:
        item.voc_rows = build_voc(con, staged, VocOptions(options.text, options.id, options.meta))
        if options.theme_column:
            item.theme_column = check_theme_column(con, staged, options.theme_column)
    if wants_labels(staged) and not mapping:
        item.labels_rows = build_labels(con, staged, row_key or add_row_id(con, staged))


def _options_key(table: str, options: IngestOptions, mapping: TableMapping | None) -> str:
    # Every option that shapes the table: a change reloads the file even when it is unchanged.
    # Newer options count only when given, so loads from before them keep their key.
    newer = {"latest_per": options.latest_per, "latest_by": options.latest_by}
    newer["theme_column"] = options.theme_column
    return options_key(
        table=table, text=options.text, id=options.id, meta=options.meta,
        mapping=asdict(mapping) if mapping else None, skip=options.skip_bad_rows,
        **{k: v for k, v in newer.items() if v},
    )  # fmt: skip


def _redaction_note(counts: dict[str, int]) -> str:
    found = {k: v for k, v in counts.items() if v}
    return "redacted " + ", ".join(f"{v} {k}" for k, v in found.items()) if found else ""


def report_of(item: Pending) -> TableReport:
    s = item.staged
    return TableReport(
        s.source.path.name, s.table, s.rows, s.rejected,
        str(s.reject_file) if s.reject_file else None, False, dict(s.types), item.voc_rows,
        item.redactions, [n for n in s.notes if n], item.labels_rows,
    )  # fmt: skip
