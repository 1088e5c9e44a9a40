"""Where a workspace keeps its runtime files.

A workspace is one directory (default ``./.servicelens``); nothing is ever written into the
package folders. This module only names paths; it creates nothing until ``ensure`` is called.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WorkspacePaths:
    home: Path

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def keyword_index(self) -> Path:
        return self.home / "keyword_index"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def embedding_cache(self) -> Path:
        return self.cache_dir / "embeddings.sqlite"

    @property
    def catalog(self) -> Path:
        return self.home / "catalog.yaml"

    @property
    def themes(self) -> Path:
        # The feedback theme set (its source, ids, names and terms), written with voc.theme.
        return self.home / "themes.json"

    @property
    def ingest_marker(self) -> Path:
        # What an interrupted ingest still owes: the catalog, the index (``ingest_marker.py``).
        return self.home / "ingest-unfinished.json"

    @property
    def facts(self) -> Path:
        # Planted demo facts with their date ranges and parameters (machine-readable).
        return self.home / "facts.json"

    @property
    def voc_labels(self) -> Path:
        # Demo only: the generator's true topic per VOC record, for measuring theme accuracy
        # and retrieval quality. Never read when answering.
        return self.home / "voc_labels.csv"

    @property
    def manifest(self) -> Path:
        # What built this workspace: generator, seed, scale, data version.
        return self.home / "manifest.json"

    @property
    def config(self) -> Path:
        return self.home / "servicelens.toml"

    @property
    def checkpoints(self) -> Path:
        return self.home / "checkpoints.sqlite"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    def exists(self) -> bool:
        return self.warehouse.exists()

    def ensure(self) -> WorkspacePaths:
        self.home.mkdir(parents=True, exist_ok=True)
        self.cache_dir.mkdir(exist_ok=True)
        return self
