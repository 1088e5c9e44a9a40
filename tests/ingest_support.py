"""Shared helpers for ingest tests: load a small export written on the spot, read the warehouse."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.data.ingest.pipeline import IngestOptions, IngestReport, ingest
from servicelens.data.workspace import WorkspacePaths


def load(
    tmp_path: Path, name: str, text: str, **options: object
) -> tuple[WorkspacePaths, IngestReport]:
    """Write ``text`` to ``name`` and ingest it (no index) into a fresh workspace."""
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    ws = WorkspacePaths(tmp_path / "ws")
    return ws, ingest(ws, [f], IngestOptions(**options), index=False)  # type: ignore[arg-type]


def load_rows(folder: Path, name: str, records: list[dict[str, str]], **options: object) -> Path:
    """Write ``records`` as the CSV export ``name`` in ``folder`` and ingest it (no index)
    into the workspace ``folder/ws``, whose home is returned."""
    return load_exports(folder, {name: records}, index=False, **options)


def load_conversations(folder: Path, sides: dict[tuple[str, bool], list[dict[str, str]]]) -> Path:
    """Both sides of a support conversation as its exports come, one file per company and side
    (``(company, inbound)`` → rows with ``tweet_id`` and ``text``), ingested with the index."""
    exports = {
        f"{company.lower()}_{'inbound' if inbound else 'outbound'}.csv": rows
        for (company, inbound), rows in sides.items()
    }
    return load_exports(folder, exports, index=True, text="text", id="tweet_id")


def load_exports(
    folder: Path, exports: dict[str, list[dict[str, str]]], *, index: bool, **options: object
) -> Path:
    """Write each export (file name → rows) as CSV in ``folder`` and ingest them together
    into the workspace ``folder/ws``, whose home is returned."""
    paths = []
    for name, records in exports.items():
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)
        paths.append(path)
    home = folder / "ws"
    ingest(WorkspacePaths(home), paths, IngestOptions(**options), index=index)  # type: ignore[arg-type]
    return home


@contextmanager
def offline_analyst(
    folder: Path,
    records: list[dict[str, str]],
    *,
    file: str = "tickets.csv",
    as_of: str | None = None,
    **options: object,
) -> Iterator[Analyst]:
    """The offline analyst over ``records`` written as ``file`` and ingested (no index) into a
    fresh workspace in ``folder``, answering as of ``as_of`` (default: today)."""
    home = load_rows(folder, file, records, **options)
    with Analyst.open(home, provider="offline", checkpointer=InMemorySaver(), as_of=as_of) as an:
        yield an


def rows(ws: WorkspacePaths, sql: str) -> list[tuple]:
    """The rows of ``sql`` over the workspace's warehouse, opened read-only."""
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
