"""The language a question is answered in, and the language an answer is written in."""

from __future__ import annotations

import pytest

from servicelens.agent.conversation import language_of, prose_language


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("How many of the complaints against 一汽马自达 have reached 处理反馈?", "en"),
        ("What is the NPS of 大客户 accounts?", "en"),
        ("华东的SLA达成率跟二季度比如何？", "zh"),
        ("AC-X735自2026年3月起的首次修复率是多少？", "zh"),
        ("CSAT和NPS哪个高", "zh"),
        ("Spotify 客服回复用户时最常用的处理方式是什么？", "zh"),
        ("Which region had the worst SLA last quarter?", "en"),
    ],
)
def test_a_question_is_in_the_language_its_own_words_are_in(question: str, lang: str) -> None:
    """Chinese values named in an English question do not make it Chinese, nor English terms
    in a Chinese one make it English."""
    assert language_of(question) == lang


def test_an_answer_in_chinese_prose_around_english_names_is_chinese() -> None:
    text = "最多的标签是Provide URL：54 条；其次是Request email address via DM 25、Request username"
    assert prose_language(text) == "zh"
    assert prose_language("The most common label is Provide URL: 54 of 100 records.") == "en"
    # A table of Chinese names under English prose: the prose decides.
    table = "\n".join(f"| 一汽马自达{i}号车型 | {i} |" for i in range(12))
    prose = "By brand, 一汽马自达 has the most mentions of the word: 12 of 95 [Q2]."
    assert prose_language(f"{prose}\n\n{table}") == "en"
