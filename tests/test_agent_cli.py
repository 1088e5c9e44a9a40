"""``servicelens ask``: streamed output, --json, exit codes, and configuration errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from agent_support import tiny_workspace

from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply
from servicelens.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tiny_workspace(tmp_path / "ws")


def _endpoint_env(monkeypatch: pytest.MonkeyPatch, ep: FakeOpenAIEndpoint) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", ep.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("SERVICELENS_AS_OF", "2026-11-01")


def test_ask_json(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAIEndpoint([FakeReply.say("ok"), FakeReply.say("Nothing to report yet.")]) as ep:
        _endpoint_env(monkeypatch, ep)
        code, out, _ = _run(
            ["ask", "How are we doing last month?", "--json", "--home", str(home)], capsys
        )
    data = json.loads(out)
    assert code == 0 and data["status"] == "answered"
    assert data["text"] == "Nothing to report yet." and data["period"]["label"] == "2026-10"
    assert data["thread_id"] and (home / "checkpoints.sqlite").exists()


def test_ask_streams_and_renders(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAIEndpoint([FakeReply.say("ok"), FakeReply.say("**All quiet.**")]) as ep:
        _endpoint_env(monkeypatch, ep)
        code, out, _ = _run(["ask", "Anything last quarter?", "--home", str(home)], capsys)
    assert code == 0 and "All quiet." in out and "Period: 2026-Q3" in out


def test_ask_flagged_exits_3(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = "Tickets rose by 4,321 [Q9]."
    with FakeOpenAIEndpoint([FakeReply.say("ok"), FakeReply.say(bad), FakeReply.say(bad)]) as ep:
        _endpoint_env(monkeypatch, ep)
        code, out, _ = _run(["ask", "Tickets?", "--json", "--home", str(home)], capsys)
    assert code == 3 and json.loads(out)["verification"]["ok"] is False


def test_ask_without_endpoint_says_how_to_configure(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(["ask", "Tickets?", "--home", str(home), "--provider", "openai"], capsys)
    assert code == 1 and "OPENAI_BASE_URL" in err and "servicelens.toml" in err


def test_ask_without_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["ask", "Tickets?", "--home", str(tmp_path / "none")], capsys)
    assert code == 1 and "servicelens init" in " ".join(err.split())


def test_ask_model_error_exits_1(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAIEndpoint([FakeReply.error(400, "bad request")]) as ep:
        _endpoint_env(monkeypatch, ep)
        code, _, err = _run(["ask", "Tickets?", "--home", str(home)], capsys)
    assert code == 1 and "Error:" in err
