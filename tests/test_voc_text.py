"""Demo VOC text: deterministic, right language, varied, markers present, PII seeded and caught."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import datetime, timedelta

import pytest

from servicelens.data.demo.voc_text import (
    HOSTILE_MARKERS,
    INJECTION_MARKERS,
    LANGS,
    SOURCES,
    TOPICS,
    RenderedVoc,
    VocContext,
    render_voc_text,
)
from servicelens.data.redact import redact

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_MODELS = ("AC-X200", "KFR-35GW", "HW-60E", None)
_CITIES = ("Shanghai", "杭州", "Nanjing", None)


def _context(r: random.Random, topic: str | None = None, source: str | None = None,
             lang: str | None = None) -> VocContext:  # fmt: skip
    return VocContext(
        source=source or r.choice(SOURCES),
        lang=lang or r.choice(("zh", "zh", "zh", "en", "en")),
        topic=topic or r.choice(TOPICS),
        product_model=r.choice(_MODELS),
        product_line=r.choice(("Air Conditioning", "Water Heaters", None)),
        category=r.choice(("air conditioner", "water heater", None)),
        region=r.choice(("East", "South", None)),
        city=r.choice(_CITIES),
        customer_name=r.choice(("李伟", "王芳", "Acme Logistics", None)),
        segment=r.choice(("consumer", "SMB", "key account", None)),
        created_at=datetime(2025, 1, 1) + timedelta(minutes=r.randrange(900_000)),
        ticket_id=r.choice(("T000123", "T104567", None)),
        author_reach=r.choice((None, 120, 250_000)),
    )


def _render_many(n: int, seed: int, **fixed: str) -> list[tuple[VocContext, RenderedVoc]]:
    contexts, rng = random.Random(seed), random.Random(seed + 1)
    out = []
    for _ in range(n):
        ctx = _context(contexts, **fixed)
        out.append((ctx, render_voc_text(ctx, rng)))
    return out


def test_same_rng_state_gives_same_texts_and_another_seed_does_not() -> None:
    first = [voc.text for _, voc in _render_many(300, seed=11)]
    again = [voc.text for _, voc in _render_many(300, seed=11)]
    contexts = [ctx for ctx, _ in _render_many(300, seed=11)]
    other_rng = random.Random(999)
    other = [render_voc_text(ctx, other_rng).text for ctx in contexts]
    assert first == again
    assert sum(a != b for a, b in zip(first, other, strict=True)) > 280


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("source", SOURCES)
def test_every_topic_renders_for_every_source_in_the_right_language(source: str, lang: str) -> None:
    r, rng = random.Random(f"{source}{lang}"), random.Random(3)
    for topic in TOPICS:
        for _ in range(25):
            text = render_voc_text(_context(r, topic, source, lang), rng).text
            assert text.strip(), (topic, source, lang)
            assert not re.search(r"\{[a-z_]+\}", text), text  # every slot was filled
            cjk, latin = len(_CJK.findall(text)), len(_LATIN_WORD.findall(text))
            # Mixed language is allowed; the record's language must still dominate.
            assert (cjk > latin) if lang == "zh" else (latin > cjk), (topic, text)


def test_seeded_pii_appears_in_text_and_never_survives_redaction() -> None:
    contexts, rng = random.Random(5), random.Random(6)
    seeded = 0
    for _ in range(5000):
        voc = render_voc_text(_context(contexts), rng, pii_rate=0.5)
        if not voc.pii:
            continue
        seeded += 1
        redacted = redact(voc.text).text
        digits = re.sub(r"\D", "", redacted)
        for value in voc.pii:
            assert value in voc.text
            assert value not in redacted, (value, redacted)
            value_digits = re.sub(r"\D", "", value)
            if len(value_digits) >= 7:
                assert value_digits not in digits, (value, redacted)
    assert seeded > 2000


def test_about_four_percent_of_records_carry_pii_by_default() -> None:
    share = sum(bool(voc.pii) for _, voc in _render_many(5000, seed=21)) / 5000
    assert 0.025 < share < 0.055


def test_texts_without_seeded_pii_lose_nothing_to_redaction() -> None:
    # Model numbers, error codes, dates, prices and ticket ids in generated text are not PII.
    contexts, rng = random.Random(8), random.Random(9)
    for _ in range(3000):
        voc = render_voc_text(_context(contexts), rng, pii_rate=0.0)
        assert redact(voc.text).text == voc.text


@pytest.mark.parametrize("topic", ["compressor_noise", "parts_wait", "no_answer", "hostile"])
def test_one_topic_over_many_records_does_not_look_templated(topic: str) -> None:
    texts = [voc.text for _, voc in _render_many(2000, seed=31, topic=topic)]
    duplicates = 1 - len(set(texts)) / len(texts)
    prefixes = Counter(text[:20] for text in texts)
    repeated = sum(n for n in prefixes.values() if n > 1) / len(texts)
    assert duplicates < 0.02
    # A template-per-topic generator repeats its first 20 characters in nearly every record.
    assert repeated < 0.4
    assert prefixes.most_common(1)[0][1] < 0.02 * len(texts)


def test_topics_bring_their_own_vocabulary() -> None:
    # Theme classification rests on this: a noise text talks about noise, a leak about water.
    cues = {
        "compressor_noise": (
            "压缩机",
            "compressor",
            "外机",
            "outdoor unit",
            "噪音",
            "noise",
            "响",
            "吵",
            "拖拉机",
            "tractor",
            "lawnmower",
            "loud",
            "humming",
            "rattl",
        ),
        "leak": ("漏", "水", "leak", "drip", "water"),
        "parts_wait": ("配件", "零件", "part", "缺货", "stock"),
        "no_answer": (
            "接",
            "占线",
            "打不",
            "answer",
            "hold",
            "through",
            "排队",
            "回电",
            "busy",
            "人工",
            "human",
            "voicemail",
            "hung up",
            "挂",
            "留言",
            "忙音",
            "没人回",
        ),
    }
    for topic, words in cues.items():
        texts = [voc.text for _, voc in _render_many(300, seed=41, topic=topic)]
        hits = sum(any(w in text.lower() for w in words) for text in texts)
        assert hits / len(texts) > 0.93, topic  # typos may hide a cue word now and then


@pytest.mark.parametrize(
    ("topic", "markers"),
    [("hostile", HOSTILE_MARKERS), ("prompt_injection", INJECTION_MARKERS)],
)
def test_hostile_and_injection_texts_carry_their_markers(
    topic: str, markers: tuple[str, ...]
) -> None:
    for _, voc in _render_many(600, seed=51, topic=topic):
        text = voc.text.lower()  # casual writers lower-case everything, "BBB" included
        assert any(marker.lower() in text for marker in markers), voc.text


def test_sources_have_their_own_shape() -> None:
    r, rng = random.Random(61), random.Random(62)
    calls = [render_voc_text(_context(r, source="call"), rng).text for _ in range(200)]
    emails = [render_voc_text(_context(r, source="email"), rng).text for _ in range(200)]
    reviews = [
        render_voc_text(_context(r, source="review", lang="zh"), rng).text for _ in range(200)
    ]
    socials = [render_voc_text(_context(r, source="social"), rng).text for _ in range(400)]
    assert all(text.count("\n") >= 2 or text.count("：") + text.count(": ") >= 3 for text in calls)
    assert all("\n" in text for text in emails)
    assert sum("★" in text or "星" in text for text in reviews) > 100
    assert sum(len(text) for text in socials) / 400 < sum(len(text) for text in emails) / 200 / 2


def test_unknown_topic_is_a_clear_error() -> None:
    ctx = _context(random.Random(1))
    bad = VocContext(**{**ctx.__dict__, "topic": "weather"})
    with pytest.raises(ValueError, match="weather"):
        render_voc_text(bad, random.Random(1))
