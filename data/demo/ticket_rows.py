"""Turn a placed batch and its outcomes into Arrow tables shaped like the canonical tables.

Ids are written as plain integers and formatted by DuckDB on insert (``INSERT_SQL``), which is
much faster than formatting millions of strings in Python.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import calendar as cal
from .outcomes import Outcome
from .tickets import CHANNELS, PRIORITIES, Placement
from .volume import TYPES

TICKET_ID = "'TK-' || lpad(CAST({} AS VARCHAR), 8, '0')"
CUSTOMER_ID = "'CU-' || lpad(CAST({} AS VARCHAR), 6, '0')"
PRODUCT_ID = "'PR-' || lpad(CAST({} AS VARCHAR), 3, '0')"
ENGINEER_ID = "'EN-' || lpad(CAST({} AS VARCHAR), 5, '0')"
SURVEY_ID = "'SV-' || lpad(CAST({} AS VARCHAR), 8, '0')"
CONTRACT_ID = "'CT-' || lpad(CAST({} AS VARCHAR), 7, '0')"

INSERT_SQL = {
    "customers": f"SELECT {CUSTOMER_ID.format('n')}, name, segment, industry, region, city, "
    "tier, since FROM batch",
    "products": f"SELECT {PRODUCT_ID.format('n')}, product_line, model, category, launched "
    "FROM batch",
    "engineers": f"SELECT {ENGINEER_ID.format('n')}, name, region, level, hired FROM batch",
    "tickets": f"SELECT {TICKET_ID.format('n')}, {CUSTOMER_ID.format('customer')}, "
    f"{PRODUCT_ID.format('product')}, {ENGINEER_ID.format('engineer')}, channel, type, "
    "priority, region, opened_at, first_response_at, resolved_at, closed_at, status, "
    "sla_hours, sla_met, onsite, visits, first_time_fix, remote_resolved, "
    "parts_wait_days, cost, revenue, reopened, root_cause FROM batch",
    "surveys": f"SELECT {SURVEY_ID.format('n')}, {TICKET_ID.format('ticket')}, "
    f"{CUSTOMER_ID.format('customer')}, submitted_at, csat, nps, ces FROM batch",
    "contracts": f"SELECT {CONTRACT_ID.format('n')}, {CUSTOMER_ID.format('customer')}, "
    "product_line, kind, starts_on, ends_on, annual_value, renewed FROM batch",
    "voc": "SELECT voc_id, source, customer_id, ticket_id, product_id, region, created_at, lang, "
    "author_reach, text, NULL, NULL, NULL FROM batch",
}


def ts(values: np.ndarray, valid: np.ndarray) -> pa.Array:
    """Epoch seconds as an Arrow timestamp column, null where not ``valid``."""
    return pa.array(values.astype(np.int64), type=pa.timestamp("s"), mask=~valid)


def nullable(values: np.ndarray, valid: np.ndarray, kind: pa.DataType) -> pa.Array:
    return pa.array(values, type=kind, mask=~valid)


def timestamps(p: Placement, o: Outcome) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    fr = p.opened_at + np.nan_to_num(o.fr_h) * cal.HOUR
    fr_ok = ~np.isnan(o.fr_h) & (fr < cal.END_S)
    resolved = p.opened_at + o.total_h * cal.HOUR
    closed = resolved + np.nan_to_num(o.closed_h) * cal.HOUR
    closed_ok = o.resolved & ~np.isnan(o.closed_h) & (closed < cal.END_S)
    return {
        "first_response_at": (fr, fr_ok),
        "resolved_at": (resolved, o.resolved),
        "closed_at": (closed, closed_ok),
    }


def ticket_table(p: Placement, o: Outcome, region_names: np.ndarray) -> pa.Table:
    times = timestamps(p, o)
    done = o.resolved
    # Unresolved tickets are "open" until someone has responded and a day has passed.
    fresh = cal.END_S - p.opened_at < cal.DAY
    waiting = fresh | ~times["first_response_at"][1]
    status = np.where(
        times["closed_at"][1],
        "closed",
        np.where(done, "resolved", np.where(waiting, "open", "in_progress")),
    )
    return pa.table(
        {
            "n": p.seq,
            "customer": p.customer + 1,
            "product": p.product + 1,
            "engineer": nullable(p.engineer + 1, p.engineer >= 0, pa.int64()),
            "channel": np.array(CHANNELS)[p.channel],
            "type": np.array(TYPES)[p.type],
            "priority": np.array(PRIORITIES)[p.priority],
            "region": region_names[p.region],
            "opened_at": ts(p.opened_at, np.ones(len(p), bool)),
            **{name: ts(v, ok) for name, (v, ok) in times.items()},
            "status": status,
            "sla_hours": o.sla_hours,
            "sla_met": nullable(o.sla_met == 1, ~np.isnan(o.sla_met), pa.bool_()),
            "onsite": o.onsite,
            "visits": nullable(o.visits, done, pa.int32()),
            "first_time_fix": nullable(o.ftf, done, pa.bool_()),
            "remote_resolved": nullable(o.remote, done, pa.bool_()),
            "parts_wait_days": nullable(
                np.nan_to_num(o.parts_days), ~np.isnan(o.parts_days), pa.float64()
            ),
            "cost": nullable(o.cost, done, pa.float64()),
            "revenue": nullable(o.revenue, done, pa.float64()),
            "reopened": o.reopened,
            "root_cause": pa.array(
                np.where(done, o.root_cause, np.full(len(p), None, dtype=object)), type=pa.string()
            ),
        }
    )
