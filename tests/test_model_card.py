"""``servicelens eval --provider openai`` writes a model card, here against the loopback fake.

The fake endpoint plays the golden cases' own scripts (``replaying``) in the vLLM family's shape
with ``<think>`` blocks in the content, so the run goes through the real ``openai`` client, the
provider's lenient reading and the whole graph, and the card counts the quirk it saw.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from smoke_scripts import SMOKE, scripted_smoke

from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, replaying
from servicelens.cli import main

PICK = "smoke-install-volume-en,smoke-east-ontime-zh"


def test_eval_against_an_endpoint_writes_a_model_card(
    demo_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scripted = scripted_smoke(demo_home, PICK)
    out = tmp_path / "run"
    script = [replaying(scripted)] * 12
    with FakeOpenAIEndpoint(script, family="vllm", reasoning="think", model="Qwen/Qwen3-8B") as ep:
        monkeypatch.setenv("OPENAI_BASE_URL", ep.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-card-secret")
        monkeypatch.setenv("SERVICELENS_MODEL", "Qwen/Qwen3-8B")
        argv = ["eval", "--golden", str(SMOKE), "--filter", PICK, "--provider", "openai",
                "--home", str(demo_home), "--out", str(out), "--threshold", "0.5"]  # fmt: skip
        main(argv)
    shown = capsys.readouterr().out
    assert scripted.remaining == 0 and "Model card:" in shown
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert card["model"] == "Qwen/Qwen3-8B" and card["endpoint"]["family"] == "vllm"
    assert card["cases"] == 2 and card["pass_rate"] == 1.0 and card["silent_wrong_rate"] == 0.0
    assert card["by_subset"]["tuned"]["pass_rate"] == 1.0
    assert card["quirks"]["think_tags"]["count"] >= 4 and card["latency_ms"]["median"] > 0
    assert card["tokens"]["prompt"] > 0 and [c["passed"] for c in card["per_case"]] == ["1/1"] * 2
    md = (out / "model_card.md").read_text(encoding="utf-8")
    assert md.startswith("# Model card: Qwen/Qwen3-8B") and "family vllm" in md
    assert "<think> blocks inside the content" in md and "## Pass rate per set" in md
    assert "sk-card-secret" not in md + json.dumps(card)
    assert (out / "report.json").is_file()


def test_the_scripted_provider_writes_no_card(demo_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    argv = ["eval", "--golden", str(SMOKE), "--filter", "smoke-install-volume-en",
            "--provider", "scripted", "--home", str(demo_home), "--out", str(out)]  # fmt: skip
    main(argv)
    assert (out / "report.json").is_file() and not (out / "model_card.json").exists()


def test_the_provider_counts_the_quirks_it_read_past() -> None:
    from servicelens.agent.providers.openai_provider import OpenAIProvider
    from servicelens.agent.testing_endpoint import FakeReply, FakeToolCall

    calls = [FakeToolCall("ping", {"ok": True}, id=""), FakeToolCall("echo", {"text": "hi"}, id="")]
    script = [FakeReply(text=None, tool_calls=calls, usage=False), FakeReply.say("done")]
    tools = [
        {"type": "function", "function": {"name": n, "parameters": {}}} for n in ("ping", "echo")
    ]
    with FakeOpenAIEndpoint(script, family="ollama") as ep:
        provider = OpenAIProvider("qwen3:8b", "k", ep.base_url, max_retries=0)
        provider.complete([{"role": "user", "content": "ping and echo"}], tools)
        provider.complete([{"role": "user", "content": "done?"}], on_delta=lambda _: None)
    assert provider.quirks == {
        "finish_stop_with_calls": 1, "missing_call_ids": 1, "no_usage": 1, "parallel_calls": 1
    }  # fmt: skip
