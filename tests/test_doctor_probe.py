"""``doctor`` probes the endpoint: each fake family on loopback, what it supports, the mode
ServiceLens will use and the fix for what is missing; bounded in time, key never shown."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from servicelens.agent.check import Check
from servicelens.agent.doctor import run_checks
from servicelens.agent.providers import probe
from servicelens.agent.providers.probe import cached_profile, probe_endpoint
from servicelens.agent.settings import Settings, load_settings
from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply, obliging
from servicelens.cli import main

KEY = "sk-probe-secret-7373"


def _settings(ep: FakeOpenAIEndpoint, model: str, **env: str) -> Settings:
    environ = {"OPENAI_BASE_URL": ep.base_url, "OPENAI_API_KEY": KEY, "SERVICELENS_MODEL": model}
    return load_settings("/nonexistent-probe-home", environ={**environ, **env})


def _checks(fam: str, model: str, env: dict[str, str] | None = None, **shape: Any) -> list[Check]:
    with FakeOpenAIEndpoint([obliging] * 8, family=fam, model=model, **shape) as ep:
        checks = run_checks(_settings(ep, model, **(env or {})), embedder=False)
    return [c for c in checks if c.name.startswith("model")]


# family, model, extra settings, shape: what the probe must find.
FAMILIES = [
    ("openai", "gpt-4o-mini", {}, {}),
    ("deepseek-thinking", "deepseek-v4-flash", {}, {}),
    ("dashscope", "qwen-plus", {}, {}),
    ("vllm", "Qwen/Qwen3-8B", {}, {}),
    ("ollama", "qwen3:8b", {}, {}),
    ("llamacpp", "qwen3-8b", {}, {}),
    ("azure", "sl-gpt4o", {"OPENAI_API_VERSION": "2024-10-21"}, {}),
    ("glm", "glm-4.6", {}, {}),
    ("kimi", "kimi-k2-thinking", {}, {}),
]


@pytest.mark.parametrize(("fam", "model", "env", "shape"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_every_family_calls_tools_natively(
    fam: str, model: str, env: dict[str, str], shape: dict[str, Any]
) -> None:
    verdict, features = _checks(fam, model, env, **shape)
    assert verdict.status == "ok" and "mode: native tool calls, several per step" in verdict.detail
    for seen in ("tools native", "streamed tool calls yes", "parallel calls yes", "JSON mode yes"):
        assert seen in features.detail
    assert KEY not in verdict.detail + features.detail + features.fix


@pytest.mark.parametrize(
    ("fam", "reasoning", "family_name", "context"),
    [
        ("deepseek-thinking", "in reasoning_content", "family deepseek", "not advertised"),
        ("vllm", "in reasoning", "family vllm", "context 32,768 tokens (max_model_len)"),
        ("llamacpp", "in reasoning_content", "family llama.cpp", "40,960 tokens (meta.n_ctx"),
        ("openai", "none seen", "family unknown", "not advertised"),
        # GLM lists no models: the model's name says the family; Kimi's /models owner does.
        ("glm", "in reasoning_content", "family glm", "not advertised"),
        ("kimi", "in reasoning_content", "family kimi", "not advertised"),
    ],
)
def test_reasoning_field_family_and_context_window(
    fam: str, reasoning: str, family_name: str, context: str
) -> None:
    model = {"glm": "glm-4.5-air", "kimi": "kimi-k2.5"}.get(fam, "m")
    _, features = _checks(fam, model)
    assert f"reasoning output {reasoning}" in features.detail
    assert family_name in features.detail and context in features.detail


def test_deepseek_thinking_mode_sends_reasoning_back_in_tool_loops() -> None:
    verdict, _ = _checks("deepseek-thinking", "deepseek-v4-pro")
    assert "sent back within tool loops" in verdict.detail
    verdict, _ = _checks("vllm", "Qwen/Qwen3-8B")
    assert "never shown or sent back" in verdict.detail
    verdict, _ = _checks("kimi", "kimi-k2-thinking")
    assert "sent back within tool loops" in verdict.detail
    verdict, _ = _checks("glm", "glm-4.6")
    assert "never shown or sent back" in verdict.detail


@pytest.mark.parametrize(
    ("fam", "model", "fix"),
    [("glm", "glm-4-flash-250414", "SERVICELENS_MODEL=glm-4.6"),
     ("kimi", "moonshot-v1-8k", "SERVICELENS_MODEL=kimi-k2-turbo-preview")],
)  # fmt: skip
def test_a_glm_or_kimi_model_that_does_not_call_names_one_that_does(
    fam: str, model: str, fix: str
) -> None:
    with FakeOpenAIEndpoint([FakeReply.say("pong")] * 8, family=fam, model=model) as ep:
        checks = run_checks(_settings(ep, model), embedder=False)
    verdict, features = [c for c in checks if c.name.startswith("model")]
    assert verdict.status == "warn" and "did not call the test tool" in verdict.detail
    assert fix in verdict.fix and f"family {fam}" in features.detail


@pytest.mark.parametrize(
    ("fam", "model", "shape", "fix"),
    [
        ("llamacpp", "qwen3-8b", {"tools": "refused"}, "Start llama-server with --jinja."),
        ("deepseek", "deepseek-reasoner", {}, "deepseek-chat"),
        ("vllm", "Qwen/Qwen3-8B", {"tools": "refused"}, "--enable-auto-tool-choice"),
        ("ollama", "gemma2:2b", {"tools": "refused"}, "Ollama model whose library page"),
    ],
)
def test_no_tool_calling_fails_with_the_fix(
    fam: str, model: str, shape: dict[str, Any], fix: str
) -> None:
    verdict, features = _checks(fam, model, **shape)
    assert verdict.status == "fail" and "mode: none" in verdict.detail and fix in verdict.fix
    assert "tools refused" in features.detail
    assert "streamed tool calls not probed" in features.detail


def test_tool_calls_as_text_are_read_and_the_parser_fix_named() -> None:
    verdict, features = _checks("vllm", "Qwen/Qwen3-8B", tools="text", reasoning="think")
    assert verdict.status == "ok" and "tool calls read from the text" in verdict.detail
    assert "tools text" in features.detail and "in <think> tags" in features.detail
    assert features.status == "warn" and "--tool-call-parser" in features.fix


def test_one_call_per_reply_is_named() -> None:
    # llama.cpp makes one call per reply unless asked; a server that drops the ask stays at one.
    with FakeOpenAIEndpoint([obliging] * 8, family="llamacpp") as ep:
        profile = probe_endpoint(_settings(ep, "m"))
        asked = [r.json.get("parallel_tool_calls") for r in ep.chat_requests]
    assert profile.parallel is True and True in asked
    _, features = _checks("openai", "m", parallel="on_request", json_mode=False)
    assert "parallel calls yes" in features.detail and "JSON mode no" in features.detail


def test_probe_is_bounded_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probe, "PROBE_EACH_S", 0.3)
    monkeypatch.setattr(probe, "PROBE_TOTAL_S", 1.0)
    started = time.monotonic()
    with FakeOpenAIEndpoint([obliging] * 8, family="slow") as ep:
        profile = probe_endpoint(_settings(ep, "m"))
    assert time.monotonic() - started < 2.5
    assert profile.tools == "error" and "no reply within 0.3 s" in profile.tools_detail


def test_refused_key_and_unreachable_endpoint() -> None:
    with FakeOpenAIEndpoint([FakeReply.error(401, "bad key")], family="vllm") as ep:
        ep_settings = _settings(ep, "m")
        # /models answers 200 on the fake; the chat completion is the one refused.
        verdict, *_ = [c for c in run_checks(ep_settings, embedder=False) if c.name == "model"]
    assert verdict.status == "fail" and "refused the API key (HTTP 401)" in verdict.detail
    assert "OPENAI_API_KEY" in verdict.fix and KEY not in verdict.detail
    closed = load_settings("/x", environ={"OPENAI_BASE_URL": ep.base_url, "OPENAI_API_KEY": KEY})
    (down,) = [c for c in run_checks(closed, embedder=False) if c.name == "model"]
    assert down.status == "fail" and "could not be reached" in down.detail
    assert "OPENAI_BASE_URL" in down.fix


def test_profile_is_cached_per_endpoint_and_model() -> None:
    with FakeOpenAIEndpoint([obliging] * 8, family="vllm") as ep:
        settings = _settings(ep, "Qwen/Qwen3-8B")
        first = probe_endpoint(settings)
        sent = len(ep.requests)
        again = probe_endpoint(settings)
        assert len(ep.requests) == sent and again is first
        assert cached_profile(settings) is first
        assert cached_profile(_settings(ep, "other-model")) is None


def test_cli_no_probe_sends_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "ws"
    home.mkdir()
    with FakeOpenAIEndpoint([obliging] * 8, family="vllm") as ep:
        toml = f'openai_base_url = "{ep.base_url}"\nopenai_api_key = "{KEY}"\nmodel = "q"\n'
        (home / "servicelens.toml").write_text(toml, encoding="utf-8")
        with pytest.raises(SystemExit):
            main(["doctor", "--home", str(home), "--json", "--no-probe"])
        skipped = json.loads(capsys.readouterr().out)
        assert ep.chat_requests == []
        with pytest.raises(SystemExit):
            main(["doctor", "--home", str(home), "--json"])
        probed = json.loads(capsys.readouterr().out)
    model = {c["name"]: c for c in skipped["checks"]}["model"]
    assert "not probed (--no-probe)" in model["detail"]
    names = {c["name"]: c for c in probed["checks"]}
    assert "tools native" in names["model features"]["detail"]
    assert KEY not in json.dumps(probed)
