"""Bilingual lexicon sentiment with negation, for enrichment at ingest.

A text's score is the sum of the weights of the opinion words it contains, each flipped when a
negator stands just before it ("not happy", 不满意, "never again"). Longer Chinese terms are
matched first so that 不错 ("not bad" = good) is read as one positive word rather than as a
negated 错. The score is combined with a prior from the text's theme by the enricher; this module
knows nothing about themes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

_CLAUSE = re.compile(r"[,.;:!?，。；：！？\n]+|\bbut\b")
_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class Lexicon:
    en: dict[str, float]
    zh: dict[str, float]
    en_negators: frozenset[str]
    zh_negators: tuple[str, ...]
    zh_self_negated: frozenset[str]
    zh_pattern: re.Pattern[str]


@cache
def lexicon() -> Lexicon:
    """The shipped lexicon (``sentiment_lexicon.yaml``), loaded once."""
    raw = yaml.safe_load(
        resources.files(__package__).joinpath("sentiment_lexicon.yaml").read_text("utf-8")
    )
    zh = _weights(raw["zh"])
    # Longest first, so a term that contains another (不满意 vs 满意) wins where both match.
    pattern = re.compile("|".join(re.escape(t) for t in sorted(zh, key=len, reverse=True)))
    return Lexicon(
        en=_weights(raw["en"]),
        zh=zh,
        en_negators=frozenset(raw["en_negators"]),
        zh_negators=tuple(sorted(raw["zh_negators"], key=len, reverse=True)),
        zh_self_negated=frozenset(raw["zh_self_negated"]),
        zh_pattern=pattern,
    )


def _weights(groups: dict[float, list[str]]) -> dict[str, float]:
    return {word: float(weight) for weight, words in groups.items() for word in words}


def lexicon_score(text: str) -> float:
    """The summed polarity of opinion words in ``text``, negation applied; 0.0 means none."""
    return _english_score(text.lower()) + _chinese_score(text)


def _english_score(text: str) -> float:
    # Negation does not reach across a clause boundary ("never again, terrible service").
    clauses = _CLAUSE.split(text.replace("\u2019", "'"))
    return sum(_english_clause_score(_EN_WORD.findall(c)) for c in clauses)


def _english_clause_score(words: list[str]) -> float:
    lex = lexicon()
    score = 0.0
    for i, word in enumerate(words):
        weight = lex.en.get(word)
        if weight is None and i + 1 < len(words):
            weight = lex.en.get(f"{word} {words[i + 1]}")
        if weight is None:
            continue
        # A negator within the three words before flips the word ("not very good", "not bad").
        window = words[max(0, i - 3) : i]
        negated = any(w in lex.en_negators or w.endswith("n't") for w in window)
        score += -weight * 0.8 if negated else weight
    return score


def _chinese_score(text: str) -> float:
    lex = lexicon()
    score = 0.0
    for match in lex.zh_pattern.finditer(text):
        term = match.group(0)
        weight = lex.zh[term]
        before = text[max(0, match.start() - 3) : match.start()]
        negated = term not in lex.zh_self_negated and before.endswith(lex.zh_negators)
        score += -weight * 0.8 if negated else weight
    return score
