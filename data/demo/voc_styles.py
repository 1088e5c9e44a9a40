"""The framing each feedback source puts around a customer's sentences: call transcripts with
agent turns and fillers, chat turns, e-mails with subject and signature, social posts with
handles and hashtags, survey comments after a score, and reviews with stars."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable

from .voc_phrases import Slots, choose

# End marks a person types between sentences and at the end, by mood; one is drawn per sentence.
_ZH_MID = {
    "neg": "。。！，，，～",
    "pos": "。！，，～~",
    "hostile": "！！!。，",
    "inject": "。。\n",
}
_ZH_FINAL = {"neg": "。。！！…", "pos": "。！！~", "hostile": "！！!", "inject": "。\n"}
_EN_MID = {"neg": "...!,", "pos": ".!!..", "hostile": "!!!.", "inject": "..\n"}
_EN_FINAL = {"neg": "..!!!", "pos": ".!!..", "hostile": "!!!.", "inject": ".."}
_CLAUSE = re.compile(r"[，,。.!！?？;；]")
_CLOSED = frozenset('。！？!?.~～，,：:;；…)）】」\n]"”>')


def join(parts: list[str], slots: Slots, mood: str) -> str:
    """Sentences joined with end marks a person would type: varied, sometimes none at the end."""
    rng, zh = slots.rng, slots.bank.lang == "zh"
    mid = (_ZH_MID if zh else _EN_MID).get(mood, "。，" if zh else "..")
    final = (_ZH_FINAL if zh else _EN_FINAL).get(mood, "。" if zh else ".")
    capital = not zh and "lower" not in slots.flags
    out: list[str] = []
    last = len(parts) - 1
    for i, part in enumerate(parts):
        if not part:
            continue
        if capital and part[0].islower() and (not out or out[-1][-1] in ".!?\n"):
            part = part[0].upper() + part[1:]
        if part[-1] not in _CLOSED and ord(part[-1]) < 0x1F000:
            if i < last:
                part += choose(rng, mid)
            elif rng.random() < 0.7:
                part += "！！" if zh and rng.random() < 0.1 else choose(rng, final)
        out.append(part)
    return ("" if zh else " ").join(out).replace("\n ", "\n")


def _spoken(filler: str, text: str) -> str:
    # After a filler the sentence continues: "uh, the compressor..." but "uh, I think...".
    if filler and len(text) > 1 and text[1].islower():
        return filler + text[0].lower() + text[1:]
    return filler + text


def _call(parts: list[str], slots: Slots, mood: str, topic: str, size: str) -> str:
    rng = slots.rng
    cust, agent = choose(rng, slots.bank.choices("styles", "call", "labels"))
    cust, agent = "".join(cust), "".join(agent)
    pick = slots.pick_word
    # Some recordings start when the customer is already talking.
    opening = pick("styles", "call", "agent_open") if rng.random() < 0.8 else ""
    turns = [(agent, opening)] if opening else [(cust, pick("styles", "call", "cust_open"))]
    body = list(parts)
    first = body[: choose(rng, (1, 1, 2))]
    turns.append((cust, _spoken(pick("styles", "call", "filler"), join(first, slots, mood))))
    rest = body[len(first) :]
    if rng.random() < 0.6:
        # A probe and the answers that fit it: "which model?" is answered with the model.
        probe, *answers = choose(rng, slots.bank.groups("styles", "call", "qa"))
        turns.append((agent, slots.fill(probe)))
        turns.append((cust, pick("styles", "call", "filler") + slots.fill(choose(rng, answers))))
    while rest:
        n = choose(rng, (1, 1, 2))
        chunk, rest = rest[:n], rest[n:]
        turns.append((cust, _spoken(pick("styles", "call", "filler"), join(chunk, slots, mood))))
        if rest and rng.random() < 0.5:
            turns.append((agent, pick("styles", "call", "agent_ack")))
    turns.append((agent, pick("styles", "call", "agent_close")))
    if rng.random() < 0.6:
        turns.append((cust, pick("styles", "call", "cust_close")))
    colon = "：" if slots.bank.lang == "zh" and rng.random() < 0.8 else ": "
    if rng.random() < 0.3:
        return "\n".join(
            f"[{stamp}] {who}{colon}{said}" for stamp, (who, said) in _stamps(turns, rng)
        )
    sep = "\n" if rng.random() < 0.85 else " "
    return sep.join(f"{who}{colon}{said}" for who, said in turns)


def _stamps(turns: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, tuple[str, str]]]:
    # Recording offsets as a transcription service writes them, advancing with turn length.
    second = rng.randint(0, 9)
    out = []
    for turn in turns:
        out.append((f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}", turn))
        second += 2 + len(turn[1]) // 4 + rng.randint(0, 6)
    return out


def _chat(parts: list[str], slots: Slots, mood: str, topic: str, size: str) -> str:
    rng = slots.rng
    lines = [join([p], slots, mood) for p in parts]
    if rng.random() < 0.5:
        return "\n".join(lines) if rng.random() < 0.6 else join(parts, slots, mood)
    cust, agent = slots.pick_word("styles", "chat", "labels").split("|")
    turns = (
        [f"{agent}：{slots.pick_word('styles', 'chat', 'agent_open')}"]
        if rng.random() < 0.5
        else []
    )
    for i, line in enumerate(lines):
        turns.append(f"{cust}：{line}")
        if i == 0 and len(lines) > 1 and rng.random() < 0.5:
            turns.append(f"{agent}：{slots.pick_word('styles', 'chat', 'agent_ack')}")
    text = "\n".join(turns)
    return text if slots.bank.lang == "zh" else text.replace("：", ": ")


def _email(parts: list[str], slots: Slots, mood: str, topic: str, size: str) -> str:
    rng = slots.rng
    pick = slots.pick_word
    head = pick("styles", "email", "subject_label") + _subject(parts, slots, topic)
    cut = sorted(rng.sample(range(1, len(parts)), min(len(parts) - 1, choose(rng, (0, 1, 2)))))
    bounds = [0, *cut, len(parts)]
    paragraphs = [join(parts[a:b], slots, mood) for a, b in itertools.pairwise(bounds)]
    blocks = [head, pick("styles", "email", "greeting"), *paragraphs]
    if rng.random() < 0.8:
        blocks.append(
            pick("styles", "email", "closing") + "\n" + pick("styles", "email", "signature")
        )
    return "\n\n".join(b for b in blocks if b) if rng.random() < 0.7 else "\n".join(blocks)


def _subject(parts: list[str], slots: Slots, topic: str) -> str:
    # People title an e-mail with a stock phrase, the start of their complaint, or nothing.
    roll = slots.rng.random()
    if roll < 0.45 and slots.bank.has("topics", topic, "subject"):
        return slots.pick_word("topics", topic, "subject")
    if roll < 0.9:
        clipped = _CLAUSE.split(max(parts, key=len), maxsplit=1)[0]
        if slots.bank.lang == "zh":
            return clipped[:18]
        words = clipped.split()
        return " ".join(words[: 4 + int(slots.rng.random() * 5)]).capitalize()
    return slots.pick_word("styles", "email", "subject_generic")


def _social(parts: list[str], slots: Slots, mood: str, topic: str, size: str) -> str:
    rng = slots.rng
    text = join(parts, slots, mood)
    handle = slots["handle"]
    roll = rng.random()
    if roll < 0.35:
        text = f"{handle} {text}"
    elif roll < 0.6:
        text = f"{text} {handle}"
    key = {"neg": "neg", "hostile": "neg", "pos": "pos"}.get(mood, "other")
    tags = slots.bank.words("styles", "social", "hashtag", key)
    if rng.random() < 0.55:
        text += " " + " ".join(rng.sample(tags, choose(rng, (1, 1, 2))))
    return text


def _survey(parts: list[str], slots: Slots, mood: str, topic: str, size: str) -> str:
    rng = slots.rng
    scale = choose(rng, (5, 10))
    if mood in ("pos",):
        score = scale if rng.random() < 0.7 else scale - 1
    elif mood in ("neutral", "off", "inject"):
        score = rng.randint(scale // 2, scale - 1)
    else:
        score = rng.randint(0 if scale == 10 else 1, scale // 4 + 1)
    slots["score"], slots["scale"] = str(score), str(scale)
    lead = slots.pick_word("styles", "survey", "lead") if rng.random() < 0.75 else ""
    return lead + join(parts, slots, mood)


def _review(parts: list[str], slots: Slots, mood: str, topic: str, size: str) -> str:
    rng = slots.rng
    stars = {"pos": 5, "neutral": 3, "off": 3, "inject": 2}.get(mood, 1)
    stars = max(1, min(5, stars + choose(rng, (0, 0, 0, -1, 1))))
    slots["stars"] = "★" * stars + "☆" * (5 - stars)
    slots["n"] = str(stars)
    lead = slots.pick_word("styles", "review", "lead")
    body = join(parts, slots, mood)
    if size in ("medium", "long") and rng.random() < 0.4:
        body = slots.pick_word("styles", "review", "title") + "\n" + body
    return lead + body


_STYLES: dict[str, Callable[[list[str], Slots, str, str, str], str]] = {
    "call": _call,
    "chat": _chat,
    "email": _email,
    "social": _social,
    "survey": _survey,
    "review": _review,
}


def wrap(source: str, parts: list[str], slots: Slots, mood: str, topic: str, size: str) -> str:
    return _STYLES[source](parts, slots, mood, topic, size)
