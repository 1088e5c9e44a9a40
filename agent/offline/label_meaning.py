"""The export's own categories named in other words: "complained about the support" for Bad
Support, "ask people to DM" for Request DM, "让用户重启设备" for Request device restart.

Exact matching finds a category only by its name. When it finds none, the question's phrases
(1 to 4 words, the words exact matching used and the words of the filters' values left out)
are compared with the category names of the tables the question is about, with the
workspace's embedder. A category counts when a phrase resembles it closely and clearly more
than any other category; when another phrase of the question resembles a different category
as closely, the question is not read as naming either (nothing is guessed).
"""

from __future__ import annotations

import re
import threading

import numpy as np

from ...data.embeddings import Embedder
from .meaning import candidate_phrases, words_of

# How closely a phrase must resemble a category name, and by how much it must lead the next
# name (measured on the labelled support-tweet export: paraphrases score 0.91–0.95 in
# English and lead by 0.03 or more; ordinary words of questions reach 0.90 with a lead
# below 0.02; Chinese phrases against English names score lower, so they need less).
ACCEPT = 0.905
ACCEPT_CJK = 0.878
LEAD = 0.028
LEAD_CJK = 0.04
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z]{3,}")


class LabelMeaning:
    """Category names embedded on first use, for finding the ones a question names in other
    words; safe to share between threads."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def named(self, text: str, values: list[str], skip: set[str]) -> list[tuple[int, str]]:
        """(position in ``text``, category) for each category of ``values`` a phrase of
        ``text`` names in other words; ``skip`` holds words that name something else (the
        filters' values), never part of a phrase compared."""
        if len(values) < 2:
            return []
        names = np.stack([self._vector(v) for v in values])
        best: list[tuple[float, float, str, str]] = []
        for phrase in candidate_phrases(text):
            if not _worth(phrase, skip):
                continue
            sims = names @ self._query(phrase)
            order = np.argsort(-sims)
            top, second = float(sims[order[0]]), float(sims[order[1]])
            best.append((top, top - second, phrase, values[int(order[0])]))
        accepted = [b for b in best if _clear(b) and _kin(b[2], _spelled_out(b[3]))]
        for score, _, phrase, value in accepted:
            rivals = [
                b for b in best
                if b[3] != value and b[0] >= score and b not in accepted
                and not _overlap(b[2], phrase)
            ]  # fmt: skip
            if rivals:
                return []  # another category is named as closely: not a reading, a guess
        found: dict[str, tuple[int, float]] = {}
        for score, _, phrase, value in accepted:
            at = text.find(phrase)
            if value not in found or score > found[value][1]:
                found[value] = (at if at >= 0 else len(text), score)
        return sorted((at, value) for value, (at, _) in found.items())

    def _vector(self, value: str) -> np.ndarray:
        with self._lock:
            if value not in self._vectors:
                self._vectors[value] = self._query(_spelled_out(value))
            return self._vectors[value]

    def _query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32)


# Abbreviations support exports write category names with, spelled out beside them so that a
# question in plain words ("continue in a direct message") resembles the name ("Request DM").
_ABBREVIATIONS = {
    "DM": "direct message",
    "PM": "private message",
    "URL": "web link",
    "OS": "operating system",
    "FAQ": "frequently asked questions",
    "ETA": "expected arrival time",
    "KB": "knowledge base",
    "SLA": "service level agreement",
    "CSAT": "customer satisfaction",
    "NPS": "net promoter score",
}
_ABBREVIATION = re.compile(r"\b(" + "|".join(_ABBREVIATIONS) + r")\b")


def _spelled_out(name: str) -> str:
    """ "Request DM" → "Request DM (direct message)"."""
    said = [_ABBREVIATIONS[m.group(1)] for m in _ABBREVIATION.finditer(name)]
    return f"{name} ({', '.join(dict.fromkeys(said))})" if said else name


def _clear(entry: tuple[float, float, str, str]) -> bool:
    score, lead, phrase, _ = entry
    cjk = bool(_CJK.search(phrase))
    return score >= (ACCEPT_CJK if cjk else ACCEPT) and lead >= (LEAD_CJK if cjk else LEAD)


_STOP = words_of("the a an to of in on at for by and or with about their they them it is are")


def _kin(phrase: str, name: str) -> bool:
    """An English phrase shares a word with the name it resembles ("praised" and Service
    Praise, "ask people to dm" and Request DM): the embedding alone does not make a match
    ("agent" resembles Account). Chinese phrases of English names share none."""
    if _CJK.search(phrase):
        return True
    ours = {w[:4] for w in re.findall(r"[a-z]{2,}", phrase.lower()) if w not in _STOP}
    theirs = {w[:4] for w in re.findall(r"[a-z]{2,}", name.lower()) if w not in _STOP}
    return bool(ours & theirs)


def _worth(phrase: str, skip: set[str]) -> bool:
    """A phrase with a word of its own: not a number or a single Chinese character, and no word
    of the filters' values in it ("apple" when AppleSupport was read as the company)."""
    words = _LATIN_WORD.findall(phrase)
    if any(w in s or s in w for w in words for s in skip):
        return False
    cjk = "".join(_CJK.findall(phrase))
    if cjk and any(s in cjk for s in skip if _CJK.search(s)):
        return False
    return bool(words) or len(cjk) >= 2


def _overlap(a: str, b: str) -> bool:
    return a in b or b in a
