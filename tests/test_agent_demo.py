"""End to end on the demo workspace: real tools, real openai client, fake endpoint on loopback."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.agent.answer import Answer
from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply

INSTALLS = {
    "metrics": ["ticket_count"],
    "filters": {"type": "installation"},
    "period": "last quarter",
    "compare": "previous",
}


def _tool_payloads(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(m["content"]) for m in request["messages"] if m["role"] == "tool"]


def _ask(home: Path, script: Sequence[Any], question: str) -> tuple[Answer, FakeOpenAIEndpoint]:
    with FakeOpenAIEndpoint(script) as ep:
        analyst = Analyst.open(
            home,
            provider="openai",
            checkpointer=InMemorySaver(),
            openai_base_url=ep.base_url,
            openai_api_key="test-key",
            max_retries=0,
        )
        with analyst:
            return analyst.ask(question), ep


def _installs_answer(template: str) -> Any:
    def reply(request: dict[str, Any]) -> FakeReply:
        [payload] = _tool_payloads(request)
        cur, prev, _delta, pct = payload["rows"][0][:4]
        return FakeReply.say(template.format(cur=cur, prev=prev, pct=pct, id=payload["id"]))

    return reply


@pytest.mark.slow
def test_metric_question_on_demo(demo_home: Path) -> None:
    script = [
        FakeReply.tool("query_metric", INSTALLS),
        FakeReply.say("Have the comparison."),
        _installs_answer(
            "Installation tickets rose to {cur} last quarter from {prev} the quarter before, "
            "up {pct}% [{id}]. Recommended: add installers in the East."
        ),
    ]
    answer, ep = _ask(demo_home, script, "How did installation tickets change last quarter?")
    assert ep.remaining == 0 and answer.status == "answered" and answer.verified, (
        answer.verification
    )
    assert answer.period and answer.period.label == "2026-Q3"
    [citation] = answer.citations
    assert citation.sql and citation.meta["filters"] == {"type": ["installation"]}
    assert answer.data_version.warehouse and answer.data_version.index


@pytest.mark.slow
def test_chinese_metric_question_on_demo(demo_home: Path) -> None:
    script = [
        FakeReply.tool("query_metric", {**INSTALLS, "period": "上季度"}),
        FakeReply.say("好"),
        _installs_answer("上季度安装工单为 {cur} 张，上一季度为 {prev} 张，增长 {pct}% [{id}]。"),
    ]
    answer, ep = _ask(demo_home, script, "上季度安装工单比前一季度增加了多少？")
    assert answer.language == "zh" and answer.verified, answer.verification
    assert "Chinese" in ep.chat_requests[2].json["messages"][0]["content"]


@pytest.mark.slow
def test_voc_question_on_demo(demo_home: Path) -> None:
    def quote(request: dict[str, Any]) -> FakeReply:
        text = json.dumps(_tool_payloads(request), ensure_ascii=False)
        first = json.loads(text)[0]
        hit = next(q for q in first["quotes"] if len(q["customer_text"].split()) >= 6)
        words = " ".join(hit["customer_text"].split()[:6])
        return FakeReply.say(f"One customer wrote “{words}” [{hit['id']}].")

    script = [
        FakeReply.tool("search_voc", {"query": "installation delay", "period": "last quarter"}),
        FakeReply.say("Found quotes."),
        quote,
    ]
    answer, _ = _ask(demo_home, script, "What do customers say about installation delays?")
    assert answer.verified, answer.verification
    [citation] = answer.citations
    assert citation.kind == "voc" and citation.quote and citation.date
