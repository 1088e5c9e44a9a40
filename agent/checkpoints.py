"""Where conversation checkpoints live: the workspace's SQLite file, or the PostgreSQL database
``checkpoint_url`` names, which several server workers can share.

The Postgres tables are created (and migrated) on first use, one worker at a time. A database
that cannot be used is a ``CheckpointStoreError`` naming the setting; the URL's password never
appears in a message (``redact_url``).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote

from ..data.errors import ServiceLensError
from .settings import Settings

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from psycopg import Connection
    from psycopg.rows import DictRow

    from ..data.workspace import WorkspacePaths

SETTING = "SERVICELENS_CHECKPOINT_URL"
CONNECT_TIMEOUT_S = 10
SETUP_WAIT_S = 120
CONNECT_FIX = "Check the URL, that the server is running, and that the role may log in."
SETUP_FIX = "On first use the role must be allowed to create tables in the database's schema."
# Any constant will do: it only has to be the same for every worker sharing the database.
_SETUP_LOCK_KEY = 0x5E7C_0DE5
_PASSWORD_IN_NETLOC = re.compile(r"(//[^/@:]*:)([^@/]*)@")
_PASSWORD_IN_QUERY = re.compile(r"(?i)(password=)([^&#\s]*)")


class CheckpointStoreError(ServiceLensError):
    """The checkpoint database cannot be reached or used."""


class Closeable(Protocol):
    def close(self) -> None: ...


def open_checkpointer(settings: Settings) -> tuple[BaseCheckpointSaver[Any], Closeable]:
    """The checkpointer the settings name, and the handle to close with the workspace."""
    if settings.checkpoint_url is None:
        return _sqlite(settings.paths)
    return _postgres(settings.checkpoint_url.get_secret_value())


def redact_url(url: str) -> str:
    """``url`` with its password, in the user part or the query, replaced by ``***``."""
    url = _PASSWORD_IN_NETLOC.sub(r"\1***@", url)
    return _PASSWORD_IN_QUERY.sub(r"\1***", url)


def _sqlite(paths: WorkspacePaths) -> tuple[BaseCheckpointSaver[Any], Closeable]:
    from langgraph.checkpoint.sqlite import SqliteSaver

    # One connection shared by the graph's worker threads; SqliteSaver serialises with a lock.
    try:
        conn = sqlite3.connect(str(paths.checkpoints), check_same_thread=False)
    except sqlite3.Error as exc:
        raise CheckpointStoreError(
            f"The conversation store {paths.checkpoints} cannot be opened ({exc}). Check that "
            "its folder exists and is writable."
        ) from None
    try:
        # SqliteSaver reads the file only on first use; a damaged one is found here instead.
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise CheckpointStoreError(
            f"The conversation store {paths.checkpoints} cannot be read ({exc}). Move it "
            "aside to start again with no threads, or restore it from a backup."
        ) from None
    path = paths.checkpoints

    class Saver(SqliteSaver):
        # A store that cannot be written (read-only, disk full, locked too long) fails the
        # run with a sentence naming the file, not with SQLite's traceback.
        def put(self, *args: Any, **kwargs: Any) -> Any:
            with _written(path):
                return super().put(*args, **kwargs)

        def put_writes(self, *args: Any, **kwargs: Any) -> None:
            with _written(path):
                super().put_writes(*args, **kwargs)

    return Saver(conn), conn


@contextmanager
def _written(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise CheckpointStoreError(
            f"The conversation store {path} cannot be written ({exc}). Make it and its folder "
            "writable (and check the disk has room), then ask again."
        ) from None


def _postgres(url: str) -> tuple[BaseCheckpointSaver[Any], Closeable]:
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    try:
        given = conninfo_to_dict(url)
    except psycopg.Error:
        # psycopg's own message quotes the whole URL, password included.
        raise CheckpointStoreError(
            f"{SETTING} is not a valid PostgreSQL URL ({redact_url(url)}); "
            "write it as postgresql://user:password@host:port/database."
        ) from None
    timeout = {} if "connect_timeout" in given else {"connect_timeout": CONNECT_TIMEOUT_S}
    # What PostgresSaver expects of its connections: autocommit (its migrations create indexes
    # concurrently), rows as dicts, and no prepared statements (they break behind pgbouncer).
    options: dict[str, Any] = {
        "autocommit": True, "prepare_threshold": 0, "row_factory": dict_row, **timeout
    }  # fmt: skip
    try:
        conn = psycopg.connect(url, **options)
    except psycopg.Error as exc:
        raise _unusable(url, exc, CONNECT_FIX) from None
    try:
        with conn:
            _set_up(conn)
    except psycopg.Error as exc:
        raise _unusable(url, exc, SETUP_FIX) from None
    # A pool rather than one connection: a connection the server dropped is replaced instead of
    # failing every later request. The saver serialises its queries, so one connection is used.
    pool: ConnectionPool[Connection[DictRow]] = ConnectionPool(
        url,
        min_size=1,
        max_size=1,
        kwargs=options,
        check=ConnectionPool.check_connection,
        name="servicelens-checkpoints",
        timeout=CONNECT_TIMEOUT_S * 2,
        open=True,
    )
    return PostgresSaver(pool), pool


def _set_up(conn: Connection[DictRow]) -> None:
    """Create or migrate the checkpoint tables unless they are current, one worker at a time.

    Up-to-date tables are left alone, so afterwards the role needs no right to create tables."""
    from langgraph.checkpoint.postgres import PostgresSaver

    saver = PostgresSaver(conn)
    # A session lock taken by polling, not by waiting inside pg_advisory_lock: a waiting
    # statement holds a snapshot, and the migrations' CREATE INDEX CONCURRENTLY waits for every
    # older snapshot to end.
    deadline = time.monotonic() + SETUP_WAIT_S
    while not _try_lock(conn):
        if time.monotonic() > deadline:
            raise CheckpointStoreError(
                f"Another worker has been setting up the checkpoint tables for {SETUP_WAIT_S} s; "
                "check that it is not stuck, then start again."
            )
        time.sleep(0.1)
    try:
        if _schema_version(conn) < len(saver.MIGRATIONS) - 1:
            saver.setup()
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK_KEY,))


def _try_lock(conn: Connection[DictRow]) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s) AS got", (_SETUP_LOCK_KEY,)).fetchone()
    return bool(row and row["got"])


def _schema_version(conn: Connection[DictRow]) -> int:
    row = conn.execute("SELECT to_regclass('checkpoint_migrations') IS NOT NULL AS ok").fetchone()
    if row is None or not row["ok"]:
        return -1
    row = conn.execute("SELECT max(v) AS v FROM checkpoint_migrations").fetchone()
    return -1 if row is None or row["v"] is None else int(row["v"])


def _unusable(url: str, exc: Exception, fix: str) -> CheckpointStoreError:
    text = str(exc).strip()
    reason = text.splitlines()[0].removeprefix("connection failed: ") if text else "no reason given"
    for secret in _passwords(url):
        reason = reason.replace(secret, "***")
    return CheckpointStoreError(
        f"Cannot use the checkpoint database {redact_url(url)} named by {SETTING} "
        f"({reason.rstrip('.')}). {fix}"
    )


def _passwords(url: str) -> set[str]:
    found = [m.group(2) for m in _PASSWORD_IN_NETLOC.finditer(url)]
    found += [m.group(2) for m in _PASSWORD_IN_QUERY.finditer(url)]
    return {form for p in found if p for form in (p, unquote(p))}
