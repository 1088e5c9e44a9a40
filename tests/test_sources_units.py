"""Live sources without a server: the dialect rewrites, URLs and settings that never show a
password, routing by where a table lives, and a source that does not answer reported as slow.
The same parts run against real servers in ``test_sources_live.py``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from servicelens.agent.settings import SettingsError, load_settings
from servicelens.agent.sources import source_checks
from servicelens.data.sources import Federation, Source, SourceUrlError, parse_source_url
from servicelens.data.sources.dialect import SourceSqlError, to_dialect
from servicelens.data.sources.probe import probe
from servicelens.data.sql_guard import SqlRejected, checked_query
from servicelens.data.warehouse import QueryFailed, SqlLimits, Warehouse

TABLES = {"tickets", "customers"}


def _sql(sql: str, engine: str, **kw: object) -> str:
    tree = checked_query(sql, TABLES, row_cap=100, allow_parameters=True)
    return to_dialect(tree, engine, **kw)[0]  # type: ignore[arg-type]


def test_group_by_all_becomes_positions_of_the_grouped_columns() -> None:
    sql = "SELECT region, type, count(*) AS n, sum(cost) OVER () AS w FROM tickets GROUP BY ALL"
    for engine in ("postgres", "mysql"):
        assert "GROUP BY 1, 2, 4" not in _sql(sql, engine)
        assert "GROUP BY 1, 2" in _sql(sql, engine)


def test_postgres_rounds_numeric_and_casts_yes_no_through_integer() -> None:
    sql = _sql(
        "SELECT round(100.0 * avg(CAST(sla_met AS DOUBLE)), 1), quarter(opened_at) FROM tickets",
        "postgres",
        bool_columns=frozenset({"sla_met"}),
    )
    assert "ROUND(CAST(" in sql and "AS DECIMAL)" in sql
    assert "CAST(CAST(sla_met AS INT) AS DOUBLE PRECISION)" in sql
    assert "CAST(EXTRACT(QUARTER FROM opened_at) AS INT)" in sql


def test_mysql_counts_seconds_and_filters_inside_the_aggregate() -> None:
    sql = _sql(
        "SELECT avg(date_diff('second', opened_at, resolved_at)), "
        "count(*) FILTER (WHERE sla_met), round(avg(cost), 2) FROM tickets",
        "mysql",
    )
    assert "TIMESTAMPDIFF(SECOND, opened_at, resolved_at)" in sql
    assert "COUNT(CASE WHEN sla_met THEN 1 END)" in sql and "FILTER" not in sql
    assert "ROUND(CAST(AVG(cost) AS DECIMAL(65, 30)), 2)" in sql
    with pytest.raises(SourceSqlError, match="Medians"):
        _sql("SELECT median(cost) FROM tickets", "mysql")


def test_parameters_stay_bound_and_percent_signs_stay_text() -> None:
    tree = checked_query(
        "SELECT count(*) FROM tickets WHERE region LIKE '%st%' AND opened_at >= ? LIMIT ?",
        TABLES,
        row_cap=100,
        allow_parameters=True,
    )
    for engine in ("postgres", "mysql"):
        sql, n = to_dialect(tree, engine)  # type: ignore[arg-type]
        assert n == 2 and sql.replace("%%", "").count("%s") == 2 and "'%%st%%'" in sql


def test_url_never_shows_its_password() -> None:
    url = parse_source_url("postgresql://reader:s3cret@db.example:6432/helpdesk?schema=service")
    assert (url.engine, url.port, url.schema, url.password) == (
        "postgres",
        6432,
        "service",
        "s3cret",
    )
    assert "s3cret" not in str(url) + repr(url) + url.display()
    assert parse_source_url("mariadb://r@h/d").port == 3306
    for bad, words in [
        ("oracle://u@h/d", "must start with"),
        ("postgresql://u@h", "one database"),
        ("postgresql://h/d", "no user"),
        ("postgresql://u@h/d?sslmode=off", "unknown option"),
    ]:
        with pytest.raises(SourceUrlError, match=words):
            parse_source_url(bad)


def test_settings_take_passwords_from_the_environment_only(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    home.mkdir()
    config = home / "servicelens.toml"
    config.write_text(
        '[servicelens.sources.helpdesk]\nurl = "postgresql://r:${HELPDESK_PW}@h:5432/d"\n'
    )
    settings = load_settings(home, environ={"HELPDESK_PW": "p@ss:word"})
    spec = settings.sources["helpdesk"]
    resolved = spec.resolved_url.get_secret_value()  # type: ignore[union-attr]
    assert parse_source_url(resolved).password == "p@ss:word"
    assert "p@ss" not in repr(settings) + str(settings.model_dump())
    with pytest.raises(SettingsError, match="HELPDESK_PW, which is not set"):
        load_settings(home, environ={})
    config.write_text('[servicelens.sources.helpdesk]\nurl = "postgresql://r:hunter2@h/d"\n')
    with pytest.raises(SettingsError) as refused:
        load_settings(home, environ={})
    assert "hunter2" not in str(refused.value) and "${ENV_VAR}" in str(refused.value)
    config.write_text('[servicelens.sources.helpdesk]\nurl = "mysql://r@h/d"\npassword = "x"\n')
    with pytest.raises(SettingsError, match=r"never kept in servicelens\.toml"):
        load_settings(home, environ={})


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.parametrize("scheme", ["postgresql", "mariadb"])
def test_a_source_that_does_not_answer_is_reported_slow_not_waited_on(
    silent_server: int, scheme: str
) -> None:
    url = parse_source_url(f"{scheme}://r@127.0.0.1:{silent_server}/d")
    source = Source("stuck", url.with_password("x"), SqlLimits(timeout_s=1))
    start = time.perf_counter()
    found = probe(source, deadline_s=1.0)
    assert time.perf_counter() - start < 2.5
    assert found.slow and not found.reachable and "slow" in found.error


def test_doctor_reports_a_silent_source_as_slow(silent_server: int, tmp_path: Path) -> None:
    home = tmp_path / "ws"
    home.mkdir()
    (home / "servicelens.toml").write_text(
        f'[servicelens.sources.stuck]\nurl = "postgresql://r@127.0.0.1:{silent_server}/d"\n'
        "timeout_s = 1\n"
    )
    start = time.perf_counter()
    [check] = source_checks(load_settings(home, environ={}), None)
    assert time.perf_counter() - start < 15
    assert check.status == "warn" and "slow" in check.detail


def test_queries_go_where_their_tables_live(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE notes AS SELECT 1 AS n")
    source = Source("remote", parse_source_url("postgresql://r@127.0.0.1:1/d"))
    with Federation(Warehouse.open(path), {"remote": source}, {"tickets": "remote"}) as fed:
        assert fed.execute("SELECT n FROM notes").rows == [(1,)]
        assert fed.source_of("tickets") == "remote" and fed.source_of("notes") is None
        assert fed.tables() == ["notes", "tickets"]
        with pytest.raises(QueryFailed, match="different databases"):
            fed.execute("SELECT * FROM notes JOIN tickets ON true")
        # A CTE named like a source table is the CTE, not the table.
        assert fed.execute("WITH tickets AS (SELECT 2 AS n) SELECT n FROM tickets").rows == [(2,)]
        # The source's own guard allows only its tables.
        with pytest.raises(SqlRejected, match="not in the catalog"):
            source.query("SELECT * FROM notes")


def test_a_scope_that_would_filter_across_databases_is_refused(tmp_path: Path) -> None:
    """A row filter compiled into one query cannot read a table of another database: such a
    scope is refused when it is applied, never run unfiltered."""
    import sqlglot

    from servicelens.data.scope import CompiledScope, Scope, ScopeError

    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE notes AS SELECT 1 AS n")
    source = Source("remote", parse_source_url("postgresql://r@127.0.0.1:1/d"))
    across = sqlglot.parse_one("notes.n IN (SELECT tickets.n FROM main.tickets AS tickets)")
    within = sqlglot.parse_one("tickets.n IN (1, 2)")
    tables = frozenset({"notes", "tickets"})
    with Federation(Warehouse.open(path), {"remote": source}, {"tickets": "remote"}) as fed:
        assert fed.scope is None and fed.scoped(None) is fed
        bad = CompiledScope(Scope(), tables, frozenset(), {"notes": across}, _all=tables)
        with pytest.raises(ScopeError, match="cannot join two databases"):
            fed.scoped(bad)
        good = CompiledScope(Scope(), tables, frozenset(), {"tickets": within}, _all=tables)
        view = fed.scoped(good)
        assert view.scope is good and view.tables() == ["notes", "tickets"]
        # The scoped view reads the DuckDB file in scope too, and closing it closes nothing.
        assert view.execute("SELECT n FROM notes").rows == [(1,)]
        view.close()
        assert fed.execute("SELECT n FROM notes").rows == [(1,)]


@pytest.mark.parametrize("scheme", ["postgresql", "mariadb"])
def test_a_question_on_a_silent_source_is_answered_saying_it_is_slow(
    silent_server: int, scheme: str, demo_home: Path, tmp_path: Path
) -> None:
    """A source that never answers does not hang the question: the tool reports the source
    as slow to the model within its timeout, and the answer comes back."""
    import shutil

    import yaml

    from servicelens import Analyst
    from servicelens.agent.providers.scripted import ScriptedProvider
    from servicelens.data.sql_guard import QueryError

    home = tmp_path / "ws"
    shutil.copytree(demo_home, home, ignore=shutil.ignore_patterns("chroma", "keyword_index"))
    catalog = yaml.safe_load((home / "catalog.yaml").read_text("utf-8"))
    catalog["tables"]["tickets"]["source"] = "stuck"
    (home / "catalog.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), "utf-8")
    with open(home / "servicelens.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[servicelens.sources.stuck]\nurl = "{scheme}://r@127.0.0.1:{silent_server}/d"\n'
                "timeout_s = 1\n")  # fmt: skip
    steps = [
        ScriptedProvider.tool("run_sql", sql="SELECT count(*) AS n FROM tickets", purpose="count"),
        "ok",
        "The helpdesk database is slow right now.",
    ]
    with Analyst.open(home, provider=ScriptedProvider(steps)) as analyst:
        start = time.perf_counter()
        answer = analyst.ask("How many tickets are there?")
        assert time.perf_counter() - start < 8
        [call] = answer.trace
        assert not call.ok and "is slow" in (call.error or "") and "stuck" in call.error, call
        # The warehouse's own tables still answer beside it.
        assert analyst.sql("SELECT count(*) FROM customers").rows[0][0] > 0
        with pytest.raises(QueryError, match="slow"):
            analyst.sql("SELECT count(*) FROM tickets")
