"""Fact 3: high-reach social posts in the last 3 months, two of them never answered.

Two complaints by authors with reach > 100k get no social ticket for their customer within two
hours; two other high-reach posts did get one (the post precedes a real social ticket), so a
question about unanswered influencers has one true answer. Ordinary posts stay below the cap.
"""

from __future__ import annotations

import random

import duckdb

from . import calendar as cal
from .entities import SEGMENTS, Entities
from .facts import LAST_3_MONTHS, RESPONSE_WINDOW_HOURS
from .voc_rows import VocRecord

# (when, topic, reach) of the two unanswered posts: a late-evening post about the defective
# AC model, and a Thursday-afternoon post about nobody answering the hotline.
UNANSWERED = (
    ("2026-08-19T21:40:00", "compressor_noise", 186_400),
    ("2026-09-24T16:20:00", "no_answer", 342_900),
)
ANSWERED_REACH = (128_300, 215_700)
ANSWERED_TOPICS = ("slow_response", "engineer_attitude")


def _has_response(con: duckdb.DuckDBPyConnection, customer: int, at_s: int) -> bool:
    row = con.execute(
        "SELECT count(*) FROM tickets WHERE customer_id = ? AND channel = 'social' "
        "AND opened_at >= make_timestamp(?::BIGINT * 1000000) "
        "AND opened_at < make_timestamp(?::BIGINT * 1000000) "
        f"+ INTERVAL {RESPONSE_WINDOW_HOURS} HOUR",
        [f"CU-{customer + 1:06d}", at_s, at_s],
    ).fetchone()
    return bool(row and row[0])


def _unanswered(
    con: duckdb.DuckDBPyConnection, ents: Entities, rnd: random.Random
) -> list[VocRecord]:
    consumers = [
        i for i, s in enumerate(ents.customer_segment.tolist()) if SEGMENTS[s] == "consumer"
    ]
    out = []
    for when, topic, reach in UNANSWERED:
        at_s = cal.seconds(when)
        customer = rnd.choice(consumers)
        while _has_response(con, customer, at_s):
            customer = rnd.choice(consumers)
        product = ents.defect_product if topic == "compressor_noise" else None
        out.append(
            VocRecord(
                "social",
                customer,
                product,
                None,
                at_s,
                topic,
                "zh" if topic == "compressor_noise" else "en",
                reach,
            )
        )
    return out


def _answered(con: duckdb.DuckDBPyConnection, rnd: random.Random) -> list[VocRecord]:
    rows = con.execute(
        "SELECT CAST(substr(ticket_id, 4) AS BIGINT), CAST(substr(customer_id, 4) AS BIGINT), "
        "CAST(substr(product_id, 4) AS BIGINT), epoch(opened_at)::BIGINT FROM tickets "
        "WHERE channel = 'social' AND type = 'complaint' "
        "AND opened_at >= ?::TIMESTAMP + INTERVAL 2 HOUR AND opened_at < ?::TIMESTAMP "
        "ORDER BY ticket_id",
        list(LAST_3_MONTHS),
    ).fetchall()
    picked = rnd.sample(rows, 2)
    return [
        VocRecord(
            "social",
            int(c) - 1,
            int(pr) - 1,
            int(t),
            int(opened) - rnd.randint(15, 70) * 60,
            topic,
            lang,
            reach,
        )
        for (t, c, pr, opened), topic, lang, reach in zip(
            picked, ANSWERED_TOPICS, ("en", "zh"), ANSWERED_REACH, strict=True
        )
    ]


def influencer_records(
    con: duckdb.DuckDBPyConnection, ents: Entities, rnd: random.Random
) -> tuple[list[VocRecord], list[VocRecord]]:
    """(unanswered, answered) high-reach posts."""
    return _unanswered(con, ents, rnd), _answered(con, rnd)
