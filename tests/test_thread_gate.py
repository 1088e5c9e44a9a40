"""The busy-thread gate, in one process and shared in a real PostgreSQL server: a thread whose
client went away stays held ("stopping", a 409 that says so) until its run releases it, a stuck
run's hold lapses after its bound with a warning, and a late release by the lapsed run never
frees the hold of the question that came after it. The route-level behaviour (a dropped stream,
a second question at once) is tested through a real server in test_server_disconnect.py."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest
from postgres_support import PostgresCluster, cluster_or_skip

from servicelens.agent.server.errors import HttpError
from servicelens.agent.server.gate import Claim, ThreadGate

BOUND_S = 0.5

GateFactory = Callable[[float], ThreadGate]


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with cluster_or_skip() as pg:
        yield pg


_databases = iter(range(1_000))


@pytest.fixture(params=["in-process", "postgresql"])
def make_gate(request: pytest.FixtureRequest) -> Iterator[GateFactory]:
    if request.param == "in-process":
        yield ThreadGate
        return
    from servicelens.agent.server.shared_state import SharedThreadGate, open_pool

    cluster: PostgresCluster = request.getfixturevalue("cluster")
    name = f"gate_{next(_databases)}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    pool = open_pool(cluster.url(name))
    try:
        yield lambda bound: SharedThreadGate(pool, bound)
    finally:
        pool.close()


def _refusal(gate: ThreadGate, thread_id: str, owner: str = "") -> HttpError:
    with pytest.raises(HttpError) as refused:
        gate.acquire(thread_id, owner)
    return refused.value


def test_a_stopping_run_holds_its_thread_until_it_releases(make_gate: GateFactory) -> None:
    gate = make_gate(60.0)
    held = Claim(gate, "t1", gate.acquire("t1"))
    busy = _refusal(gate, "t1")
    assert (busy.status, busy.error_type) == (409, "thread_busy")
    assert "still answering" in str(busy)
    held.run_started()
    held.client_gone()
    stopping = _refusal(gate, "t1")
    assert (stopping.status, stopping.error_type) == (409, "thread_busy")
    assert "stopping a run whose client went away" in str(stopping)
    assert stopping.headers["Retry-After"]
    # Another principal is told nothing about the thread.
    assert _refusal(gate, "t1", "token:other").status == 404
    held.run_ended()
    held.run_ended()  # repeated: harmless
    gate.release("t1", gate.acquire("t1"))


def test_a_stuck_run_holds_its_thread_only_until_the_bound(
    make_gate: GateFactory, caplog: pytest.LogCaptureFixture
) -> None:
    gate = make_gate(BOUND_S)
    stuck = Claim(gate, "t2", gate.acquire("t2"))
    stuck.run_started()
    stuck.client_gone()
    assert "stopping" in str(_refusal(gate, "t2"))
    time.sleep(BOUND_S + 0.3)
    with caplog.at_level(logging.WARNING, logger="servicelens.server"):
        after = gate.acquire("t2")
    assert "did not stop within" in caplog.text
    # The stuck run ends at last: its release must not free the new question's hold.
    stuck.run_ended()
    assert "still answering" in str(_refusal(gate, "t2"))
    gate.release("t2", after)
    gate.release("t2", gate.acquire("t2"))


def test_a_run_that_never_started_frees_its_thread_at_once(make_gate: GateFactory) -> None:
    gate = make_gate(60.0)
    unstarted = Claim(gate, "t3", gate.acquire("t3"))
    unstarted.client_gone()  # nothing to wait for
    unstarted.release_unstarted()
    started = Claim(gate, "t3", gate.acquire("t3"))
    started.run_started()
    started.release_unstarted()  # a started run is freed by its own end, not here
    assert "still answering" in str(_refusal(gate, "t3"))
    started.run_ended()
    gate.release("t3", gate.acquire("t3"))


def test_an_older_shared_table_gains_its_columns_and_row_rights_suffice(
    cluster: PostgresCluster,
) -> None:
    from servicelens.agent.server.shared_state import SharedThreadGate, open_pool

    # A database set up before holds had leases and a stop time.
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE gate_old")
    with psycopg.connect(cluster.url("gate_old"), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE servicelens_busy_threads (thread_id TEXT PRIMARY KEY, "
            "owner TEXT NOT NULL, since TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        conn.execute("INSERT INTO servicelens_busy_threads (thread_id, owner) VALUES ('old', '')")
        conn.execute("CREATE ROLE gate_dml LOGIN PASSWORD 'dml-pw'")
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        conn.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO gate_dml"
        )
    # The owner's worker adds the columns; a worker with row rights only then works as well.
    for url in (cluster.url("gate_old"), cluster.url("gate_old", "gate_dml", "dml-pw")):
        pool = open_pool(url)
        try:
            gate = SharedThreadGate(pool, 60.0)
            assert "still answering" in str(_refusal(gate, "old"))
            gate.release("old")
            held = Claim(gate, "old", gate.acquire("old"))
            held.run_started()
            held.client_gone()
            assert "stopping" in str(_refusal(gate, "old"))
            held.run_ended()
            gate.acquire("old")  # held again, as the old row was, for the next worker
        finally:
            pool.close()


def test_the_default_bound_is_one_step_of_the_default_settings() -> None:
    from servicelens.agent.providers.deadline import call_budget_s
    from servicelens.agent.server.gate import DEFAULT_STOP_WAIT_S, stop_wait_for
    from servicelens.agent.settings import Settings

    default = {name: field.default for name, field in Settings.model_fields.items()}
    model_call_s = call_budget_s(default["request_timeout_s"], default["max_retries"])
    assert stop_wait_for(model_call_s, default["sql_timeout_s"]) == DEFAULT_STOP_WAIT_S == 211.5
