"""The warehouse file and its generations: readers keep the file they opened while a writer
prepares the next one, and see the next one whole or not at all.

``warehouse.duckdb`` is a symbolic link to the current generation, ``warehouse.<id>.duckdb``
(a workspace built before generations holds a plain file there; the first write turns it into
the link). A writer (the ingest's commit, the index's enrichment) copies the current generation,
writes the copy, closes it (DuckDB checkpoints it, so no ``.wal`` is left) and then points the
link at it with one ``rename``. Server workers that opened the old generation keep answering
from it; its name is unlinked at once and the kernel frees its blocks when the last reader
closes it. Readers open ``resolve(path)``, never the link's own name: DuckDB shares one database
per path string within a process, so a worker that reopened by the link's name would be handed
the old generation it still holds.

Writers take ``.warehouse.lock`` (an ``flock``) for copy, write and swap, so two of them cannot
both copy the same generation and lose one's changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from .errors import WorkspaceError
from .workspace import WorkspacePaths

Stamp = tuple[tuple[int, int], ...]
_GENERATION = re.compile(r"^warehouse\.[0-9a-f]{12}\.duckdb$")
LOCK_NAME = ".warehouse.lock"


def resolve(path: Path) -> Path:
    """The file the warehouse link points at now (``path`` itself when it is a plain file)."""
    return path.resolve()


def stamp(paths: WorkspacePaths) -> Stamp:
    """What identifies the data a server answers from (warehouse, catalog, theme set, keyword
    index) as the files are now: every writer replaces them by rename, which changes it."""
    from .voc_index import FINGERPRINT

    files = (paths.warehouse, paths.catalog, paths.themes, paths.keyword_index / FINGERPRINT)
    return tuple(_identity(f) for f in files)


def _identity(path: Path) -> tuple[int, int]:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return (0, 0)
    return (found.st_ino, found.st_mtime_ns)


def generation_files(path: Path) -> list[Path]:
    """Every generation file beside the link, current or not."""
    return sorted(p for p in path.parent.iterdir() if _GENERATION.match(p.name))


@contextlib.contextmanager
def next_generation(path: Path) -> Iterator[Path]:
    """A private copy of the warehouse to write (a new empty path when there is none yet).

    When the block ends normally the copy becomes the warehouse in one rename; when it raises
    the copy is deleted and the warehouse is as it was. Close every connection to the copy
    before the block ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path):
        current = resolve(path) if path.exists() else None
        fresh = path.with_name(f"warehouse.{uuid.uuid4().hex[:12]}.duckdb")
        try:
            if current is not None:
                _copy(current, fresh)
            yield fresh
            if not fresh.is_file():
                raise WorkspaceError("The new warehouse generation was not written.")
            _point(path, fresh)
        except BaseException:
            for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
                leftover.unlink(missing_ok=True)
            raise
        _retire(path, keep=fresh)


def _copy(current: Path, fresh: Path) -> None:
    wal = current.with_name(current.name + ".wal")
    shutil.copyfile(current, fresh)
    # A log left by a writer that did not close cleanly holds committed work the file lacks.
    if wal.exists():
        shutil.copyfile(wal, fresh.with_name(fresh.name + ".wal"))


def _point(path: Path, fresh: Path) -> None:
    link = path.with_name(f".{path.name}.{fresh.stem.split('.')[1]}.link")
    link.unlink(missing_ok=True)
    # Relative, so the workspace directory can be moved or copied whole.
    link.symlink_to(fresh.name)
    os.replace(link, path)
    _sync_directory(path.parent)


def _retire(path: Path, keep: Path) -> None:
    # Generations no longer pointed at, this writer's predecessor and any a crashed writer left:
    # only writers create them, and this one holds the lock.
    for old in generation_files(path):
        if old != keep:
            old.unlink(missing_ok=True)
            old.with_name(old.name + ".wal").unlink(missing_ok=True)


@contextlib.contextmanager
def _writer_lock(path: Path) -> Iterator[None]:
    with (path.parent / LOCK_NAME).open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
