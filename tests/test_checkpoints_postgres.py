"""Conversation threads in a real PostgreSQL server (a throwaway cluster started here) through
``SERVICELENS_CHECKPOINT_URL``: tables made on first use, an answer and its follow-up on one
thread, threads listed, read back and exported, the same thread continued by a second analyst
(as a second server worker would), deletion, connections closed with the analyst, and a URL
that cannot be used refused in a sentence that names the setting and hides the password.

Everything is real: the server, LangGraph's Postgres checkpointer, the offline provider on the
small demo workspace.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from postgres_support import PostgresCluster, cluster_or_skip

from servicelens.agent.analyst import Analyst
from servicelens.agent.checkpoints import SETTING, CheckpointStoreError, open_checkpointer
from servicelens.agent.doctor import Check, run_checks
from servicelens.agent.settings import Settings, SettingsError, load_settings

ROLE, ROLE_PASSWORD = "servicelens", "s3cret-Pa55word"
QUESTION = "How did SLA attainment change by region last quarter?"
FOLLOW_UP = "And only for installations?"


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with cluster_or_skip() as pg:
        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{ROLE_PASSWORD}'")
        yield pg


_databases = iter(range(1_000))


@pytest.fixture
def database(cluster: PostgresCluster) -> str:
    """A fresh database owned by the application role; its URL, password included."""
    name = f"threads_{next(_databases)}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} OWNER {ROLE}")
    return cluster.url(name, ROLE, ROLE_PASSWORD)


@pytest.fixture(scope="module")
def home(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A private copy, so that anything written into the workspace would show here.
    copy = tmp_path_factory.mktemp("pg-threads") / "ws"
    shutil.copytree(demo_home, copy)
    # Threads an earlier test kept in the shared workspace are not this test's to find.
    for kept in copy.glob("checkpoints.sqlite*"):
        kept.unlink()
    return copy


def _open(home: Path, url: str) -> Analyst:
    return Analyst.open(home, provider="offline", checkpoint_url=url)


def _rows(url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return list(conn.execute(sql, args).fetchall())


def _threads_in(url: str) -> set[str]:
    return {str(r[0]) for r in _rows(url, "SELECT DISTINCT thread_id FROM checkpoints")}


def test_tables_are_created_on_first_use(home: Path, database: str) -> None:
    exists = "SELECT to_regclass('checkpoints') IS NOT NULL"
    assert _rows(database, exists) == [(False,)]
    with _open(home, database):
        assert _rows(database, exists) == [(True,)]
    # A second opening finds them current and leaves them alone.
    before = _rows(database, "SELECT count(*) FROM checkpoint_migrations")
    with _open(home, database):
        assert _rows(database, "SELECT count(*) FROM checkpoint_migrations") == before


def test_an_answer_and_its_follow_up_are_one_thread_in_postgres(
    home: Path, database: str, tmp_path: Path
) -> None:
    with _open(home, database) as analyst:
        first = analyst.ask(QUESTION)
        follow = analyst.ask(FOLLOW_UP, thread_id=first.thread_id)
        assert follow.thread_id == first.thread_id and first.text and follow.text

        view = analyst.thread(first.thread_id)
        assert view is not None
        assert [t.question for t in view.turns] == [QUESTION, FOLLOW_UP]
        assert all(t.answer and t.status != "running" for t in view.turns)
        assert "Q1" in view.evidence_ids

        [summary] = [s for s in analyst.threads() if s.thread_id == first.thread_id]
        assert summary.turns == 2 and summary.first_question == QUESTION

        ledger = analyst.ledger(first.thread_id)
        assert ledger is not None and analyst.evidence(first.thread_id, "Q1") is not None
        report = analyst.report(first.thread_id, whole_thread=True)
        assert report is not None and QUESTION in report.markdown and FOLLOW_UP in report.markdown
        written = analyst.export(first.thread_id, tmp_path / "thread.md")
        assert FOLLOW_UP in written.read_text(encoding="utf-8")

    # The turns are in the database, not in the workspace's SQLite file.
    assert _threads_in(database) == {first.thread_id}
    assert not (home / "checkpoints.sqlite").exists()


def test_a_second_worker_continues_the_thread(home: Path, database: str) -> None:
    with _open(home, database) as worker_a, _open(home, database) as worker_b:
        started = worker_a.ask(QUESTION)
        # Worker B never saw this thread in memory: it reads it from the database.
        seen = worker_b.thread(started.thread_id)
        assert seen is not None and [t.question for t in seen.turns] == [QUESTION]
        assert started.thread_id in {s.thread_id for s in worker_b.threads()}

        worker_b.ask(FOLLOW_UP, thread_id=started.thread_id)
        view = worker_a.thread(started.thread_id)
        assert view is not None and [t.question for t in view.turns] == [QUESTION, FOLLOW_UP]
        assert view.turns[1].answer


def test_a_deleted_thread_is_gone_for_every_worker(home: Path, database: str) -> None:
    with _open(home, database) as worker_a, _open(home, database) as worker_b:
        kept = worker_a.ask(QUESTION)
        dropped = worker_a.ask(FOLLOW_UP)
        assert worker_b.delete_thread(dropped.thread_id) is True

        assert worker_a.thread(dropped.thread_id) is None
        assert worker_a.ledger(dropped.thread_id) is None
        assert [s.thread_id for s in worker_a.threads()] == [kept.thread_id]
        assert _threads_in(database) == {kept.thread_id}
        assert worker_a.delete_thread(dropped.thread_id) is False


def test_closing_the_analyst_closes_its_connections(home: Path, database: str) -> None:
    def connections() -> int:
        sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        return int(_rows(database, sql)[0][0]) - 1  # less the one counting

    analyst = _open(home, database)
    analyst.threads()
    assert connections() >= 1
    analyst.close()
    # A backend ends a moment after its client hangs up.
    deadline = time.monotonic() + 10
    while connections() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert connections() == 0


def test_workers_starting_together_set_the_tables_up_once(database: str, tmp_path: Path) -> None:
    settings = load_settings(tmp_path, checkpoint_url=database)
    failures: list[BaseException] = []

    def start() -> None:
        try:
            _, handle = open_checkpointer(settings)
            handle.close()
        except BaseException as exc:  # reported below, with what it was
            failures.append(exc)

    workers = [threading.Thread(target=start) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert failures == []
    versions = _rows(database, "SELECT v, count(*) FROM checkpoint_migrations GROUP BY v")
    assert versions and all(count == 1 for _, count in versions)


def test_tables_need_create_rights_once_and_then_only_row_rights(
    home: Path, database: str, cluster: PostgresCluster
) -> None:
    name = database.rsplit("/", 1)[1]
    limited = cluster.url(name, "worker_dml", "dml-only-pw")
    with psycopg.connect(cluster.url(name), autocommit=True) as conn:
        conn.execute("CREATE ROLE worker_dml LOGIN PASSWORD 'dml-only-pw'")
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    try:
        with pytest.raises(CheckpointStoreError) as raised:
            _open(home, limited)
        assert "permission denied" in str(raised.value) and "create tables" in str(raised.value)
        with _open(home, database):
            pass  # the owner sets the tables up
        with psycopg.connect(cluster.url(name), autocommit=True) as conn:
            conn.execute(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO worker_dml"
            )
        with _open(home, limited) as analyst:
            answer = analyst.ask(QUESTION)
            assert analyst.thread(answer.thread_id) is not None
    finally:
        with psycopg.connect(cluster.url(name), autocommit=True) as conn:
            conn.execute("DROP OWNED BY worker_dml")
            conn.execute("DROP ROLE worker_dml")


@pytest.mark.parametrize("what", ["no server on the port", "a wrong password"])
def test_an_unusable_url_names_the_setting_and_hides_the_password(
    what: str, home: Path, cluster: PostgresCluster, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Hunter2-never-shown"
    url = cluster.url("postgres", ROLE, secret)
    if what == "no server on the port":
        url = url.replace(f":{cluster.port}/", ":1/")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CheckpointStoreError) as raised:
        _open(home, url)
    message = str(raised.value)
    assert SETTING in message and f"{ROLE}:***@127.0.0.1" in message
    assert secret not in message and secret not in caplog.text
    assert ("refused" if what == "no server on the port" else "password") in message
    assert "server is running" in message and "\n" not in message
    assert message.count(". ") == 1  # two sentences: what happened, what to check


def test_a_malformed_url_is_refused_without_repeating_its_password(home: Path) -> None:
    with pytest.raises(CheckpointStoreError) as raised:
        _open(home, "postgresql://servicelens:Hunter2-never-shown@[::1/threads")
    assert SETTING in str(raised.value) and "Hunter2" not in str(raised.value)


def test_only_a_postgres_url_is_accepted(home: Path) -> None:
    env = {"SERVICELENS_CHECKPOINT_URL": "mysql://servicelens:Hunter2-never-shown@db/threads"}
    with pytest.raises(SettingsError) as raised:
        load_settings(home, environ=env)
    assert "checkpoint_url" in str(raised.value) and "Hunter2" not in str(raised.value)
    pg = "postgresql://servicelens:Hunter2-never-shown@db/threads"
    settings = load_settings(home, environ={"SERVICELENS_CHECKPOINT_URL": pg})
    assert settings.checkpoint_url is not None and "Hunter2" not in repr(settings)
    assert Settings(home=home).checkpoint_url is None


def _doctor(home: Path, url: str) -> Check:
    settings = load_settings(home, environ={SETTING: url})
    checks = run_checks(settings, model=False, embedder=False)
    return {c.name: c for c in checks}["checkpoints"]


def test_doctor_opens_the_checkpoint_database(
    home: Path, database: str, cluster: PostgresCluster
) -> None:
    found = _doctor(home, database)
    assert found.status == "ok" and f"{ROLE}:***@" in found.detail
    assert ROLE_PASSWORD not in found.detail
    wrong = cluster.url(database.rsplit("/", 1)[1], ROLE, "Hunter2-never-shown")
    found = _doctor(home, wrong)
    assert found.status == "fail" and "password authentication failed" in found.detail
    assert "Hunter2" not in found.detail + found.fix


def test_retention_prunes_threads_and_compacts_turns_in_postgres(home: Path, database: str) -> None:
    from servicelens.agent.retention import Retention

    with _open(home, database) as analyst:
        for thread_id in ("p1", "p2", "p3"):
            analyst.ask(QUESTION, thread_id)
            analyst.ask(FOLLOW_UP, thread_id)
        before = analyst.thread("p3")
        blobs = _rows(database, "SELECT count(*) FROM checkpoint_blobs")[0][0]
        report = analyst.prune_threads(Retention(max_age_days=0, max_threads=2, compact=True))
        assert (report.threads_before, report.threads_deleted) == (3, 1)
        assert report.checkpoints_deleted > 0
        assert _threads_in(database) == {"p2", "p3"}
        # Compacted: the turns read back the same, and values no checkpoint names are gone.
        assert analyst.thread("p3") == before
        assert _rows(database, "SELECT count(*) FROM checkpoint_blobs")[0][0] < blobs
        answer = analyst.ask("And by channel?", "p3")
        assert answer.status in ("answered", "partial")
