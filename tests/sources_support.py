"""Live sources for tests: a real PostgreSQL and a real MariaDB on loopback, each loaded with the
demo workspace's tables (copied from its DuckDB file) and given a read-only login, as the README
tells an administrator to create it.

``LiveServer`` is what a test gets: the engine, a URL for the read-only login (its password in
an environment variable, as a user would keep it), a URL for a login that may write (to show the
warning), and an admin connection for checks behind ServiceLens's back.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from mariadb_support import MariaDbServer, ServerUnavailable
from postgres_support import ClusterUnavailable, running_cluster

READER = "servicelens_ro"
WRITER = "servicelens_rw"
DATABASE = "service"
PASSWORD_ENV = "SL_TEST_SOURCE_PASSWORD"

_PG_TYPES = {
    "VARCHAR": "text", "DOUBLE": "double precision", "INTEGER": "integer", "BIGINT": "bigint",
    "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp",
}  # fmt: skip
_MY_TYPES = {
    "VARCHAR": "TEXT", "DOUBLE": "DOUBLE", "INTEGER": "INT", "BIGINT": "BIGINT",
    "BOOLEAN": "BOOLEAN", "DATE": "DATE", "TIMESTAMP": "DATETIME(6)",
}  # fmt: skip


@dataclass
class LiveServer:
    engine: str  # "postgres" or "mysql"
    reader_url: str  # password as ${SL_TEST_SOURCE_PASSWORD}
    writer_url: str  # password inline: only tests use it
    password: str
    admin: Any  # () -> a DB-API connection with every right
    tables: dict[str, int]  # table -> rows loaded
    port: int


# The servers, once per session for every test module that asks (conftest.py imports them).
@pytest.fixture(scope="session", params=["postgres", "mariadb"])
def live(request: pytest.FixtureRequest, demo_home: Path) -> Iterator[LiveServer]:
    start = start_postgres if request.param == "postgres" else start_mariadb
    servers = start(demo_home / "warehouse.duckdb")
    try:
        server = next(servers)
    except (ClusterUnavailable, ServerUnavailable) as exc:
        pytest.skip(f"{request.param} is not available here: {exc}")
    os.environ[PASSWORD_ENV] = server.password
    yield server
    servers.close()


@pytest.fixture(scope="session")
def source_home(
    live: LiveServer, demo_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The demo workspace with every table placed in the live source (the DuckDB copy stays,
    for the feedback index it was built from)."""
    home = tmp_path_factory.mktemp(f"src-{live.engine}") / "ws"
    shutil.copytree(demo_home, home)
    catalog = yaml.safe_load((home / "catalog.yaml").read_text("utf-8"))
    for table in catalog["tables"].values():
        table["source"] = "live"
    (home / "catalog.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), "utf-8")
    with open(home / "servicelens.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[servicelens.sources.live]\nurl = "{live.reader_url}"\n')
    return home


def demo_tables(warehouse: Path) -> dict[str, tuple[list[tuple[str, str]], list[tuple[Any, ...]]]]:
    """Each user table of a DuckDB file: its columns with types, and its rows."""
    out = {}
    # A copy: another fixture of the session may hold the file open with other settings.
    copy = Path(tempfile.mkdtemp()) / "warehouse.duckdb"
    shutil.copyfile(warehouse, copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_%' ESCAPE '\\' "
                "ORDER BY 1"
            ).fetchall()
        ]
        for name in names:
            cols = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = ? ORDER BY ordinal_position",
                [name],
            ).fetchall()
            rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
            out[name] = ([(str(c), str(t)) for c, t in cols], rows)
    shutil.rmtree(copy.parent, ignore_errors=True)
    return out


def start_postgres(warehouse: Path) -> Iterator[LiveServer]:
    import psycopg

    with running_cluster() as cluster:
        with psycopg.connect(cluster.url(), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {DATABASE} TEMPLATE template0 ENCODING 'UTF8' "
                        "LC_COLLATE 'C' LC_CTYPE 'C'")  # fmt: skip
        password = secrets.token_urlsafe(12)
        loaded = {}
        with psycopg.connect(cluster.url(DATABASE), autocommit=True) as con:
            for name, (cols, rows) in demo_tables(warehouse).items():
                ddl = ", ".join(f'"{c}" {_PG_TYPES.get(t, "text")}' for c, t in cols)
                con.execute(f'CREATE TABLE "{name}" ({ddl})')
                with con.cursor().copy(f'COPY "{name}" FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                loaded[name] = len(rows)
            con.execute(f"CREATE TABLE secret_notes (note text)")  # noqa: F541
            con.execute("INSERT INTO secret_notes VALUES ('not for ServiceLens')")
            con.execute("CREATE SCHEMA other")
            con.execute("CREATE TABLE other.payroll (amount integer)")
            # The least-privilege role of the README, and one that may write.
            con.execute(f"CREATE ROLE {READER} LOGIN PASSWORD '{password}'")
            con.execute(f"GRANT CONNECT ON DATABASE {DATABASE} TO {READER}")
            con.execute(f"GRANT USAGE ON SCHEMA public TO {READER}")
            tables = ", ".join(f'"{t}"' for t in loaded)
            con.execute(f"GRANT SELECT ON {tables} TO {READER}")
            con.execute(f"REVOKE CREATE ON SCHEMA public FROM PUBLIC")  # noqa: F541
            con.execute(f"CREATE ROLE {WRITER} LOGIN PASSWORD '{password}'")
            con.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {WRITER}")
        yield LiveServer(
            engine="postgres",
            reader_url=cluster.url(DATABASE, READER, "${" + PASSWORD_ENV + "}"),
            writer_url=cluster.url(DATABASE, WRITER, password),
            password=password,
            admin=lambda: psycopg.connect(cluster.url(DATABASE), autocommit=True),
            tables=loaded,
            port=cluster.port,
        )


def start_mariadb(warehouse: Path) -> Iterator[LiveServer]:
    server = MariaDbServer()
    try:
        server.start()
    except ServerUnavailable:
        server.stop()
        raise
    try:
        password = secrets.token_urlsafe(12)
        loaded = {}
        con = server.admin()
        with con.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4")
            cur.execute(f"USE {DATABASE}")
            for name, (cols, rows) in demo_tables(warehouse).items():
                ddl = ", ".join(f"`{c}` {_MY_TYPES.get(t, 'TEXT')}" for c, t in cols)
                cur.execute(f"CREATE TABLE `{name}` ({ddl})")
                marks = ", ".join(["%s"] * len(cols))
                insert = f"INSERT INTO `{name}` VALUES ({marks})"
                for start in range(0, len(rows), 5000):
                    cur.executemany(insert, [_my_row(r) for r in rows[start : start + 5000]])
                loaded[name] = len(rows)
            cur.execute("CREATE TABLE secret_notes (note TEXT)")
            cur.execute("INSERT INTO secret_notes VALUES ('not for ServiceLens')")
            cur.execute("CREATE DATABASE other")
            cur.execute("CREATE TABLE other.payroll (amount INT)")
            for user in (READER, WRITER):
                cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
            for table in loaded:
                cur.execute(f"GRANT SELECT, SHOW VIEW ON {DATABASE}.`{table}` TO '{READER}'@'%'")
            cur.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {DATABASE}.* TO '{WRITER}'@'%'")
        con.close()
        yield LiveServer(
            engine="mysql",
            reader_url=server.url(READER, "${" + PASSWORD_ENV + "}", DATABASE),
            writer_url=server.url(WRITER, password, DATABASE),
            password=password,
            admin=lambda: server.admin(DATABASE),
            tables=loaded,
            port=server.port,
        )
    finally:
        server.stop()


def _my_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v for v in row)
