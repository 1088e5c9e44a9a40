"""servicelens doctor: findings with fixes, a real fake endpoint on loopback, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from servicelens.agent.doctor import Check, diagnose, run_checks
from servicelens.agent.settings import Settings, load_settings
from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply
from servicelens.cli import main
from servicelens.data.schema import create_statements

KEY = "sk-doctor-secret-4242"


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def _endpoint_settings(home: Path, ep: FakeOpenAIEndpoint, model: str = "fake-model") -> Settings:
    env = {"OPENAI_BASE_URL": ep.base_url, "OPENAI_API_KEY": KEY, "SERVICELENS_MODEL": model}
    return load_settings(home, environ=env)


def _tiny_workspace(home: Path) -> Path:
    home.mkdir(parents=True)
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    for stmt in create_statements():
        con.execute(stmt)
    con.execute("INSERT INTO products VALUES ('p1', 'Air Conditioners', 'AC-1', 'home', NULL)")
    con.close()
    return home


def test_empty_home_fails_with_the_init_fix(tmp_path: Path) -> None:
    checks = _by_name(run_checks(load_settings(tmp_path / "ws", environ={}), embedder=False))
    ws = checks["workspace"]
    assert ws.status == "fail" and "servicelens init" in ws.fix
    model = checks["model"]
    assert model.status == "warn" and "offline (no language model)" in model.detail
    assert "OPENAI_BASE_URL" in model.fix and "SERVICELENS_MODEL" in model.fix
    assert checks["configuration"].status == "ok" and "offline" in checks["configuration"].detail


def test_workspace_tables_and_missing_parts(tmp_path: Path) -> None:
    home = _tiny_workspace(tmp_path / "ws")
    checks = _by_name(run_checks(load_settings(home, environ={}), model=False, embedder=False))
    assert checks["warehouse"].status == "ok" and "products 1" in checks["warehouse"].detail
    assert checks["catalog"].status == "fail" and "servicelens init" in checks["catalog"].fix
    index = checks["VOC index"]
    assert index.status == "fail" and "Not built" in index.detail
    assert index.fix == "Run `servicelens index`."
    assert checks["data version"].status == "warn"


def test_endpoint_that_calls_the_tool_is_ok(tmp_path: Path) -> None:
    with FakeOpenAIEndpoint([FakeReply.tool("ping", {"ok": True})]) as ep:
        settings = _endpoint_settings(tmp_path / "ws", ep)
        checks = _by_name(run_checks(settings, embedder=False))
    model = checks["model"]
    assert model.status == "ok" and "tool calling works" in model.detail
    sent = ep.chat_requests[0].json
    assert sent["tools"][0]["function"]["name"] == "ping" and sent["model"] == "fake-model"
    # GET /models, then the probes' chat completions (tool, streamed tool, two tools, JSON).
    assert [r.path for r in ep.requests][:2] == ["/v1/models", "/v1/chat/completions"]
    assert len(ep.chat_requests) == 4
    config = checks["configuration"].detail
    assert "127.0.0.1" in config and "API key set" in config and KEY not in config


def test_endpoint_without_tool_calls_or_model_warns(tmp_path: Path) -> None:
    with FakeOpenAIEndpoint([FakeReply.say("pong")]) as ep:
        model = _by_name(run_checks(_endpoint_settings(tmp_path / "ws", ep), embedder=False))
    assert model["model"].status == "warn" and "did not call" in model["model"].detail
    with FakeOpenAIEndpoint([FakeReply.tool("ping", {"ok": True})]) as ep:
        checks = run_checks(_endpoint_settings(tmp_path / "ws", ep, "gpt-x"), embedder=False)
    listed = _by_name(checks)["model"]
    assert listed.status == "warn" and "lists only fake-model" in listed.detail


def test_refused_key_fails_with_the_key_fix_and_never_shows_it(tmp_path: Path) -> None:
    with FakeOpenAIEndpoint([FakeReply.error(401, "invalid api key")]) as ep:
        settings = _endpoint_settings(tmp_path / "ws", ep)
        checks = run_checks(settings, embedder=False)
    model = _by_name(checks)["model"]
    assert model.status == "fail" and "401" in model.detail
    assert "OPENAI_API_KEY" in model.fix
    assert KEY not in json.dumps([c.to_dict() for c in checks])


def test_invalid_config_file_is_a_finding(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    home.mkdir()
    (home / "servicelens.toml").write_text("[servicelens\nmodel = ", encoding="utf-8")
    checks = _by_name(diagnose(home, environ={}))
    config = checks["configuration"]
    assert config.status == "fail" and "servicelens.toml" in config.fix
    assert "model" not in checks  # an endpoint cannot be judged from a broken config


def test_cli_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["doctor", "--home", str(tmp_path / "empty"), "--json"])
    assert exc.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert statuses["workspace"] == "fail" and statuses["embedder"] == "ok"
    assert set(statuses.values()) <= {"ok", "warn", "fail"}


def test_cli_screen_shows_fixes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["doctor", "--home", str(tmp_path / "empty")])
    out = capsys.readouterr().out
    assert "ServiceLens doctor" in out and "1 problem(s) to fix." in out
    # Rich wraps the narrow test console, so look for the fix's words, not the whole sentence.
    assert "workspace" in out and "fail" in out and "init`" in out
