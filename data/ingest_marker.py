"""What an ingest still owes the workspace once its tables are in: the catalog and the index.

The record is written before the tables commit and settled as each part is done: the derived
catalog written, the feedback indexed. A run killed in between leaves it behind, so the next
``ingest`` (or ``index``) finishes the work instead of calling the workspace up to date, and
``doctor`` names it. It may name work that is already done (a run killed just before its
commit); finishing is idempotent, so the record errs on the side of doing it again.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from .theme_set import ThemeSource
from .workspace import WorkspacePaths


@dataclass
class CatalogInputs:
    """What the catalog is derived from besides the warehouse: the tables to (re)derive, their
    columns' names in the file, and the file each came from."""

    fresh: list[str] = field(default_factory=list)
    originals: dict[str, dict[str, str]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def merged(self, other: CatalogInputs) -> CatalogInputs:
        return CatalogInputs(
            list(dict.fromkeys(self.fresh + other.fresh)),
            self.originals | other.originals,
            self.sources | other.sources,
        )


@dataclass
class Unfinished:
    catalog: CatalogInputs
    catalog_owed: bool = True  # the derived catalog is not written yet
    index_owed: bool = False  # the feedback is not indexed yet
    themes: dict[str, Any] | None = None  # the theme source the ingest asked for
    pid: int | None = field(default_factory=os.getpid)  # the run doing the work; None: none
    started_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S"))

    @property
    def running(self) -> bool:
        """Whether the run that wrote the record is still going (then nothing is owed yet)."""
        return self.pid is not None and process_alive(self.pid)

    @property
    def theme_source(self) -> ThemeSource | None:
        return ThemeSource.from_dict(self.themes) if self.themes else None

    def merged(self, older: Unfinished | None) -> Unfinished:
        """This run's record, still owing what an earlier interrupted run owed."""
        if older is None:
            return self
        return Unfinished(
            older.catalog.merged(self.catalog),
            self.catalog_owed or older.catalog_owed,
            self.index_owed or older.index_owed,
            self.themes or older.themes,
        )

    def owes(self) -> str:
        parts = [name for name, owed in (("catalog", self.catalog_owed),
                 ("feedback index", self.index_owed)) if owed]  # fmt: skip
        return " and ".join(parts)


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def read_marker(ws: WorkspacePaths) -> Unfinished | None:
    if not ws.ingest_marker.is_file():
        return None
    raw = json.loads(ws.ingest_marker.read_text(encoding="utf-8"))
    return Unfinished(**{**raw, "catalog": CatalogInputs(**raw["catalog"])})


def write_marker(ws: WorkspacePaths, state: Unfinished | None) -> None:
    """Record ``state`` atomically; ``None`` (or a state owing nothing) removes the record."""
    if state is None or not (state.catalog_owed or state.index_owed):
        ws.ingest_marker.unlink(missing_ok=True)
        return
    temp = ws.ingest_marker.with_name(f".{ws.ingest_marker.name}.tmp")
    temp.write_text(json.dumps(asdict(state), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temp, ws.ingest_marker)


def release(ws: WorkspacePaths) -> None:
    """The run has ended: what it still owes waits for the next one."""
    state = read_marker(ws)
    if state is not None and state.pid is not None:
        state.pid = None
        write_marker(ws, state)


def settle(ws: WorkspacePaths, *, catalog: bool = False, index: bool = False) -> None:
    """Mark the catalog and/or the index as done."""
    state = read_marker(ws)
    if state is None:
        return
    state.catalog_owed = state.catalog_owed and not catalog
    state.index_owed = state.index_owed and not index
    write_marker(ws, state)
