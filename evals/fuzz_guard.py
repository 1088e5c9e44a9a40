"""Fuzz the SQL guard: whatever it accepts must run without writing, reading files or the network.

Each example from ``sql_grammar.program`` goes through ``check_sql``; the guard may refuse it
(``SqlRejected``) or accept it, and anything else it raises is a crash. What it accepts runs on a
real warehouse opened read-only with the project's limits, and is then checked:

- writes: the warehouse file's bytes, the files in its folder and the catalog of objects (databases,
  tables, views, sequences, macros, settings) are the same as before the run;
- file reads: DuckDB's own parse of the SQL that ran (``json_serialize_sql``) calls no denied
  function, uses no table function but the generators and names no table outside the catalog;
  and a canary file's contents, which the grammar points at by path, never appear in a result;
- network: a loopback HTTP server that the grammar's URLs point at receives no request.

``python -m servicelens.evals.fuzz_guard --examples 100000`` prints a summary and writes it as
JSON; tests/test_sql_guard_fuzz.py runs a few hundred examples of the same in CI.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import secrets
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from ..data.sql_guard import SqlRejected, check_sql, is_denied_function
from ..data.warehouse import QueryError, SqlLimits, Warehouse
from .sql_corpus import build_sample_warehouse
from .sql_grammar import Vocabulary, program, read_vocabulary

# The project's limits, with a shorter timeout so a fuzzed cross join costs 2 s, not 10, and one
# thread so the run leaves the machine's other cores to others.
FUZZ_LIMITS = SqlLimits(timeout_s=2.0, threads=1)
_GENERATORS = {"range", "generate_series", "unnest"}
_SNAPSHOT_SQL = """
SELECT (SELECT list(database_name ORDER BY database_name) FROM duckdb_databases()),
       (SELECT list(schema_name || '.' || table_name ORDER BY schema_name, table_name)
          FROM duckdb_tables()),
       (SELECT list(schema_name || '.' || view_name ORDER BY schema_name, view_name)
          FROM duckdb_views() WHERE NOT internal),
       (SELECT list(sequence_name ORDER BY sequence_name) FROM duckdb_sequences()),
       (SELECT list(function_name ORDER BY function_name)
          FROM duckdb_functions() WHERE NOT internal),
       (SELECT list(name || '=' || coalesce(value, '') ORDER BY name) FROM duckdb_settings())
"""


@dataclass
class Outcome:
    verdict: str  # "refused", "accepted" or "crash"
    ran: str = ""  # for accepted SQL: "ok", "failed", "timeout", "too_large" or "engine_error"
    violations: list[str] = field(default_factory=list)  # "write: …", "file read: …", "network: …"


def _canary_handler(token: str, requests: list[str]) -> type[BaseHTTPRequestHandler]:
    """A request handler that records every path asked for and answers with the canary."""

    class Canary(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = f"a,b\n{token},1\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET
        do_POST = do_GET

        def log_message(self, *args: Any) -> None:
            pass

    return Canary


class FuzzTarget:
    """A sample warehouse, a canary file, a loopback canary server and the checks around them."""

    def __init__(self, folder: Path, limits: SqlLimits = FUZZ_LIMITS) -> None:
        self.folder = folder
        self.token = "CANARY-" + secrets.token_hex(8)
        self.db_path = build_sample_warehouse(folder / "warehouse.duckdb", tickets=200)
        canary = folder / "canary.csv"
        canary.write_text(f"a,b\n{self.token},1\n", encoding="utf-8")
        self.requests: list[str] = []
        handler = _canary_handler(self.token, self.requests)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.limits = limits
        self.warehouse = Warehouse.open(self.db_path, limits)
        self.allowed = set(self.warehouse.tables())
        self.vocabulary: Vocabulary = read_vocabulary(self.warehouse, _paths(folder, url))
        self.strategy = program(self.vocabulary)
        self._parser = duckdb.connect()  # in memory, only to read DuckDB's parse of SQL
        self._baseline = self._state()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.warehouse.close()
        self._parser.close()

    def check(self, sql: str) -> Outcome:
        try:
            safe_sql = check_sql(sql, self.allowed, row_cap=self.limits.row_cap)
        except SqlRejected:
            return Outcome("refused")
        except Exception as exc:  # the property under test: the guard raises nothing else
            return Outcome("crash", violations=[f"crash: {type(exc).__name__}: {exc}"])
        outcome = Outcome("accepted", violations=self.audit(safe_sql))
        outcome.ran, rows = self._run(safe_sql)
        if outcome.ran == "ok" and self._duckdb_parse(safe_sql).get("error"):
            outcome.violations.append("file read: SQL DuckDB's parser refuses ran anyway")
        if self.token in repr(rows):
            outcome.violations.append("file read: the canary's contents are in the result")
        outcome.violations += self._changes()
        return outcome

    def audit(self, sql: str) -> list[str]:
        """What DuckDB's own parse of ``sql`` shows it would read beyond the catalog's tables."""
        parsed = self._duckdb_parse(sql)
        if parsed.get("error"):
            return []  # DuckDB cannot parse it, so cannot run it; _run must then report failure
        problems: list[str] = []
        ctes: set[str] = set()
        for node in _nodes(parsed):
            for entry in (node.get("cte_map") or {}).get("map", []):
                ctes.add(str(entry["key"]).lower())
        for node in _nodes(parsed):
            if isinstance(node.get("function_name"), str) and is_denied_function(
                node["function_name"]
            ):
                problems.append(f"file read: calls the denied function {node['function_name']}()")
            if node.get("type") == "TABLE_FUNCTION":
                name = str(node["function"].get("function_name", "")).lower()
                if name not in _GENERATORS:
                    problems.append(f"file read: uses the table function {name}()")
            if node.get("type") == "BASE_TABLE":
                name = str(node["table_name"]).lower()
                where = (str(node["catalog_name"]), str(node["schema_name"]).lower())
                if where[0] or where[1] not in ("", "main") or name not in self.allowed | ctes:
                    problems.append(f"file read: reads the table {'.'.join([*where, name])}")
        return problems

    def _duckdb_parse(self, sql: str) -> dict[str, Any]:
        row = self._parser.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
        assert row is not None  # a scalar over no table always returns one row
        parsed: dict[str, Any] = json.loads(row[0])
        return parsed

    def _run(self, safe_sql: str) -> tuple[str, list[Any]]:
        try:
            return "ok", self.warehouse.query(safe_sql).rows
        except QueryError as exc:
            kind = type(exc).__name__
            return {"QueryTimeout": "timeout", "ResultTooLarge": "too_large"}.get(
                kind, "failed"
            ), []
        except duckdb.Error:
            # An error DuckDB does not attribute to the query (an internal or I/O error): whether
            # anything was read or written is for the audit and the canary checks to say, but the
            # database may be invalidated after one, so the warehouse is opened again.
            self.warehouse.close()
            self.warehouse = Warehouse.open(self.db_path, self.limits)
            return "engine_error", []

    def _state(self) -> dict[str, Any]:
        files = sorted(p.name for p in self.folder.iterdir())
        digest = hashlib.sha256(self.db_path.read_bytes()).hexdigest()
        snapshot = self._snapshot()
        return {
            "files": files,
            "digest": digest,
            "catalog": snapshot,
            "urls": len(self.requests),
        }

    def _snapshot(self) -> tuple[Any, ...]:
        # The snapshot reads only DuckDB's own catalog and takes milliseconds, but on a machine
        # shared with other work it can stall past the fuzzing timeout; that is the machine, not
        # a finding, so it is asked again (a real change would show on every try).
        for attempt in range(5):
            try:
                return self.warehouse.execute(_SNAPSHOT_SQL).rows[0]
            except QueryError:
                if attempt == 4:
                    raise
                time.sleep(1)
        raise AssertionError("unreachable")

    def _changes(self) -> list[str]:
        now = self._state()
        changes = [
            f"write: {key} changed"
            for key in ("files", "digest", "catalog")
            if now[key] != self._baseline[key]
        ]
        if now["urls"] != self._baseline["urls"]:
            changes.append(f"network: the canary server was asked for {self.requests[-1]}")
        return changes  # against the state before the first example, so nothing is forgiven


def _paths(folder: Path, url: str) -> tuple[str, ...]:
    canary = str(folder / "canary.csv")
    return (
        canary, str(folder / "*.csv"), str(folder / "warehouse.duckdb"), "file://" + canary,
        f"{url}/canary.csv", f"{url}/x.parquet", "s3://bucket/canary.csv", "/etc/passwd",
        "~/.ssh/id_rsa", "../../../../etc/hostname", str(folder / "out.csv"), str(folder),
        "/dev/stdin", "/proc/self/environ",
    )  # fmt: skip


def _nodes(tree: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


@dataclass
class FuzzSummary:
    examples: int = 0
    distinct: int = 0
    accepted: int = 0
    refused: int = 0
    crashes: int = 0
    writes: int = 0
    file_reads: int = 0
    network: int = 0
    ran: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    seed: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)  # the first few, with their SQL

    def add(self, sql: str, outcome: Outcome) -> None:
        self.examples += 1
        self.accepted += outcome.verdict == "accepted"
        self.refused += outcome.verdict == "refused"
        self.crashes += outcome.verdict == "crash"
        kinds = {v.split(":", 1)[0] for v in outcome.violations}
        self.writes += "write" in kinds
        self.file_reads += "file read" in kinds
        self.network += "network" in kinds
        if outcome.ran:
            self.ran[outcome.ran] = self.ran.get(outcome.ran, 0) + 1
        if outcome.violations and len(self.failures) < 20:
            self.failures.append({"sql": sql, "violations": outcome.violations})

    @property
    def clean(self) -> bool:
        return not (self.crashes or self.writes or self.file_reads or self.network)


def fuzz(
    target: FuzzTarget, examples: int, *, seed: int = 0, max_seconds: float | None = None,
    batch: int = 1000,
) -> FuzzSummary:  # fmt: skip
    """Run ``examples`` generated queries through the guard and the checks, in batches of
    ``batch`` with seeds ``seed``, ``seed + 1``, …; stops early after ``max_seconds``."""
    summary = FuzzSummary(seed=seed)
    seen: Counter[int] = Counter()
    start = time.perf_counter()
    strategy = target.strategy
    n = 0
    while summary.examples < examples:
        if max_seconds is not None and time.perf_counter() - start > max_seconds:
            break

        @settings(
            max_examples=min(batch, examples - summary.examples), database=None, deadline=None,
            phases=[Phase.generate], suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        @hypothesis_seed(seed + n)
        @given(strategy)
        def one(sql: str) -> None:
            seen[hash(sql)] += 1
            summary.add(sql, target.check(sql))

        before = summary.examples
        one()
        n += 1
        if summary.examples == before:
            break  # the grammar is exhausted; say so by the count rather than loop
    summary.distinct = len(seen)
    summary.seconds = round(time.perf_counter() - start, 1)
    return summary


def _print(summary: FuzzSummary) -> None:
    rate = summary.examples / summary.seconds if summary.seconds else 0.0
    print(
        f"examples={summary.examples} distinct={summary.distinct} accepted={summary.accepted} "
        f"refused={summary.refused} crashes={summary.crashes} writes={summary.writes} "
        f"file_reads={summary.file_reads} network={summary.network} "
        f"time={summary.seconds:g}s ({rate:.0f}/s) seed={summary.seed}"
    )
    print("accepted SQL ran: " + ", ".join(f"{k}={v}" for k, v in sorted(summary.ran.items())))
    for failure in summary.failures:
        print(f"FAILED: {failure['violations']}\n  {failure['sql']!r}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fuzz the SQL guard against a real warehouse.")
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=None, help="Stop early after this.")
    parser.add_argument("--out", type=Path, default=None, help="Write the summary as JSON here.")
    args = parser.parse_args(argv)
    # sqlglot warns when it cannot render a function for DuckDB exactly; the guard re-checks
    # what it renders, so the warnings are noise in a fuzz run.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="servicelens-fuzz-") as folder:
        target = FuzzTarget(Path(folder))
        try:
            summary = fuzz(target, args.examples, seed=args.seed, max_seconds=args.max_seconds)
        finally:
            target.close()
    _print(summary)
    if args.out:
        args.out.write_text(json.dumps(asdict(summary), indent=2, ensure_ascii=False) + "\n")
    raise SystemExit(0 if summary.clean else 1)


if __name__ == "__main__":
    main()
