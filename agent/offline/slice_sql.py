"""SQL over one table of the catalog for a slice of it: dimension values reached through the
catalog's joins, a period on the table's time column, values written as safe literals.

For the playbooks that need a figure the metric tool does not compute (a share of records with
some value, the records mentioning some words); the SQL is run by the guarded SQL tool, so it is
checked, capped and cited like any other.
"""

from __future__ import annotations

from typing import Any

from ...data.catalog import Catalog
from ...data.duck import q
from ...data.periods import Period
from .slots import Either, Excluded


def reach(
    catalog: Catalog, base: str, dim: str | None, joins: dict[str, str], time: str | None = None
) -> str | None:
    """The SQL for ``dim`` seen from table ``base``, adding the joins it needs to ``joins``;
    None when the catalog has no way there. A unit of time is read on ``time`` (a date column
    of ``base``) when given, else on the table's own time column."""
    d = catalog.dimensions.get(dim or "")
    if d is None:
        return None
    if d.from_time and time is not None:
        return d.spec.time.replace("{time}", f"{base}.{q(time)}") if d.spec.time else None
    if d.from_time:
        # A unit of the record's own time (its day, month, weekday), on ``base``'s time column.
        column = catalog.tables[base].time_column if base in catalog.tables else None
        return d.spec.time.replace("{time}", f"{base}.{column}") if column and d.spec.time else None
    if base in d.sources:
        return d.sources[base]
    alongside = catalog.held_alongside(base, d)
    if alongside is not None:
        return alongside
    # A table already joined is reached again rather than another one holding the same column
    # (one export per company: the company is read where the other filters were).
    joined = [(t, e) for t, e in d.sources.items() if t in joins]
    if joined:
        return joined[0][1]
    for source, expr in d.sources.items():
        path = catalog.join_path(base, source)
        if path is None:
            continue
        for step in path:
            joins.setdefault(step.to_table, step.on())
        return expr
    return None


def literal(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def period_clause(catalog: Catalog, base: str, period: Period | None) -> str | None:
    """``base``'s time column inside ``period`` (None without a period or a time column)."""
    column = catalog.tables[base].time_column
    if period is None or not column:
        return None
    start, end = period.start.isoformat(), period.end.isoformat()
    return f"{base}.{column} >= DATE '{start}' AND {base}.{column} < DATE '{end}'"


def slice_where(
    catalog: Catalog,
    base: str,
    filters: dict[str, Any],
    period: Period | None,
    joins: dict[str, str],
    time: str | None = None,
) -> list[str] | None:
    """Conditions for ``filters`` and ``period`` on ``base`` (None if a filter is out of reach);
    units of time read on the date column ``time`` when given."""
    where: list[str] = []
    for dim, value in filters.items():
        expr = reach(catalog, base, dim, joins, time)
        if expr is None:
            return None
        if isinstance(value, Excluded):  # "不算酒店": every other value, and none
            listed = ", ".join(literal(v) for v in value.values)
            if value.unset:
                where.append(f"({expr} IS NULL OR {expr} NOT IN ({listed}))")
            else:  # the records with no value left out, as the question says
                where.append(f"({expr} IS NOT NULL AND {expr} NOT IN ({listed}))")
        elif isinstance(value, Either):  # "on a Saturday or a Sunday": any of them
            where.append(f"{expr} IN ({', '.join(literal(v) for v in value.values)})")
        else:
            where.append(f"{expr} = {literal(value)}")
    clause = period_clause(catalog, base, period)
    return [*where, clause] if clause else where


def distinct_sql(
    catalog: Catalog,
    dim: str,
    filters: dict[str, Any],
    period: Period | None,
    size: tuple[str, int] | None = None,
    per_group: bool = False,
    base: str | None = None,
    listed: bool = False,
    of: str | None = None,
) -> str | None:
    """How many different values of ``dim`` the records in the slice hold; with ``size``
    (operator, number), only the values with that many records ("more than 10 complaints"),
    or that many different values of dimension ``of`` ("brands with more than 5 models"), or,
    ``listed``, those values themselves with their records; with ``per_group``, also the
    records and their number per value (an average per group)."""
    d = catalog.dimensions.get(dim)
    if d is None:
        return None
    column_of_time: str | None = None
    if d.from_time:  # "how many days …": the day of each record of ``base``
        column = catalog.tables[base].time_column if base in catalog.tables else None
        if base is None or not column or not d.spec.time:
            return None
        expr = d.spec.time.replace("{time}", f"{base}.{column}")
        column_of_time = f"{base}.{column}"
    elif d.sources:
        # The values held with the records counted ("Spotify's topics": the labels of its
        # tweets), not the first table that holds such values.
        base, expr = next(
            (
                (table, sql) for table, sql in d.sources.items()
                if base is not None and (table == base or catalog.join_path(table, base))
            ),
            next(iter(d.sources.items())),
        )  # fmt: skip
    else:
        return None
    joins: dict[str, str] = {}
    where = slice_where(catalog, base, filters, period, joins)
    if where is None:
        return None
    counted = "count(*)"
    if of is not None:
        of_expr = reach(catalog, base, of, joins)
        if of_expr is None:
            return None
        counted = f"count(DISTINCT {of_expr})"
    tables = f"{base}" + "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    clause = " WHERE " + " AND ".join(where) if where else ""
    if per_group and d.from_time and dim == "day" and column_of_time is not None:
        # Records per calendar day: every day of the period counts, those with none too
        # ("in November, how many per day on average" is over its 30 days).
        days = (
            str((period.end - period.start).days)
            if period is not None
            else f"(date_diff('day', min({column_of_time}), max({column_of_time})) + 1)"
        )
        return (
            f"SELECT count(*) AS records, {days} AS distinct_{dim}, "
            f"round(count(*) * 1.0 / NULLIF({days}, 0), 2) AS per_{dim} FROM {tables}{clause}"
        )
    if per_group:
        # Of the records that have a value (a record no analyst took is no one's); the median
        # group's records too ("the median number of complaints per brand").
        valued = f"{clause}{' AND' if where else ' WHERE'} {expr} IS NOT NULL"
        sizes = f"SELECT count(*) AS n FROM {tables}{valued} GROUP BY {expr}"
        return (
            f"SELECT count({expr}) AS records, count(DISTINCT {expr}) AS distinct_{dim}, "
            f"round(count({expr}) * 1.0 / NULLIF(count(DISTINCT {expr}), 0), 2) AS per_{dim}, "
            f"(SELECT median(n) FROM ({sizes})) AS median_per_{dim} "
            f"FROM {tables}{clause}"
        )
    if size is None:
        return f"SELECT count(DISTINCT {expr}) AS distinct_{dim} FROM {tables}{clause}"
    op, n = size
    if op not in ("<", "<=", ">", ">=", "="):
        return None
    grouped = f"SELECT {expr} AS v, count(*) AS n, {counted} AS k FROM {tables}{clause}"
    grouped += f"{' AND' if where else ' WHERE'} {expr} IS NOT NULL"
    # ``n`` -1: every value of ``of`` the slice holds ("每天都有": on every day of it).
    bound = f"(SELECT {counted} FROM {tables}{clause})" if n == -1 else str(int(n))
    grouped += f" GROUP BY {expr} HAVING {counted} {op} {bound}"
    if listed:  # "… which ones are they": the groups themselves, with their records
        values = f", k AS distinct_{of}" if of is not None else ""
        return (
            f"SELECT v AS {dim}, n AS records{values} FROM ({grouped}) AS sized ORDER BY v LIMIT 24"
        )
    # With the records those groups hold together ("and how many complaints do they add up to").
    # Beside them, every value and every record of the slice ("… and how many different
    # callers are there in total", "占全部投诉的百分之几").
    every = f"SELECT count(DISTINCT {expr}) AS v, count(*) AS n FROM {tables}{clause}"
    return (
        f"SELECT count(*) AS distinct_{dim}, coalesce(sum(sized.n), 0) AS records_of_those, "
        f"any_value(every.v) AS all_{dim}, any_value(every.n) AS all_records, "
        f"round(100.0 * coalesce(sum(sized.n), 0) / nullif(any_value(every.n), 0), 1) "
        f"AS share_pct FROM ({grouped}) AS sized, ({every}) AS every"
    )


def share_sql(
    base: str,
    part: str,
    where: list[str],
    joins: dict[str, str],
    group_expr: str | None = None,
    group: str | None = None,
    *,
    names: tuple[str, str, str] = ("part", "records", "share_pct"),
    rows: int = 12,
    by_share: str | None = None,
    least: int | None = None,
    totals: bool = False,
    each: dict[str, str] | None = None,
    outer: dict[str, str] | None = None,
) -> str:
    """How many records of ``base`` (in the slice ``where``) satisfy ``part``, of how many, and
    the share in percent; split by ``group_expr`` when given: largest part first, or by the share
    (``by_share``: "ASC" or "DESC"; "TIME": units of time in order; "RECORDS": the most records
    first; "PART", "PART_ASC": by how many are the part), only groups of at least
    ``least`` records, and with ``totals`` every row also carries the figures over all the
    groups shown (``all_part``, ``all_records``, ``all_share_pct``); ``outer`` tables are joined
    keeping every record."""
    n, total, share = names
    hit = f"count(*) FILTER (WHERE {part})"
    select = [f"{group_expr} AS {group}"] if group_expr else []
    select += [
        f"{hit} AS {n}",
        f"count(*) AS {total}",
        f"round(100.0 * {hit} / count(*), 1) AS {share}",
    ]
    # Each condition of ``part`` counted on its own too ("快递" and "物流" each).
    select += [f"count(*) FILTER (WHERE {cond}) AS {name}" for name, cond in (each or {}).items()]
    if group_expr and totals:
        select += [
            f"sum({hit}) OVER () AS all_{n}",
            f"sum(count(*)) OVER () AS all_{total}",
            f"round(100.0 * sum({hit}) OVER () / sum(count(*)) OVER (), 1) AS all_{share}",
        ]
    sql = f"SELECT {', '.join(select)} FROM {base}"
    sql += "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    # Tables whose rows a record may lack (its text): every record still counts.
    sql += "".join(f" LEFT JOIN {t} ON {on}" for t, on in (outer or {}).items())
    if where:
        sql += " WHERE " + " AND ".join(where)
    if group_expr:
        sql += " GROUP BY 1"
        if least is not None:
            sql += f" HAVING count(*) >= {int(least)}"
        order = f"{share} {by_share}" if by_share else f"{n} DESC"
        if by_share == "TIME":  # units of time in their order
            order = "1 ASC"
        elif by_share == "RECORDS":  # the groups holding the most records first
            order = f"{total} DESC"
        elif by_share in ("PART", "PART_ASC"):  # by how many records are the part
            order = f"{n} {'ASC' if by_share == 'PART_ASC' else 'DESC'}"
        sql += f" ORDER BY {order}, {total} DESC LIMIT {rows}"
    return sql


def distinct_per_group_sql(
    catalog: Catalog,
    group: str,
    dim: str,
    filters: dict[str, Any],
    period: Period | None,
    ascending: bool = False,
    rows: int = 12,
) -> str | None:
    """Each group with how many different values of ``dim`` its records hold (and their
    records), the most first (or the fewest)."""
    d = catalog.dimensions.get(dim)
    if d is None or not d.sources:
        return None
    base, expr = next(iter(d.sources.items()))
    joins: dict[str, str] = {}
    where = slice_where(catalog, base, filters, period, joins)
    group_expr = reach(catalog, base, group, joins)
    if where is None or group_expr is None:
        return None
    tables = f"{base}" + "".join(f" JOIN {t} ON {on}" for t, on in joins.items())
    clause = " WHERE " + " AND ".join(where) if where else ""
    order = "ASC" if ascending else "DESC"
    # Beside each group, the average over every group and how many groups there are ("平均每个
    # 品牌涉及几款车型"): window figures, taken before the rows are cut.
    return (
        f"SELECT {group_expr} AS {group}, count(DISTINCT {expr}) AS distinct_{dim}, "
        f"count(*) AS records, round(avg(count(DISTINCT {expr})) OVER (), 2) AS avg_{dim}, "
        f"count(*) OVER () AS groups FROM {tables}{clause}"
        f"{' AND' if where else ' WHERE'} ({group_expr}) IS NOT NULL GROUP BY 1 "
        f"ORDER BY 2 {order}, 3 DESC LIMIT {int(rows)}"
    )
