"""Each planted fact of DESIGN §2.2, recomputed from the tables of a small demo with SQL.

facts.json is read only for dates and ids; the numbers come from the warehouse, so these tests
break if the generator stops planting a fact (or plants it too weakly to see at small scale).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from servicelens.data.demo.build import build_demo
from servicelens.data.workspace import WorkspacePaths


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("facts") / "ws"
    build_demo(home, scale="small", seed=7, index=False)
    return home


@pytest.fixture(scope="module")
def con(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(WorkspacePaths(home).warehouse), read_only=True)


@pytest.fixture(scope="module")
def facts(home: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads(WorkspacePaths(home).facts.read_text(encoding="utf-8"))
    return {f["id"]: f for f in doc["facts"]}


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row


def test_installation_surge_and_east_on_time_drop(con, facts) -> None:
    f = facts["installation_surge"]
    q2, q3 = f["date_ranges"]["previous_quarter"], f["date_ranges"]["quarter"]
    region = f["parameters"]["region"]
    volume = (
        "SELECT count(*) FROM tickets WHERE type = 'installation' AND opened_at >= ? "
        "AND opened_at < ?"
    )
    ratio = one(con, volume, [q3["start"], q3["end"]]) / one(con, volume, [q2["start"], q2["end"]])
    assert 1.4 <= ratio <= 1.8
    on_time = (
        "SELECT avg(sla_met::INT) FROM tickets WHERE type = 'installation' AND region = ? "
        "AND opened_at >= ? AND opened_at < ?"
    )
    before = one(con, on_time, [region, q2["start"], q2["end"]])
    after = one(con, on_time, [region, q3["start"], q3["end"]])
    assert before >= 0.82 and after <= 0.75 and before - after >= 0.15
    others = (
        "SELECT avg(sla_met::INT) FROM tickets WHERE type = 'installation' AND region <> ? "
        "AND opened_at >= ? AND opened_at < ?"
    )
    assert one(con, others, [region, q3["start"], q3["end"]]) >= 0.85


def test_thursday_afternoon_inquiry_peak(con) -> None:
    ratio = one(
        con,
        """
        WITH h AS (SELECT isodow(opened_at) AS d, hour(opened_at) AS h, count(*) AS n
                   FROM tickets WHERE type = 'inquiry' GROUP BY ALL)
        SELECT (SELECT sum(n) FROM h WHERE d = 4 AND h BETWEEN 14 AND 16) / 3.0
             / ((SELECT sum(n) FROM h WHERE d <= 5 AND h BETWEEN 9 AND 17) / 45.0)""",
    )
    assert 1.55 <= ratio <= 2.1
    peak, other = con.execute("""
        SELECT avg(CASE WHEN peak THEN miss END), avg(CASE WHEN NOT peak THEN miss END) FROM (
          SELECT isodow(opened_at) = 4 AND hour(opened_at) BETWEEN 14 AND 16 AS peak,
                 (first_response_at IS NULL
                  OR first_response_at - opened_at > INTERVAL 1 HOUR)::INT AS miss
          FROM tickets WHERE type = 'inquiry' AND isodow(opened_at) <= 5
                AND hour(opened_at) BETWEEN 9 AND 17)""").fetchone()
    assert peak >= 2.5 * other


def test_two_unanswered_influencer_complaints(con, facts) -> None:
    f = facts["influencer_complaints"]
    window = f["date_ranges"]["period"]
    rows = con.execute(
        """
        SELECT v.voc_id, EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = v.customer_id
                                 AND t.channel = 'social' AND t.opened_at >= v.created_at
                                 AND t.opened_at < v.created_at + INTERVAL 2 HOUR) AS answered
        FROM voc v WHERE v.source = 'social' AND v.author_reach > 100000
          AND v.created_at >= ? AND v.created_at < ? ORDER BY v.voc_id""",
        [window["start"], window["end"]],
    ).fetchall()
    unanswered = [vid for vid, answered in rows if not answered]
    assert unanswered == f["parameters"]["unanswered_voc_ids"]
    assert len(unanswered) == 2
    assert len(rows) > 2  # other influencers did get a response, so the fact discriminates
    assert one(con, "SELECT count(*) FROM voc WHERE author_reach > 100000") == len(rows)


def test_defective_ac_model(con, facts) -> None:
    p = facts["compressor_defect"]["parameters"]
    start = facts["compressor_defect"]["date_ranges"]["defect"]["start"]
    before, after = con.execute(
        """
        SELECT count(*) FILTER (WHERE opened_at < ?) / datediff('month', DATE '2024-11-01', ?),
               count(*) FILTER (WHERE opened_at >= ?) / datediff('month', ?, DATE '2026-11-01')
        FROM tickets t JOIN products p USING (product_id)
        WHERE p.model = ? AND t.type = 'repair' AND t.root_cause = 'compressor'""",
        [start, start, start, start, p["model"]],
    ).fetchone()
    assert after >= 4 * max(before, 0.5)
    rates = dict(
        con.execute(
            """
        SELECT p.model = ?, avg(first_time_fix::INT) FROM tickets t JOIN products p
        USING (product_id) WHERE t.type = 'repair' AND t.onsite AND t.opened_at >= ?
        GROUP BY ALL""",
            [p["model"], start],
        ).fetchall()
    )
    assert rates[True] <= 0.65 and rates[False] >= 0.74
    visits = dict(
        con.execute(
            """
        SELECT p.model = ?, avg(visits) FROM tickets t JOIN products p USING (product_id)
        WHERE t.type = 'repair' AND t.onsite AND t.opened_at >= ? GROUP BY ALL""",
            [p["model"], start],
        ).fetchall()
    )
    assert visits[True] >= visits[False] + 0.25


def test_parts_shortage(con, facts) -> None:
    f = facts["parts_shortage"]
    w = f["date_ranges"]["shortage"]
    line = f["parameters"]["product_line"]
    sql = """
        SELECT avg(parts_wait_days) FILTER (WHERE parts_wait_days > 0),
               median(epoch(resolved_at - opened_at) / 3600)
        FROM tickets t JOIN products p USING (product_id)
        WHERE p.product_line = ? AND t.type = 'repair'
          AND (opened_at >= ? AND opened_at < ?) = ?"""
    inside = con.execute(sql, [line, w["start"], w["end"], True]).fetchone()
    outside = con.execute(sql, [line, w["start"], w["end"], False]).fetchone()
    assert 2.0 <= inside[0] / outside[0] <= 4.0
    assert inside[1] >= 1.3 * outside[1]
    csat = dict(
        con.execute(
            """
        SELECT t.opened_at >= ? AND t.opened_at < ?, avg(s.csat) FROM surveys s
        JOIN tickets t USING (ticket_id) JOIN products p USING (product_id)
        WHERE p.product_line = ? GROUP BY ALL""",
            [w["start"], w["end"], line],
        ).fetchall()
    )
    assert csat[True] <= csat[False] - 0.3


def test_channels(con) -> None:
    by_channel = con.execute("""
        SELECT channel, median(epoch(first_response_at - opened_at)), avg(first_time_fix::INT)
        FROM tickets GROUP BY channel""").fetchall()
    fastest = min(by_channel, key=lambda r: r[1])[0]
    least_fixed = min(by_channel, key=lambda r: r[2])[0]
    assert (fastest, least_fixed) == ("chat", "chat")
    csat = con.execute("""
        SELECT t.channel, avg(s.csat) AS c FROM surveys s JOIN tickets t USING (ticket_id)
        GROUP BY t.channel ORDER BY c DESC""").fetchall()
    assert csat[0][0] == "phone" and csat[-1][0] == "social"


def test_remote_resolution_is_cheaper_and_no_worse(con) -> None:
    rows = dict(
        (r[0], r[1:])
        for r in con.execute("""
        SELECT t.remote_resolved, avg(t.cost), avg(s.csat) FROM tickets t
        LEFT JOIN surveys s USING (ticket_id)
        WHERE t.type = 'repair' AND t.remote_resolved IS NOT NULL GROUP BY ALL""").fetchall()
    )
    assert 0.2 <= rows[True][0] / rows[False][0] <= 0.4
    assert rows[True][1] >= rows[False][1]


def test_key_accounts_revenue_and_csat_drop(con, facts) -> None:
    revenue = con.execute("""
        SELECT c.segment, coalesce(tr.v, 0) + coalesce(cr.v, 0) AS total
        FROM (SELECT DISTINCT segment FROM customers) c
        LEFT JOIN (SELECT segment, sum(revenue) v FROM tickets JOIN customers USING (customer_id)
                   GROUP BY segment) tr USING (segment)
        LEFT JOIN (SELECT segment, sum(annual_value) v FROM contracts
                   JOIN customers USING (customer_id) GROUP BY segment) cr USING (segment)
        ORDER BY total DESC""").fetchall()
    assert revenue[0][0] == "key account"
    f = facts["key_accounts"]["date_ranges"]
    sql = """SELECT avg(s.csat) FROM surveys s JOIN tickets t USING (ticket_id)
             JOIN customers c ON c.customer_id = t.customer_id
             WHERE c.segment = 'key account' AND s.submitted_at >= ? AND s.submitted_at < ?"""
    q2 = one(con, sql, [f["previous_quarter"]["start"], f["previous_quarter"]["end"]])
    q3 = one(con, sql, [f["quarter"]["start"], f["quarter"]["end"]])
    assert q3 <= q2 - 0.25


def test_engineer_first_time_fix_spread(con) -> None:
    low, high = con.execute("""
        SELECT min(r), max(r) FROM (
          SELECT engineer_id, avg(first_time_fix::INT) AS r FROM tickets
          WHERE engineer_id IS NOT NULL AND onsite AND first_time_fix IS NOT NULL
          GROUP BY engineer_id HAVING count(*) >= 40)""").fetchone()
    assert 0.5 <= low <= 0.68 and 0.85 <= high <= 0.97


def test_contract_revenue_grows_with_a_renewal_dip(con, facts) -> None:
    values = [
        r[1]
        for r in con.execute("""
        SELECT q, sum(annual_value) FROM
          (SELECT unnest(generate_series(DATE '2024-11-01', DATE '2026-10-01',
                                         INTERVAL 3 MONTH)) AS q) g
        JOIN contracts k ON k.starts_on <= g.q AND k.ends_on >= g.q
        WHERE k.kind = 'maintenance' GROUP BY q ORDER BY q""").fetchall()
    ]
    assert values[-1] >= 1.4 * values[0]
    assert sum(v2 >= v1 for v1, v2 in itertools.pairwise(values)) >= len(values) - 2
    f = facts["contract_revenue"]
    dip, region = f["date_ranges"]["renewal_dip"], f["parameters"]["region"]
    rates = dict(
        con.execute(
            """
        SELECT c.region = ? AND k.ends_on >= ? AND k.ends_on < ?, avg(k.renewed::INT)
        FROM contracts k JOIN customers c USING (customer_id)
        WHERE k.renewed IS NOT NULL GROUP BY ALL""",
            [region, dip["start"], dip["end"]],
        ).fetchall()
    )
    assert rates[True] <= 0.65 and rates[False] >= 0.75
