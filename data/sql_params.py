"""Bound parameters written into SQL for people to read and re-run.

Evidence keeps the SQL exactly as it ran, with ``?`` placeholders and the values beside it.
Reports and ``/sql`` show it with the values in place. Placeholders are found by sqlglot's
tokenizer, so a ``?`` inside a string literal or a comment (``LIKE '%why?%'``) is never taken
for one and cannot capture the next value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlglot
from sqlglot.errors import TokenError
from sqlglot.tokens import TokenType


def inline_params(sql: str, params: Sequence[Any] | None) -> str:
    """``sql`` with each placeholder replaced by its value as a SQL literal; unchanged when the
    placeholders and values do not pair up (or the text does not tokenize)."""
    if not params:
        return sql
    try:
        tokens = sqlglot.tokenize(sql, read="duckdb")
    except TokenError:
        return sql
    spots = [t for t in tokens if t.token_type == TokenType.PLACEHOLDER and t.text == "?"]
    if len(spots) != len(params):
        return sql
    out = sql
    for token, value in reversed(list(zip(spots, params, strict=True))):
        out = out[: token.start] + literal(value) + out[token.end + 1 :]
    return out


def literal(value: Any) -> str:
    """A value as DuckDB literal text."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"
