"""The locked-down warehouse connection holds even when the guard is bypassed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicelens.data.errors import WorkspaceError
from servicelens.data.warehouse import (
    QueryFailed,
    QueryTimeout,
    SqlLimits,
    Warehouse,
    plain_value,
)
from servicelens.evals.sql_corpus import build_sample_warehouse

RUNAWAY = (
    "SELECT count(*) FROM range(100000000000) a, range(1000) b WHERE (a.range * b.range) % 7 = 3"
)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("wh") / "w.duckdb")


@pytest.fixture
def warehouse(db_path: Path) -> Iterator[Warehouse]:
    with Warehouse.open(db_path, SqlLimits(row_cap=50, timeout_s=1.0)) as wh:
        yield wh


def test_missing_file_tells_the_user_to_init(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="servicelens init"):
        Warehouse.open(tmp_path / "nothing.duckdb")


def test_writes_fail_on_the_read_only_connection(warehouse: Warehouse) -> None:
    with pytest.raises(QueryFailed, match="read-only"):
        warehouse.execute("DELETE FROM tickets")
    with pytest.raises(QueryFailed, match="read-only"):
        warehouse.execute("CREATE TABLE x AS SELECT 1")
    assert warehouse.execute("SELECT count(*) FROM tickets").rows[0][0] == 400


def test_external_access_is_off_even_without_the_guard(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    # DuckDB still lets the connection read its own database file (data the user may query
    # anyway); every other file, including its neighbours in the workspace, is off limits.
    secret = tmp_path / "secret.csv"
    secret.write_text("key,value\napi_key,sk-123\n")
    with pytest.raises(QueryFailed, match="disabled by configuration"):
        warehouse.execute(f"SELECT * FROM read_csv('{secret}')")
    with pytest.raises(QueryFailed, match="disabled by configuration"):
        warehouse.execute(f"SELECT * FROM glob('{tmp_path}/*')")
    with pytest.raises(QueryFailed, match="disabled by configuration"):
        warehouse.execute(f"ATTACH '{tmp_path / 'other.duckdb'}' AS other")
    with pytest.raises(QueryFailed):
        warehouse.execute("LOAD httpfs")


def test_configuration_is_locked(warehouse: Warehouse) -> None:
    with pytest.raises(QueryFailed, match="locked"):
        warehouse.execute("SET threads = 8")
    with pytest.raises(QueryFailed, match="locked"):
        warehouse.execute("SET enable_external_access = true")
    settings = warehouse.execute(
        "SELECT current_setting('enable_external_access'), current_setting('threads'), "
        "current_setting('autoload_known_extensions')"
    )
    assert settings.rows == [(False, 2, False)]


def test_runaway_query_is_interrupted_and_the_connection_survives(warehouse: Warehouse) -> None:
    start = time.perf_counter()
    with pytest.raises(QueryTimeout, match="longer than 1 s"):
        warehouse.execute(RUNAWAY)
    assert time.perf_counter() - start < 1.0 + 3.0
    assert warehouse.execute("SELECT 42").rows == [(42,)]


def test_truncation_is_known_without_fetching_everything(warehouse: Warehouse) -> None:
    capped = warehouse.execute("SELECT * FROM range(1000000)")
    assert len(capped.rows) == 50 and capped.truncated
    exact = warehouse.execute("SELECT * FROM range(50)")
    assert len(exact.rows) == 50 and not exact.truncated
    assert len(warehouse.execute("SELECT * FROM range(10)", max_rows=3).rows) == 3


def test_parameters_and_tables(warehouse: Warehouse) -> None:
    result = warehouse.execute("SELECT count(*) FROM tickets WHERE region = ?", ["East"])
    assert result.rows == [(100,)]
    assert warehouse.tables() == sorted(
        ["contracts", "customers", "engineers", "products", "surveys", "tickets", "voc"]
    )


def test_threads_share_one_warehouse(warehouse: Warehouse) -> None:
    results: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                results.append(warehouse.execute("SELECT count(*) FROM tickets").rows[0][0])
        except BaseException as exc:  # collected so the main thread can fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [400] * 20


def test_timeout_in_one_thread_does_not_stop_another(warehouse: Warehouse) -> None:
    outcome: dict[str, object] = {}

    def slow() -> None:
        try:
            warehouse.execute(RUNAWAY)
        except QueryTimeout as exc:
            outcome["slow"] = exc

    thread = threading.Thread(target=slow)
    thread.start()
    for _ in range(5):
        assert warehouse.execute("SELECT count(*) FROM customers").rows == [(60,)]
    thread.join()
    assert isinstance(outcome["slow"], QueryTimeout)


def test_plain_values_round_like_the_evidence() -> None:
    import datetime as dt
    from decimal import Decimal

    assert plain_value(1 / 3) == 0.3333
    assert plain_value(0.000123456) == 0.0001235
    assert plain_value(Decimal("2.50")) == 2.5
    assert plain_value(float("nan")) is None
    assert plain_value(dt.datetime(2026, 7, 1, 9, 30)) == "2026-07-01 09:30:00"
    assert plain_value(dt.date(2026, 7, 1)) == "2026-07-01"
    assert plain_value(True) is True and plain_value(7) == 7
