"""The canonical service-history schema (DESIGN §2.1).

The demo generator and the importers both target these tables; the names are part of the
contract with the catalog, golden questions and users' SQL, so change them nowhere else.

Each table's first column is its key. It is not declared PRIMARY KEY: DuckDB would keep an
index in memory that grows with the table (measured: +115 MB for 3M ticket ids), so memory
would not stay flat at benchmark scale. The generator makes keys unique by construction and
the importers check uniqueness before loading (``key(table)``).
"""

from __future__ import annotations

TABLES: dict[str, str] = {
    "customers": """
        customer_id VARCHAR,
        name VARCHAR,
        segment VARCHAR,          -- key account / SMB / consumer
        industry VARCHAR,
        region VARCHAR,
        city VARCHAR,
        tier VARCHAR,
        since DATE
    """,
    "products": """
        product_id VARCHAR,
        product_line VARCHAR,
        model VARCHAR,
        category VARCHAR,
        launched DATE
    """,
    "engineers": """
        engineer_id VARCHAR,
        name VARCHAR,
        region VARCHAR,
        level VARCHAR,
        hired DATE
    """,
    "tickets": """
        ticket_id VARCHAR,
        customer_id VARCHAR,
        product_id VARCHAR,
        engineer_id VARCHAR,
        channel VARCHAR,          -- phone / chat / email / app / social / onsite
        type VARCHAR,             -- installation / repair / maintenance / inquiry / complaint
        priority VARCHAR,
        region VARCHAR,
        opened_at TIMESTAMP,
        first_response_at TIMESTAMP,
        resolved_at TIMESTAMP,
        closed_at TIMESTAMP,
        status VARCHAR,
        sla_hours DOUBLE,
        sla_met BOOLEAN,
        onsite BOOLEAN,
        visits INTEGER,
        first_time_fix BOOLEAN,
        remote_resolved BOOLEAN,
        parts_wait_days DOUBLE,
        cost DOUBLE,
        revenue DOUBLE,
        reopened BOOLEAN,
        root_cause VARCHAR
    """,
    "surveys": """
        survey_id VARCHAR,
        ticket_id VARCHAR,
        customer_id VARCHAR,
        submitted_at TIMESTAMP,
        csat DOUBLE,              -- 1..5
        nps INTEGER,              -- 0..10 likelihood to recommend
        ces DOUBLE                -- 1..7 customer effort, lower is better
    """,
    "voc": """
        voc_id VARCHAR,
        source VARCHAR,           -- call / chat / email / social / survey / review
        customer_id VARCHAR,
        ticket_id VARCHAR,
        product_id VARCHAR,
        region VARCHAR,
        created_at TIMESTAMP,
        lang VARCHAR,             -- zh / en
        author_reach INTEGER,
        text VARCHAR,
        sentiment VARCHAR,        -- filled by enrichment at ingest
        theme VARCHAR,            -- filled by enrichment at ingest
        urgency VARCHAR           -- filled by enrichment at ingest
    """,
    "contracts": """
        contract_id VARCHAR,
        customer_id VARCHAR,
        product_line VARCHAR,
        kind VARCHAR,
        starts_on DATE,
        ends_on DATE,
        annual_value DOUBLE,
        renewed BOOLEAN
    """,
}


def create_statements() -> list[str]:
    return [f"CREATE TABLE {name} ({cols})" for name, cols in TABLES.items()]


def key(table: str) -> str:
    """The column that identifies a row of a canonical table."""
    return columns(table)[0]


def columns(table: str) -> list[str]:
    """Column names of a canonical table, in order."""
    names = []
    for line in TABLES[table].strip().splitlines():
        line = line.split("--")[0].strip().rstrip(",")
        if line:
            names.append(line.split()[0])
    return names
