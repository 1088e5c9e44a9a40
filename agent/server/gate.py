"""One question at a time per thread: a second concurrent question on a busy thread gets 409.

LangGraph checkpoints a thread step by step; two runs interleaving on one thread would mix
their messages and evidence. Different threads run concurrently on the one shared analyst.
Several workers share the busy threads in PostgreSQL instead (``shared_state``). The gate
knows who holds each busy thread, so another caller gets the 404 of a thread that is not
theirs (see ``threads``) rather than a 409 confirming that it exists.

A thread is held from the moment its question is accepted until its run has ended — not
until its client has gone. A client that drops its stream cancels the run, but the worker
thread only stops at the run's next step and then records the turn as cancelled; meanwhile
the thread stays held (``stopping``), and a new question on it gets a 409 saying so. The
run's own end releases it. So that a run stuck in a step cannot hold its thread forever, a
stopping hold lapses after ``stop_wait_s`` (by default as long as one step may last: a model
call with its retries, or a query, plus a margin; see ``stop_wait_for``), with a warning in
the log. Each hold has a lease, so a late release by a lapsed run never frees a newer one.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass

from .errors import HttpError
from .threads import not_found

log = logging.getLogger("servicelens.server")
BUSY_MESSAGE = "This thread is still answering a question; wait for it, then ask again."
STOPPING_MESSAGE = (
    "This thread is still stopping a run whose client went away; ask again in a few seconds."
)
# What the default settings give (see ``app``): a model call of 60 s × 3 attempts and 1.5 s of
# backoff, which outlasts a 10 s query, plus the margin.
DEFAULT_STOP_WAIT_S = 211.5
# Added to the longest step for the tool work and the checkpoint write around it.
STOP_MARGIN_S = 30.0
RETRY_AFTER_S = "1"


def new_thread_id() -> str:
    return uuid.uuid4().hex


def stop_wait_for(model_call_s: float, query_s: float) -> float:
    """How long a cancelled run may take to stop: its longest step, plus a margin."""
    return max(model_call_s, query_s) + STOP_MARGIN_S


def busy(stopping: bool) -> HttpError:
    message = STOPPING_MESSAGE if stopping else BUSY_MESSAGE
    return HttpError(409, message, "thread_busy", {"Retry-After": RETRY_AFTER_S})


def lapsed(thread_id: str, stop_wait_s: float) -> None:
    log.warning(
        "thread %s: a cancelled run did not stop within %.0f s; the thread is free again",
        thread_id,
        stop_wait_s,
    )


@dataclass
class _Hold:
    owner: str
    lease: str
    # Monotonic time after which a stopping run no longer holds the thread.
    stop_by: float | None = None


class ThreadGate:
    def __init__(self, stop_wait_s: float = DEFAULT_STOP_WAIT_S) -> None:
        self.stop_wait_s = stop_wait_s
        # Busy thread -> the principal asking on it, and the hold's lease.
        self._busy: dict[str, _Hold] = {}
        self._lock = threading.Lock()

    def acquire(self, thread_id: str, owner: str = "") -> str:
        """Hold the thread for ``owner``; returns the hold's lease. 404 when another principal
        holds it, 409 when the same one does (answering, or stopping a cancelled run)."""
        with self._lock:
            hold = self._busy.get(thread_id)
            if hold is not None and hold.stop_by is not None and time.monotonic() >= hold.stop_by:
                lapsed(thread_id, self.stop_wait_s)
                hold = None
            if hold is not None and hold.owner != owner:
                raise not_found(thread_id)
            if hold is not None:
                raise busy(stopping=hold.stop_by is not None)
            lease = uuid.uuid4().hex
            self._busy[thread_id] = _Hold(owner, lease)
            return lease

    def stopping(self, thread_id: str, lease: str) -> None:
        """The hold's client has gone and its run is stopping: keep holding the thread until
        ``release``, but at most ``stop_wait_s`` from now."""
        with self._lock:
            hold = self._busy.get(thread_id)
            if hold is not None and hold.lease == lease and hold.stop_by is None:
                hold.stop_by = time.monotonic() + self.stop_wait_s

    def release(self, thread_id: str, lease: str | None = None) -> None:
        """Free the thread; with ``lease``, only if that hold still has it."""
        with self._lock:
            hold = self._busy.get(thread_id)
            if hold is not None and lease in (None, hold.lease):
                del self._busy[thread_id]


class Claim:
    """A thread held for one question, and who frees it: the run's end (``run_ended``, called
    from the worker thread once the turn is recorded), or the route when the run never
    started or was awaited to its end (``release``). A client that went away while the run
    goes on marks it ``stopping``. Every call is safe to repeat, from any thread."""

    def __init__(self, gate: ThreadGate, thread_id: str, lease: str) -> None:
        self.gate = gate
        self.thread_id = thread_id
        self.lease = lease
        self._started = False
        self._ended = threading.Event()

    @property
    def stop_wait_s(self) -> float:
        return self.gate.stop_wait_s

    def run_started(self) -> None:
        """The run's worker is about to be started: from now on its end frees the thread."""
        self._started = True

    def run_ended(self) -> None:
        self._ended.set()
        self.gate.release(self.thread_id, self.lease)

    def release(self) -> None:
        self.gate.release(self.thread_id, self.lease)

    def release_unstarted(self) -> None:
        """Free the thread if no run was ever started on it (a stream closed before it began)."""
        if not self._started:
            self.release()

    def client_gone(self) -> None:
        """Keep the thread while a started run stops (at most ``stop_wait_s``)."""
        if self._started and not self._ended.is_set():
            self.gate.stopping(self.thread_id, self.lease)
