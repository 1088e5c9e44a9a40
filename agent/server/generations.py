"""Which analyst answers a request: the one over the workspace's data as it is now.

An ingest replaces the warehouse, catalog, theme set and keyword index by renames (see
``data.warehouse_files``), never in place. Before each request the server compares their
``stamp`` (inode and modification time of each file, four ``stat`` calls) with the one its
current analyst was opened at; when they differ it opens a new analyst over the new files and
answers from it, while requests already running finish on the old one, which is closed (its
DuckDB file released) when the last of them ends. The new analyst shares the old one's
checkpointer and embedder, so conversations go on and the model is not loaded again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from ...data.errors import ServiceLensError
from ...data.warehouse_files import Stamp, stamp
from ..analyst import Analyst, ProviderSpec
from ..settings import Settings

log = logging.getLogger("servicelens.server")
Reopen = Callable[[Analyst], Analyst]


class Closeable(Protocol):
    def close(self) -> None: ...


def open_analyst(settings: Settings, provider: ProviderSpec) -> tuple[Analyst, list[Closeable]]:
    """The first analyst, and the checkpointer's handle to close when the server stops: opened
    apart from the analyst, so that retiring the analyst leaves it to the next one."""
    from ..checkpoints import open_checkpointer

    checkpointer, handle = open_checkpointer(settings)
    try:
        analyst = Analyst.open(settings=settings, provider=provider, checkpointer=checkpointer)
    except BaseException:
        handle.close()
        raise
    return analyst, [handle]


def reopen_like(old: Analyst, provider: ProviderSpec) -> Analyst:
    """A new analyst over the same workspace, sharing ``old``'s checkpointer and embedder."""
    new = Analyst.open(settings=old.settings, provider=provider, checkpointer=old.checkpointer)
    # The VOC index opens on first use and takes the workspace's embedder then.
    new.workspace.embedder = old.workspace.embedder
    return new


@dataclass
class _Generation:
    analyst: Analyst
    stamp: Stamp
    leases: int = 0
    retired: bool = False


class Generations:
    """The current analyst and the retired ones still answering; ``reopen=None`` never swaps.
    ``close`` closes every generation still open, the first included."""

    def __init__(
        self,
        first: Analyst,
        reopen: Reopen | None = None,
        *,
        on_swap: Callable[[Analyst], None] | None = None,
    ) -> None:
        self._reopen = reopen
        self._on_swap = on_swap
        self._paths = first.settings.paths
        self._current = _Generation(first, stamp(self._paths) if reopen else ())
        self._retired: list[_Generation] = []
        self._lock = threading.Lock()
        self._opening = threading.Lock()
        self.swaps = 0

    @property
    def current(self) -> Analyst:
        return self._current.analyst

    @contextlib.contextmanager
    def lease(self) -> Iterator[Analyst]:
        """The analyst to answer one request with, kept open until the block ends."""
        self._refresh()
        with self._lock:
            held = self._current
            held.leases += 1
        try:
            yield held.analyst
        finally:
            with self._lock:
                held.leases -= 1
                done = held.retired and held.leases == 0
                if done:
                    self._retired.remove(held)
            if done:
                held.analyst.close()

    def _refresh(self) -> None:
        if self._reopen is None:
            return
        now = stamp(self._paths)
        if now == self._current.stamp:
            return
        # One request opens the new generation; the others wait for it rather than each
        # opening their own.
        with self._opening:
            now = stamp(self._paths)
            if now == self._current.stamp:
                return
            try:
                fresh = self._reopen(self._current.analyst)
            except (ServiceLensError, OSError) as exc:
                # A writer between two renames, or a file it left unreadable: keep answering
                # from the data already open and try again on the next request.
                log.warning("could not open the new data (%s); still answering from the old", exc)
                return
            self._swap(_Generation(fresh, now))

    def _swap(self, fresh: _Generation) -> None:
        with self._lock:
            old, self._current = self._current, fresh
            old.retired = True
            idle = old.leases == 0
            if not idle:
                self._retired.append(old)
            self.swaps += 1
        if self._on_swap is not None:
            self._on_swap(fresh.analyst)
        if idle:
            old.analyst.close()

    def close(self) -> None:
        with self._lock:
            open_ = [self._current, *self._retired]
            self._retired = []
        for generation in open_:
            generation.analyst.close()
