"""The true numbers of a golden case, recomputed from its reference SQL at eval time.

Reference SQL is trusted (the golden author wrote it) but goes through the same guard as a
model's SQL anyway, so a golden file can never write to or reach outside the workspace.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..agent.analyst import Analyst
from ..data.errors import ServiceLensError
from .cases import Case, GoldenError


def reference_values(case: Case, analyst: Analyst) -> dict[str, float | None]:
    """Every expected number of every turn of ``case``, by label (None when the SQL found none)."""
    out: dict[str, float | None] = {}
    for turn in case.all_turns():
        for spec in turn.expect.numbers if turn.expect else []:
            out[spec.label] = reference_value(analyst, spec.reference_sql, case.id)
    return out


def reference_value(analyst: Analyst, sql: str, case_id: str = "") -> float | None:
    try:
        result = analyst.sql(sql, max_rows=10)
    except ServiceLensError as exc:
        raise GoldenError(f"Case {case_id}: the reference SQL failed: {exc}") from None
    if not result.rows or not result.rows[0]:
        return None
    return as_float(result.rows[0][0])


def as_float(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float | Decimal):
        return float(value)
    return None
