"""Render VOC records to redacted text and an Arrow table; re-post a few as duplicates."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..redact import redact
from . import calendar as cal
from .entities import REGIONS, Entities
from .voc_rows import DUPLICATE, VocRecord, VocState, context
from .voc_text import render_voc_text

PII_SAMPLES = 8


def _row(state: VocState, r: VocRecord, text: str, ents: Entities) -> dict[str, object]:
    return {
        "voc_id": f"VOC-{state.next_id:07d}",
        "source": r.source,
        "customer_id": f"CU-{r.customer + 1:06d}",
        "ticket_id": None if r.ticket_seq is None else f"TK-{r.ticket_seq:08d}",
        "product_id": None if r.product is None else f"PR-{r.product + 1:03d}",
        "region": REGIONS[ents.customer_region[r.customer]],
        "created_at": r.created_s,
        "lang": r.lang,
        "author_reach": r.reach,
        "text": text,
    }


def _render(state: VocState, r: VocRecord, ents: Entities) -> tuple[str, bool]:
    rendered = render_voc_text(context(r, ents), state.rnd)
    if rendered.pii and len(state.pii_samples) < PII_SAMPLES:
        state.pii_samples.extend(rendered.pii[: PII_SAMPLES - len(state.pii_samples)])
    result = redact(rendered.text)
    for kind, count in result.counts.items():
        state.redactions[kind] = state.redactions.get(kind, 0) + count
    return result.text, bool(rendered.pii)


def emit(
    records: list[VocRecord], ents: Entities, state: VocState, *, duplicates: bool = True
) -> pa.Table:
    """Rows for ``records`` (dropping any outside the calendar) plus ~2% duplicates."""
    rows: list[dict[str, object]] = []
    kept = [r for r in records if cal.START_S <= r.created_s < cal.END_S]
    labels: list[tuple[str, str, str, str, str, bool]] = []
    for r in kept:
        text, had_pii = _render(state, r, ents)
        rows.append(_row(state, r, text, ents))
        labels.append((str(rows[-1]["voc_id"]), r.topic, r.lang, r.source, "", had_pii))
        state.next_id += 1
    originals = len(rows)
    for _ in range(
        round(originals * DUPLICATE / (1 - DUPLICATE)) if originals and duplicates else 0
    ):
        k = state.rnd.randrange(originals)
        original, label = rows[k], labels[k]
        later = int(str(original["created_at"])) + state.rnd.randint(600, 72 * cal.HOUR)
        if later >= cal.END_S:
            continue
        dup = {**original, "voc_id": f"VOC-{state.next_id:07d}", "created_at": later}
        rows.append(dup)
        labels.append(
            (str(dup["voc_id"]), label[1], label[2], label[3], str(original["voc_id"]), label[5])
        )
        state.next_id += 1
    state.labels.extend(labels)
    return table(rows)


def table(rows: list[dict[str, object]]) -> pa.Table:
    cols = {
        k: [r[k] for r in rows]
        for k in (
            "voc_id",
            "source",
            "customer_id",
            "ticket_id",
            "product_id",
            "region",
            "lang",
            "text",
        )
    }
    created = np.array([r["created_at"] for r in rows], dtype=np.int64)
    return pa.table(
        {
            **{k: pa.array(v, type=pa.string()) for k, v in cols.items() if k != "lang"},
            "created_at": pa.array(created, type=pa.timestamp("s")),
            "lang": pa.array(cols["lang"], type=pa.string()),
            "author_reach": pa.array([r["author_reach"] for r in rows], type=pa.int32()),
        }
    )
