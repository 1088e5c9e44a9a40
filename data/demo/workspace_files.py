"""The small files a demo workspace carries beside the warehouse: config, facts, manifest,
labels and catalog. All are written byte-reproducibly (no wall clock, sorted keys)."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from ..schema import TABLES
from ..workspace import WorkspacePaths

GENERATOR_VERSION = "1.0"
CONFIG_TEXT = """\
# Written by `servicelens init` for the seeded demo workspace.
# The demo's history ends on 2026-10-31, so "today" is pinned to the day after: "last quarter"
# is then 2026-Q3, "last month" October 2026, and the planted facts' date ranges stay true no
# matter when the demo is opened. Delete the line to use the real clock.
[servicelens]
as_of = 2026-11-01
"""


def write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    path.write_text(text + "\n", encoding="utf-8")


def checksums(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Per-table row count and order-independent content hash."""
    out = {}
    for table in TABLES:
        row = con.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} t").fetchone()
        assert row is not None
        out[table] = f"{row[0]}:{row[1]}"
    return out


def manifest(
    scale: str, tickets: int, seed: int, counts: dict[str, int], sums: dict[str, str]
) -> dict[str, Any]:
    # A fixed creation time derived from the seed keeps the manifest byte-reproducible.
    created = datetime(2026, 11, 1) + timedelta(seconds=seed % 86_400)
    fingerprint = hashlib.sha256(json.dumps(sums, sort_keys=True).encode()).hexdigest()
    return {
        "generator": "servicelens.data.demo",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "scale": scale,
        "tickets": tickets,
        "row_counts": counts,
        "created_at": created.isoformat(),
        "data_fingerprint": fingerprint,
        "as_of": "2026-11-01",
    }


def start_labels(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow(("voc_id", "topic", "lang", "source", "duplicate_of", "had_pii"))


def flush_labels(path: Path, labels: list[tuple[str, str, str, str, str, bool]]) -> None:
    """Append the labels gathered so far and forget them, so memory stays flat with scale."""
    with path.open("a", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        for row in labels:
            writer.writerow((*row[:5], "true" if row[5] else "false"))
    labels.clear()


def copy_catalog(ws: WorkspacePaths) -> bool:
    source = resources.files("servicelens.data.demo") / "catalog.yaml"
    if not source.is_file():
        return False
    ws.catalog.write_bytes(source.read_bytes())
    return True


def write_config(ws: WorkspacePaths) -> None:
    ws.config.write_text(CONFIG_TEXT, encoding="utf-8")
