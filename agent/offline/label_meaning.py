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
from ...data.glossary import Glossed, gloss
from .column_measures import same_word
from .meaning import candidate_phrases, words_of

# How closely a phrase must resemble a category name, and by how much it must lead the next
# name (measured on the labelled support-tweet export: paraphrases score 0.91–0.95 in
# English and lead by 0.03 or more; ordinary words of questions reach 0.90 with a lead
# below 0.02; Chinese phrases against English names score lower, so they need less).
ACCEPT = 0.885
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
        clearest: dict[str, float] = {}
        for score, _, _, value in accepted:
            clearest[value] = max(score, clearest.get(value, 0.0))
        for score, _, phrase, value in accepted:
            if score < clearest[value]:
                continue
            # A rival: a phrase as close to another category, not itself clearly named.
            rivals = [
                b for b in best
                if b[3] not in clearest and b[0] >= score and not _overlap(b[2], phrase)
                and _kin(b[2], _spelled_out(b[3]))
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


# Words of a category's name that say nothing of which one it is ("Request to not send …"), and
# those a question in Chinese often leaves unsaid ("让用户重启设备" for Request device restart).
_FILLER = frozenset(("to", "by", "via", "and", "the", "of", "a", "an", "or", "for", "not", "with"))
_UNSAID = frozenset(("request", "provide", "offer", "servicing"))
# What a joined handle's last word says of the account ("AppleSupport", "SpotifyCares"): its
# role, not its name, which a Chinese question says by the name alone.
_HANDLE_ROLES = frozenset(("support", "help", "cares", "care", "service", "team", "desk"))
# How many other words may stand between a name's words in the question.
_SLACK = 2


def glossed(text: str, values: list[str], skip: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, category) for each English category of ``values`` a Chinese question names
    word by word in Chinese (``data.glossary``): every telling word of the name said, close
    together; of two names said by the same words, the one that uses more of them. ``skip``
    holds words of the filters' values, never part of a name."""
    said = [g for g in gloss(text) if not any(w in skip for w in g.words)]
    hits: list[tuple[int, int, str, float]] = []
    for value in values:
        if _CJK.search(value):
            continue
        # "1 - Critical", "2. High": a rank number before the name is no word said (in Chinese).
        ranked = _RANKED.match(value) is not None
        for part, whole in _alternatives(_camel(_RANKED.sub("", value))):
            words = [w for w in re.findall(r"[a-z0-9]+", part.lower()) if w not in _FILLER]
            needed = [w for w in words if w not in _UNSAID] or words
            handle = part != value and len(needed) > 1 and needed[-1] in _HANDLE_ROLES
            if handle:
                needed = needed[:-1]  # "苹果" for the handle AppleSupport: its role is unsaid
            if not needed:
                continue
            unsaid = [w for w in words if w not in needed]
            # A name said whole outranks another name of which it is one alternative
            # ("信用卡" is Credit card where both it and "Credit card or prepaid card" exist).
            weight = len(needed) + (0.5 if whole else 0.0)
            for i in range(len(said)):
                j = _covered(said, i, needed)
                if j < 0:
                    continue
                # "要求用户告知 iOS 版本": the word left unsaid in other names is part of it
                # when said.
                first = next(
                    (k for k in range(max(0, i - _SLACK), i)
                     if any(same_word(u, w) for u in unsaid for w in said[k].words)),
                    i,
                )  # fmt: skip
                if (ranked or handle) and not _CJK.search(text[said[first].start : said[j].end]):
                    # "High" as written is matched exactly elsewhere, with its rank; "Apple"
                    # as written is read by the name's own letters.
                    continue
                hits.append((said[first].start, said[j].end, value, weight))
    kept = [
        h for h in hits
        if not any(o[3] > h[3] and o[0] <= h[0] < o[1] for o in hits)
    ]  # fmt: skip
    # "软件更新": a name said right before another one, with nothing between, modifies it
    # (Chinese names its thing last): the update is named, not the app.
    kept = [h for h in kept if not any(o[2] != h[2] and o[0] == h[1] for o in kept)]
    first_of: dict[str, tuple[int, int, str]] = {}
    for a, b, v, _ in sorted(kept):
        first_of.setdefault(v, (a, b, v))  # each name where it is first said
    return sorted(first_of.values())


_RANKED = re.compile(r"^\s*\d{1,2}\s*[-–.:)]\s*(?=[A-Za-z])")
_OR = re.compile(r"\s*,\s*or\s+|\s+or\s+|\s*,\s*|\s*/\s*", re.IGNORECASE)


def _alternatives(name: str) -> list[tuple[str, bool]]:
    """A name and, when it lists things joined by "or" ("Credit card or prepaid card",
    "Checking or savings account", "Payday loan, title loan, or personal loan"), each of them:
    one said names the category. A bare first word shares the last one's noun ("checking
    account"). The flag tells the whole name from one of its alternatives."""
    out = [(name, True)]
    if not re.search(r"\bor\b|/", name, re.IGNORECASE):
        return out
    parts = [p for p in _OR.split(name) if p.strip()]
    if len(parts) < 2:
        return out
    tail = parts[-1].split()
    for part in parts:
        if len(part.split()) == 1 and len(tail) > 1 and part is not parts[-1]:
            part = f"{part} {tail[-1]}"
        out.append((part, False))
    return out


def _camel(name: str) -> str:
    """A name written in joined capitalised words, apart ("AppleSupport" → "Apple Support"),
    when each part is a word of three letters or more ("iPhone" stays)."""
    parts = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    if parts != name and all(len(p) >= 3 for p in parts.split()):
        return parts
    return name


def _covered(said: list[Glossed], start: int, needed: list[str]) -> int:
    """The last glossed word, from ``start`` on, by which all ``needed`` are said (-1: not within
    reach)."""
    if not any(same_word(n, w) for n in needed for w in said[start].words):
        return -1
    left = list(needed)
    for j in range(start, min(len(said), start + len(needed) + _SLACK)):
        left = [n for n in left if not any(same_word(n, w) for w in said[j].words)]
        if not left:
            return j
    return -1
