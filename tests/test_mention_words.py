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
        # A quoted word listed after an aside in brackets is counted too.
        (
            'Count tweets containing "thank" (thanks, thank you and so on) or "thx".',
            ["thank", "thx"],
        ),
        # Said with 点名 ("named as").
        ("其中点名是韩泰的有几条？", ["韩泰"]),
    ],
)
def test_terms_counted(question: str, terms: list[str]) -> None:
    assert mention_terms(question) == terms


def test_a_typo_of_a_name_of_several_words_is_a_typo_of_each_word() -> None:
    # "number of such" shares most letters with "number of echo", but "such" is another word.
    from servicelens.agent.offline.slots import _fuzzy_hit

    assert _fuzzy_hit("number of echo", " give me the number of such tweets ") is None
    assert _fuzzy_hit("first contact resolution", " the frist contact resolution rate ") == 5
