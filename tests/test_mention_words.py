"""The words a question counts in the texts, read from how it says them."""

from __future__ import annotations

import pytest

from servicelens.agent.offline.mention_words import mention_terms


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        # What was done is the thing named after the verb.
        (
            "How many consumers mention filing a police report in their narrative?",
            ["police report"],
        ),
        ("How many complaints mention getting a refund?", ["refund"]),
        ("How many mention filing?", ["filing"]),
        # A mention verb said again, negated or not, starts the next word.
        ("标题里既没提到发动机、也没提到变速箱的投诉有多少条？", ["发动机", "变速箱"]),
        ("提到了发动机又提到变速箱的投诉有多少？", ["发动机", "变速箱"]),
        ("提到发动机或者变速箱的投诉有多少？", ["发动机", "变速箱"]),
    ],
)
def test_terms_counted(question: str, terms: list[str]) -> None:
    assert mention_terms(question) == terms
