"""Which VOC records exist and their context; the wording comes from ``voc_text``.

Per ticket batch: ~85% of records are tied to tickets (chosen with extra weight where a planted
story lives), ~13% are reviews and posts with no ticket, ~2% re-post an earlier text. Text is
redacted before it is stored; the true topic goes to the labels file, never to the warehouse.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from . import calendar as cal
from .entities import PRODUCT_LINES, REGIONS, SEGMENTS, Entities
from .facts import DEFECT_FROM, ORDINARY_REACH_CAP
from .outcomes import Outcome
from .surveys import SurveyDraw
from .tickets import CHANNELS, Placement
from .voc_text import VocContext
from .voc_topics import TicketFacts, ticket_topic, unlinked_topic
from .volume import TYPES

LINKED, UNLINKED, DUPLICATE = 0.85, 0.13, 0.02
SOURCE_OF_CHANNEL = {
    "phone": "call",
    "chat": "chat",
    "email": "email",
    "social": "social",
    "onsite": "survey",
}
ZH_SHARE = 0.6
LABEL_FIELDS = ("voc_id", "topic", "lang", "source", "duplicate_of", "had_pii")
_EPOCH = datetime(1970, 1, 1)


@dataclass
class VocRecord:
    source: str
    customer: int  # index into customers
    product: int | None
    ticket_seq: int | None
    created_s: int
    topic: str
    lang: str
    reach: int | None


@dataclass
class VocState:
    """What carries over between batches: the id counter, labels and PII samples."""

    rnd: random.Random
    next_id: int = 1
    labels: list[tuple[str, str, str, str, str, bool]] = field(default_factory=list)
    pii_samples: list[str] = field(default_factory=list)
    redactions: dict[str, int] = field(default_factory=dict)


def selection_weights(p: Placement, o: Outcome, ents: Entities) -> np.ndarray:
    late = np.isnan(o.fr_h) | (o.fr_h > 1.0)
    compressor = p.defect(ents) & (o.root_cause == "compressor")
    return (
        1.0
        + 5 * compressor
        + 4 * (p.shortage & (np.nan_to_num(o.parts_days) > 0))
        + 3 * (p.peak & (p.type == 3) & late)
        + 4 * (p.surge_late & (o.sla_met != 1))
        + 0.5 * o.remote
        + 0.5 * ~o.ftf
        + 1.0 * (p.type == 4)
    )


def social_reach(rnd: random.Random) -> int:
    return min(int(rnd.lognormvariate(5.5, 1.6)) + 3, ORDINARY_REACH_CAP)


def _facts(p: Placement, o: Outcome, ents: Entities, i: int) -> TicketFacts:
    fr = float(o.fr_h[i])
    sla = float(o.sla_met[i])
    return TicketFacts(
        type=TYPES[p.type[i]],
        channel=CHANNELS[p.channel[i]],
        segment=SEGMENTS[p.segment[i]],
        line=PRODUCT_LINES[p.line[i]],
        root_cause=o.root_cause[i],
        defect=bool(
            p.product[i] == ents.defect_product and p.opened_at[i] >= cal.seconds(DEFECT_FROM)
        ),
        shortage=bool(p.shortage[i]),
        parts_days=float(np.nan_to_num(o.parts_days[i])),
        peak=bool(p.peak[i]),
        fr_h=None if np.isnan(fr) else fr,
        surge_late=bool(p.surge_late[i]),
        sla_met=None if np.isnan(sla) else bool(sla),
        remote=bool(o.remote[i]),
        visits=int(o.visits[i]),
        ftf=bool(o.ftf[i]),
        csat_mu=float(o.csat_mu[i]),
    )


def _source_and_time(
    p: Placement, o: Outcome, surveyed: dict[int, int], i: int, rnd: random.Random
) -> tuple[str, int]:
    opened = int(p.opened_at[i])
    if i in surveyed and rnd.random() < 0.35:
        return "survey", surveyed[i]
    channel = CHANNELS[p.channel[i]]
    source = SOURCE_OF_CHANNEL.get(channel) or rnd.choice(("review", "chat"))
    if source == "social":
        return source, opened - rnd.randint(5, 90) * 60
    if source == "review":
        done = opened + int(o.total_h[i] * cal.HOUR) if o.resolved[i] else opened
        return source, done + rnd.randint(6, 120) * cal.HOUR
    return source, opened + rnd.randint(0, 600)


def linked_records(
    rng: np.random.Generator,
    p: Placement,
    o: Outcome,
    s: SurveyDraw,
    ents: Entities,
    target: int,
    rnd: random.Random,
) -> list[VocRecord]:
    w = selection_weights(p, o, ents)
    chosen = np.flatnonzero(rng.random(len(p)) < np.minimum(1.0, w * target / w.sum()))
    surveyed = dict(zip(s.ticket_index.tolist(), s.submitted_at.tolist(), strict=True))
    out = []
    for i in chosen.tolist():
        source, created = _source_and_time(p, o, surveyed, i, rnd)
        out.append(
            VocRecord(
                source,
                int(p.customer[i]),
                int(p.product[i]),
                int(p.seq[i]),
                created,
                ticket_topic(_facts(p, o, ents, i), rnd),
                _lang(rnd),
                social_reach(rnd) if source == "social" else None,
            )
        )
    return out


def unlinked_records(
    p: Placement, ents: Entities, count: int, rnd: random.Random
) -> list[VocRecord]:
    lo, hi = int(p.opened_at[0]), int(p.opened_at[-1])
    n_customers = len(ents.customer_segment)
    out = []
    for _ in range(count):
        created = rnd.randint(lo, hi)
        product = rnd.randrange(len(ents.product_model))
        defect = product == ents.defect_product and created >= cal.seconds(DEFECT_FROM)
        source = rnd.choices(("review", "social", "email"), weights=(0.55, 0.35, 0.1))[0]
        out.append(
            VocRecord(
                source,
                rnd.randrange(n_customers),
                product,
                None,
                created,
                unlinked_topic(defect, rnd),
                _lang(rnd),
                social_reach(rnd) if source == "social" else None,
            )
        )
    return out


def _lang(rnd: random.Random) -> str:
    return "zh" if rnd.random() < ZH_SHARE else "en"


def context(r: VocRecord, ents: Entities) -> VocContext:
    product = r.product
    return VocContext(
        source=r.source,
        lang=r.lang,
        topic=r.topic,
        product_model=None if product is None else ents.product_model[product],
        product_line=None if product is None else PRODUCT_LINES[ents.product_line[product]],
        category=None if product is None else ents.product_category[product],
        region=REGIONS[ents.customer_region[r.customer]],
        city=ents.customer_city[r.customer],
        customer_name=ents.customer_name[r.customer],
        segment=SEGMENTS[ents.customer_segment[r.customer]],
        created_at=_EPOCH + timedelta(seconds=r.created_s),
        ticket_id=None if r.ticket_seq is None else f"TK-{r.ticket_seq:08d}",
        author_reach=r.reach,
    )
