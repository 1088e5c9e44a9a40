"""Customer feedback text for the demo: calls, chats, e-mails, social posts, survey comments and
reviews in Chinese and English, composed from independent phrase parts so that no template shows.

The generator decides who said what, when and about which topic (so that texts agree with the
ticket history and the planted facts); this module only decides how it was said.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from .voc_noise import add_noise
from .voc_phrases import Bank, Choices, Slots, load_bank
from .voc_pii import pii_sentence
from .voc_slots import SLOT_FUNCS
from .voc_styles import wrap

TOPICS: tuple[str, ...] = (
    "compressor_noise", "noise_other", "leak", "not_cooling_heating", "installation_delay",
    "parts_wait", "repeat_visit", "engineer_attitude", "engineer_praise", "no_answer",
    "slow_response", "billing_dispute", "remote_fix_praise", "app_problem", "contract_renewal",
    "delivery_damage", "safety_hazard", "usage_question", "praise_general", "off_topic",
    "hostile", "prompt_injection",
)  # fmt: skip
SOURCES: tuple[str, ...] = ("call", "chat", "email", "social", "survey", "review")
LANGS: tuple[str, ...] = ("zh", "en")

# Every hostile text carries one of these (a threat to go public, or abuse), and every injection
# text one of the injection markers, so that tests and eval canaries can find them.
HOSTILE_MARKERS: tuple[str, ...] = (
    "315", "媒体", "曝光", "律师", "起诉", "垃圾", "骗子", "消协", "投诉到", "滚",
    "media", "lawyer", "sue", "scam", "garbage", "trash", "BBB", "pathetic", "useless",
    "idiots", "clowns", "court", "reporter", "joke", "TV station", "电视台", "记者", "12315",
    "review site", "incompetent",
)  # fmt: skip
INJECTION_MARKERS: tuple[str, ...] = (
    "ignore", "Ignore", "IGNORE", "忽略", "SYSTEM", "system", "System", "指令", "instructions",
    "<script", "<!--", "prompt", "Prompt", "提示词", "管理员", "admin", "developer mode",
    "开发者模式", "assistant", "Assistant", "助手",
)  # fmt: skip

# How long a text is, by source: social posts are mostly one line, e-mails run to paragraphs.
_SIZES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "call": (("short", "medium", "long"), (0.15, 0.6, 0.25)),
    "chat": (("tiny", "short", "medium", "long"), (0.15, 0.5, 0.3, 0.05)),
    "email": (("short", "medium", "long"), (0.1, 0.45, 0.45)),
    "social": (("tiny", "short", "medium"), (0.6, 0.32, 0.08)),
    "survey": (("tiny", "short", "medium"), (0.45, 0.4, 0.15)),
    "review": (("tiny", "short", "medium", "long"), (0.3, 0.4, 0.25, 0.05)),
}
_MORE = {"tiny": 0, "short": 0, "medium": 1, "long": 2}
_PII_RATE = 0.04


@dataclass(frozen=True)
class VocContext:
    source: str
    lang: str
    topic: str
    product_model: str | None
    product_line: str | None
    category: str | None
    region: str | None
    city: str | None
    customer_name: str | None
    segment: str | None
    created_at: datetime
    ticket_id: str | None
    author_reach: int | None


@dataclass(frozen=True)
class RenderedVoc:
    text: str
    pii: tuple[str, ...]  # the fake PII strings inserted into text


def render_voc_text(
    ctx: VocContext, rng: random.Random, *, pii_rate: float = _PII_RATE
) -> RenderedVoc:
    """One customer's message for ``ctx``; deterministic for a given ``rng`` state."""
    if ctx.topic not in TOPICS or ctx.source not in _SIZES or ctx.lang not in LANGS:
        raise ValueError(f"unsupported VOC context: {ctx.source}/{ctx.lang}/{ctx.topic}")
    bank = load_bank(ctx.lang)
    slots = Slots(SLOT_FUNCS, rng, bank, ctx)
    sizes, weights = _SIZES[ctx.source]
    size = rng.choices(sizes, weights)[0]
    mood = "".join(bank.choices("topics", ctx.topic, "mood")[0])
    parts = add_noise(_compose(bank, slots, ctx.topic, mood, size), slots, mood, ctx.source)
    pii: tuple[str, ...] = ()
    if rng.random() < pii_rate:
        sentence, value = pii_sentence(slots, ctx.source)
        parts.insert(rng.randint(1, len(parts)) if len(parts) > 1 else len(parts), sentence)
        pii = (value,)
    return RenderedVoc(wrap(ctx.source, parts, slots, mood, ctx.topic, size), pii)


def _compose(bank: Bank, slots: Slots, topic: str, mood: str, size: str) -> list[str]:
    """The customer's own sentences, without the source's framing."""
    rng = slots.rng
    if size == "tiny":
        return _tiny(bank, slots, topic, mood)
    parts = [slots.pick(bank.choices("topics", topic, "core"))]
    more = bank.choices("topics", topic, "more")
    n_more = min(len(more), _MORE[size] + (rng.random() < 0.3))
    parts += [slots.fill(t) for t in rng.sample(more, n_more)] if n_more else []
    if mood == "inject":
        _place(parts, slots.pick(bank.choices("topics", topic, "payload")), rng)
    if mood == "hostile":
        _place(parts, slots.pick(bank.choices("topics", topic, "threat")), rng)
    if mood in ("neg", "pos", "neutral"):
        _add_framing(parts, bank, slots, topic, mood, size)
    return parts


def _tiny(bank: Bank, slots: Slots, topic: str, mood: str) -> list[str]:
    # A one-liner, sometimes with a lead-in ("家人们", "PSA:") or a follow-up jab.
    rng = slots.rng
    text = slots.pick(bank.choices("topics", topic, "short"))
    key = {"neg": "neg", "hostile": "neg", "pos": "pos"}.get(mood, "other")
    if rng.random() < 0.3:
        text = slots.pick(bank.choices("common", "tiny_lead", key)) + text
    parts = [text]
    if mood in ("neg", "pos", "neutral") and rng.random() < 0.3:
        parts.append(slots.pick(_own_or_common(bank, topic, "emotion", mood)))
    return parts


def _add_framing(
    parts: list[str], bank: Bank, slots: Slots, topic: str, mood: str, size: str
) -> None:
    rng = slots.rng
    if size != "short" and rng.random() < 0.4:
        parts.insert(0, slots.pick(bank.choices("common", "opener", mood)))
    if size != "short" and rng.random() < 0.35:
        context = _own_or_common(bank, topic, "context", mood)
        parts.insert(rng.randint(1, len(parts)), slots.pick(context))
    if rng.random() < (0.45 if size == "short" else 0.6):
        emotion = slots.pick(_own_or_common(bank, topic, "emotion", mood))
        first = rng.random() < 0.25 and len(parts) == 1
        parts.insert(0 if first else len(parts), emotion)
    if slots.ctx.ticket_id and rng.random() < 0.12:
        parts.insert(rng.randint(0, len(parts)), slots.pick(bank.choices("common", "ticket")))
    if rng.random() < (0.4 if size == "short" else 0.75):
        ask = slots.pick(_own_or_common(bank, topic, "ask", mood))
        if ask not in parts:
            parts.append(ask)


def _own_or_common(bank: Bank, topic: str, kind: str, mood: str) -> Choices:
    # A topic may bring its own asks, context or emotions (a B2B contract renewal does not
    # "just buy it"); otherwise the mood's common phrases apply.
    return bank.choices("topics", topic, kind) or bank.choices("common", kind, mood)


def _place(parts: list[str], sentence: str, rng: random.Random) -> None:
    parts.insert(rng.randint(0, len(parts)), sentence)
