"""A damaged store is a one-sentence error naming the file and the fix, never a traceback: the
warehouse, the conversation store and the feedback index's vector store, each overwritten with
bytes that are not a database, on a copy of the demo workspace, through the real command line;
a conversation store that cannot be written (made immutable, which binds root too) fails the
answer with a sentence; and a warehouse another process holds for writing says to try again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from cli_support import run_cli

from servicelens.agent.doctor import run_checks, warehouse_check
from servicelens.agent.settings import load_settings
from servicelens.data.errors import WorkspaceError
from servicelens.data.warehouse import Warehouse

HOLD_FOR_WRITING = (
    "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
    "time.sleep(60)"
)


def _damaged_copy(demo_home: Path, tmp_path: Path, relative: str) -> Path:
    home = tmp_path / "ws"
    shutil.copytree(demo_home, home)
    target = home / relative
    target.write_bytes(os.urandom(64) + b"not a database" * 2000)
    return home


@pytest.mark.parametrize(
    ("relative", "named", "argv", "said"),
    [
        ("warehouse.duckdb", "warehouse.duckdb", ["sql", "SELECT 1"], "The warehouse file"),
        ("checkpoints.sqlite", "checkpoints.sqlite", ["threads", "list"], "conversation store"),
        ("chroma/chroma.sqlite3", "chroma", ["search", "noise"], "vector store"),
    ],
)
def test_a_damaged_store_is_a_clear_error_not_a_traceback(
    demo_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    relative: str,
    named: str,
    argv: list[str],
    said: str,
) -> None:
    home = _damaged_copy(demo_home, tmp_path, relative)
    code, _, err = run_cli(capsys, *argv, "--home", str(home))
    assert code == 1
    assert "Traceback" not in err
    flat = " ".join(err.split())
    assert said in flat and "cannot be" in flat
    assert str(home / named) in "".join(err.split())  # the store is named (lines rewrapped)
    assert "restore" in flat.lower() or "--rebuild" in flat  # and what to do


def test_doctor_fails_a_damaged_warehouse_with_the_fix(demo_home: Path, tmp_path: Path) -> None:
    home = _damaged_copy(demo_home, tmp_path, "warehouse.duckdb")
    checks = {c.name: c for c in run_checks(load_settings(home, environ={}), model=False)}
    assert checks["warehouse"].status == "fail"
    assert "cannot be opened" in checks["warehouse"].detail
    assert "Restore it from a backup" in checks["warehouse"].fix


def test_a_warehouse_held_by_a_writer_says_to_try_again(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE tickets AS SELECT 1 AS ticket_id")
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD_FOR_WRITING, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        with pytest.raises(WorkspaceError, match=r"another process.*try again"):
            Warehouse.open(path)
        check = warehouse_check(path)
        assert check.status == "warn" and "Another process may hold it" in check.fix
    finally:
        writer.kill()
        writer.wait(timeout=10)
    Warehouse.open(path).close()  # free again once the writer is gone


def test_a_conversation_store_that_cannot_be_written_fails_with_a_sentence(
    demo_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "ws"
    shutil.copytree(demo_home, home)
    store = home / "checkpoints.sqlite"
    assert run_cli(capsys, "threads", "list", "--home", str(home))[0] == 0  # creates the store
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed, so a file cannot be made read-only for root")
    immutable = subprocess.run(["chattr", "+i", str(store)], capture_output=True, check=False)
    if immutable.returncode != 0:
        pytest.skip(f"this file system cannot make a file immutable: {immutable.stderr!r}")
    try:
        code, _, err = run_cli(
            capsys, "ask", "How many tickets last month?", "--home", str(home), "--provider",
            "offline",
        )  # fmt: skip
    finally:
        subprocess.run(["chattr", "-i", str(store)], check=True)
    flat = " ".join(err.split())
    assert code == 1
    assert "Traceback" not in err
    assert "The conversation store" in flat and "cannot be written" in flat
    assert "writable" in flat
