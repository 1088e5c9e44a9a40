"""``servicelens index`` and ``servicelens search`` on a small workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner
from voc_sample import build_sample

from servicelens.agent.cli import voc_cmds
from servicelens.data.errors import ServiceLensError

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    # Only this module's commands: the test does not depend on sibling command modules.
    app = typer.Typer()
    voc_cmds.register(app)
    return app


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, app: typer.Typer) -> Path:
    home = tmp_path_factory.mktemp("cli") / "ws"
    build_sample(home)
    result = runner.invoke(app, ["index", "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["records"] == 17 and report["embedded"] == 17 and not report["skipped"]
    return home


def test_index_again_is_a_no_op(app: typer.Typer, home: Path) -> None:
    result = runner.invoke(app, ["index", "--home", str(home)])
    assert result.exit_code == 0 and "up to date" in result.stdout


def test_rebuild_uses_the_cache(app: typer.Typer, home: Path) -> None:
    result = runner.invoke(app, ["index", "--rebuild", "--home", str(home), "--json"])
    report = json.loads(result.stdout)
    assert report["embedded"] == 0 and report["cached"] == 17


def test_search_json_with_where_and_period(app: typer.Typer, home: Path) -> None:
    args = ["search", "空调压缩机噪音", "--home", str(home), "--json", "--k", "3"]
    args += ["--where", "lang=en", "--where", "region=East,South", "--period", "2026-Q3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total_matching"] == 4  # V001, V003, V004, V008
    assert data["hits"][0]["id"] in {"V:V001", "V:V003"}
    assert all(h["lang"] == "en" and h["region"] in {"East", "South"} for h in data["hits"])


def test_search_table_keyword_mode(app: typer.Typer, home: Path) -> None:
    result = runner.invoke(app, ["search", "KFR-35GW", "--mode", "keyword", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert "V:V004" in result.stdout and "V:V005" in result.stdout
    assert "2 of 17 matching records (keyword)" in result.stdout.replace("\n", " ")


@pytest.mark.parametrize(
    "extra",
    [["--where", "colour=red"], ["--where", "min_reach=lots"], ["--mode", "fuzzy"]],
)
def test_bad_options_are_user_errors(app: typer.Typer, home: Path, extra: list[str]) -> None:
    result = runner.invoke(app, ["search", "noise", "--home", str(home), *extra])
    assert isinstance(result.exception, ServiceLensError)


def test_search_without_index_says_what_to_run(app: typer.Typer, tmp_path: Path) -> None:
    from agent_support import tiny_workspace

    result = runner.invoke(app, ["search", "noise", "--home", str(tiny_workspace(tmp_path))])
    assert isinstance(result.exception, ServiceLensError)
    assert "servicelens index" in str(result.exception)


def test_commands_have_help(app: typer.Typer) -> None:
    for command in ("search", "index"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and len(result.stdout) > 100
