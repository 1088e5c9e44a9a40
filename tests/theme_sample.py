"""A small labelled export for the theme tests: support messages on three topics, with dates.

Written from templates with a seeded generator, so every run embeds the same texts (and the
embedding cache makes a second run cheap). Topics are the ``topic`` column; a handful of
``billing`` messages appear only in the last month, so that theme is new in that period.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

TOPICS: dict[str, list[str]] = {
    "battery": [
        "My phone battery drains from full to empty in {n} hours.",
        "Battery life got terrible after the update, it loses {n}% overnight.",
        "The battery dies so fast that I charge it {k} times a day.",
        "Since last week the battery drains even when the phone sits idle.",
        "Battery drain is awful, {n}% gone before lunch.",
    ],
    "delivery": [
        "My parcel was supposed to arrive {k} days ago and it is still not delivered.",
        "The courier never showed up, where is my delivery?",
        "Order shipped {k} days ago, tracking has not moved since.",
        "Delivery is late again, the package is stuck at the depot.",
        "Still waiting for my package, the delivery date keeps slipping.",
    ],
    "refund": [
        "I returned the item {k} weeks ago and still have no refund.",
        "Where is my refund? You received the return on day {k}.",
        "The refund for my cancelled order never reached my card.",
        "Please refund the {n} dollars you charged me for the returned item.",
        "Refund still pending after {k} weeks, this is ridiculous.",
    ],
}
LATE_TOPIC = "billing"
LATE = [
    "I was billed twice for the same subscription this month.",
    "Why does my invoice show a charge I never made?",
    "You charged my card two times for one order, fix the billing.",
    "The bill this month is double what it should be.",
    "Billing error: an extra charge appeared on my statement.",
    "My invoice has a duplicate charge, please correct the billing.",
]


def rows(per_topic: int = 25, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    out = []
    for topic, templates in TOPICS.items():
        for i in range(per_topic):
            text = rng.choice(templates).format(n=rng.randint(2, 90), k=rng.randint(2, 9))
            month = 9 if i % 3 == 0 else 8
            out.append({"topic": topic, "text": text, "day": f"2026-{month:02d}-{1 + i % 28:02d}"})
    out += [
        {"topic": LATE_TOPIC, "text": t, "day": f"2026-09-{10 + i:02d}"} for i, t in enumerate(LATE)
    ]
    for i, row in enumerate(out):
        row["id"] = f"m{i:03d}"
    return out


def write_csv(path: Path, per_topic: int = 25) -> Counter[str]:
    """The export as a CSV (id, topic, text, day); returns the count of each topic."""
    found = rows(per_topic)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "topic", "text", "day"])
        writer.writeheader()
        writer.writerows(found)
    return Counter(r["topic"] for r in found)
