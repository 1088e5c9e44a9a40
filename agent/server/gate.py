"""One question at a time per thread: a second concurrent question on a busy thread gets 409.

LangGraph checkpoints a thread step by step; two runs interleaving on one thread would mix
their messages and evidence. Different threads run concurrently on the one shared analyst.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import HttpError


def new_thread_id() -> str:
    return uuid.uuid4().hex


class ThreadGate:
    def __init__(self) -> None:
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    def acquire(self, thread_id: str) -> None:
        with self._lock:
            if thread_id in self._busy:
                raise HttpError(
                    409,
                    "This thread is still answering a question; wait for it, then ask again.",
                    "thread_busy",
                )
            self._busy.add(thread_id)

    def release(self, thread_id: str) -> None:
        with self._lock:
            self._busy.discard(thread_id)

    @contextmanager
    def hold(self, thread_id: str) -> Iterator[None]:
        self.acquire(thread_id)
        try:
            yield
        finally:
            self.release(thread_id)
