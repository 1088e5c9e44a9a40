"""``ingest --theme-column``: the export's own category column is the feedback themes.

Through the real CLI, ingest pipeline, DuckDB file and Chroma directory; the export is the
generated support sample (``theme_sample``), whose ``topic`` column holds the categories.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest
import typer
from theme_sample import write_csv
from typer.testing import CliRunner

from servicelens.agent.analyst import Analyst
from servicelens.agent.cli import ingest_cmd, themes_cmd, voc_cmds
from servicelens.data.errors import DataError
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.theme_set import load_theme_set
from servicelens.data.workspace import WorkspacePaths

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    for module in (ingest_cmd, themes_cmd, voc_cmds):
        module.register(app)
    return app


@pytest.fixture(scope="module")
def column_ws(
    tmp_path_factory: pytest.TempPathFactory, app: typer.Typer
) -> tuple[WorkspacePaths, Counter[str]]:
    folder = tmp_path_factory.mktemp("column")
    export = folder / "support.csv"
    topics = write_csv(export)
    home = folder / "ws"
    args = ["ingest", str(export), "--text", "text", "--id", "id", "--theme-column", "topic"]
    result = runner.invoke(app, [*args, "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    index = json.loads(result.stdout)["index"]
    assert index["themes"] == "themes from the export's column topic (4 values)"
    return WorkspacePaths(home), topics


def _counts(ws: WorkspacePaths) -> dict[str, int]:
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    try:
        return dict(con.execute("SELECT theme, count(*) FROM voc GROUP BY 1").fetchall())
    finally:
        con.close()


def test_themes_are_the_columns_values_with_their_counts(
    column_ws: tuple[WorkspacePaths, Counter[str]],
) -> None:
    ws, topics = column_ws
    assert _counts(ws) == dict(topics)
    themes = load_theme_set(ws)
    assert themes.source.kind == "column" and themes.source.column == "topic"
    assert {t.id: t.records for t in themes.themes if t.id != "other"} == dict(topics)
    assert themes.resolve("Battery") == "battery"
    assert themes.get("battery").terms  # type: ignore[union-attr]


def test_voc_themes_states_the_column_and_flags_the_new_theme(
    column_ws: tuple[WorkspacePaths, Counter[str]], app: typer.Typer
) -> None:
    ws, _ = column_ws
    with Analyst.open(ws.home) as an:
        result = an.themes(period="2026-09", top=2, quotes=1)
    assert result.theme_source["text"] == "themes from the export's column topic (4 values)"
    shown = {t["theme"]: t for t in result.themes}
    # billing appears only in September: new in the period, listed although not in the top two.
    assert shown["billing"]["emerging"] and shown["billing"]["previous_count"] == 0
    assert list(shown).index("billing") >= 2
    assert not any(t["emerging"] for t in result.themes if t["theme"] != "billing")
    out = runner.invoke(app, ["themes", "--home", str(ws.home), "--period", "2026-09"])
    assert out.exit_code == 0, out.output
    assert "(emerging)" in out.stdout and "column topic" in out.stdout


def test_reindexing_keeps_the_column_and_index_can_switch_to_discovery(
    column_ws: tuple[WorkspacePaths, Counter[str]], app: typer.Typer, tmp_path: Path
) -> None:
    ws, topics = column_ws
    home = tmp_path / "copy"
    shutil.copytree(ws.home, home)
    copy = WorkspacePaths(home)
    rebuilt = runner.invoke(app, ["index", "--rebuild", "--home", str(home), "--json"])
    assert json.loads(rebuilt.stdout)["themes"].startswith("themes from the export's column")
    assert _counts(copy) == dict(topics)
    switched = runner.invoke(app, ["index", "--themes", "discovered", "--home", str(home)])
    assert switched.exit_code == 0, switched.output
    assert "themes discovered from the feedback" in switched.stdout
    assert load_theme_set(copy).source.kind == "discovered"


def test_a_theme_column_must_exist_hold_categories_and_go_with_text(tmp_path: Path) -> None:
    export = tmp_path / "codes.csv"
    export.write_text(
        "id,code,text\n" + "".join(f"{i},C{i},note {i}\n" for i in range(250)), encoding="utf-8"
    )
    ws = WorkspacePaths(tmp_path / "ws")
    with pytest.raises(DataError, match="has no such column"):
        ingest(ws, [export], IngestOptions(text="text", id="id", theme_column="kind"))
    with pytest.raises(DataError, match="250 distinct values"):
        ingest(ws, [export], IngestOptions(text="text", id="id", theme_column="code"))
    with pytest.raises(DataError, match="add --text"):
        ingest(ws, [export], IngestOptions(theme_column="code"))
    # All or nothing: no refused load left anything behind.
    assert not ws.warehouse.exists()
