"""Ingest benchmark: a large helpdesk-like CSV, loaded with time, rows/s and peak memory.

Memory must not grow with file size: the generator writes in chunks and the loader streams
(DuckDB reads the file; Python only checks its encoding chunk by chunk), so peak RSS at 3x the
rows should be close to peak RSS at 1x. RSS is sampled by a thread every 50 ms (``/proc``), and
``ru_maxrss`` is reported too (it covers the whole process lifetime, so run sizes in separate
processes when comparing it).
"""

from __future__ import annotations

import random
import resource
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from ..data.ingest.pipeline import IngestOptions, ingest
from ..data.workspace import WorkspacePaths

_REGIONS = ["华东", "华南", "华北", "华中", "西南", "东北"]
_TYPES = ["installation", "repair", "maintenance", "inquiry", "complaint"]
_CHANNELS = ["phone", "chat", "email", "app", "social", "onsite"]
_NOTES = ["空调不制冷，师傅上门检查", 'Compressor noise, "loud" at night', "安装延期, 客户不满", ""]


def write_csv(path: Path, rows: int, seed: int = 7) -> int:
    """A helpdesk export of ``rows`` rows, written in chunks; returns its size in bytes."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Ticket ID,Region,Type,Channel,Opened,Cost,SLA met,Visits,Note\n")
        chunk: list[str] = []
        for i in range(rows):
            day = 1 + i % 28
            note = rng.choice(_NOTES)
            note = (
                f'"{note.replace(chr(34), chr(34) * 2)}"' if ("," in note or '"' in note) else note
            )
            chunk.append(
                f"T{i:08d},{rng.choice(_REGIONS)},{rng.choice(_TYPES)},{rng.choice(_CHANNELS)},"
                f"2026/{1 + i % 12}/{day} {i % 24}:{i % 60:02d},"
                f'"{rng.randint(50, 5000):,}",{rng.choice(("yes", "no"))},{i % 4},{note}\n'
            )
            if len(chunk) == 50_000:
                fh.write("".join(chunk))
                chunk = []
        fh.write("".join(chunk))
    return path.stat().st_size


class _RssSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kb = max(self.peak_kb, _rss_kb())
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_kb


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run_ingest_bench(home: Path | None = None, *, rows: int = 3_000_000) -> dict[str, Any]:
    """Generate ``rows`` rows into a temp dir and ingest them into a fresh workspace."""
    with tempfile.TemporaryDirectory(prefix="sl-bench-ingest-") as tmp:
        csv_path = Path(tmp) / "helpdesk.csv"
        size = write_csv(csv_path, rows)
        ws = WorkspacePaths(Path(home) if home else Path(tmp) / "ws")
        base_kb = _rss_kb()
        sampler = _RssSampler()
        sampler.start()
        start = time.perf_counter()
        report = ingest(ws, [csv_path], IngestOptions(table="helpdesk_bench"), index=False)
        seconds = time.perf_counter() - start
        peak_kb = sampler.stop()
    loaded = report.tables[0].rows
    return {
        "rows": loaded,
        "file_mb": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "rows_per_s": round(loaded / seconds),
        "rss_before_mb": round(base_kb / 1024, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "types": report.tables[0].types,
    }
