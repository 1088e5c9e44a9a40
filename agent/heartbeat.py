"""Status while a model call runs: a slow local model can think for a minute before its first
word, and a person watching a silent screen assumes it hung.

``heartbeat`` emits a ``StatusEvent`` every ``every_s`` seconds from a helper thread until the
call returns. LangGraph's stream writer puts events on a thread-safe queue, so calling it from
that thread is safe; the event reaches ``Analyst.stream`` while the node is still waiting.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .events import Stage, StatusEvent


@contextmanager
def heartbeat(write: Callable[[Any], None], stage: Stage, every_s: float) -> Iterator[None]:
    """Emit "still working (N s)" status events on ``write`` while the block runs."""
    done = threading.Event()
    started = time.monotonic()

    def beat() -> None:
        while not done.wait(every_s):
            seconds = time.monotonic() - started
            write(StatusEvent(stage=stage, message=f"the model is still working ({seconds:.0f} s)"))

    # The writer reads the run's config from context variables: the thread runs in a copy.
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(beat,), name="servicelens-heartbeat", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
