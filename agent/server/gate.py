"""One question at a time per thread: a second concurrent question on a busy thread gets 409.

LangGraph checkpoints a thread step by step; two runs interleaving on one thread would mix
their messages and evidence. Different threads run concurrently on the one shared analyst.
Several workers share the busy threads in PostgreSQL instead (``shared_state``). The gate
knows who holds each busy thread, so another caller gets the 404 of a thread that is not
theirs (see ``threads``) rather than a 409 confirming that it exists.
"""

from __future__ import annotations

import threading
import uuid

from .errors import HttpError
from .threads import not_found

BUSY_MESSAGE = "This thread is still answering a question; wait for it, then ask again."


def new_thread_id() -> str:
    return uuid.uuid4().hex


class ThreadGate:
    def __init__(self) -> None:
        # Busy thread -> the principal asking on it.
        self._busy: dict[str, str] = {}
        self._lock = threading.Lock()

    def acquire(self, thread_id: str, owner: str = "") -> None:
        with self._lock:
            holder = self._busy.get(thread_id)
            if holder is not None and holder != owner:
                raise not_found(thread_id)
            if holder is not None:
                raise HttpError(409, BUSY_MESSAGE, "thread_busy")
            self._busy[thread_id] = owner

    def release(self, thread_id: str) -> None:
        with self._lock:
            self._busy.pop(thread_id, None)
