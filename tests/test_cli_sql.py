"""``servicelens sql``: the guard's reason and exit status 2 on refusal, tables, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from servicelens.cli import main
from servicelens.data.workspace import WorkspacePaths
from servicelens.evals.sql_corpus import build_sample_warehouse


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli_sql") / "ws"
    home.mkdir()
    build_sample_warehouse(WorkspacePaths(home).warehouse)
    return home


def _run(argv: list[str]) -> int:
    try:
        main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_refused_query_exits_2_with_the_reason(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(["sql", "DELETE FROM tickets", "--home", str(home)])
    captured = capsys.readouterr()
    assert code == 2
    assert "DELETE" in captured.err and "read-only SELECT" in captured.err
    assert captured.out == ""


def test_file_function_is_refused(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["sql", "SELECT * FROM read_text('/etc/passwd')", "--home", str(home)]) == 2
    assert "read_text" in capsys.readouterr().err


def test_table_output(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT region, count(*) AS n FROM tickets GROUP BY region ORDER BY region"
    assert _run(["sql", sql, "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "region" in out and "East" in out and "West" in out and "100" in out
    assert "4 rows" in out


def test_json_output_with_row_cap(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT ticket_id, opened_at, cost FROM tickets ORDER BY ticket_id"
    assert _run(["sql", sql, "--home", str(home), "--json", "--max-rows", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["columns"] == ["ticket_id", "opened_at", "cost"]
    assert data["row_count"] == 3 and len(data["rows"]) == 3 and data["truncated"] is True
    assert data["sql"].endswith("LIMIT 4")
    assert isinstance(data["rows"][0][1], str)


def test_database_error_exits_1_with_a_short_message(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["sql", "SELECT nope FROM tickets", "--home", str(home)]) == 1
    err = capsys.readouterr().err
    assert "nope" in err and "Traceback" not in err


def test_missing_workspace_says_to_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["sql", "SELECT 1", "--home", str(tmp_path / "none")]) == 1
    assert "servicelens init" in capsys.readouterr().err
