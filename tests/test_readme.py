"""The README's set-up commands are the ones CI and new users run; keep them true."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from servicelens.cli import build_app

ROOT = Path(__file__).resolve().parent.parent


def _readme_block(marker: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\s*```(?:bash|sh)\n(.+?)\n```", text, re.S)
    assert match, f"README has no command block marked {marker}"
    return match.group(1).strip()


def test_ci_runs_the_readme_test_command() -> None:
    command = _readme_block("setup:tests")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines()


def test_readme_main_command_uses_existing_cli_commands() -> None:
    command = _readme_block("setup:main")
    app = typer.main.get_command(build_app())
    used = re.findall(r"servicelens (\w+)", command)
    assert used, "the main set-up command should run servicelens"
    for name in used:
        assert name in app.commands, f"README runs `servicelens {name}`, which does not exist"  # type: ignore[attr-defined]


def test_every_command_has_help_text() -> None:
    app = typer.main.get_command(build_app())
    runner = CliRunner()
    stack = [([], app)]
    while stack:
        path, cmd = stack.pop()
        for name, sub in getattr(cmd, "commands", {}).items():
            assert (sub.help or "").strip(), f"`servicelens {' '.join([*path, name])}` has no help"
            stack.append(([*path, name], sub))
    result = runner.invoke(build_app(), ["--help"])
    assert result.exit_code == 0
    assert "init" in result.output


def test_the_python_example_runs_on_a_demo_workspace(
    demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1]
    match = re.search(r"```python\n(.+?)\n```", section, re.S)
    assert match, "the Python section has no example"
    shutil.copytree(demo_home, tmp_path / ".servicelens")
    monkeypatch.chdir(tmp_path)
    printed: list[str] = []
    namespace = {"print": lambda *a, **k: printed.append(" ".join(map(str, a)))}
    exec(compile(match.group(1), "README.md", "exec"), namespace)
    assert printed and "answer" in printed  # the event types, ending with the answer
    assert namespace["table"].rows and namespace["rows"] and namespace["quotes"]
    assert len(namespace["turns"]) == 2 and (tmp_path / "answer.html").is_file()
