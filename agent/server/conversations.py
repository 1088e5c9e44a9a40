"""Which thread an OpenAI-style chat request continues.

Chat front-ends resend the whole transcript on every turn and know nothing of threads. A
request names its thread explicitly (the ``X-ServiceLens-Thread`` header, or
``metadata.thread_id``), or else the server finds it from the transcript: after each answer it
remembers the transcript so far (user and assistant texts, scoped by caller) → thread, so the
next request, whose history is exactly that transcript, continues the same thread. An unknown
history (an edited transcript, a restarted server) starts a new thread. Several workers
share the map in PostgreSQL instead (``shared_state``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

Transcript = list[tuple[str, str]]
# Transcripts remembered; the oldest are forgotten first.
DEFAULT_CAPACITY = 10_000


def transcript_key(scope: str, transcript: Transcript) -> str:
    raw = json.dumps([scope, [[role, text.strip()] for role, text in transcript]])
    return hashlib.sha256(raw.encode()).hexdigest()


class Conversations:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._threads: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, scope: str, history: Transcript) -> str | None:
        """The thread whose transcript is ``history``, if this server answered it."""
        if not history:
            return None
        key = transcript_key(scope, history)
        with self._lock:
            thread_id = self._threads.get(key)
            if thread_id is not None:
                self._threads.move_to_end(key)
            return thread_id

    def remember(self, scope: str, transcript: Transcript, thread_id: str) -> None:
        key = transcript_key(scope, transcript)
        with self._lock:
            self._threads[key] = thread_id
            self._threads.move_to_end(key)
            while len(self._threads) > self.capacity:
                self._threads.popitem(last=False)
