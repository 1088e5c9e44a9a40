"""``servicelens themes`` on a small hand-built workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from themes_support import write_workspace
from typer.testing import CliRunner

from servicelens.agent.cli import themes_cmd
from servicelens.data.errors import ServiceLensError

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    # Only this module's command: the test does not depend on sibling command modules.
    app = typer.Typer()
    themes_cmd.register(app)
    app.command("noop", hidden=True)(lambda: None)  # keeps "themes" a named subcommand
    return app


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli-themes") / "ws"
    write_workspace(home)
    return home


def test_json_output_with_period_and_where(app: typer.Typer, home: Path) -> None:
    args = ["themes", "--home", str(home), "--json", "--period", "last quarter"]
    result = runner.invoke(app, [*args, "--where", "region=East"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"]["label"] == "2026-Q3"
    assert data["filters"] == {"region": "East"}
    first = data["themes"][0]
    assert (first["theme"], first["count"]) == ("noise", 6)


def test_table_shows_change_and_quotes(app: typer.Typer, home: Path) -> None:
    result = runner.invoke(app, ["themes", "--home", str(home), "--period", "last quarter"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2026-Q3" in out and "Noise" in out and "Waiting for parts" in out
    assert "▲" in out and "+600%" in out  # noise: 1 → 7
    assert "compressor noise is terrible" in out and "V:v00" in out


def test_chinese_theme_names(app: typer.Typer, home: Path) -> None:
    args = ["themes", "--home", str(home), "--period", "2026-Q3", "--lang", "zh"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "噪音异响" in result.stdout and "等配件" in result.stdout and "占比" in result.stdout


@pytest.mark.parametrize(
    "extra",
    [["--where", "colour=red"], ["--where", "region=Atlantis"], ["--period", "someday"]],
)
def test_user_errors_are_service_lens_errors(
    app: typer.Typer, home: Path, extra: list[str]
) -> None:
    result = runner.invoke(app, ["themes", "--home", str(home), *extra])
    assert result.exit_code != 0
    assert isinstance(result.exception, ServiceLensError)


def test_missing_workspace_is_a_clear_error(app: typer.Typer, tmp_path: Path) -> None:
    result = runner.invoke(app, ["themes", "--home", str(tmp_path / "none")])
    assert isinstance(result.exception, ServiceLensError)
    assert "servicelens init" in str(result.exception)
