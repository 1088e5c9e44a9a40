"""The offline analyst's one revision after verification: the sentences whose figures the
verifier could not support are dropped; when none with a cited figure is left, the answer says
so and declines instead of standing as an answer with nothing in it."""

from __future__ import annotations

from pathlib import Path

from servicelens.agent.offline import make_offline_provider
from servicelens.agent.providers.base import ModelTurn, TurnContext
from servicelens.agent.settings import load_settings
from servicelens.agent.workspace import Workspace


def _revise(demo_home: Path, draft: str, spans: tuple[str, ...], lang: str = "en") -> ModelTurn:
    ws = Workspace.open(load_settings(demo_home))
    provider = make_offline_provider(ws)
    messages = [
        {"role": "user", "content": "How many tickets were there?"},
        {"role": "assistant", "content": draft},
        {"role": "user", "content": "Revise."},
    ]
    context = TurnContext(question="How many tickets were there?", language=lang, unsupported=spans)
    return provider.complete(messages, None, context=context)


def test_a_revision_keeps_the_sentences_it_can_support(demo_home: Path) -> None:
    draft = "_Offline answer._\n\nThere were 120 tickets [Q1]. Of them 17 were late [Q1]."
    turn = _revise(demo_home, draft, ("17",))
    assert "There were 120 tickets [Q1]." in turn.text
    assert "17" not in turn.text and turn.status is None


def test_a_revision_that_leaves_no_figure_declines_and_says_why(demo_home: Path) -> None:
    draft = "_Offline answer._\n\nThe rate excluding 3 - Moderate was 47.4% [Q1]."
    turn = _revise(demo_home, draft, ("3",))
    assert "47.4" not in turn.text
    assert "could not be checked" in turn.text
    assert turn.status == "insufficient_data"
    zh = _revise(demo_home, "_离线回答。_\n\n比例为 47.4% [Q1]。", ("47.4",), lang="zh")
    assert "未能与证据核对" in zh.text and zh.status == "insufficient_data"


def test_a_span_is_dropped_where_written_not_inside_a_longer_number(demo_home: Path) -> None:
    draft = "_Offline answer._\n\nThere were 62,773 reviews [Q1]. Of them 2 were late [Q1]."
    turn = _revise(demo_home, draft, ("2",))
    assert "There were 62,773 reviews [Q1]." in turn.text and "Of them 2" not in turn.text
