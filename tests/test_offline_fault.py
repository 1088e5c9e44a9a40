"""A fault inside the offline reading of one question: the user hears that this question could
not be read (in the question's language) and the conversation goes on; an eval run fails that
case and runs the others. The fault is injected into the reading step, the only way to reach
this path once the faults found are fixed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.agent.offline.understand import Understander
from servicelens.evals.cases import GOLDEN_DIR, load_cases
from servicelens.evals.runner import RunOptions, run_eval

_TRIGGER = "ZZFAULT"


def _raise_on_trigger(
    monkeypatch: pytest.MonkeyPatch, owner: type, method: str, fault: Exception
) -> None:
    """``owner.method`` raises ``fault`` for a question holding the trigger word."""
    real = getattr(owner, method)

    def faulty(self: object, question: str, *args: object, **kw: object) -> object:
        if _TRIGGER in question:
            raise fault
        return real(self, question, *args, **kw)

    monkeypatch.setattr(owner, method, faulty)


def test_a_fault_in_the_reading_is_a_clear_answer_and_the_thread_goes_on(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _raise_on_trigger(monkeypatch, Understander, "understand", KeyError("a fault in the reading"))
    with Analyst.open(demo_home, provider="offline", checkpointer=InMemorySaver()) as analyst:
        with caplog.at_level(logging.ERROR):
            broken = analyst.ask(f"How many tickets {_TRIGGER} last quarter?", thread_id="t")
        assert broken.status == "refused"
        assert "could not read this question" in broken.text and "internal error" in broken.text
        assert any("could not read a question" in r.message for r in caplog.records)
        zh = analyst.ask(f"上季度{_TRIGGER}工单有多少？", thread_id="z")
        assert zh.status == "refused" and "无法读懂这个问题" in zh.text
        after = analyst.ask("How many tickets were there last quarter?", thread_id="t")
        assert after.status == "answered" and after.citations


def test_an_eval_case_that_raises_fails_alone(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = load_cases([GOLDEN_DIR / "smoke_scripted.yaml"])[:2]
    broken = cases[0].model_copy(update={"question": f"{cases[0].question} {_TRIGGER}"})
    _raise_on_trigger(monkeypatch, Analyst, "ask", RuntimeError("a fault outside the reading"))
    run = run_eval([broken, cases[1]], RunOptions(home=demo_home, provider="offline"))
    first, second = (r.runs[0] for r in run.results)
    assert first.error == "RuntimeError: a fault outside the reading" and not first.passed
    assert second.error is None and second.turns
