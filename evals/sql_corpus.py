"""Legitimate analytical SQL over the canonical schema, shared by the guard tests and the bench.

Each query is what an analyst (or the model) would reasonably write for a question the catalog's
metrics do not cover: window functions, CTEs, date maths, CASE, FILTER, QUALIFY, ROLLUP, string
functions, date_trunc and epoch. All must pass the guard and run on any canonical warehouse.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..data.schema import create_statements

LEGIT_QUERIES: dict[str, str] = {
    "join_on_compound_condition": """
        SELECT v.voc_id, count(t.ticket_id) AS responses
        FROM voc v
        LEFT JOIN tickets t
          ON t.customer_id = v.customer_id AND t.opened_at >= v.created_at
         AND t.opened_at < v.created_at + INTERVAL 2 HOUR
        GROUP BY v.voc_id""",
    "window_rank_engineers": """
        SELECT region, engineer_id, avg(date_diff('minute', opened_at, resolved_at)) / 60.0 AS hrs,
               rank() OVER (PARTITION BY region ORDER BY avg(date_diff('minute', opened_at,
               resolved_at))) AS rnk
        FROM tickets WHERE resolved_at IS NOT NULL GROUP BY region, engineer_id
        ORDER BY region, rnk""",
    "cte_monthly_lag": """
        WITH monthly AS (
            SELECT date_trunc('month', opened_at) AS month, count(*) AS n FROM tickets GROUP BY 1
        )
        SELECT month, n, n - lag(n) OVER (ORDER BY month) AS change,
               round(100.0 * (n - lag(n) OVER (ORDER BY month)) / lag(n) OVER (ORDER BY month), 1)
                 AS pct
        FROM monthly ORDER BY month""",
    "date_math_first_response": """
        SELECT priority, median(epoch(first_response_at) - epoch(opened_at)) / 3600 AS med_hours
        FROM tickets WHERE first_response_at IS NOT NULL GROUP BY priority ORDER BY priority""",
    "case_buckets": """
        SELECT CASE WHEN resolved_at IS NULL THEN 'open'
                    WHEN resolved_at - opened_at < INTERVAL 4 HOUR THEN '<4h'
                    WHEN resolved_at - opened_at < INTERVAL 1 DAY THEN '4-24h'
                    ELSE '>1d' END AS bucket, count(*) AS n
        FROM tickets GROUP BY ALL ORDER BY n DESC""",
    "filter_sla_by_quarter": """
        SELECT region, date_trunc('quarter', opened_at) AS quarter,
               count(*) FILTER (WHERE sla_met) * 1.0 / count(*) AS sla_attainment
        FROM tickets WHERE type = 'installation' GROUP BY region, quarter
        ORDER BY region, quarter""",
    "qualify_latest_per_customer": """
        SELECT customer_id, ticket_id, opened_at FROM tickets
        QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY opened_at DESC) = 1
        ORDER BY customer_id""",
    "rollup_region_type": """
        SELECT region, type, count(*) AS n, sum(cost) AS cost FROM tickets
        GROUP BY ROLLUP (region, type) ORDER BY region NULLS LAST, type NULLS LAST""",
    "string_functions": """
        SELECT upper(coalesce(root_cause, 'unknown')) AS cause, length(root_cause) AS len,
               split_part(ticket_id, '-', 1) AS prefix, concat(region, '/', channel) AS slot,
               count(*) AS n
        FROM tickets WHERE root_cause ILIKE '%a%' OR root_cause IS NULL GROUP BY ALL
        ORDER BY n DESC LIMIT 20""",
    "date_trunc_weekly": """
        SELECT date_trunc('week', opened_at)::DATE AS week, count(*) AS n FROM tickets
        WHERE opened_at >= DATE '2026-08-01' AND opened_at < DATE '2026-11-01'
        GROUP BY 1 ORDER BY 1""",
    "epoch_resolution_hours": """
        SELECT type, avg((epoch(resolved_at) - epoch(opened_at)) / 3600.0) AS avg_hours,
               quantile_cont((epoch(resolved_at) - epoch(opened_at)) / 3600.0, 0.9) AS p90_hours
        FROM tickets WHERE resolved_at IS NOT NULL GROUP BY type ORDER BY type""",
    "join_csat_by_segment": """
        SELECT c.segment, avg(s.csat) AS csat, count(*) AS responses
        FROM surveys s JOIN customers c ON c.customer_id = s.customer_id
        GROUP BY c.segment ORDER BY csat""",
    "nps_by_region": """
        SELECT t.region, round(100.0 * (count(*) FILTER (WHERE s.nps >= 9)
               - count(*) FILTER (WHERE s.nps <= 6)) / count(*), 1) AS nps
        FROM surveys AS s JOIN tickets AS t USING (ticket_id) GROUP BY t.region ORDER BY nps""",
    "union_two_periods": """
        SELECT 'Q2' AS period, avg(cost) AS cost FROM tickets
        WHERE opened_at >= '2026-04-01' AND opened_at < '2026-07-01'
        UNION ALL
        SELECT 'Q3', avg(cost) FROM tickets
        WHERE opened_at >= '2026-07-01' AND opened_at < '2026-10-01'""",
    "calendar_generate_series": """
        WITH months AS (
            SELECT unnest(generate_series(TIMESTAMP '2026-01-01', TIMESTAMP '2026-10-01',
                                          INTERVAL 1 MONTH)) AS month
        )
        SELECT m.month, count(t.ticket_id) AS n FROM months m
        LEFT JOIN tickets t ON date_trunc('month', t.opened_at) = m.month
        GROUP BY m.month ORDER BY m.month""",
    "renewal_rate_nullif": """
        SELECT product_line, count(*) FILTER (WHERE renewed) / nullif(count(*), 0) AS renewal_rate,
               sum(annual_value) AS value
        FROM contracts WHERE ends_on < DATE '2026-11-01' GROUP BY product_line
        ORDER BY renewal_rate""",
    "moving_average_rows": """
        WITH daily AS (SELECT opened_at::DATE AS day, count(*) AS n FROM tickets GROUP BY 1)
        SELECT day, n, avg(n) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS ma7
        FROM daily ORDER BY day DESC LIMIT 30""",
    "weekday_extract_strftime": """
        SELECT extract(dow FROM opened_at) AS dow, strftime(opened_at, '%a') AS day_name,
               count(*) AS n
        FROM tickets GROUP BY ALL ORDER BY dow""",
    "interval_last_90_days": """
        SELECT channel, count(*) AS n FROM tickets
        WHERE opened_at >= DATE '2026-11-01' - INTERVAL 90 DAY AND opened_at < DATE '2026-11-01'
        GROUP BY channel ORDER BY n DESC""",
    "exists_repeat_visits": """
        SELECT c.region, count(*) AS customers FROM customers c
        WHERE EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = c.customer_id AND t.visits > 1)
          AND c.customer_id IN (SELECT customer_id FROM surveys)
        GROUP BY c.region ORDER BY customers DESC""",
    "from_first_share_of_total": """
        FROM tickets
        SELECT region, count(*) AS n,
               count(*) / (SELECT count(*) FROM tickets) AS share
        GROUP BY region ORDER BY share DESC""",
    "cube_with_string_agg": """
        SELECT channel, onsite, count(*) AS n, string_agg(DISTINCT priority, ',') AS priorities
        FROM tickets GROUP BY CUBE (channel, onsite) ORDER BY channel NULLS FIRST, onsite""",
    "voc_theme_counts": """
        SELECT coalesce(theme, 'unlabelled') AS theme, lang, count(*) AS n,
               avg(author_reach) AS reach
        FROM main.voc WHERE created_at >= '2026-08-01' GROUP BY ALL ORDER BY n DESC""",
    "recursive_cte_days": """
        WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 6)
        SELECT n, count(t.ticket_id) AS opened FROM d
        LEFT JOIN tickets t ON extract(dow FROM t.opened_at) = d.n GROUP BY n ORDER BY n""",
    "pivot_in_subquery": """
        SELECT * FROM (PIVOT (SELECT region, type FROM tickets) ON type USING count(*))
        ORDER BY region""",
    "parts_wait_with_range": """
        SELECT r.range AS days, count(t.ticket_id) AS tickets FROM range(0, 10) r
        LEFT JOIN tickets t ON floor(t.parts_wait_days) = r.range GROUP BY 1 ORDER BY 1""",
}


def build_sample_warehouse(path: Path, *, tickets: int = 400) -> Path:
    """A small canonical warehouse with deterministic rows, for tests and smoke benchmarks.

    It is not the demo (no planted facts, no realistic distributions); it only gives every
    column of every table plausible values so the corpus above runs and returns rows.
    """
    con = duckdb.connect(str(path))
    try:
        for statement in create_statements():
            con.execute(statement)
        for statement in _SAMPLE_INSERTS:
            con.execute(statement.format(n=int(tickets)))
    finally:
        con.close()
    return path


# Pseudo-random but deterministic values come from h(i), a bounded hash; timestamps spread over
# the demo's 24-month calendar (2024-11-01 .. 2026-10-31).
_SAMPLE_INSERTS = [
    "CREATE TEMP MACRO h(x) AS CAST(hash(x) % 1000003 AS BIGINT)",
    """INSERT INTO customers SELECT 'C' || i, 'Customer ' || i,
        ['key account', 'SMB', 'consumer'][1 + i % 3],
        ['retail', 'hospital', 'factory'][1 + i % 3],
        ['East', 'North', 'South', 'West'][1 + i % 4], 'City ' || (i % 7),
        ['gold', 'silver'][1 + i % 2],
        DATE '2020-01-01' + INTERVAL (i * 11) DAY FROM range(60) t(i)""",
    """INSERT INTO products SELECT 'P' || i, ['Chiller', 'Boiler', 'Pump'][1 + i % 3], 'M-' || i,
        ['hvac', 'water'][1 + i % 2], DATE '2022-01-01' + INTERVAL (i * 30) DAY
        FROM range(12) t(i)""",
    """INSERT INTO engineers SELECT 'E' || i, 'Engineer ' || i,
        ['East', 'North', 'South', 'West'][1 + i % 4], ['junior', 'senior'][1 + i % 2],
        DATE '2019-06-01' + INTERVAL (i * 40) DAY FROM range(20) t(i)""",
    """INSERT INTO tickets SELECT 'T-' || i, 'C' || (i % 60), 'P' || (i % 12), 'E' || (i % 20),
        ['phone', 'chat', 'email', 'app', 'social', 'onsite'][1 + h(i) % 6],
        ['installation', 'repair', 'maintenance', 'inquiry', 'complaint'][1 + h(i + 1) % 5],
        ['P1', 'P2', 'P3'][1 + h(i + 2) % 3], ['East', 'North', 'South', 'West'][1 + i % 4],
        o, o + INTERVAL (1 + h(i) % 300) MINUTE,
        CASE WHEN i % 17 = 0 THEN NULL ELSE o + INTERVAL (2 + h(i) % 4000) MINUTE END,
        CASE WHEN i % 17 = 0 THEN NULL ELSE o + INTERVAL (3 + h(i) % 5000) MINUTE END,
        CASE WHEN i % 17 = 0 THEN 'open' ELSE 'closed' END, 24, h(i) % 10 < 8, i % 3 = 0,
        1 + h(i) % 3, h(i) % 4 > 0, i % 5 = 0,
        CASE WHEN i % 6 = 0 THEN (h(i) % 90) / 10.0 END, 50 + h(i) % 500, 80 + h(i) % 700,
        i % 13 = 0, ['wear', 'install error', 'firmware', NULL][1 + h(i) % 4]
        FROM (SELECT i, TIMESTAMP '2024-11-01 08:00' + INTERVAL (i * 731 * 24 * 60 // {n}) MINUTE
              AS o FROM range({n}) t(i))""",
    """INSERT INTO surveys SELECT 'S' || i, 'T-' || i, 'C' || (i % 60), t.closed_at,
        1 + h(i) % 5, h(i) % 11, 1 + h(i + 3) % 7
        FROM tickets t JOIN range({n}) r(i) ON t.ticket_id = 'T-' || i WHERE i % 3 = 0""",
    """INSERT INTO voc SELECT 'V' || i,
        ['call', 'chat', 'email', 'social', 'survey', 'review'][1 + i % 6],
        'C' || (i % 60), 'T-' || i, 'P' || (i % 12), ['East', 'North', 'South', 'West'][1 + i % 4],
        TIMESTAMP '2024-11-01' + INTERVAL (i * 3) DAY, ['en', 'zh'][1 + i % 2], h(i) % 1000,
        'placeholder feedback ' || i, ['negative', 'neutral', 'positive'][1 + i % 3],
        ['delay', 'quality', NULL][1 + i % 3], ['low', 'high'][1 + i % 2] FROM range(240) t(i)""",
    """INSERT INTO contracts SELECT 'K' || i, 'C' || (i % 60),
        ['Chiller', 'Boiler', 'Pump'][1 + i % 3],
        ['full', 'parts'][1 + i % 2], DATE '2024-01-01' + INTERVAL (i * 9) DAY,
        DATE '2025-01-01' + INTERVAL (i * 9) DAY, 1000 + h(i) % 9000, h(i) % 4 > 0
        FROM range(80) t(i)""",
]
