"""A live, read-only source: PostgreSQL (psycopg) or the MySQL family (PyMySQL).

``Source`` answers the same calls as the embedded ``Warehouse`` (``execute``, ``query``,
``guarded``, ``tables``, ``close``) with the same ``QueryResult``, so the tools and the metric
compiler run against it unchanged. What it receives is DuckDB SQL; what it sends is built from
the parsed tree:

1. every statement passes the guard (``sql_guard.checked_query``: one read-only SELECT over the
   source's catalog tables; trusted SQL from the compiler with its ``?`` parameters too);
2. a caller's data scope (``scope=``, ``data.scope.CompiledScope``) rewrites the checked tree as
   it does DuckDB's; DuckDB's ``main`` schema becomes the source's, and any table that is not
   one of the source's is refused after every rewrite;
3. ``dialect.to_dialect`` generates it for the engine, and the names it calls are checked again
   against the engine's own dangerous functions (files, locks, sleeping, session settings);
4. it runs in a read-only transaction (PostgreSQL ``BEGIN READ ONLY`` on a session whose
   ``default_transaction_read_only`` is on; MariaDB/MySQL ``START TRANSACTION READ ONLY`` on a
   ``SESSION TRANSACTION READ ONLY`` session) that is always rolled back, under a statement
   timeout set on the server (``statement_timeout``; MariaDB ``max_statement_time``, MySQL
   ``max_execution_time``), with a client-side backstop, a row cap (``LIMIT cap + 1`` in the
   SQL) and a byte cap on what is returned (long values cut and marked as the warehouse does).

One connection per source, opened on first use and reopened when it breaks; calls are serialised
on it. Passwords live only in the ``SourceUrl`` and the driver; messages never carry them.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from ..errors import ServiceLensError
from ..scope import CompiledScope
from ..sql_guard import QueryError, SqlRejected, checked_query
from ..warehouse import (
    CUT_MARK,
    QueryFailed,
    QueryResult,
    QueryTimeout,
    ResultTooLarge,
    SqlLimits,
)
from .dialect import to_dialect
from .url import SourceUrl

Rewrite = Callable[[exp.Query], exp.Query]

# Functions each engine has that read files, sleep, lock, or reveal or change the session; the
# DuckDB guard does not know them by these names. Checked on the SQL as the engine will read it.
_ENGINE_DENIED: dict[str, set[str]] = {
    "postgres": {
        "set_config", "current_setting", "lo_import", "lo_export", "lo_get", "lo_open",
        "loread", "lo_creat", "lo_create", "lo_unlink", "lo_put", "lo_from_bytea", "dblink",
        "dblink_exec", "dblink_connect", "query_to_xml", "query_to_xml_and_xmlschema",
        "table_to_xml", "cursor_to_xml", "schema_to_xml", "database_to_xml", "xpath",
        "inet_server_addr", "inet_server_port", "inet_client_addr", "version", "txid_current",
        "current_user", "session_user", "current_database", "current_schema", "to_regclass",
        "to_regproc", "to_regtype", "row_security_active", "binary_upgrade_set_next_pg_type_oid",
    },
    "mysql": {
        "load_file", "sleep", "benchmark", "get_lock", "release_lock", "release_all_locks",
        "is_free_lock", "is_used_lock", "master_pos_wait", "source_pos_wait", "master_gtid_wait",
        "user", "current_user", "system_user", "session_user", "database", "schema", "version",
        "connection_id", "last_insert_id", "row_count", "found_rows", "extractvalue",
        "updatexml", "name_const", "current_role", "uuid_short", "sys_eval", "sys_exec",
        "get_format", "load_data", "json_table", "setval", "nextval", "lastval",
    },
}  # fmt: skip
_ENGINE_DENIED_PREFIXES = {"postgres": ("pg_", "lo_", "dblink"), "mysql": ("sys_", "wsrep_")}
_ALLOWED_DESPITE_PREFIX = {"pg_typeof"}


class SourceError(ServiceLensError):
    """A source that cannot be reached or used; one sentence, never the password."""


class SourceSlow(SourceError, QueryError):
    """A source that did not answer in time: slow, overloaded or behind a silent firewall.

    Also a ``QueryError``: a tool says so to the model (and the answer to its reader) instead
    of the turn failing, and the other tables can still be asked."""


class SourceTimeout(QueryTimeout):
    """A query the source's statement timeout (or the client's backstop) stopped: the source is
    reported as slow, not waited on."""

    def __init__(self, source: str, timeout_s: float) -> None:
        QueryError.__init__(
            self,
            f"The source {source} is slow: the query ran longer than {timeout_s:g} s (its "
            "statement timeout) and was stopped; narrow the period or aggregate more, or try "
            "again later.",
        )


class Source:
    """One live database, read-only, answering DuckDB SQL over its catalog tables."""

    def __init__(
        self,
        name: str,
        url: SourceUrl,
        limits: SqlLimits | None = None,
        *,
        tables: Iterable[str] | None = None,
        connect_timeout_s: float = 5.0,
    ) -> None:
        self.name, self.url, self.limits = name, url, limits or SqlLimits()
        self.engine = url.engine
        self.connect_timeout_s = connect_timeout_s
        # The tables the guard allows here; None: every table of the schema (read on use).
        self.allowed: set[str] | None = {t.lower() for t in tables} if tables else None
        # Applied to every checked tree before it is generated for the engine (data scopes).
        self.rewrites: list[Rewrite] = []
        self._lock = threading.Lock()
        self._driver: _Driver | None = None
        self._bool_columns: frozenset[str] | None = None
        self.flavour = ""  # "MariaDB 10.11.19" once connected
        self.executed = 0  # statements run for queries (not introspection), for tests and logs

    # ------------------------------------------------------------------ the Warehouse calls

    def execute(
        self,
        sql: str,
        params: list[Any] | None = None,
        *,
        max_rows: int | None = None,
        scope: CompiledScope | None = None,
    ) -> QueryResult:
        """Trusted DuckDB SQL with ``?`` parameters (the metric compiler's), guarded all the
        same; ``max_rows`` defaults to the row cap. ``scope``: a caller's data scope, applied
        to the checked tree."""
        cap = self.limits.row_cap if max_rows is None else max_rows
        tree = self._checked(sql, cap, allow_parameters=True)
        return self._run(tree, list(params or []), cap, bounded=False, scope=scope)

    def query(
        self, sql: str, *, max_rows: int | None = None, scope: CompiledScope | None = None
    ) -> QueryResult:
        """SQL the guard checks (again) here, under the row cap and the byte cap."""
        cap = self.limits.row_cap if max_rows is None else max_rows
        tree = self._checked(sql, cap, allow_parameters=False)
        return self._run(tree, [], cap, bounded=True, scope=scope)

    def guarded(
        self, sql: str, allowed_tables: set[str], *, scope: CompiledScope | None = None
    ) -> QueryResult:
        allowed = {t.lower() for t in allowed_tables} & self.table_set()
        cap = self.limits.row_cap
        tree = checked_query(sql, allowed, row_cap=cap)
        return self._run(tree, [], cap, bounded=True, scope=scope)

    def tables(self) -> list[str]:
        """The tables this source answers for, sorted."""
        return sorted(self.table_set())

    def table_set(self) -> set[str]:
        if self.allowed is None:
            self.allowed = {t.lower() for t in self.live_tables()}
        return self.allowed

    def close(self) -> None:
        with self._lock:
            if self._driver is not None:
                self._driver.close()
                self._driver = None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ introspection

    def live_tables(self) -> list[str]:
        """Base tables and views of the source's schema, as the server lists them."""
        return [str(r[0]) for r in self._admin(self._driver_cls().TABLES_SQL, [self.schema])]

    def columns(self) -> dict[str, dict[str, str]]:
        """Table -> column -> the server's type name, for the schema's tables."""
        out: dict[str, dict[str, str]] = {}
        for table, column, kind in self._admin(self._driver_cls().COLUMNS_SQL, [self.schema]):
            out.setdefault(str(table), {})[str(column)] = str(kind).lower()
        return out

    def row_count(self, table: str) -> int:
        rows = self._admin(f"SELECT count(*) FROM {self._driver_cls().quote(table)}", [])
        return int(rows[0][0])

    def write_grants(self) -> list[str]:
        """What this login may change, in words (empty when it can only read)."""
        with self._lock:
            return self._connected().write_grants(self.schema)

    def revoke_advice(self, grants: list[str]) -> str:
        return self._driver_cls().revoke_advice(self.url, self.schema, grants)

    def check_timeout(self, seconds: float = 0.3) -> float:
        """Runs a query that sleeps past ``seconds`` under that timeout; returns how long the
        server took to stop it. ``QueryFailed`` when the server did not stop it."""
        with self._lock:
            driver = self._connected()
            start = time.perf_counter()
            stopped = driver.sleep_past(seconds)
            elapsed = time.perf_counter() - start
        if not stopped:
            raise QueryFailed(f"The source did not stop a query at its {seconds:g} s timeout.")
        return elapsed

    def sample(self, table: str, limit: int) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Up to ``limit`` rows of ``table`` (all columns), for deriving its catalog entries."""
        quoted = self._driver_cls().quote(table)
        with self._lock:
            return self._connected().fetch(f"SELECT * FROM {quoted} LIMIT {int(limit)}", [], limit)

    @property
    def schema(self) -> str:
        if self.engine == "postgres":
            return self.url.schema or "public"
        return self.url.database

    # ------------------------------------------------------------------ internals

    def _checked(self, sql: str, cap: int, *, allow_parameters: bool) -> exp.Query:
        return checked_query(sql, self.table_set(), row_cap=cap, allow_parameters=allow_parameters)

    def _run(
        self,
        tree: exp.Query,
        params: list[Any],
        cap: int,
        *,
        bounded: bool,
        scope: CompiledScope | None = None,
    ) -> QueryResult:
        for rewrite in self.rewrites:
            tree = rewrite(tree)
        if scope is not None:
            tree = _in_scope(scope, tree)
        tree = self._own_tables(tree)
        tree = _capped(tree, cap)
        sql, n_params = to_dialect(tree, self.engine, bool_columns=self._booleans())
        if n_params != len(params):
            raise QueryFailed("The query's parameters do not match its placeholders.")
        _check_engine_names(sql, self.engine)
        start = time.perf_counter()
        with self._lock:
            driver = self._connected()
            self.executed += 1
            columns, rows = driver.fetch(sql, params, cap)
        result = self._bounded(columns, rows, cap) if bounded else None
        if result is None:
            result = QueryResult(columns, [tuple(r) for r in rows[:cap]], len(rows) > cap, 0.0)
        result.elapsed_ms = (time.perf_counter() - start) * 1000
        return result

    def _bounded(self, columns: list[str], rows: list[tuple[Any, ...]], cap: int) -> QueryResult:
        size = cut_values = 0
        kept: list[tuple[Any, ...]] = []
        for row in rows[: cap + 1]:
            cells = []
            for value in row:
                text = value if isinstance(value, str) else None
                if isinstance(value, bytes | bytearray | memoryview):
                    text = bytes(value).decode("utf-8", "replace")
                if text is not None and len(text) > self.limits.cell_chars:
                    whole = len(text.encode())
                    text = text[: self.limits.cell_chars]
                    cells.append(text + CUT_MARK.format(size=whole))
                    size += len(text.encode())
                    cut_values += 1
                    continue
                cells.append(value)
                size += len(str(value).encode()) if value is not None else 0
            if size > self.limits.byte_cap:
                raise ResultTooLarge(self.limits.byte_cap)
            kept.append(tuple(cells))
        return QueryResult(_unique(columns), kept[:cap], len(kept) > cap, 0.0, cut_values)

    def _own_tables(self, tree: exp.Query) -> exp.Query:
        """The tree with DuckDB's ``main`` schema named as this source's schema (a scope's
        subqueries name their tables so, and a caller may); anything else that is not one of
        this source's tables is refused here, after every rewrite, before the tree is sent."""
        allowed = self.table_set()
        for table in tree.find_all(exp.Table):
            if isinstance(table.this, exp.Func):
                continue
            if table.db.lower() == "main" and not table.catalog:
                table.set("db", exp.to_identifier(self.schema, quoted=True))
            elif table.db or table.catalog:
                raise SqlRejected(
                    f"Only the catalog's tables can be queried; {table.sql()} is outside it."
                )
            if table.db and table.name.lower() not in allowed:
                raise SqlRejected(f"Table {table.name} is not one of this source's tables.")
        return tree

    def _booleans(self) -> frozenset[str]:
        # Yes/no columns (PostgreSQL casts them to numbers only through integer): a name counts
        # when it is boolean in every table that has it.
        if self._bool_columns is None:
            if self.engine != "postgres":
                self._bool_columns = frozenset()
            else:
                kinds: dict[str, set[bool]] = {}
                for cols in self.columns().values():
                    for name, kind in cols.items():
                        kinds.setdefault(name.lower(), set()).add(kind == "boolean")
                self._bool_columns = frozenset(n for n, k in kinds.items() if k == {True})
        return self._bool_columns

    def _driver_cls(self) -> type[_Driver]:
        return _PgDriver if self.engine == "postgres" else _MySqlDriver

    def _connected(self) -> _Driver:
        if self._driver is not None and not self._driver.broken():
            return self._driver
        if self._driver is not None:
            self._driver.close()
            self._driver = None
        self._driver = self._driver_cls().connect(self)
        self.flavour = self._driver.flavour
        return self._driver

    def _admin(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        # ServiceLens's own look-ups in the server's catalog, written in its dialect.
        with self._lock:
            return self._connected().fetch(sql, params, 100_000)[1]


def _in_scope(scope: CompiledScope, tree: exp.Query) -> exp.Query:
    # The scope rewrites the checked tree as it does DuckDB's (each catalog table becomes its
    # filtered subquery, a hidden table is refused), before the tree is generated for the
    # engine; a tree it cannot read fails closed.
    scoped = scope.apply(tree.copy())
    if not isinstance(scoped, exp.Query):
        raise SqlRejected("The query could not be read to apply the data scope.")
    return scoped


def _capped(tree: exp.Query, cap: int) -> exp.Query:
    limit = tree.args.get("limit")
    value = limit.expression if isinstance(limit, exp.Limit) else None
    if limit is None:
        tree = tree.copy()
        tree.set("limit", exp.Limit(expression=exp.Literal.number(cap + 1)))
        return tree
    if isinstance(value, exp.Literal) and value.is_int and int(value.this) <= cap + 1:
        return tree
    return exp.select("*").from_(tree.subquery("_capped")).limit(cap + 1)


def _unique(columns: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in columns:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}_{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def _check_engine_names(sql: str, engine: str) -> None:
    tokens = Dialect.get_or_raise(engine).tokenize(sql)
    denied, prefixes = _ENGINE_DENIED[engine], _ENGINE_DENIED_PREFIXES[engine]
    for before, token, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        called = after.token_type == TokenType.L_PAREN and before.token_type != TokenType.ALIAS
        name = token.text.lower()
        risky = name in denied or name.startswith(prefixes)
        if called and risky and name not in _ALLOWED_DESPITE_PREFIX:
            raise SqlRejected(
                f"The function {name}() is not allowed: queries may not read files, the "
                "network, settings or the system catalog."
            )


# ====================================================================== drivers


class _Driver:
    TABLES_SQL = ""
    COLUMNS_SQL = ""
    flavour = ""

    @classmethod
    def connect(cls, source: Source) -> _Driver:
        raise NotImplementedError

    @staticmethod
    def quote(name: str) -> str:
        raise NotImplementedError

    def fetch(
        self, sql: str, params: list[Any], cap: int
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        raise NotImplementedError

    def write_grants(self, schema: str) -> list[str]:
        raise NotImplementedError

    @staticmethod
    def revoke_advice(url: SourceUrl, schema: str, grants: list[str]) -> str:
        raise NotImplementedError

    def sleep_past(self, seconds: float) -> bool:
        raise NotImplementedError

    def broken(self) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def _unreachable(source: Source, exc: Exception) -> SourceError:
    text = str(exc).lower()
    where = f"{source.url.host}:{source.url.port}"
    if any(w in text for w in ("password", "access denied", "authentication")):
        return SourceError(
            f"The source {source.name} refused the login of {source.url.user} at {where}: "
            "check the user name and the password (its environment variable or file)."
        )
    if "does not exist" in text or "unknown database" in text:
        return SourceError(
            f"The source {source.name} at {where} has no database {source.url.database!r}, or "
            f"{source.url.user} may not connect to it."
        )
    if "timeout" in text or "timed out" in text:
        return SourceSlow(
            f"The source {source.name} at {where} is slow: it did not answer within "
            f"{source.connect_timeout_s:g} s; check its load, the host, the port and the firewall."
        )
    return SourceError(
        f"The source {source.name} cannot be reached at {where}; check that the server runs "
        "and accepts connections from this machine."
    )


class _Watchdog:
    """Cancels a statement from the client when the server's own timeout did not stop it."""

    def __init__(self, cancel: Callable[[], None], after_s: float) -> None:
        self.fired = False
        self._cancel = cancel
        self._timer = threading.Timer(after_s, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        # The connection may already be gone; the statement then fails on its own.
        with contextlib.suppress(Exception):
            self._cancel()

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


class _PgDriver(_Driver):
    TABLES_SQL = (
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
        "AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY table_name"
    )
    COLUMNS_SQL = (
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = %s ORDER BY table_name, ordinal_position"
    )

    def __init__(self, con: Any, source: Source) -> None:
        self.con, self.source = con, source
        row = con.execute("SELECT version()").fetchone()
        con.rollback()
        self.flavour = " ".join(str(row[0]).split()[:2]) if row else "PostgreSQL"

    @classmethod
    def connect(cls, source: Source) -> _Driver:
        import psycopg

        url, limits = source.url, source.limits
        timeout_ms = max(1, int(limits.timeout_s * 1000))
        options = (
            f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms} "
            f"-c idle_in_transaction_session_timeout={timeout_ms * 3} "
            f"-c search_path={source.schema}"
        )
        try:
            con = psycopg.connect(
                host=url.host, port=url.port, user=url.user, password=url.password,
                dbname=url.database, connect_timeout=max(1, int(source.connect_timeout_s)),
                options=options, application_name="servicelens", autocommit=False,
            )  # fmt: skip
        except psycopg.Error as exc:
            raise _unreachable(source, exc) from None
        con.read_only = True
        return cls(con, source)

    @staticmethod
    def quote(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def fetch(
        self, sql: str, params: list[Any], cap: int
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        import psycopg

        timeout = self.source.limits.timeout_s
        watchdog = _Watchdog(self.con.cancel_safe, timeout + 2.0)
        try:
            with watchdog, self.con.cursor() as cur:
                cur.execute(sql, params or None)
                columns = [d.name for d in cur.description or []]
                rows = cur.fetchmany(cap + 1) if columns else []
        except psycopg.errors.QueryCanceled:
            self._rollback()
            raise SourceTimeout(self.source.name, timeout) from None
        except psycopg.OperationalError as exc:
            self.close()
            if watchdog.fired:
                raise SourceTimeout(self.source.name, timeout) from None
            raise SourceError(_lost(self.source, exc)) from None
        except psycopg.Error as exc:
            self._rollback()
            raise QueryFailed(_pg_message(exc)) from None
        self._rollback()
        return columns, rows

    def write_grants(self, schema: str) -> list[str]:
        found: list[str] = []
        sql = (
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
            "WHERE rolname = current_user"
        )
        _, rows = self.fetch(sql, [], 1)
        if rows:
            names = ("superuser", "CREATEROLE", "CREATEDB", "BYPASSRLS")
            found += [f"role attribute {n}" for n, flag in zip(names, rows[0], strict=True) if flag]
        _, rows = self.fetch(
            "SELECT has_schema_privilege(current_user, %s, 'CREATE'), "
            "has_database_privilege(current_user, current_database(), 'CREATE')",
            [schema],
            1,
        )
        if rows and rows[0][0]:
            found.append(f"CREATE on schema {schema}")
        if rows and rows[0][1]:
            found.append("CREATE on the database")
        privileges = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
        checks = ", ".join(f"has_table_privilege(current_user, c.oid, '{p}')" for p in privileges)
        _, rows = self.fetch(
            f"SELECT c.relname, {checks} FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm')"
            " ORDER BY c.relname",
            [schema],
            100_000,
        )
        for table, *flags in rows:
            granted = [p for p, flag in zip(privileges, flags, strict=True) if flag]
            if granted:
                found.append(f"{', '.join(granted)} on {table}")
        return found

    @staticmethod
    def revoke_advice(url: SourceUrl, schema: str, grants: list[str]) -> str:
        role = url.user
        lines = [
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN "
            f"SCHEMA {schema} FROM {role};",
            f"REVOKE CREATE ON SCHEMA {schema} FROM {role};",
            f"REVOKE CREATE ON DATABASE {url.database} FROM {role};",
        ]
        if any(g.startswith("role attribute") for g in grants):
            lines.append(f"ALTER ROLE {role} NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS;")
        return " ".join(lines)

    def sleep_past(self, seconds: float) -> bool:
        import psycopg

        try:
            with self.con.cursor() as cur:
                cur.execute(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}")
                cur.execute(f"SELECT pg_sleep({seconds * 4 + 1:g})")
        except psycopg.errors.QueryCanceled:
            return True
        finally:
            self._rollback()
        return False

    def broken(self) -> bool:
        return bool(self.con.closed or self.con.broken)

    def _rollback(self) -> None:
        try:
            self.con.rollback()
        except Exception:
            self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.close()


class _MySqlDriver(_Driver):
    TABLES_SQL = (
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
        "AND table_type IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED') ORDER BY table_name"
    )
    COLUMNS_SQL = (
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = %s ORDER BY table_name, ordinal_position"
    )
    _TIMEOUT_ERRORS: ClassVar[set[int]] = {
        1969,
        3024,
        1317,
    }  # MariaDB max_statement_time, MySQL, interrupted

    def __init__(self, con: Any, source: Source, flavour: str, mariadb: bool) -> None:
        self.con, self.source, self.flavour, self.mariadb = con, source, flavour, mariadb

    @classmethod
    def connect(cls, source: Source) -> _Driver:
        import pymysql

        url, limits = source.url, source.limits
        try:
            con = pymysql.connect(
                host=url.host, port=url.port, user=url.user, password=url.password,
                database=url.database, connect_timeout=max(1, int(source.connect_timeout_s)),
                read_timeout=int(limits.timeout_s) + 5, write_timeout=int(limits.timeout_s) + 5,
                charset="utf8mb4", autocommit=False, program_name="servicelens",
            )  # fmt: skip
        except pymysql.Error as exc:
            raise _unreachable(source, exc) from None
        with con.cursor() as cur:
            cur.execute("SELECT VERSION()")
            version = str(cur.fetchone()[0])
            mariadb = "mariadb" in version.lower()
            cur.execute("SET SESSION TRANSACTION READ ONLY")
            if mariadb:
                cur.execute(f"SET SESSION max_statement_time = {limits.timeout_s:g}")
            else:
                cur.execute(f"SET SESSION max_execution_time = {int(limits.timeout_s * 1000)}")
            # Standard string literals and no silent truncation, whatever the server default.
            cur.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')")
        number = re.match(r"[\d.]+", version)
        flavour = f"{'MariaDB' if mariadb else 'MySQL'} {number.group(0) if number else ''}"
        return cls(con, source, flavour.strip(), mariadb)

    @staticmethod
    def quote(name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def fetch(
        self, sql: str, params: list[Any], cap: int
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        import pymysql

        timeout = self.source.limits.timeout_s
        try:
            with self.con.cursor() as cur:
                cur.execute("START TRANSACTION READ ONLY")
                cur.execute(sql, params or None)
                columns = [d[0] for d in cur.description or []]
                rows = list(cur.fetchmany(cap + 1)) if columns else []
        except pymysql.err.OperationalError as exc:
            code = exc.args[0] if exc.args else 0
            if code in self._TIMEOUT_ERRORS:
                self._rollback()
                raise SourceTimeout(self.source.name, timeout) from None
            if code in (2006, 2013, 2014, 2055):  # the connection is gone
                self.close()
                if "timed out" in str(exc).lower():  # the client's read timeout: a stalled server
                    raise SourceTimeout(self.source.name, timeout) from None
                raise SourceError(_lost(self.source, exc)) from None
            self._rollback()
            raise QueryFailed(_mysql_message(exc)) from None
        except pymysql.Error as exc:
            self._rollback()
            raise QueryFailed(_mysql_message(exc)) from None
        self._rollback()
        return columns, rows

    def write_grants(self, schema: str) -> list[str]:
        _, rows = self.fetch("SHOW GRANTS FOR CURRENT_USER()", [], 1000)
        found = []
        harmless = {"SELECT", "SHOW VIEW", "USAGE", "SHOW DATABASES", "PROCESS"}
        for (grant,) in rows:
            m = re.match(r"GRANT (.+?) ON (\S+) TO", str(grant))
            if not m:
                continue
            privileges = [p.strip().upper() for p in m.group(1).split(",")]
            risky = [p for p in privileges if p not in harmless and not p.startswith("SELECT (")]
            if risky:
                found.append(f"{', '.join(risky)} on {m.group(2)}")
        return found

    @staticmethod
    def revoke_advice(url: SourceUrl, schema: str, grants: list[str]) -> str:
        targets = sorted({g.rsplit(" on ", 1)[1] for g in grants if " on " in g})
        user = f"'{url.user}'@'%'"
        return " ".join(f"REVOKE ALL PRIVILEGES ON {t} FROM {user};" for t in targets) + (
            f" GRANT SELECT, SHOW VIEW ON `{schema}`.* TO {user};"
        )

    def sleep_past(self, seconds: float) -> bool:
        import pymysql

        setting = (
            f"max_statement_time={seconds:g}"
            if self.mariadb
            else f"max_execution_time={int(seconds * 1000)}"
        )
        try:
            with self.con.cursor() as cur:
                if self.mariadb:
                    cur.execute(f"SET STATEMENT {setting} FOR SELECT SLEEP({seconds * 4 + 1:g})")
                else:
                    cur.execute(f"SELECT /*+ MAX_EXECUTION_TIME({int(seconds * 1000)}) */ "
                                f"SLEEP({seconds * 4 + 1:g})")  # fmt: skip
                row = cur.fetchone()
        except pymysql.err.OperationalError as exc:
            self._rollback()
            return bool(exc.args and exc.args[0] in self._TIMEOUT_ERRORS)
        self._rollback()
        # MySQL's SLEEP returns 1 when it was interrupted instead of raising.
        return bool(row and row[0] == 1)

    def broken(self) -> bool:
        return not self.con.open

    def _rollback(self) -> None:
        try:
            self.con.rollback()
        except Exception:
            self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.close()


def _lost(source: Source, exc: Exception) -> str:
    return (
        f"The connection to the source {source.name} was lost during the query; it is "
        "reopened on the next one."
    )


def _pg_message(exc: Exception) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) or str(exc).splitlines()[0]
    text = str(primary).strip().rstrip(".")
    return f"The source refused the query: {text}."


def _mysql_message(exc: Exception) -> str:
    text = str(exc.args[1] if len(exc.args) > 1 else exc).strip().rstrip(".")
    return f"The source refused the query: {text}."


__all__ = ["QueryError", "Source", "SourceError", "SourceSlow", "SourceTimeout"]
