"""Dates as exports write them, turned into SQL that yields a TIMESTAMP or NULL.

Forms read: ``2019/9/24``, ``2020-6-8``, ``2020年6月8日``, ISO with ``T`` and ``Z`` or an offset
(``2017-10-07 10:33:00+00:00``, converted to UTC), ``9/24/2019`` and ``29/2/2016 01:16`` (with
``/``, ``-`` or ``.``), and Excel serial day numbers such as ``43770`` (Excel's 1900 date system;
only serials between 1970 and 2100 count, so that ordinary numbers are not taken for dates).

Whether ``d/m/y`` or ``m/d/y`` is meant is decided for the whole column, as real exports are
consistent within a column: a first part above 12 (``29/2/2016``) votes day-first, a second part
above 12 (``9/24/2019``) votes month-first, and the larger vote wins (month-first on a tie).
"""

from __future__ import annotations

_ISO = r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?"
_NUMERIC = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})"
PREFIX = rf"({_ISO}|{_NUMERIC})"
_OFFSET = r"[+-]\d{2}:?\d{2}$"
_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f")
# Excel serials 25569 and 73051 are 1970-01-01 and 2100-01-01; day 0 of the (Lotus-compatible)
# 1900 system is 1899-12-30 for every serial after the fictitious 1900-02-29.
SERIAL_MIN, SERIAL_MAX = 25569, 73051
_SERIAL = r"^\d{5}(\.\d+)?$"


def _iso_text(value: str, dayfirst: bool) -> str:
    """SQL: the value with its date part rewritten as ``YYYY-MM-DD`` and ``T`` as a space."""
    order = r"\3-\2-\1" if dayfirst else r"\3-\1-\2"
    return (
        f"regexp_replace(regexp_replace(regexp_replace({value}, "
        rf"'{_ISO}', '\1-\2-\3'), '{_NUMERIC}', '{order}'), "
        r"'^(\S+)T(\d)', '\1 \2')"
    )


def text_date_sql(value: str, dayfirst: bool = False) -> str:
    """SQL: a written date (not a serial) as a naive TIMESTAMP, or NULL."""
    iso = f"rtrim({_iso_text(value, dayfirst)}, 'Z')"
    formats = ", ".join(f"'{f}'" for f in _FORMATS)
    naive = f"try_strptime({iso}, [{formats}])"
    zoned = f"timezone('UTC', try_strptime({iso}, ['%Y-%m-%d %H:%M:%S%z', '%Y-%m-%d %H:%M%z']))"
    return (
        f"(CASE WHEN NOT regexp_matches({value}, '{PREFIX}') THEN NULL "
        f"WHEN regexp_matches({value}, '{_OFFSET}') THEN {zoned} ELSE {naive} END)"
    )


def serial_sql(value: str) -> str:
    """SQL: an Excel serial day number in the plausible range as a TIMESTAMP, or NULL."""
    number = f"TRY_CAST({value} AS DOUBLE)"
    micros = f"to_microseconds(CAST(round(({number} - {SERIAL_MIN}) * 86400e6) AS BIGINT))"
    return (
        f"(CASE WHEN regexp_matches({value}, '{_SERIAL}') AND {number} >= {SERIAL_MIN} "
        f"AND {number} < {SERIAL_MAX} THEN TIMESTAMP '1970-01-01' + {micros} END)"
    )


def date_sql(value: str, dayfirst: bool = False) -> str:
    """SQL: a written date or an Excel serial as a TIMESTAMP, or NULL."""
    return f"COALESCE({text_date_sql(value, dayfirst)}, {serial_sql(value)})"


def order_votes(value: str) -> tuple[str, str]:
    """SQL counting values that can only be day-first, and only month-first."""

    def part(group: int) -> str:
        return f"TRY_CAST(regexp_extract({value}, '{_NUMERIC}', {group}) AS INTEGER)"

    return (f"count(*) FILTER (WHERE {part(1)} > 12)", f"count(*) FILTER (WHERE {part(2)} > 12)")
