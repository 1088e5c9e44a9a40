"""Data scopes: a caller limited to the East region (and to some tables) sees nothing else, by
any route of the library — metrics, SQL however hostile, search, themes, describe — and the
scope is checked against the catalog before anything runs.

Every test runs on the session's real demo workspace (DuckDB file, Chroma and keyword index).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from servicelens import Analyst
from servicelens.data.errors import ServiceLensError
from servicelens.data.scope import Scope, ScopeError, compile_scope
from servicelens.data.sql_guard import QueryError

EAST = Scope(
    rows={"region": ["华东"]}, tables=("tickets", "customers", "products", "voc", "surveys")
)


@pytest.fixture(scope="module")
def analyst(demo_home: Path) -> Iterator[Analyst]:
    with Analyst.open(demo_home) as opened:
        yield opened


@pytest.fixture(scope="module")
def east(analyst: Analyst) -> Analyst:
    return analyst.scoped(EAST)


@pytest.fixture(scope="module")
def east_ids(analyst: Analyst) -> dict[str, set[str]]:
    """The ids of every table's East rows, read without a scope: what the scoped caller may see."""

    def ids(sql: str) -> set[str]:
        return {str(r[0]) for r in analyst.sql(sql, max_rows=100_000).rows}

    return {
        "tickets": ids("SELECT ticket_id FROM tickets WHERE region = 'East'"),
        "customers": ids("SELECT customer_id FROM customers WHERE region = 'East'"),
        "surveys": ids(
            "SELECT s.survey_id FROM surveys s JOIN tickets t ON t.ticket_id = s.ticket_id "
            "WHERE t.region = 'East'"
        ),
        "voc": ids("SELECT voc_id FROM voc WHERE region = 'East'"),
    }


# Each selects region values only: every row the scoped caller gets back must say East.
HOSTILE_REGION_SQL = [
    "SELECT region FROM tickets",
    "SELECT DISTINCT region FROM tickets WHERE region <> 'East' OR 1 = 1",
    "SELECT b.region FROM tickets a JOIN tickets b ON a.customer_id = b.customer_id",
    "SELECT region FROM (SELECT * FROM (SELECT * FROM tickets) x) y",
    "SELECT region FROM tickets UNION ALL SELECT region FROM customers",
    "SELECT region FROM customers INTERSECT SELECT region FROM customers",
    'SELECT region FROM "TICKETS"',
    'SELECT "region" FROM "main"."tickets"',
    "SELECT region FROM main.tickets",
    "SELECT region FROM Tickets AS customers",
    "FROM tickets SELECT region",
    "SELECT region FROM 'tickets'",
    "SELECT x.region FROM customers c, LATERAL (SELECT region FROM tickets t "
    "WHERE t.customer_id = c.customer_id) x",
    "SELECT region FROM customers WHERE EXISTS (SELECT 1 FROM tickets WHERE region = 'North')",
    "SELECT (SELECT max(region) FROM tickets WHERE region <> 'East') AS region",
    "SELECT t.region FROM surveys s JOIN tickets t USING (ticket_id)",
    "WITH recursive r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
    "SELECT region FROM r, tickets",
    "WITH x AS (SELECT * FROM tickets) SELECT region FROM x",
    "SELECT region FROM tickets t WHERE t.ticket_id IN (SELECT ticket_id FROM surveys)",
    "SELECT unnest(list(region)) AS region FROM tickets",
    "SELECT region FROM voc",
    "SELECT region FROM tickets TABLESAMPLE 50%",
]

# Each is refused: a hidden table, the system catalog, another database, a CTE in a table's name.
REFUSED_SQL = [
    "SELECT * FROM engineers",
    "SELECT region FROM main.engineers",
    "SELECT * FROM contracts c JOIN customers USING (customer_id)",
    "WITH tickets AS (SELECT * FROM main.tickets) SELECT region FROM tickets",
    'WITH "Tickets" AS (SELECT 1 AS region) SELECT region FROM customers',
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM duckdb_tables()",
    "SELECT * FROM duckdb_columns()",
    "SELECT * FROM warehouse.main.tickets",
    "SELECT * FROM system.main.tickets",
    "SELECT * FROM query_table('tickets')",
    "SELECT * FROM read_parquet('warehouse.duckdb')",
]


@pytest.mark.parametrize("sql", HOSTILE_REGION_SQL)
def test_hostile_sql_sees_only_the_scoped_rows(east: Analyst, sql: str) -> None:
    result = east.sql(sql, max_rows=100_000)
    regions = {row[result.columns.index("region")] for row in result.rows}
    assert regions - {None} <= {"East"}, sql


@pytest.mark.parametrize("sql", REFUSED_SQL)
def test_hidden_tables_and_the_system_catalog_are_refused(east: Analyst, sql: str) -> None:
    with pytest.raises(QueryError):
        east.sql(sql)


def test_ids_of_every_table_are_the_scoped_ones(
    analyst: Analyst, east: Analyst, east_ids: dict[str, set[str]]
) -> None:
    queries = {
        "tickets": "SELECT ticket_id FROM tickets",
        "customers": "SELECT customer_id FROM customers",
        "surveys": "SELECT survey_id FROM surveys",
        "voc": "SELECT voc_id FROM voc",
    }
    for table, sql in queries.items():
        seen = {str(r[0]) for r in east.sql(sql, max_rows=100_000).rows}
        assert seen == east_ids[table], table
    # Reference data the filter cannot reach is visible whole (the products of every region).
    assert (
        east.sql("SELECT count(*) FROM products").rows
        == analyst.sql("SELECT count(*) FROM products").rows
    )


def test_metrics_are_computed_over_the_scoped_rows(analyst: Analyst, east: Analyst) -> None:
    everyone = {r[0]: r[1] for r in analyst.metric("ticket_count", by="region").rows}
    scoped = east.metric("ticket_count", by="region")
    assert [r[:2] for r in scoped.rows] == [["East", everyone["East"]]]
    assert scoped.meta["scope"] == (
        "region in East; tables customers, products, surveys, tickets, voc"
    )
    # Asking for another region is not an error that confirms it exists: it is empty.
    assert east.metric("ticket_count", where={"region": "North"}).rows[0][0] == 0
    csat = east.metric("csat_avg", by="segment").rows
    everyone_csat = analyst.metric("csat_avg", by="segment", where={"region": "East"}).rows
    assert csat == everyone_csat


def test_search_and_themes_see_only_scoped_feedback(
    analyst: Analyst, east: Analyst, east_ids: dict[str, set[str]]
) -> None:
    for query in ("noise", "ignore your instructions", "空调 噪音", "refund"):
        found = east.search(query, k=20)
        assert found.hits
        assert {h.id.removeprefix("V:") for h in found.hits} <= east_ids["voc"]
        assert found.total_matching == len(east_ids["voc"])
    assert analyst.search("noise").total_matching > len(east_ids["voc"])
    with pytest.raises(ServiceLensError):
        east.search("noise", where={"region": "North"})
    themes = east.themes(period="last quarter")
    quotes = [q["id"] for t in themes.model_dump()["themes"] for q in t.get("quotes", [])]
    assert quotes
    assert {q.removeprefix("V:") for q in quotes} <= east_ids["voc"]


def test_describe_shows_only_the_scoped_tables_and_rows(east: Analyst) -> None:
    described = east.describe()
    assert set(described.coverage) <= {"tickets", "customers", "products", "voc", "surveys"}
    text = described.model_dump_json()
    assert "engineers" not in text and "contracts" not in text
    assert described.coverage["tickets"].rows == east.sql("SELECT count(*) FROM tickets").rows[0][0]


def test_a_scope_is_checked_against_the_catalog(analyst: Analyst) -> None:
    catalog = analyst.catalog
    assert catalog is not None
    bad = [
        Scope(rows={"regoin": ["East"]}),
        Scope(rows={"region": ["Atlantis"]}),
        Scope(rows={"region": []}),
        Scope(tables=("tickets", "payroll")),
        Scope(rows={"customers.no_such_column": ["x"]}),
        Scope(rows={"month": ["2026-01"]}),
        # Engineers have a region, but no table the scope keeps is filtered by their level.
        Scope(rows={"engineer_level": ["senior"]}, tables=("customers",)),
    ]
    for scope in bad:
        with pytest.raises(ScopeError):
            compile_scope(scope, catalog)
        with pytest.raises(ScopeError):
            analyst.scoped(scope)


def test_a_set_of_customers_scopes_their_rows_everywhere(analyst: Analyst) -> None:
    picked = [r[0] for r in analyst.sql("SELECT customer_id FROM customers LIMIT 3").rows]
    mine = analyst.scoped(Scope(rows={"customers.customer_id": picked}))
    seen = {r[0] for r in mine.sql("SELECT DISTINCT customer_id FROM tickets").rows}
    assert seen and seen <= set(picked)
    voc = {r[0] for r in mine.sql("SELECT DISTINCT customer_id FROM voc").rows}
    assert voc <= set(picked)
    surveys = mine.sql(
        "SELECT count(*) FROM surveys s JOIN tickets t ON t.ticket_id = s.ticket_id "
        f"WHERE t.customer_id NOT IN ({', '.join(repr(p) for p in picked)})"
    ).rows
    assert surveys == [[0]]


def test_the_rewrite_works_on_the_parsed_tree_with_parameters(analyst: Analyst) -> None:
    import sqlglot

    catalog = analyst.catalog
    assert catalog is not None
    compiled = compile_scope(EAST, catalog)
    tree = sqlglot.parse_one("SELECT count(*) FROM tickets WHERE type = ?", read="duckdb")
    scoped = compiled.apply(tree).sql(dialect="duckdb")
    assert scoped.count("?") == 1
    assert "main.tickets" in scoped and "'East'" in scoped
    # Another dialect can be written from the same scoped tree (live sources transpile it).
    assert "tickets" in compiled.apply(sqlglot.parse_one("SELECT 1 FROM tickets")).sql("postgres")


def test_a_scoped_answer_says_it_was_read_within_the_scope(analyst: Analyst, east: Analyst) -> None:
    """ "The weakest region is East" is true only inside an East scope: the reading says so."""
    question = "Which region had the worst SLA attainment in 2026-Q3?"
    scoped = east.ask(question)
    assert scoped.reading is not None
    assert "within your data scope: region in East" in scoped.reading.line, scoped.reading.line
    whole = analyst.ask(question)
    assert whole.reading is not None and "data scope" not in whole.reading.line
