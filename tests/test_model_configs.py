"""Every example model config in ``evals/model_configs/`` runs ``servicelens eval --provider
openai`` and writes a model card, against the loopback test endpoint in that family's shape.

Each config becomes the ``servicelens.toml`` of a workspace that links to the shared demo
workspace's files, with only its ``openai_base_url`` pointed at the fake; the fake replays one
smoke case's script (as ``tests/test_model_card.py`` does), so the real ``openai`` client, the
provider's reading of that vendor's replies and the whole graph run. The README lists the configs;
a test here keeps that list and the files the same.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from smoke_scripts import SMOKE, scripted_smoke

from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, replaying
from servicelens.cli import main
from servicelens.evals import __file__ as evals_init

CONFIGS = Path(evals_init).parent / "model_configs"
README = Path(__file__).resolve().parents[1] / "README.md"
PICK = "smoke-install-volume-en"

# How the test endpoint plays each config's server, the family the card should name (None: the
# loopback host cannot say, and the fake's /models owner is not a vendor) and the quirks its
# replies must show. GLM and Kimi are named by the model (GLM lists no models) or by Kimi's
# /models owner.
FAKES: dict[str, tuple[dict[str, Any], str | None, set[str]]] = {
    "openai": ({"family": "openai"}, None, set()),
    "deepseek": ({"family": "deepseek"}, "deepseek", {"reasoning_field"}),
    "deepseek-thinking": ({"family": "deepseek-thinking"}, "deepseek", {"reasoning_field"}),
    "dashscope": ({"family": "dashscope"}, None, {"reasoning_field"}),
    "glm": ({"family": "glm"}, "glm", {"reasoning_field"}),
    "kimi": ({"family": "kimi"}, "kimi", set()),
    "kimi-thinking": ({"family": "kimi"}, "kimi", {"reasoning_field"}),
    "vllm": ({"family": "vllm", "reasoning": "think"}, "vllm", {"think_tags"}),
    "ollama": ({"family": "ollama"}, None, {"reasoning_field", "finish_stop_with_calls"}),
    "llamacpp": ({"family": "llamacpp"}, "llama.cpp", {"reasoning_field"}),
    "azure": ({"family": "azure"}, "azure", set()),
}


def _config(name: str) -> dict[str, Any]:
    text = (CONFIGS / f"{name}.toml").read_text(encoding="utf-8")
    return dict(tomllib.loads(text)["servicelens"])


def _workspace(demo_home: Path, tmp_path: Path, name: str, base_url: str) -> Path:
    """A workspace of links to the demo's files, with the example config as its settings."""
    home = tmp_path / "ws"
    home.mkdir()
    for entry in demo_home.iterdir():
        if entry.name != "servicelens.toml":
            (home / entry.name).symlink_to(entry)
    text = (CONFIGS / f"{name}.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^openai_base_url = .*\n", "", text)
    demo = (demo_home / "servicelens.toml").read_text(encoding="utf-8")
    as_of = re.search(r"(?m)^as_of = .*$", demo)
    pointed = f'[servicelens]\nopenai_base_url = "{base_url}"\n{as_of.group(0) if as_of else ""}\n'
    (home / "servicelens.toml").write_text(text.replace("[servicelens]\n", pointed), "utf-8")
    return home


def test_every_example_config_has_a_fake_and_a_readme_row() -> None:
    names = sorted(p.stem for p in CONFIGS.glob("*.toml"))
    assert names == sorted(FAKES)
    readme = README.read_text(encoding="utf-8")
    block = readme.split("### Compare models on your own golden set", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("`")[1]: line for line in block.splitlines() if line.startswith("| `evals/")}
    assert sorted(rows) == sorted(f"evals/model_configs/{n}.toml" for n in names)
    for name in names:
        cfg, row = _config(name), rows[f"evals/model_configs/{name}.toml"]
        # The row shows the file's model and endpoint, so the README cannot drift from them.
        assert f"`{cfg['model']}`" in row and cfg.get("openai_base_url", "(unset)") in row


@pytest.mark.parametrize("name", sorted(FAKES))
def test_example_config_writes_a_model_card(
    name: str,
    demo_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shape, family, quirks = FAKES[name]
    cfg = _config(name)
    scripted = scripted_smoke(demo_home, PICK)
    out = tmp_path / "run"
    with FakeOpenAIEndpoint([replaying(scripted)] * 8, model=cfg["model"], **shape) as ep:
        home = _workspace(demo_home, tmp_path, name, ep.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-card-secret")
        argv = ["eval", "--golden", str(SMOKE), "--filter", PICK, "--provider", "openai",
                "--home", str(home), "--out", str(out), "--threshold", "0.5"]  # fmt: skip
        main(argv)
    assert scripted.remaining == 0 and "Model card:" in capsys.readouterr().out
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert card["model"] == cfg["model"] and card["cases"] == 1 and card["pass_rate"] == 1.0
    assert family is None or card["endpoint"]["family"] == family
    assert set(card["quirks"]) == quirks
    if cfg.get("reasoning_replay") == "tool_calls":
        # The thinking-mode fake answers 400 unless the reasoning came back; it did.
        later = [r.json["messages"] for r in ep.chat_requests[1:]]
        assert any("reasoning_content" in m for ms in later for m in ms)
    if cfg.get("openai_api_version"):
        assert all(f"api-version={cfg['openai_api_version']}" in r.path for r in ep.chat_requests)
    md = (out / "model_card.md").read_text(encoding="utf-8")
    assert md.startswith(f"# Model card: {cfg['model']}") and "sk-card-secret" not in md
