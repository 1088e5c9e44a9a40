"""A damaged store is a one-sentence error naming the file and the fix, never a traceback: the
warehouse, the conversation store and the feedback index's vector store, each overwritten with
bytes that are not a database, on a copy of the demo workspace, through the real command line.
(A store locked by a writer is covered in test_warehouse.py and test_ingest_atomic.py.)"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from cli_support import run_cli

from servicelens.agent.doctor import run_checks
from servicelens.agent.settings import load_settings


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
