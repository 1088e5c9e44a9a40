"""A bounded load test of ``servicelens serve --workers N`` on loopback with the offline provider.

    python -m servicelens.evals.load --home /srv/ws --workers 2 --clients 50 --duration 60

Starts the workers (the shared stores come from the settings, as for ``serve``: a Chroma server
and PostgreSQL checkpoints), then runs ``clients`` threads for ``duration`` seconds. Each client
keeps one conversation: it asks on its own thread, checks that every answer names its thread
and question, and every few turns reads the thread back and checks that it holds exactly its
own questions in order (no cross-talk between clients, whichever worker answered). Reported:
requests, errors, p50/p95 latency, requests per worker, and each worker's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

WORKER_HEADER = "x-servicelens-worker"
# Questions the offline provider answers from any demo-shaped catalog; months vary the SQL.
QUESTIONS = ("How many tickets in 2025-{m:02d}?", "How many tickets were opened in 2025-{m:02d}?")
READ_BACK_EVERY = 4
# After an error a client waits this long, rather than retrying in a tight loop.
ERROR_PAUSE_S = 1.0
START_TIMEOUT_S = 120


@dataclass
class LoadResult:
    workers: int
    clients: int
    duration_s: float
    requests: int = 0
    errors: int = 0
    cross_talk: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    per_worker: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rss = ", ".join(f"{mb:.0f}" for mb in self.peak_rss_mb.values()) or "n/a"
        return (
            f"{self.workers} workers, {self.clients} clients, {self.duration_s:.0f} s: "
            f"{self.requests} requests, {self.errors} errors ({self.cross_talk} cross-talk), "
            f"p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms, "
            f"{self.requests / max(self.duration_s, 1e-9):.1f} req/s; "
            f"per worker {dict(self.per_worker)}; peak RSS MB per worker [{rss}]"
        )


class _Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors = 0
        self.cross_talk = 0
        self.per_worker: Counter[str] = Counter()
        self.samples: list[str] = []

    def ok(self, seconds: float, worker: str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.per_worker[worker] += 1

    def fail(self, what: str, *, cross_talk: bool = False) -> None:
        with self.lock:
            self.errors += 1
            self.cross_talk += int(cross_talk)
            if len(self.samples) < 5:
                self.samples.append(what[:300])


def run_clients(
    base_url: str, clients: int, duration_s: float, *, token: str | None = None, run_id: str = ""
) -> tuple[_Tally, float]:
    """``clients`` conversations against ``base_url`` for ``duration_s``; the tally and the
    wall time."""
    tally = _Tally()
    deadline = time.monotonic() + duration_s
    run_id = run_id or f"{os.getpid()}-{int(time.time())}"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    threads = [
        threading.Thread(target=_client, args=(base_url, f"load-{run_id}-{i}", i, deadline,
                                               headers, tally), daemon=True)
        for i in range(clients)
    ]  # fmt: skip
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally, time.monotonic() - started


def _client(
    base_url: str,
    thread_id: str,
    index: int,
    deadline: float,
    headers: Mapping[str, str],
    tally: _Tally,
) -> None:
    asked: list[str] = []
    # Each client from its own loopback address, as each user of a team comes from their own
    # machine: the server's per-client rate limit then applies per client, not to the test.
    transport = httpx.HTTPTransport(local_address=f"127.0.0.{index % 250 + 2}")
    with httpx.Client(
        base_url=base_url, timeout=120, headers=dict(headers), transport=transport
    ) as http:
        while time.monotonic() < deadline:
            turn = len(asked)
            question = QUESTIONS[turn % len(QUESTIONS)].format(m=(index + turn) % 12 + 1)
            begun = time.perf_counter()
            try:
                reply = http.post("/v1/ask", json={"question": question, "thread_id": thread_id})
            except httpx.HTTPError as exc:
                tally.fail(f"{type(exc).__name__}: {exc}")
                time.sleep(ERROR_PAUSE_S)
                continue
            elapsed = time.perf_counter() - begun
            if reply.status_code != 200:
                tally.fail(f"HTTP {reply.status_code}: {reply.text}")
                time.sleep(ERROR_PAUSE_S)
                continue
            body = reply.json()
            if body.get("thread_id") != thread_id or body.get("question") != question:
                tally.fail(
                    f"answer for {body.get('thread_id')!r} on {thread_id!r}", cross_talk=True
                )
                continue
            asked.append(question)
            tally.ok(elapsed, reply.headers.get(WORKER_HEADER, "single"))
            if len(asked) % READ_BACK_EVERY == 0:
                _check_thread(http, thread_id, asked, tally)


def _check_thread(http: httpx.Client, thread_id: str, asked: list[str], tally: _Tally) -> None:
    try:
        reply = http.get(f"/v1/threads/{thread_id}")
    except httpx.HTTPError as exc:
        tally.fail(f"{type(exc).__name__}: {exc}")
        return
    if reply.status_code != 200:
        tally.fail(f"thread read HTTP {reply.status_code}")
        return
    questions = [t["question"] for t in reply.json()["turns"]]
    if questions != asked:
        tally.fail(
            f"thread {thread_id} holds {len(questions)} turns, sent {len(asked)}", cross_talk=True
        )


def result_of(tally: _Tally, workers: int, clients: int, wall_s: float) -> LoadResult:
    ms = sorted(x * 1000 for x in tally.latencies)
    p95 = statistics.quantiles(ms, n=20)[-1] if len(ms) >= 2 else (ms[0] if ms else 0.0)
    return LoadResult(
        workers=workers,
        clients=clients,
        duration_s=round(wall_s, 1),
        requests=len(ms) + tally.errors,
        errors=tally.errors,
        cross_talk=tally.cross_talk,
        p50_ms=round(statistics.median(ms), 1) if ms else 0.0,
        p95_ms=round(p95, 1),
        per_worker=dict(tally.per_worker),
        error_samples=tally.samples,
    )


# --- the served workers -------------------------------------------------------------------------


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        """The worker processes: the serving command's children, its helpers left out."""
        found = []
        for child in _children(self.process.pid):
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"resource_tracker" not in cmdline:
                found.append(child)
        return found


@contextmanager
def served(
    home: Path, workers: int, env: Mapping[str, str] | None = None, *, log: Path | None = None
) -> Iterator[Served]:
    """``servicelens serve --workers N --provider offline`` on a free loopback port."""
    port = _free_port()
    cmd = [sys.executable, "-m", "servicelens", "serve", "--home", str(home), "--port", str(port),
           "--provider", "offline", "--workers", str(workers)]  # fmt: skip
    sink = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        cmd, env={**os.environ, **(env or {})}, stdout=sink, stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, process, workers)
        yield Served(base_url, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            sink.close()  # type: ignore[union-attr]


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], workers: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    seen: set[str] = set()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"servicelens serve exited with status {process.returncode}")
        try:
            reply = httpx.get(f"{base_url}/healthz", timeout=2)
            if reply.status_code == 200:
                seen.add(reply.headers.get(WORKER_HEADER, "single"))
                # Every worker up (or, with one, the one): each has answered a health check.
                if len(seen) >= workers or workers == 1:
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"servicelens serve did not answer within {START_TIMEOUT_S} s")


def peak_rss_mb(pids: list[int]) -> dict[str, float]:
    """Each process's peak resident set (``VmHWM``), in MB."""
    peaks = {}
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks[str(pid)] = round(int(line.split()[1]) / 1024, 1)
    return peaks


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(x) for x in text]
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(home: Path, workers: int, clients: int, duration_s: float) -> LoadResult:
    with served(home, workers) as server:
        tally, wall = run_clients(server.base_url, clients, duration_s)
        result = result_of(tally, workers, clients, wall)
        result.peak_rss_mb = peak_rss_mb(server.worker_pids())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m servicelens.evals.load", description=__doc__)
    parser.add_argument("--home", type=Path, required=True, help="The workspace to serve.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="Seconds of load.")
    parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
    args = parser.parse_args(argv)
    result = run(args.home, args.workers, args.clients, args.duration)
    print(json.dumps(asdict(result), indent=2) if args.json else result.summary())
    return 1 if result.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
