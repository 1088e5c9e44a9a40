"""From the checked DuckDB tree to SQL a live source runs: PostgreSQL or the MySQL family.

Every query ServiceLens writes (the metric compiler, the catalog's value look-ups) and every query
the guard has checked is DuckDB SQL. A source never receives that text: the parsed tree is
rewritten here where the two engines differ in meaning, not only in spelling, and then generated
in the source's dialect by sqlglot:

- ``GROUP BY ALL`` becomes the positions of the non-aggregate columns (neither engine has it);
- PostgreSQL: ``ROUND(x, d)`` rounds ``x`` as NUMERIC (there is no ``round(double, int)``), a
  yes/no column cast to a number goes through INTEGER, and ``quarter()``, ``hour()``,
  ``isodow()`` and friends become ``EXTRACT`` as integers;
- MySQL/MariaDB: ``date_diff(unit, a, b)`` becomes ``TIMESTAMPDIFF(unit, a, b)`` (sqlglot would
  count days), ``epoch()`` ``UNIX_TIMESTAMP()``, an aggregate's ``FILTER (WHERE c)`` a CASE inside
  it, week and month truncation plain date arithmetic, ``ROUND`` rounds an exact DECIMAL (half
  away from zero, as DuckDB; a DOUBLE would round half to even), and a median or percentile,
  which MariaDB computes only as a window function, is refused in one sentence.

Bound parameters (``?``) stay parameters: they become the drivers' ``%s`` and every other ``%``
is doubled, so a ``LIKE '%a%'`` or a date format is never read as a placeholder.

A transform that is given a tree it cannot translate raises ``SourceSqlError``; a function that
one engine lacks fails on the server as an ordinary query error. Either way nothing runs that the
guard did not check: transforms only map checked nodes to their equivalents.
"""

from __future__ import annotations

from typing import Literal

from sqlglot import exp

from ..sql_guard import QueryError

Engine = Literal["postgres", "mysql"]
_PARAM = "__servicelens_param__"


class SourceSqlError(QueryError):
    """A query that cannot be expressed in the source's dialect; the message says why."""


def to_dialect(
    tree: exp.Expr, engine: Engine, *, bool_columns: frozenset[str] = frozenset()
) -> tuple[str, int]:
    """The SQL for ``engine`` and the number of ``%s`` parameters in it; ``tree`` is untouched."""
    tree = tree.copy()
    for select in list(tree.find_all(exp.Select)):
        _expand_group_by_all(select)
    tree = _postgres(tree, bool_columns) if engine == "postgres" else _mysql(tree)
    n_params = 0
    for node in list(tree.find_all(exp.Placeholder)):
        node.replace(exp.var(_PARAM))
        n_params += 1
    sql = tree.sql(dialect=engine)
    if n_params:
        sql = sql.replace("%", "%%")
        if sql.count(_PARAM) != n_params:
            raise SourceSqlError("The query's parameters could not be placed; write it plainly.")
        sql = sql.replace(_PARAM, "%s")
    return sql, n_params


def _expand_group_by_all(select: exp.Select) -> None:
    group = select.args.get("group")
    if not isinstance(group, exp.Group) or not group.args.get("all"):
        return
    positions = [
        exp.Literal.number(i)
        for i, projection in enumerate(select.expressions, start=1)
        if not _aggregates(projection)
    ]
    if positions:
        select.set("group", exp.Group(expressions=positions))
    else:
        select.set("group", None)  # all aggregates: one row, as GROUP BY ALL gives


def _aggregates(node: exp.Expr) -> bool:
    # A column with an aggregate or a window function is not grouped by (DuckDB's GROUP BY ALL
    # groups by the others); a window over grouped rows cannot be a grouping key anyway.
    return node.find(exp.AggFunc) is not None or node.find(exp.Window) is not None


# ---------------------------------------------------------------- PostgreSQL

_PG_EXTRACT: dict[type[exp.Expr], str] = {
    exp.Year: "YEAR", exp.Quarter: "QUARTER", exp.Month: "MONTH", exp.Day: "DAY",
    exp.Hour: "HOUR", exp.Minute: "MINUTE", exp.DayOfWeekIso: "ISODOW",
    exp.DayOfWeek: "DOW", exp.Week: "WEEK", exp.DayOfYear: "DOY",
}  # fmt: skip
_NUMERIC_TYPES = {
    exp.DataType.Type.DOUBLE,
    exp.DataType.Type.FLOAT,
    exp.DataType.Type.DECIMAL,
    exp.DataType.Type.BIGINT,
    exp.DataType.Type.SMALLINT,
}  # fmt: skip  (INT is left out: PostgreSQL casts a boolean to it, and the rewrite ends there)


def _postgres(tree: exp.Expr, bool_columns: frozenset[str]) -> exp.Expr:
    def rewrite(node: exp.Expr) -> exp.Expr:
        part = _PG_EXTRACT.get(type(node))
        if part is not None and isinstance(node.this, exp.Expr):
            extract = exp.Extract(this=exp.var(part), expression=node.this)
            return exp.cast(extract, exp.DataType.build("INT"))
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
            node.set("this", exp.cast(node.this, exp.DataType.build("DECIMAL")))
            return node
        if (
            isinstance(node, exp.Cast)
            and isinstance(node.this, exp.Column)
            and node.this.name.lower() in bool_columns
            and node.to.this in _NUMERIC_TYPES
        ):
            node.set("this", exp.cast(node.this, exp.DataType.build("INT")))
        return node

    return tree.transform(rewrite, copy=False)


# ---------------------------------------------------------------- MySQL and MariaDB

_MYSQL_UNITS = {"SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}


def _mysql(tree: exp.Expr) -> exp.Expr:
    def rewrite(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Median | exp.PercentileCont | exp.PercentileDisc):
            raise SourceSqlError(
                "Medians and percentiles cannot be computed on a MySQL or MariaDB source; "
                "use an average, or ask for the distribution in buckets."
            )
        if isinstance(node, exp.DateDiff):
            unit = str(node.args.get("unit") or "DAY").strip("'\"").upper()
            if unit not in _MYSQL_UNITS:
                raise SourceSqlError(f"date_diff by {unit.lower()} is not available here.")
            return exp.Anonymous(
                this="TIMESTAMPDIFF", expressions=[exp.var(unit), node.expression, node.this]
            )
        if isinstance(node, exp.TimeToUnix):
            return exp.Anonymous(this="UNIX_TIMESTAMP", expressions=[node.this])
        if isinstance(node, exp.DayOfWeekIso):
            return exp.Add(
                this=exp.Anonymous(this="WEEKDAY", expressions=[node.this]),
                expression=exp.Literal.number(1),
            )
        if isinstance(node, exp.TimestampTrunc | exp.DateTrunc):
            return _mysql_trunc(node)
        if isinstance(node, exp.Filter):
            return _filter_as_case(node)
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
            # ROUND of a DOUBLE rounds half to even here (56.25 -> 56.2); of an exact value half
            # away from zero, as DuckDB and PostgreSQL do (56.3).
            node.set("this", exp.cast(node.this, exp.DataType.build("DECIMAL(65, 30)")))
        return node

    return tree.transform(rewrite, copy=False)


def _mysql_trunc(node: exp.Expr) -> exp.Expr:
    unit = str(node.args.get("unit") or "").strip("'\"").upper()
    if isinstance(node.args.get("unit"), exp.Expr):
        unit = node.args["unit"].name.upper()
    value = node.this
    day = exp.Anonymous(this="DATE", expressions=[value])
    if unit == "DAY":
        return day
    if unit == "WEEK":  # Monday, as DuckDB's ISO weeks
        back = exp.Interval(
            this=exp.Anonymous(this="WEEKDAY", expressions=[value]), unit=exp.var("DAY")
        )
        return exp.Anonymous(this="DATE_SUB", expressions=[day, back])
    formats = {"MONTH": "%Y-%m-01", "YEAR": "%Y-01-01"}
    if unit in formats:
        text = exp.Anonymous(
            this="DATE_FORMAT", expressions=[value, exp.Literal.string(formats[unit])]
        )
        return exp.Anonymous(this="DATE", expressions=[text])
    if unit == "QUARTER":
        months = exp.Interval(
            this=exp.Sub(
                this=exp.Mul(
                    this=exp.Anonymous(this="QUARTER", expressions=[value]),
                    expression=exp.Literal.number(3),
                ),
                expression=exp.Literal.number(3),
            ),
            unit=exp.var("MONTH"),
        )
        year = exp.Anonymous(
            this="DATE", expressions=[exp.Anonymous(
                this="DATE_FORMAT", expressions=[value, exp.Literal.string("%Y-01-01")]
            )],
        )  # fmt: skip
        return exp.Anonymous(this="DATE_ADD", expressions=[year, months])
    return node


def _filter_as_case(node: exp.Filter) -> exp.Expr:
    agg, where = node.this, node.expression
    condition = where.this if isinstance(where, exp.Where) else where
    if not isinstance(agg, exp.AggFunc):
        raise SourceSqlError("FILTER applies to aggregates only; use CASE inside the aggregate.")
    target = agg.this
    if isinstance(agg, exp.Count) and (target is None or isinstance(target, exp.Star)):
        agg.set("this", exp.case().when(condition, exp.Literal.number(1)))
        return agg
    if isinstance(target, exp.Distinct):
        target.set("expressions", [exp.case().when(condition, e) for e in target.expressions])
        return agg
    agg.set("this", exp.case().when(condition, target))
    return agg
