"""What server workers must agree on, kept in the checkpoint database (PostgreSQL) when there
is one: which threads are busy answering, and which thread a chat transcript continues.

In one process these live in memory (``gate.ThreadGate``, ``conversations.Conversations``). Behind
a load balancer a follow-up may reach another worker, so with ``checkpoint_url`` set both are
tables beside the checkpoints, created on first use (one worker at a time, under an advisory
lock; later workers need only row rights): ``servicelens_busy_threads`` and
``servicelens_transcripts``. A busy mark older than ``STALE_AFTER`` is taken to be left by a
worker that died mid-answer and is cleared; a mark whose run is stopping after its client went
away lapses at its ``stop_by`` (see ``gate``).
"""

from __future__ import annotations

import itertools
import uuid
from typing import TYPE_CHECKING, Any

from .conversations import Conversations, Transcript, transcript_key
from .gate import DEFAULT_STOP_WAIT_S, ThreadGate, busy, lapsed
from .threads import not_found

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

# Longer than any answer may run (the model's timeouts and the step limit end it sooner).
STALE_AFTER = "15 minutes"
# Transcripts unused for this long are forgotten; checked once every PRUNE_EVERY remembers.
FORGET_AFTER = "30 days"
PRUNE_EVERY = 500
_LOCK_KEY = 0x5E7C_5EA7
# Each hold's lease, and when a hold whose run is stopping lapses (see ``gate``).
_BUSY_COLUMNS = (("lease", "TEXT NOT NULL DEFAULT ''"), ("stop_by", "TIMESTAMPTZ"))
_SCHEMA = (
    (
        "servicelens_busy_threads",
        "CREATE TABLE servicelens_busy_threads (thread_id TEXT PRIMARY KEY, "
        "owner TEXT NOT NULL, since TIMESTAMPTZ NOT NULL DEFAULT now(), "
        "lease TEXT NOT NULL DEFAULT '', stop_by TIMESTAMPTZ)",
    ),
    (
        "servicelens_transcripts",
        "CREATE TABLE servicelens_transcripts (key TEXT PRIMARY KEY, "
        "thread_id TEXT NOT NULL, used_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    ),
)


def open_pool(url: str) -> ConnectionPool[Any]:
    """A small pool on the checkpoint database, with the shared tables created."""
    from psycopg_pool import ConnectionPool

    pool: ConnectionPool[Any] = ConnectionPool(
        url,
        min_size=1,
        max_size=4,
        kwargs={"autocommit": True, "prepare_threshold": 0, "connect_timeout": 10},
        check=ConnectionPool.check_connection,
        name="servicelens-shared-state",
        timeout=20,
        open=True,
    )
    try:
        with pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            # Only what is missing, so workers with row rights only can start once it exists.
            for table, statement in _SCHEMA:
                if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
                    conn.execute(statement)
            _add_missing_columns(conn)
    except BaseException:
        pool.close()
        raise
    return pool


def _add_missing_columns(conn: Any) -> None:
    """Columns added since the busy table was first made: added once, by a role that owns the
    table; workers with row rights only find them there and change nothing."""
    present = {
        str(row[0])
        for row in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'servicelens_busy_threads'"
        ).fetchall()
    }
    for column, definition in _BUSY_COLUMNS:
        if column not in present:
            conn.execute(f"ALTER TABLE servicelens_busy_threads ADD COLUMN {column} {definition}")


class SharedThreadGate(ThreadGate):
    """``gate.ThreadGate`` across workers: a row per busy thread."""

    def __init__(self, pool: ConnectionPool[Any], stop_wait_s: float = DEFAULT_STOP_WAIT_S) -> None:
        super().__init__(stop_wait_s)
        self._pool = pool

    def acquire(self, thread_id: str, owner: str = "") -> str:
        lease = uuid.uuid4().hex
        with self._pool.connection() as conn:
            cleared = conn.execute(
                "DELETE FROM servicelens_busy_threads WHERE thread_id = %s "
                f"AND (since < now() - interval '{STALE_AFTER}' OR stop_by < now()) "
                "RETURNING stop_by",
                (thread_id,),
            ).fetchone()
            if cleared is not None and cleared[0] is not None:
                lapsed(thread_id, self.stop_wait_s)
            taken = conn.execute(
                "INSERT INTO servicelens_busy_threads (thread_id, owner, lease) "
                "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING thread_id",
                (thread_id, owner, lease),
            ).fetchone()
            if taken is not None:
                return lease
            row = conn.execute(
                "SELECT owner, stop_by IS NOT NULL FROM servicelens_busy_threads "
                "WHERE thread_id = %s",
                (thread_id,),
            ).fetchone()
        if row is not None and row[0] != owner:
            raise not_found(thread_id)
        raise busy(stopping=bool(row is not None and row[1]))

    def stopping(self, thread_id: str, lease: str) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                "UPDATE servicelens_busy_threads SET stop_by = now() + make_interval(secs => %s) "
                "WHERE thread_id = %s AND lease = %s AND stop_by IS NULL",
                (self.stop_wait_s, thread_id, lease),
            )

    def release(self, thread_id: str, lease: str | None = None) -> None:
        with self._pool.connection() as conn:
            if lease is None:
                conn.execute(
                    "DELETE FROM servicelens_busy_threads WHERE thread_id = %s", (thread_id,)
                )
            else:
                conn.execute(
                    "DELETE FROM servicelens_busy_threads WHERE thread_id = %s AND lease = %s",
                    (thread_id, lease),
                )


class SharedConversations(Conversations):
    """``conversations.Conversations`` across workers: transcript hash → thread."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        super().__init__(capacity=0)
        self._pool = pool
        self._count = itertools.count(1)

    def find(self, scope: str, history: Transcript) -> str | None:
        if not history:
            return None
        with self._pool.connection() as conn:
            row = conn.execute(
                "UPDATE servicelens_transcripts SET used_at = now() WHERE key = %s "
                "RETURNING thread_id",
                (transcript_key(scope, history),),
            ).fetchone()
        return str(row[0]) if row else None

    def remember(self, scope: str, transcript: Transcript, thread_id: str) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                "INSERT INTO servicelens_transcripts (key, thread_id) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET thread_id = excluded.thread_id, used_at = now()",
                (transcript_key(scope, transcript), thread_id),
            )
            if next(self._count) % PRUNE_EVERY == 0:
                conn.execute(
                    "DELETE FROM servicelens_transcripts "
                    f"WHERE used_at < now() - interval '{FORGET_AFTER}'"
                )
