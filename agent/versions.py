"""Fingerprints that make an answer replayable: which prompts and which data produced it.

Computed once when an analyst opens (answering never writes data or prompts), from file
contents for prompts and from the manifest or file metadata for data, which is cheap at any
scale.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..data.workspace import WorkspacePaths
from .answer import DataVersion

_DIGEST_CHARS = 12


def prompt_version() -> str:
    """A hash of every prompt file: system and writer prompts, tool descriptions, the offline
    analyst's phrases and exemplars, and the strategy templates."""
    from ..prompts import digest

    return digest(("system.md", "writer.md", "tools", "offline_", "templates"))[:_DIGEST_CHARS]


def data_version(ws: WorkspacePaths) -> DataVersion:
    return DataVersion(
        warehouse=_warehouse_fingerprint(ws),
        index=_tree_fingerprint([ws.chroma_dir, ws.keyword_index]),
        catalog=_tree_fingerprint([ws.catalog]),
    )


def _warehouse_fingerprint(ws: WorkspacePaths) -> str:
    # The manifest's own data fingerprint names the data, not the file (which DuckDB may
    # rewrite without changing a row); fall back to file metadata when there is none.
    if ws.manifest.is_file():
        try:
            manifest = json.loads(ws.manifest.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            manifest = {}
        for key in ("data_fingerprint", "data_version", "fingerprint"):
            if isinstance(manifest, dict) and manifest.get(key):
                return str(manifest[key])
    return _tree_fingerprint([ws.warehouse])


def _tree_fingerprint(paths: list[Path]) -> str:
    """A hash of names, sizes and modification times under the given paths ("" if none)."""
    digest = hashlib.sha256()
    seen = False
    for root in paths:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for f in files:
            if f.is_file():
                stat = f.stat()
                digest.update(
                    f"{f.relative_to(root.parent)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
                )
                seen = True
    return digest.hexdigest()[:_DIGEST_CHARS] if seen else ""
