"""Whether the warehouse, the catalog and the feedback index agree.

Every base table with data is described by the catalog (the derived catalog takes them all), and
the index holds as many records as the ``voc`` table has rows. A disagreement is what an
interrupted ingest leaves; ``ingest`` finishes it and ``doctor`` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ..ingest_marker import Unfinished, read_marker
from ..voc_index import read_fingerprint
from ..workspace import WorkspacePaths
from .catalog_derive import HIDDEN_TABLES
from .commit import read_only
from .infer import q


@dataclass
class Agreement:
    tables: list[str] = field(default_factory=list)  # base tables with data
    uncatalogued: list[str] = field(default_factory=list)
    voc_rows: int | None = None  # None: no feedback table
    indexed: int | None = None  # records in the index's fingerprint; None: no index
    unfinished: Unfinished | None = None

    @property
    def index_behind(self) -> bool:
        return bool(self.voc_rows) and self.indexed != self.voc_rows

    @property
    def agrees(self) -> bool:
        return not (self.uncatalogued or self.index_behind or self.unfinished)


def agreement(ws: WorkspacePaths) -> Agreement:
    """What the workspace holds, read without opening anything for writing."""
    found = Agreement(unfinished=read_marker(ws))
    if not ws.warehouse.is_file():
        return found
    with read_only(ws.warehouse) as con:
        names = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' ORDER BY table_name"
        ).fetchall()
        counts = {}
        for (name,) in names:
            if name in HIDDEN_TABLES or name.startswith("_"):
                continue
            row = con.execute(f"SELECT count(*) FROM {q(name)}").fetchone()
            counts[str(name)] = int(row[0]) if row else 0
    found.tables = [t for t, n in counts.items() if n]
    described = _catalog_tables(ws)
    found.uncatalogued = [t for t in found.tables if t not in described]
    found.voc_rows = counts.get("voc")
    fingerprint = read_fingerprint(ws)
    found.indexed = int(fingerprint["records"]) if fingerprint else None
    return found


def _catalog_tables(ws: WorkspacePaths) -> set[str]:
    if not ws.catalog.is_file():
        return set()
    data: Any = yaml.safe_load(ws.catalog.read_text(encoding="utf-8"))
    tables = data.get("tables") if isinstance(data, dict) else None
    return set(tables) if isinstance(tables, dict) else set()
