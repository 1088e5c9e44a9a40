"""What a source is like right now: reachable, as which server, read-only or not, whether its
statement timeout stops a query, and its tables with row counts.

``probe`` runs on a worker thread and waits at most ``deadline_s``: a source that does not
answer in time is reported as slow (``Probe.slow``), never waited on until it answers. Every
finding is a sentence without the password.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from ..sql_guard import QueryError
from .engine import Source, SourceError, SourceSlow


@dataclass
class Probe:
    name: str
    where: str  # engine://user@host:port/database, no password
    reachable: bool = False
    flavour: str = ""
    error: str = ""  # why it is not reachable, one sentence
    tables: dict[str, int] = field(default_factory=dict)  # table -> rows
    write_grants: list[str] = field(default_factory=list)
    revoke: str = ""  # the SQL that takes the write grants away
    timeout_stop_s: float | None = None  # how long the server took to stop a query at 0.3 s
    timeout_error: str = ""
    elapsed_s: float = 0.0
    slow: bool = False

    @property
    def read_only(self) -> bool:
        return self.reachable and not self.write_grants


def probe(
    source: Source,
    *,
    tables: list[str] | None = None,
    check_timeout: bool = True,
    deadline_s: float = 20.0,
) -> Probe:
    """Probe ``source`` within ``deadline_s`` seconds (``tables``: count these, else all)."""
    found = Probe(source.name, source.url.display())
    start = time.perf_counter()
    worker = threading.Thread(
        target=_probe, args=(source, found, tables, check_timeout), daemon=True
    )
    worker.start()
    worker.join(deadline_s)
    found.elapsed_s = time.perf_counter() - start
    if worker.is_alive():
        found.slow = True
        found.error = found.error or (
            f"The source {source.name} did not finish answering within {deadline_s:g} s; it is "
            "slow or overloaded (its statement timeout still bounds every query)."
        )
    return found


def _probe(source: Source, found: Probe, tables: list[str] | None, check_timeout: bool) -> None:
    try:
        live = source.live_tables()
    except SourceSlow as exc:
        found.slow, found.error = True, str(exc)
        return
    except SourceError as exc:
        found.error = str(exc)
        return
    except QueryError as exc:
        found.error = f"The source {source.name} answered but could not list its tables: {exc}"
        return
    found.reachable, found.flavour = True, source.flavour
    try:
        found.write_grants = source.write_grants()
    except (QueryError, SourceError) as exc:
        found.write_grants = [f"(its grants could not be read: {exc})"]
    if found.write_grants:
        found.revoke = source.revoke_advice(found.write_grants)
    if check_timeout:
        try:
            found.timeout_stop_s = source.check_timeout(0.3)
        except (QueryError, SourceError) as exc:
            found.timeout_error = str(exc)
    wanted = [t for t in (tables or live) if t.lower() in {x.lower() for x in live}]
    for table in wanted:
        try:
            found.tables[table] = source.row_count(table)
        except (QueryError, SourceError):
            found.tables[table] = -1
