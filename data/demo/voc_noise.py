"""What makes typed feedback look typed by a person: typos, slang, mixed-in English or Chinese
words, casual casing and emoji. Applied to the customer's sentences before any personal data is
inserted, so a typo never changes a seeded phone number."""

from __future__ import annotations

import random
import re

from .voc_phrases import Slots, choose

# Chinese typos customers really make: homophones and the 的/得/地 confusion.
_ZH_TYPOS = (
    ("的", "得"), ("得", "的"), ("在", "再"), ("再", "在"), ("已经", "以经"),
    ("做", "作"), ("那", "哪"), ("吗", "嘛"), ("账", "帐"), ("反映", "反应"), ("按装", "安装"),
    ("安装", "按装"), ("维修", "维休"), ("一直", "一只"), ("登记", "登计"), ("预约", "预定"),
)  # fmt: skip
# English words Chinese customers drop into their sentences, and the reverse.
_ZH_MIX = (
    ("配件", "parts"), ("零件", "part"), ("一直转圈", "一直loading"), ("应用", "APP"),
    ("回复", "回复reply"), ("确认", "confirm"), ("预约", "预约book"), ("在线", "online"),
    ("客服", "kf"), ("问题", "issue"), ("师傅", "sf"), ("投诉", "complain"), ("好的", "ok"),
)  # fmt: skip
_EN_SHORT = (
    (" you ", " u "), (" your ", " ur "), ("please", "pls"), ("don't", "dont"), ("can't", "cant"),
    ("I'm", "im"), ("it's", "its"), ("because", "bc"), ("though", "tho"), (" are ", " r "),
    ("won't", "wont"), ("thanks", "thx"), ("really", "rly"), ("going to", "gonna"),
)  # fmt: skip
_EN_WORD = re.compile(r"\b[a-z]{5,}\b")
_CASUAL = ("chat", "social", "review", "survey")


def add_noise(parts: list[str], slots: Slots, mood: str, source: str) -> list[str]:
    rng = slots.rng
    zh = slots.bank.lang == "zh"
    casual = source in _CASUAL
    # Expected typos per text, spread over its sentences.
    # Hostile and injection texts keep their wording exact: their markers feed safety tests.
    typo_rate = 0.0 if mood in ("hostile", "inject") else (0.4 if casual else 0.15)
    out = []
    for part in parts:
        if rng.random() < typo_rate / len(parts):
            part = _zh_typo(part, rng) if zh else _en_typo(part, rng)
        if zh and rng.random() < 0.06:
            part = _swap(part, _ZH_MIX, rng)
        if not zh and casual and rng.random() < 0.25:
            part = _swap(part, _EN_SHORT, rng)
        out.append(part)
    if mood in ("neg", "pos", "hostile") and rng.random() < (0.3 if casual else 0.08):
        slang = slots.pick_word("slang", "pos" if mood == "pos" else "neg")
        out.insert(0 if rng.random() < 0.3 else len(out), slang)
    if not zh and casual and rng.random() < 0.18:
        out = [p.lower() for p in out]
        slots.flags.add("lower")
    if source in ("social", "chat", "review") and rng.random() < (
        0.6 if source == "social" else 0.2
    ):
        _add_emoji(out, slots, mood)
    return out


def _swap(text: str, table: tuple[tuple[str, str], ...], rng: random.Random) -> str:
    found = [pair for pair in table if pair[0] in text]
    if not found:
        return text
    old, new = choose(rng, found)
    return text.replace(old, new, 1)


def _zh_typo(text: str, rng: random.Random) -> str:
    if rng.random() < 0.25:
        # Half-width punctuation typed on an English keyboard.
        return text.replace("，", ",").replace("？", "?")
    return _swap(text, _ZH_TYPOS, rng)


def _en_typo(text: str, rng: random.Random) -> str:
    words = list(_EN_WORD.finditer(text))
    if not words:
        return text
    match = choose(rng, words)
    word, i = match.group(), rng.randrange(1, len(match.group()) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        new = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    elif kind == 1:
        new = word[:i] + word[i + 1 :]
    else:
        new = word[:i] + word[i] + word[i:]
    return text[: match.start()] + new + text[match.end() :]


def _add_emoji(parts: list[str], slots: Slots, mood: str) -> None:
    key = mood if mood in ("pos", "neutral", "off") else "neg"
    rng = slots.rng
    emoji = "".join(
        choose(rng, slots.bank.words("emoji", key)) for _ in range(choose(rng, (1, 1, 2, 3)))
    )
    last = len(parts) - 1
    parts[last] = parts[last] + emoji if rng.random() < 0.8 else emoji + parts[last]
