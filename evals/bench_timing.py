"""Timing and memory for the benchmarks: medians with CPU time beside wall time, peak RSS per
phase, and a description of the machine the figures were measured on."""

from __future__ import annotations

import math
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class PhaseMemory:
    """Peak RSS per phase, sampled by a thread every 20 ms from ``/proc/self/status``."""

    def __init__(self) -> None:
        self.peaks: dict[str, float] = {}
        self._phase = "start"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PhaseMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            time.sleep(0.02)

    def _sample(self) -> None:
        mb = rss_mb()
        self.peaks[self._phase] = max(self.peaks.get(self._phase, 0.0), mb)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self._phase = name
        self._sample()
        try:
            yield
        finally:
            self._sample()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def machine() -> dict[str, Any]:
    """What the figures were measured on; the load average says how shared it was."""
    import chromadb
    import duckdb

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1]) / 1024**2
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gb": round(mem, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "chromadb": chromadb.__version__,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Samples(list[float]):
    """Wall-clock milliseconds per run, with the process's CPU milliseconds beside them: on a
    shared machine the wall clock waits for a core, CPU time mostly does not (DuckDB's own
    threads count too, so a parallel query's CPU time can exceed its wall time)."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []

    def add(self, other: Samples) -> None:
        self.extend(other)
        self.cpu.extend(other.cpu)


def timed(fn: Callable[[], object], repeats: int, *, warm: bool = True) -> Samples:
    if warm:
        fn()
    out = Samples()
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - wall) * 1000)
        out.cpu.append((time.process_time() - cpu) * 1000)
    return out


def summary(samples: list[float]) -> dict[str, float]:
    out = {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(percentile(samples, 0.95), 3),
    }
    if isinstance(samples, Samples) and samples.cpu:
        out["cpu_p50_ms"] = round(statistics.median(samples.cpu), 3)
    return out


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b > 0 else math.inf
