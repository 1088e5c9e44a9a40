"""The same customer contacting again about the same problem within a few days.

"The same problem" is what the catalog says a case is about (its theme, issue, category or
type dimension) and, when the case names a product, the same product. A contact is a repeat
when the customer's previous contact about that problem was at most ``within_days`` before;
a warning lists customers whose repeats fall in the last ``lookback_days``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from .proactive_query import Evidence, stamp
from .roles import Roles
from .warning_types import OWNERS, Context, EarlyWarning, Text, Unavailable, warning_id

NEEDS = [
    "a customer key on dated cases (tickets)",
    "a dimension saying what a case is about (theme, issue, category or type)",
]


def repeat_contacts(ctx: Context) -> list[EarlyWarning]:
    tables = ctx.roles.case_tables()
    if ctx.roles.customer is None:
        raise Unavailable("no column identifies the customer", NEEDS)
    if not tables:
        raise Unavailable("no dated case table with a customer key and a problem", NEEDS)
    found: list[EarlyWarning] = []
    for table in tables:
        sql = _sql(ctx, table)
        rows = ctx.source.sql(sql, max_rows=5_000).records()
        found += _warnings(ctx, table, sql, rows)
    # The most contacts first, key accounts first among equals.
    found.sort(
        key=lambda w: (
            -int(w.evidence.numbers.get("contacts") or 0),
            not w.evidence.numbers.get("key_account"),
        )
    )
    return found[: ctx.rules.repeat.max_warnings]


def contacts_sql(roles: Roles, table: str, start: date, end: date) -> tuple[str, list[str]]:
    """One row per case of ``table`` opened in [start, end): its id, customer, problem,
    product (when cases name one) and time, as the case stood last (an event log's updates
    are one case); and the columns that make "the same problem" for a customer."""
    assert roles.customer is not None
    problem = roles.problem_dimension(table)
    assert problem is not None
    product = roles.product_column(table)
    time, who = f"{table}.{roles.time_of(table)}", roles.customer.by_table[table]
    last = [
        f"arg_max({who}, {time}) AS customer",
        f"arg_max({problem.sources[table]}, {time}) AS problem",
    ]
    if product is not None:
        last.append(f"arg_max({product.sql}, {time}) AS product")
    sql = (
        f"SELECT {table}.{roles.key_of(table)} AS id, {', '.join(last)}, min({time}) AS at "
        f"FROM {table} WHERE {time} >= {stamp(start)} AND {time} < {stamp(end)} "
        f"AND {who} IS NOT NULL GROUP BY 1"
    )
    return sql, ["customer", "problem", *(["product"] if product else [])]


def _sql(ctx: Context, table: str) -> str:
    rule = ctx.rules.repeat
    recent = ctx.as_of - timedelta(days=rule.lookback_days)
    cases, part = contacts_sql(
        ctx.roles, table, recent - timedelta(days=rule.within_days), ctx.as_of
    )
    return (
        f"WITH c AS ({cases}), "
        f"r AS (SELECT *, lag(at) OVER w AS prev_at, lag(id) OVER w AS prev_id FROM c "
        f"WINDOW w AS (PARTITION BY {', '.join(part)} ORDER BY at)) "
        f"SELECT * FROM r WHERE prev_at IS NOT NULL "
        f"AND at <= prev_at + INTERVAL {rule.within_days} DAY AND at >= {stamp(recent)} "
        f"ORDER BY customer, at"
    )


def _warnings(ctx: Context, table: str, sql: str, rows: list[dict[str, Any]]) -> list[EarlyWarning]:
    rule = ctx.rules.repeat
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(r["customer"], r["problem"], r.get("product"))].append(r)
    key_accounts = _key_accounts(ctx, [str(k[0]) for k in groups])
    out = []
    for (customer, problem, product), reps in groups.items():
        ids = list(dict.fromkeys(x for r in reps for x in (str(r["prev_id"]), str(r["id"]))))
        if len(ids) < rule.min_contacts:
            continue
        key = str(customer) in key_accounts
        severity = "high" if len(ids) >= rule.high_contacts else "medium"
        out.append(_warning(ctx, table, sql, severity, (customer, problem, product), ids, key))
    return out


def _warning(
    ctx: Context,
    table: str,
    sql: str,
    severity: Any,
    subject: tuple[Any, Any, Any],
    ids: list[str],
    key: bool,
) -> EarlyWarning:
    customer, problem, product = subject
    days, n = ctx.rules.repeat.within_days, len(ids)
    what = f"{problem}" + (f" · {product}" if product else "")
    ka_en, ka_zh = (" (key account)", "（大客户）") if key else ("", "")
    return EarlyWarning(
        id=warning_id("repeat_contact", table, customer, problem, product, ids[-1]),
        kind="repeat_contact",
        severity=severity,
        title=Text(
            en=f"Customer {customer}{ka_en} came back {n} times about {what}, each within "
            f"{days} days of the last",
            zh=f"客户 {customer}{ka_zh} 就同一问题（{what}）{n} 次来联系，每次间隔不超过 {days} 天",
        ),
        action=Text(
            en="Call the customer back, give the case one owner, and find why the earlier fix "
            "did not hold.",
            zh="回访客户，指定专人负责到底，并查明此前处理为何没有解决问题。",
        ),
        owner=OWNERS["service"],
        due=ctx.due(severity),
        subject={"customer": str(customer), "problem": str(problem)}
        | ({"product": str(product)} if product else {}),
        evidence=Evidence(
            sql=sql,
            table=table,
            ids=ids,
            numbers={"contacts": n, "within_days": days, "key_account": key},
        ),
    )


def _key_accounts(ctx: Context, customers: list[str]) -> set[str]:
    cust = ctx.roles.customer
    if cust is None or cust.key_account is None or not customers:
        return set()
    dim = ctx.roles.catalog.dimensions[cust.key_account[0]]
    source = dim.sources.get(cust.entity.table)
    if source is None:
        return set()
    value = cust.key_account[1].replace("'", "''")
    listed = ", ".join("'" + c.replace("'", "''") + "'" for c in customers)
    sql = (
        f"SELECT {cust.entity.sql} AS id FROM {cust.entity.table} "
        f"WHERE {source} = '{value}' AND {cust.entity.sql} IN ({listed})"
    )
    return {str(r[0]) for r in ctx.source.sql(sql, max_rows=len(customers) + 1).rows}
