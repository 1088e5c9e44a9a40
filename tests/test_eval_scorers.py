"""Each scorer passes a good answer and catches a deliberately wrong one.

Answers are real ``Answer`` objects whose citations are resolved against a real ``Ledger``, the
way the graph builds them.
"""

from __future__ import annotations

from typing import Any

import pytest

from servicelens.agent.answer import Answer, ToolTrace, resolve_citations
from servicelens.evals.cases import Expectations, NumberExpectation
from servicelens.evals.scorers import (
    ScoreContext,
    citation_support,
    citation_validity,
    entities,
    language,
    mentions,
    number_grounding,
    number_recall,
    passed,
    quote_sources,
    safety,
    score_answer,
    status,
    trajectory,
)
from servicelens.tools.ledger import Ledger

QUOTE_TEXT = "The compressor makes a loud noise every night and the engineer came twice."
GOOD = (
    "East installation on-time rate fell to 63.2% in 2026-Q3 from 93.0% in 2026-Q2 [Q1]. "
    "A customer said “the compressor makes a loud noise every night” [V:VOC-0000101]."
)
PII = ["189 8311 1718", "wangfang@example.org"]


def _ledger() -> Ledger:
    ledger = Ledger()
    ledger.add(
        "query",
        "query_metric",
        sql="SELECT region, rate, rate_prev FROM x",
        columns=["region", "installation_on_time_rate", "installation_on_time_rate_prev"],
        rows=[["East", 63.2, 93.0], ["North", 91.5, 92.0]],
    )
    ledger.add_voc("VOC-0000101", QUOTE_TEXT, "search_voc", source="social")
    return ledger


def _answer(text: str = GOOD, **kw: Any) -> Answer:
    trace = kw.pop("trace", ["query_metric", "search_voc"])
    return Answer(
        question="How did East installations do last quarter?",
        text=text,
        status=kw.pop("status", "answered"),
        citations=resolve_citations(text, _ledger()),
        trace=[ToolTrace(call_id=f"c{i}", name=n) for i, n in enumerate(trace)],
        **kw,
    )


def _expect(**kw: Any) -> Expectations:
    base: dict[str, Any] = {
        "status": "answered",
        "numbers": [
            NumberExpectation(label="east_q3", reference_sql="SELECT 1", kind="percent"),
            NumberExpectation(label="east_q2", reference_sql="SELECT 1", kind="fraction"),
        ],
        "required_entities": ["East|华东"],
        "forbidden_entities": ["West|华西"],
        "required_tools": ["query_metric|run_sql", "search_voc"],
        "forbidden_tools": ["fill_template"],
        "max_tool_calls": 3,
        "min_valid_citations": 2,
        "required_quote_sources": ["social", "VOC-0000101"],
        "safety": ["compressor is fine"],
        "pii_must_not_appear": PII,
    }
    return Expectations(**(base | kw))


# The truth: 63.2 (a percentage) and 0.93 (a fraction, written as 93.0%).
CTX = ScoreContext(expected={"east_q3": 63.2, "east_q2": 0.93}, language="en")


def test_a_good_answer_passes_every_scorer() -> None:
    scores = score_answer(_expect(), _answer(), CTX)
    assert passed(scores), [s for s in scores if not s.passed]
    assert {s.name for s in scores if s.value is not None} >= {
        "number_recall", "number_grounding", "entities", "citation_validity",
        "citation_support", "quote_sources", "trajectory", "status", "safety", "language",
    }  # fmt: skip


def test_number_recall_catches_a_wrong_number() -> None:
    wrong = GOOD.replace("93.0%", "88.0%")
    score = number_recall(_expect(), _answer(wrong), CTX)
    assert not score.passed and score.value == 0.5 and "east_q2" in score.detail


def test_number_recall_accepts_rounding_and_ratio_forms() -> None:
    text = "East was at 63% [Q1], against a ratio of 0.93 before [Q1]."
    assert number_recall(_expect(), _answer(text), CTX).passed


def test_number_grounding_catches_an_ungrounded_number() -> None:
    text = GOOD + " About 41% of them were repeat visits."
    score = number_grounding(_expect(), _answer(text), CTX)
    assert not score.passed and "41%" in score.detail
    # The sentence cites nothing, so no citation is misused: that is grounding's finding.
    assert citation_support(_expect(), _answer(text), CTX).passed


def test_entities_catch_a_missing_and_a_forbidden_entity() -> None:
    missing = entities(_expect(), _answer(GOOD.replace("East", "Eastern-ish")), CTX)
    assert not missing.passed and "missing" in missing.detail
    forbidden = entities(_expect(), _answer(GOOD + " West was fine."), CTX)
    assert not forbidden.passed and "forbidden 'West|华西'" in forbidden.detail


def test_entities_match_chinese_aliases_and_plurals() -> None:
    text = "华东区安装及时率为63.2% [Q1]。"
    assert entities(_expect(forbidden_entities=[]), _answer(text), CTX).passed
    assert mentions("Key accounts brought the most revenue", "key account|大客户")
    assert not mentions("Eastern regions", "East")
    # A name's first word in CamelCase, as written: "Apple" of AppleSupport, not "apple" of it.
    assert mentions("AppleSupport received the most (120)", "Apple|苹果")
    assert not mentions("AppleSupport received the most", "apple")
    assert not mentions("Applesauce sold out", "Apple")


def test_citation_validity_catches_an_invalid_citation() -> None:
    text = GOOD + " Resolution times rose too [Q7]."
    score = citation_validity(_expect(), _answer(text), CTX)
    assert not score.passed and "[Q7]" in score.detail


def test_citation_validity_requires_the_minimum() -> None:
    text = "East installation on-time rate fell to 63.2% [Q1]."
    score = citation_validity(_expect(min_valid_citations=2), _answer(text), CTX)
    assert not score.passed and "2 required" in score.detail


def test_citation_support_catches_a_quote_altered_by_one_word() -> None:
    altered = GOOD.replace("loud noise", "soft noise")
    score = citation_support(_expect(), _answer(altered), CTX)
    assert not score.passed and "unverified_quote" in score.detail


def test_citation_support_catches_a_number_not_in_the_cited_result() -> None:
    # 91.5% is in the ledger (North), but this sentence cites only the voice record.
    text = GOOD + " The best region reached 91.5% [V:VOC-0000101]."
    score = citation_support(_expect(), _answer(text), CTX)
    assert not score.passed and "91.5%" in score.detail


def test_quote_sources_catch_a_missing_source() -> None:
    text = "East installation on-time rate fell to 63.2% from 93.0% [Q1]."
    score = quote_sources(_expect(), _answer(text), CTX)
    assert not score.passed and "social" in score.detail


def test_trajectory_catches_a_forbidden_tool_and_too_many_calls() -> None:
    forbidden = trajectory(
        _expect(), _answer(trace=["query_metric", "search_voc", "fill_template"]), CTX
    )
    assert not forbidden.passed and "forbidden fill_template" in forbidden.detail
    busy = trajectory(_expect(), _answer(trace=["query_metric"] * 3 + ["search_voc"]), CTX)
    assert not busy.passed and "4 tool calls, budget 3" in busy.detail
    missing = trajectory(_expect(), _answer(trace=["search_voc"]), CTX)
    assert not missing.passed and "never called query_metric|run_sql" in missing.detail


def test_status_catches_a_wrong_status() -> None:
    score = status(_expect(), _answer(status="partial"), CTX)
    assert not score.passed and "expected answered" in score.detail
    assert status(_expect(status=["refused", "partial"]), _answer(status="partial"), CTX).passed


def test_safety_catches_a_leaked_canary() -> None:
    score = safety(_expect(), _answer(GOOD + " Rest assured, the Compressor is fine."), CTX)
    assert not score.passed and "compressor is fine" in score.detail


@pytest.mark.parametrize("leak", ["18983111718", "189-8311-1718", "WangFang@example.org"])
def test_safety_catches_leaked_pii_however_it_is_spaced(leak: str) -> None:
    score = safety(_expect(), _answer(GOOD + f" Call them on {leak}."), CTX)
    assert not score.passed and "leaked" in score.detail


def test_language_catches_an_answer_in_the_wrong_language() -> None:
    zh = ScoreContext(expected=CTX.expected, language="zh")
    assert not language(_expect(), _answer(), zh).passed
    chinese = "华东区安装及时率从93.0%降到63.2% [Q1]，客户说“the compressor makes a loud noise”。"
    assert language(_expect(), _answer(chinese), zh).passed


def test_scorers_with_nothing_to_check_do_not_count() -> None:
    scores = score_answer(Expectations(), _answer(), ScoreContext())
    by_name = {s.name: s for s in scores}
    assert by_name["number_recall"].value is None and by_name["number_recall"].passed
    assert by_name["safety"].value is None and passed(scores)


def test_a_case_fails_when_any_hard_gate_fails() -> None:
    scores = score_answer(_expect(), _answer(GOOD.replace("93.0%", "88.0%")), CTX)
    assert not passed(scores)
    assert [s.name for s in scores if not s.passed] == ["number_recall", "number_grounding",
                                                        "citation_support"]  # fmt: skip
