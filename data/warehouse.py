"""The locked-down, read-only connection to the workspace's DuckDB file.

Everything that queries the warehouse on behalf of a model or a user goes through ``Warehouse``:
the file is opened read-only with external access, extension loading and configuration changes
switched off, memory and threads capped, every query is watched by a timer that interrupts it, and
at most ``max_rows + 1`` rows are fetched so truncation is known without materialising the rest.
Untrusted SQL (``query``) is capped in bytes too: a value longer than ``cell_chars`` is cut inside
DuckDB, so a 100 MB string or a giant list never becomes a Python object, and a result larger than
``byte_cap`` is refused.

Thread safety: one ``Warehouse`` holds one DuckDB connection and each call runs on its own
``cursor()`` (a fresh connection to the same database), so several threads (analysts sharing an
HTTP server) may call ``execute`` concurrently; the timeout interrupts only the cursor it watches.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot

from .errors import WorkspaceError
from .sql_guard import QueryError, SqlRejected, check_sql
from .warehouse_files import resolve

if TYPE_CHECKING:
    from .scope import CompiledScope

__all__ = [
    "QueryError",
    "QueryFailed",
    "QueryResult",
    "QueryTimeout",
    "ResultTooLarge",
    "SqlLimits",
    "SqlRejected",
    "Warehouse",
    "plain_value",
]


@dataclass(frozen=True)
class SqlLimits:
    row_cap: int = 200
    byte_cap: int = 4_000_000  # the whole result of untrusted SQL, as DuckDB renders it as text
    cell_chars: int = 4_000  # one value of untrusted SQL; longer ones are cut with a marker
    timeout_s: float = 10.0
    memory_limit: str = "2GB"
    threads: int = 2


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    elapsed_ms: float
    cut_values: int = 0  # values longer than the cell cap, cut and marked


class QueryTimeout(QueryError):
    """The query ran past the time limit and was interrupted."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__(
            f"The query ran longer than {timeout_s:g} s and was stopped; "
            "narrow the period or aggregate more."
        )


class QueryFailed(QueryError):
    """DuckDB refused the query (unknown column, type mismatch, permission, memory)."""


class ResultTooLarge(QueryError):
    """The result of untrusted SQL is larger than the byte cap."""

    def __init__(self, byte_cap: int) -> None:
        super().__init__(
            f"The result is larger than the {_size_text(byte_cap)} result cap; select fewer "
            "columns or rows, aggregate, or shorten long text with left()."
        )


# What a cut value ends with, so a reader (and the answer) can see it is not whole.
CUT_MARK = "… [value cut: {size:,} bytes in all]"


# DuckDB errors that describe the query, not a bug in DuckDB or in ServiceLens; anything else
# (InternalException, FatalException) propagates as the bug it is.
_QUERY_ERRORS: tuple[type[Exception], ...] = (
    duckdb.ParserException,
    duckdb.BinderException,
    duckdb.CatalogException,
    duckdb.ConversionException,
    duckdb.InvalidInputException,
    duckdb.OutOfRangeException,
    duckdb.PermissionException,
    duckdb.NotImplementedException,
    duckdb.OutOfMemoryException,
    duckdb.DataError,
    duckdb.ConstraintException,
    duckdb.TypeMismatchException,
)


def _config(limits: SqlLimits) -> dict[str, Any]:
    # Order matters only for lock_configuration, which DuckDB applies after the others.
    return {
        "enable_external_access": False,
        "autoload_known_extensions": False,
        "autoinstall_known_extensions": False,
        "allow_community_extensions": False,
        # The Python client would otherwise resolve unknown table names to Python variables.
        "python_enable_replacements": False,
        "memory_limit": limits.memory_limit,
        "threads": limits.threads,
        "lock_configuration": True,
    }


def _short_message(exc: Exception) -> str:
    # DuckDB messages read "<Kind> Error: <what>", may name candidate columns on the next lines,
    # and end with a caret diagram of the SQL; keep what a person or a model can act on.
    kept: list[str] = []
    for line in str(exc).strip().splitlines():
        if not line.strip() or line.startswith("LINE "):
            break
        kept.append(line.strip())
    text = " ".join(kept[:3]) or type(exc).__name__
    return text.rstrip("!") + ("" if text.endswith(".") else ".")


class Warehouse:
    """A read-only, locked-down view of one DuckDB file.

    A scoped warehouse (``scoped``) shares the connection and applies a caller's data scope
    to every statement it runs, trusted or not, before anything else touches the SQL: the one
    place every query of a scoped caller passes, so no tool can forget it."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        limits: SqlLimits,
        scope: CompiledScope | None = None,
        lock: threading.Lock | None = None,
    ) -> None:
        self._con = con
        self.limits = limits
        self.scope = scope
        self._owns = lock is None  # a scoped view leaves the connection to its owner
        self._lock = lock or threading.Lock()  # guards cursor creation and close

    @classmethod
    def open(cls, path: Path, limits: SqlLimits = SqlLimits()) -> Warehouse:
        if not Path(path).is_file():
            raise WorkspaceError(
                "No warehouse found in the workspace; run `servicelens init` "
                "(or ingest your data) first."
            )
        try:
            # The generation the link names now (``warehouse_files``): by the link's own name
            # DuckDB would hand back a generation this process already holds open.
            con = duckdb.connect(str(resolve(Path(path))), read_only=True, config=_config(limits))
        except duckdb.Error as exc:
            if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
                raise WorkspaceError(
                    "The warehouse is being written by another process (for example "
                    "`servicelens init`); try again when it has finished."
                ) from None
            # A damaged or foreign file: say which and what to do, not a DuckDB traceback.
            reason = str(exc).split("\n", 1)[0][:200]
            raise WorkspaceError(
                f"The warehouse file {path} cannot be opened ({reason}). Restore it from a "
                "backup, or rebuild the workspace (`servicelens init`, or `servicelens ingest` "
                "your data again)."
            ) from None
        return cls(con, limits)

    def scoped(self, scope: CompiledScope | None) -> Warehouse:
        """This warehouse as a caller with ``scope`` sees it (the same one for no scope)."""
        if scope is None:
            return self
        if self.scope is not None:
            raise ValueError("a scoped warehouse cannot be scoped again")
        return Warehouse(self._con, self.limits, scope, self._lock)

    def execute(
        self, sql: str, params: list[Any] | None = None, *, max_rows: int | None = None
    ) -> QueryResult:
        """Run one trusted statement; ``max_rows`` defaults to the row cap."""
        cap = self.limits.row_cap if max_rows is None else max_rows
        sql = self._in_scope(sql)

        def fetch(cursor: duckdb.DuckDBPyConnection) -> QueryResult:
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchmany(cap + 1) if columns else []
            return QueryResult(columns, list(rows[:cap]), len(rows) > cap, 0.0)

        return self._run(sql, params or [], fetch)

    def query(self, sql: str, *, max_rows: int | None = None) -> QueryResult:
        """Run SQL the guard has checked under the row cap and the byte cap: values longer than
        ``cell_chars`` come back cut and marked, and a larger result than ``byte_cap`` raises
        ``ResultTooLarge``. Duplicate column names come back numbered (``n``, ``n_1``)."""
        cap = self.limits.row_cap if max_rows is None else max_rows
        bounded = _bounded_sql(self._in_scope(sql), self.limits.cell_chars)
        return self._run(bounded, [], lambda cursor: self._fetch_bounded(cursor, cap))

    def guarded(self, sql: str, allowed_tables: set[str]) -> QueryResult:
        """Check untrusted SQL with the guard, then run it under the row and byte caps."""
        safe_sql = check_sql(sql, allowed_tables, row_cap=self.limits.row_cap)
        return self.query(safe_sql)

    def tables(self) -> list[str]:
        """Tables and views of the main schema, sorted; a scope's own tables when scoped."""
        result = Warehouse(self._con, self.limits, None, self._lock).execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' ORDER BY table_name",
            max_rows=10_000,
        )
        names = [row[0] for row in result.rows]
        if self.scope is not None:
            return [n for n in names if n.lower() in self.scope.allowed]
        return names

    def close(self) -> None:
        if not self._owns:
            return
        with self._lock:
            self._con.close()

    def _in_scope(self, sql: str) -> str:
        if self.scope is None:
            return sql
        try:
            return self.scope.apply_sql(sql)
        except sqlglot.errors.ParseError:
            # Only SQL sqlglot cannot read gets here (the guard's output always parses).
            raise SqlRejected("The query could not be read to apply the data scope.") from None

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _run(
        self,
        sql: str,
        params: list[Any],
        fetch: Callable[[duckdb.DuckDBPyConnection], QueryResult],
    ) -> QueryResult:
        cursor = self._cursor()
        timer = _Watchdog(cursor, self.limits.timeout_s)
        start = time.perf_counter()
        try:
            with timer:
                cursor.execute(sql, params)
                result = fetch(cursor)
        except duckdb.InterruptException:
            if timer.fired:
                raise QueryTimeout(self.limits.timeout_s) from None
            raise
        except duckdb.OutOfMemoryException:
            raise QueryFailed(
                f"The query needed more memory than its limit of {self.limits.memory_limit}; "
                "aggregate, filter or select fewer columns."
            ) from None
        except _QUERY_ERRORS as exc:
            raise QueryFailed(_short_message(exc)) from None
        finally:
            cursor.close()
        result.elapsed_ms = (time.perf_counter() - start) * 1000
        return result

    def _fetch_bounded(self, cursor: duckdb.DuckDBPyConnection, cap: int) -> QueryResult:
        # The bounded query returns each column three times: the value when it fits, the cut
        # text when it does not, and its size as text. One row at a time keeps what Python
        # holds within the byte cap plus one row of cut values.
        names = [d[0] for d in cursor.description or []]
        width = len(names) // 3
        rows: list[tuple[Any, ...]] = []
        size = cut_values = 0
        while len(rows) <= cap and (row := cursor.fetchone()) is not None:
            cells = []
            for value, cut, nbytes in zip(
                row[:width], row[width : 2 * width], row[2 * width :], strict=True
            ):
                if cut is None:
                    cells.append(value)
                    size += nbytes or 0
                else:
                    cells.append(cut + CUT_MARK.format(size=nbytes))
                    size += len(cut.encode())
                    cut_values += 1
            if size > self.limits.byte_cap:
                raise ResultTooLarge(self.limits.byte_cap)
            rows.append(tuple(cells))
        return QueryResult(names[:width], rows[:cap], len(rows) > cap, 0.0, cut_values)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            return self._con.cursor()


def _bounded_sql(sql: str, cell_chars: int) -> str:
    # COLUMNS(*) expands once per column of the query, in order, whatever their names; every
    # value is measured as DuckDB renders it as text, and only values that fit leave DuckDB
    # whole. The text rendering is what a person or a model reads, so it is what is capped.
    text = "CAST(COLUMNS(*) AS VARCHAR)"
    return (
        f"SELECT CASE WHEN length({text}) <= {cell_chars} THEN COLUMNS(*) END, "
        f"CASE WHEN length({text}) > {cell_chars} THEN left({text}, {cell_chars}) END, "
        f"strlen({text}) FROM ({sql}) AS _result"
    )


def _size_text(n_bytes: int) -> str:
    if n_bytes >= 1_000_000:
        return f"{n_bytes / 1_000_000:g} MB"
    return f"{n_bytes / 1000:g} kB" if n_bytes >= 1000 else f"{n_bytes} bytes"


class _Watchdog:
    """Interrupts one cursor's running query when the time limit passes."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, timeout_s: float) -> None:
        self.fired = False
        self._cursor = cursor
        self._timer = threading.Timer(timeout_s, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        self._cursor.interrupt()

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()


def plain_value(value: Any) -> Any:
    """A JSON-ready form of a DuckDB value, rounded as the model and the evidence both see it."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return _round_float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    return str(value)


def _round_float(value: float) -> float | None:
    # Four decimals keep rates and money readable; tiny values keep four significant digits so
    # a 0.00012 rate does not collapse to 0. NaN and infinities are not JSON, so they become None.
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if value == 0 or abs(value) >= 0.01:
        return round(value, 4)
    return float(f"{value:.4g}")
