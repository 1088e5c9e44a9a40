"""The warehouse by generations: a reader keeps the file it opened while a writer prepares the
next, a new reader sees the new one whole, and a failed write leaves the warehouse as it was."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from servicelens.data.warehouse import Warehouse
from servicelens.data.warehouse_files import generation_files, next_generation, stamp
from servicelens.data.workspace import WorkspacePaths


def _write(path: Path, value: int) -> None:
    with next_generation(path) as target:
        con = duckdb.connect(str(target))
        con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS x", [value])
        con.close()


def _value(warehouse: Warehouse) -> int:
    return int(warehouse.execute("SELECT x FROM t").rows[0][0])


def test_readers_keep_their_generation_and_new_readers_see_the_next(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path)
    # A workspace from before generations: a plain file, turned into the link by the first write.
    con = duckdb.connect(str(ws.warehouse))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    old = Warehouse.open(ws.warehouse)
    before = stamp(ws)
    _write(ws.warehouse, 2)
    assert ws.warehouse.is_symlink() and stamp(ws) != before
    new = Warehouse.open(ws.warehouse)  # in the same process as the old reader
    assert (_value(old), _value(new)) == (1, 2)
    _write(ws.warehouse, 3)
    assert _value(new) == 2 and _value(Warehouse.open(ws.warehouse)) == 3
    # Only the current generation keeps a name; the others live on only for open readers.
    assert generation_files(ws.warehouse) == [ws.warehouse.resolve()]
    old.close()
    new.close()


def test_a_failed_write_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path)
    _write(ws.warehouse, 1)
    current = ws.warehouse.resolve()
    with pytest.raises(RuntimeError), next_generation(ws.warehouse) as target:
        con = duckdb.connect(str(target))
        con.execute("UPDATE t SET x = 99")
        con.close()
        raise RuntimeError("the load is refused")
    assert ws.warehouse.resolve() == current
    assert generation_files(ws.warehouse) == [current]
    warehouse = Warehouse.open(ws.warehouse)
    assert _value(warehouse) == 1
    warehouse.close()
