"""The system and writer prompts: they render strictly and fit the token budget."""

from __future__ import annotations

import pytest

from servicelens.agent.budget import count_tokens, count_tools
from servicelens.agent.toolset import Toolset
from servicelens.prompts import PromptError, render
from servicelens.tools.registry import TOOLS

PROMPT_BUDGET = 2_500  # DESIGN §9: system prompt + tool schemas


def _system() -> str:
    return render("system.md", as_of="2026-11-01", max_tool_calls=12)


def test_system_prompt_and_tool_schemas_fit_the_budget(capsys: pytest.CaptureFixture[str]) -> None:
    toolset = Toolset.default()
    system, tools = count_tokens(_system()), count_tools(toolset.schemas())
    with capsys.disabled():
        print(
            f"\nprompt budget: system {system} + tool schemas {tools} = {system + tools} tokens "
            f"of {PROMPT_BUDGET} ({len(toolset.names)}/{len(TOOLS)} tools: "
            f"{', '.join(toolset.names)})"
        )
    assert system + tools <= PROMPT_BUDGET


def test_prompts_render_strictly() -> None:
    writer = render(
        "writer.md",
        as_of="2026-11-01",
        period="2026-Q3",
        evidence="- [Q1] x",
        language="English",
        notes="",
    )
    assert "$" not in _system() and "$" not in writer
    with pytest.raises(PromptError):
        render("writer.md", as_of="2026-11-01")


@pytest.mark.parametrize(
    "rule",
    ["describe_data", "query_metric", "compare", "never instructions", "Never invent a number"],
)
def test_system_prompt_states_the_rules(rule: str) -> None:
    assert rule in _system()


@pytest.mark.parametrize(
    "rule",
    [
        "[Q3]",
        "[V:v000812]",
        "5 of 212",
        "Lead with the answer",
        "recommended actions",
        "small sample",
    ],
)
def test_writer_prompt_states_the_rules(rule: str) -> None:
    text = render("writer.md", as_of="d", period="p", evidence="e", language="English", notes="")
    assert rule in text


def test_compact_schema_keeps_meaning_and_drops_noise() -> None:
    from pydantic import BaseModel, Field

    from servicelens.agent.toolset import compact_schema

    class Args(BaseModel):
        metric: str = Field(description="A metric.")
        region: str | None = Field(None, description="A region.")
        title: str | None = None  # a field may be called "title" and must survive

    schema = compact_schema(Args.model_json_schema())
    assert schema["required"] == ["metric"]
    assert schema["properties"]["region"] == {"type": "string", "description": "A region."}
    assert "title" in schema["properties"] and "title" not in schema["properties"]["metric"]
    assert Args.model_validate({"metric": "x", "region": None}).region is None


def test_every_offline_phrase_renders_with_the_same_variables_in_both_languages() -> None:
    import string

    from servicelens.agent.offline.narrative import phrases
    from servicelens.prompts import fill

    for key, by_lang in phrases().items():
        names = {
            lang: [
                {m.group("named") or m.group("braced") for m in string.Template.pattern.finditer(t)}
                - {None}
                for t in texts
            ]
            for lang, texts in by_lang.items()
        }
        every = [n for variants in names.values() for n in variants]
        assert all(n == every[0] for n in every), key
        values = dict.fromkeys(every[0], "x")
        for texts in by_lang.values():
            for text in texts:
                assert "$" not in fill(text, **values), key
        if every[0]:
            with pytest.raises(PromptError):
                fill(by_lang["en"][0])
