"""What one ``ingest`` run did: its tables, the catalog, the index, and what it left owed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .catalog_entries import LeftOut
from .staging import TableReport


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
    # Work an earlier, interrupted run left and this one did.
    finished: list[str] = field(default_factory=list)
    # Work still owed when this run ended, each with the command that does it.
    unfinished: list[str] = field(default_factory=list)
    # Staging folders of killed runs, removed.
    swept: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
