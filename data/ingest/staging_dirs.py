"""The ``.ingest-*`` staging folders: each named after the process that owns it.

A run removes its own folder when it ends, however it ends, unless it is killed. The next run
removes the folders a killed run left: those whose owner is gone, or that are older than any
ingest takes (so a pid the system has since reused does not keep one forever). A concurrent
run's folder is never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from ..ingest_marker import process_alive

PREFIX = ".ingest-"
# Older than this, a folder is stale whoever owns its pid now.
MAX_AGE_S = 24 * 3600
# Folders named before they carried their owner's pid: stale once no run could still be going.
UNOWNED_AGE_S = 3600
_OWNER = re.compile(rf"^{re.escape(PREFIX)}(\d+)-")


def staging_dir(home: Path) -> Path:
    """A new staging folder for this process."""
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=home))


def stale_staging(home: Path) -> list[Path]:
    """Staging folders left by runs that are no longer going."""
    if not home.is_dir():
        return []
    now = time.time()
    found = [p for p in home.glob(f"{PREFIX}*") if p.is_dir()]
    return sorted(p for p in found if _stale(p, now))


def sweep_staging(home: Path) -> list[str]:
    """Remove the stale staging folders; their names."""
    gone = []
    for path in stale_staging(home):
        shutil.rmtree(path, ignore_errors=True)
        gone.append(path.name)
    return gone


def folder_bytes(paths: list[Path]) -> int:
    return sum(f.stat().st_size for p in paths for f in p.rglob("*") if f.is_file())


def _stale(path: Path, now: float) -> bool:
    try:
        age = now - path.stat().st_mtime
    except FileNotFoundError:
        return False  # its owner removed it meanwhile
    owner = _OWNER.match(path.name)
    if owner is None:
        return age > UNOWNED_AGE_S
    return age > MAX_AGE_S or not process_alive(int(owner.group(1)))
