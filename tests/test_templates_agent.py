"""Each strategy template filled by the agent from real tool results on the demo, then exported.

The scripted model gathers a metric and customer quotes, fills the template citing them, and
cites the document; the export must resolve every citation, in Markdown and in HTML.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.agent.providers.base import ModelTurn, ToolCall
from servicelens.agent.providers.scripted import ScriptedProvider
from servicelens.tools.templates import TEMPLATE_IDS, SectionSpec, load_template

METRIC = {
    "metrics": ["sla_attainment"],
    "group_by": ["region"],
    "filters": {"type": "installation"},
    "period": "last quarter",
    "compare": "previous",
}


def _tool_results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(m["content"]) for m in messages if m["role"] == "tool"]


def _evidence_ids(messages: list[dict[str, Any]]) -> tuple[str, str]:
    metric, voc = _tool_results(messages)[:2]
    return metric["id"], voc["quotes"][0]["id"]


def _section(spec: SectionSpec, q: str, v: str) -> dict[str, Any]:
    if spec.kind == "user_input":
        return {"section": spec.id, "text": "The user reports a rival promising 24-hour visits."}
    if spec.kind == "text":
        text = f"East installations slipped [{q}], customers agree [{v}]."
        return {"section": spec.id, "text": text}
    item = {f.name: f"{f.name} for East installations" for f in spec.fields}
    return {"section": spec.id, "items": [{**item, "citations": [q, v]}]}


def _fill_step(template: str) -> Any:
    def step(messages: list[dict[str, Any]]) -> ModelTurn:
        q, v = _evidence_ids(messages)
        sections = [_section(s, q, v) for s in load_template(template).sections]
        args = {"template": template, "sections": sections}
        return ModelTurn(tool_calls=[ToolCall(id="fill", name="fill_template", arguments=args)])

    return step


def _script(template: str) -> list[Any]:
    return [
        ScriptedProvider.tool("query_metric", **METRIC),
        ScriptedProvider.tool("search_voc", query="installation delay", k=3),
        _fill_step(template),
        ScriptedProvider.text("Drafted."),
        ScriptedProvider.text("The draft is ready for review [T1]."),
    ]


@pytest.mark.parametrize("template", TEMPLATE_IDS)
def test_template_filled_from_demo_and_exported(
    template: str, demo_home: Path, tmp_path: Path
) -> None:
    provider = ScriptedProvider(_script(template))
    with Analyst.open(demo_home, provider=provider, checkpointer=InMemorySaver()) as analyst:
        answer = analyst.ask(f"Draft a {template.replace('_', ' ')} for our service team.")
        provider.assert_done()
        assert answer.verified, answer.verification
        [doc] = [c for c in answer.citations if c.id == "T1"]
        assert doc.found and doc.kind == "template" and doc.meta["template"] == template
        md = analyst.export(answer, tmp_path / "report.md").read_text(encoding="utf-8")
        html = analyst.export(answer, tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"# {load_template(template).title.en}" in md
    cited = set(re.findall(r"\[((?:Q|V:)[\w.-]+)", md.split("## Sources")[0]))
    listed = set(re.findall(r"^### \[([^\]]+)\]", md, flags=re.M))
    assert cited and cited <= listed, f"unresolved citations: {cited - listed}"
    assert "insufficient evidence" not in md.lower()
    assert len(re.findall(r"<h3>\[", html)) == len(listed) and "<h2>Sources</h2>" in html
