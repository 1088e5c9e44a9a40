"""Feedback text in a live table, indexed incrementally: only rows new or changed since the
last run are read and embedded.

A source names its feedback table, the table's id column and an updated-at column
(``FeedbackTable``). ``sync_feedback`` reads the rows whose ``(updated_at, id)`` is past the
high-water mark of the last run, in pages ordered by it, through the source's guarded,
read-only query path; embeds their texts; and writes a new generation of the workspace's
feedback index (vector and keyword) in which those records are added or replaced, swapped in as
``servicelens index`` swaps a full build. The mark, the ids it indexed and the index generation
it wrote are kept in ``live_feedback.json`` in the workspace. Records of the index that came
from elsewhere (the DuckDB ``voc`` table) are kept as they are, vectors and all.

A full ``servicelens index`` rebuilds the index from the DuckDB file alone; the next sync sees
that the generation it wrote is gone and reads the table again (texts whose vectors are in the
embedding cache are not embedded again). A row deleted from the table cannot be seen by an
updated-at mark: it stays searchable until a ``full`` sync, which reads every row and drops the
records of this table that are no longer there.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlglot import exp

from ..embeddings import CachedEmbedder, Embedder
from ..errors import ServiceLensError
from ..keyword_index import CATEGORICAL, KeywordIndex
from ..redact import redact_many
from ..voc_index import FINGERPRINT, chroma_client, read_fingerprint
from ..voc_pipeline import embedding_input, swap_in
from ..workspace import WorkspacePaths
from .engine import Source

Progress = Callable[[str, int, int], None]
STATE_FILE = "live_feedback.json"
_BATCH = 256
# Columns of the feedback table kept as the records' filter metadata when the table has them.
_META = (*CATEGORICAL, "author_reach")


class FeedbackSyncError(ServiceLensError):
    """The feedback table cannot be read as configured; the message names what to fix."""


@dataclass(frozen=True)
class FeedbackTable:
    """Where a source keeps feedback text, and how a change is seen."""

    table: str
    id: str
    updated_at: str
    text: str = "text"
    # The date the feedback was given (search's period filter); the updated-at column if None.
    created_at: str | None = None


@dataclass
class SyncReport:
    source: str
    table: str
    read: int = 0  # rows read from the source as new or changed
    embedded: int = 0  # texts sent to the embedding model (not in its cache)
    cached: int = 0  # texts whose vectors came from the cache
    added: int = 0
    updated: int = 0
    removed: int = 0  # records dropped because their row is gone (full sync only)
    records: int = 0  # records in the index afterwards
    full: bool = False
    high_water: dict[str, Any] | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sync_feedback(
    ws: WorkspacePaths,
    source: Source,
    spec: FeedbackTable,
    *,
    embedder: Embedder,
    full: bool = False,
    progress: Progress | None = None,
    page: int = 1000,
    chroma_url: str | None = None,
) -> SyncReport:
    """Bring the index up to date with ``spec``'s table on ``source``; see the module text."""
    started = time.perf_counter()
    tell = progress or (lambda stage, done, total: None)
    old_state = _load_state(ws).get(source.name)
    fingerprint = read_fingerprint(ws)
    generation = fingerprint.get("generation") if fingerprint else None
    continuing = (
        old_state is not None
        and old_state.get("generation") == generation
        and old_state.get("spec") == asdict(spec)
    )
    report = SyncReport(source.name, spec.table, full=full or not continuing)
    mark = old_state.get("high_water") if continuing and not full and old_state else None
    known = set(old_state.get("ids", [])) if continuing and old_state else set()
    columns = _columns(source, spec)
    rows = list(_read_changed(source, spec, columns, mark, page, tell))
    report.read = len(rows)
    seen = {r["voc_id"] for r in rows}
    removed = known - seen if report.full else set()
    report.added = len(seen - known)
    report.updated = len(seen & known)
    report.removed = len(removed)
    new_mark = _mark(rows[-1], spec) if rows else mark
    if rows or removed:
        vectors = _embed(embedder, rows, tell, report)
        _write_index(ws, rows, vectors, removed, embedder, fingerprint, chroma_url, tell)
    fingerprint = read_fingerprint(ws)
    report.records = int(fingerprint["records"]) if fingerprint else 0
    report.high_water = new_mark
    _save_state(ws, source.name, {
        "spec": asdict(spec), "high_water": new_mark,
        "generation": fingerprint.get("generation") if fingerprint else None,
        "ids": sorted((known - removed) | seen),
    })  # fmt: skip
    report.seconds = round(time.perf_counter() - started, 3)
    return report


# ---------------------------------------------------------------- reading the table


def _columns(source: Source, spec: FeedbackTable) -> dict[str, str]:
    """Output name -> the table's column, for what is read; unknown columns are named."""
    tables = {t.lower(): cols for t, cols in source.columns().items()}
    have = tables.get(spec.table.lower())
    if have is None:
        raise FeedbackSyncError(
            f"The source {source.name} has no table {spec.table} that its login can read; "
            "check feedback_table in servicelens.toml."
        )
    by_lower = {c.lower(): c for c in have}
    wanted = {"voc_id": spec.id, "text": spec.text, "updated_at": spec.updated_at}
    if spec.created_at:
        wanted["created_at"] = spec.created_at
    for out, column in wanted.items():
        if column.lower() not in by_lower:
            raise FeedbackSyncError(
                f"The table {spec.table} of {source.name} has no column {column} (its "
                f"{out.replace('voc_', '')} column); check the feedback settings of the source."
            )
    columns = {out: by_lower[c.lower()] for out, c in wanted.items()}
    for name in _META:
        if name in by_lower and name not in columns:
            columns[name] = by_lower[name]
    return columns


def _read_changed(
    source: Source,
    spec: FeedbackTable,
    columns: dict[str, str],
    mark: dict[str, Any] | None,
    page: int,
    tell: Progress,
) -> Iterator[dict[str, Any]]:
    """Rows past ``mark`` in (updated_at, id) order, a page at a time (keyset paging)."""
    source.allowed = (source.allowed or set()) | {spec.table.lower()}
    done = 0
    while True:
        sql, params = _page_sql(spec, columns, mark, page)
        result = source.execute(sql, params, max_rows=page)
        names = result.columns
        batch = [dict(zip(names, row, strict=True)) for row in result.rows]
        for row in batch:
            row["_raw_id"], row["voc_id"] = row["voc_id"], _record_id(source.name, spec, row)
        yield from batch
        done += len(batch)
        tell("read", done, done)
        if len(batch) < page:
            return
        mark = _mark(batch[-1], spec)


def _record_id(source: str, spec: FeedbackTable, row: dict[str, Any]) -> str:
    # The catalog's feedback table is ``voc``: its ids are the records' ids, which a data scope
    # checks search hits against. A table of another name gets ids of its own (``helpdesk:42``)
    # so none can pass for an in-scope ``voc`` record; a scoped caller does not see them.
    raw = str(row["voc_id"])
    return raw if spec.table.lower() == "voc" else f"{source}:{raw}"


def _page_sql(
    spec: FeedbackTable, columns: dict[str, str], mark: dict[str, Any] | None, page: int
) -> tuple[str, list[Any]]:
    def col(name: str) -> exp.Column:
        return exp.column(exp.to_identifier(name, quoted=True))

    select = exp.select(*(exp.alias_(col(c), out, quoted=True) for out, c in columns.items()))
    query = select.from_(exp.to_table(spec.table, quoted=True))
    updated, ident = col(columns["updated_at"]), col(columns["voc_id"])
    params: list[Any] = []
    if mark is not None:
        at = _mark_value(mark)
        query = query.where(
            exp.or_(
                exp.GT(this=updated, expression=exp.Placeholder()),
                exp.and_(
                    exp.EQ(this=updated.copy(), expression=exp.Placeholder()),
                    exp.GT(this=ident, expression=exp.Placeholder()),
                ),
            )
        )
        params = [at, at, mark["id"]]
    query = query.where(exp.Not(this=exp.Is(this=updated.copy(), expression=exp.Null())))
    query = query.order_by(updated.copy(), ident.copy()).limit(page)
    return query.sql(dialect="duckdb"), params


def _mark(row: dict[str, Any], spec: FeedbackTable) -> dict[str, Any]:
    at = row["updated_at"]
    kind = "datetime" if isinstance(at, datetime) else "date" if isinstance(at, date) else "text"
    raw_id = row.get("_raw_id", row["voc_id"])
    return {"at": at.isoformat() if kind != "text" else str(at), "kind": kind, "id": raw_id}


def _mark_value(mark: dict[str, Any]) -> Any:
    if mark["kind"] == "datetime":
        return datetime.fromisoformat(mark["at"])
    if mark["kind"] == "date":
        return date.fromisoformat(mark["at"])
    return mark["at"]


# ---------------------------------------------------------------- embedding and the index


def _embed(
    embedder: Embedder, rows: list[dict[str, Any]], tell: Progress, report: SyncReport
) -> np.ndarray:
    texts, _ = redact_many(str(r.get("text") or "") for r in rows)
    for row, text in zip(rows, texts, strict=True):
        row["text"] = text
    cache = embedder if isinstance(embedder, CachedEmbedder) else None
    hits, misses = (cache.hits, cache.misses) if cache else (0, 0)
    parts = []
    inputs = [embedding_input(t) for t in texts]
    for start in range(0, len(inputs), _BATCH):
        tell("embed", start, len(inputs))
        parts.append(embedder.embed_passages(inputs[start : start + _BATCH]))
    tell("embed", len(inputs), len(inputs))
    report.cached = cache.hits - hits if cache else 0
    report.embedded = cache.misses - misses if cache else len(inputs)
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)


def _meta(row: dict[str, Any]) -> dict[str, Any]:
    when = row.get("created_at") or row.get("updated_at")
    meta: dict[str, Any] = {
        name: str(row[name]) for name in CATEGORICAL if row.get(name) is not None
    }
    meta["author_reach"] = int(row.get("author_reach") or 0)
    if isinstance(when, date):
        meta["date"] = when.year * 10_000 + when.month * 100 + when.day
        stamp = when if isinstance(when, datetime) else datetime(when.year, when.month, when.day)
        meta["ts"] = calendar.timegm(stamp.timetuple())
    return meta


def _write_index(
    ws: WorkspacePaths,
    rows: list[dict[str, Any]],
    vectors: np.ndarray,
    removed: set[str],
    embedder: Embedder,
    old: dict[str, Any] | None,
    chroma_url: str | None,
    tell: Progress,
) -> None:
    """A new generation of the index: the old records less the changed and removed ones, plus
    the changed ones; the vector store updated in a copy (or in place on a Chroma server)."""
    changed = {r["voc_id"] for r in rows}
    keep = removed | changed
    if old is not None:
        if old.get("model") != embedder.name or int(old.get("dim", 0)) != embedder.dim:
            raise FeedbackSyncError(
                "The feedback index was built with another embedding model; run "
                "`servicelens index --rebuild` first."
            )
        base = KeywordIndex.load(ws.keyword_index)
        kept = [i for i, v in enumerate(base.voc_ids) if v not in keep]
        ids = [base.voc_ids[i] for i in kept] + [r["voc_id"] for r in rows]
        texts = [base.texts[i] for i in kept] + [r["text"] for r in rows]
        metas = [base.meta(i) for i in kept] + [_meta(r) for r in rows]
        all_vectors = np.vstack([np.asarray(base.vectors)[kept], vectors])
    else:
        ids, texts = [r["voc_id"] for r in rows], [r["text"] for r in rows]
        metas, all_vectors = [_meta(r) for r in rows], vectors
    generation = uuid.uuid4().hex[:12]
    collection = old["collection"] if old else f"voc_{generation}"
    digest = hashlib.sha256(((old or {}).get("content_hash", "") + generation).encode())
    fingerprint = {
        "records": len(ids), "model": embedder.name, "dim": embedder.dim,
        "content_hash": digest.hexdigest(), "collection": collection, "generation": generation,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "previous": None,
    }  # fmt: skip
    ws.ensure()
    staging = {
        "chroma": ws.home / f".chroma.{generation}",
        "keyword": ws.home / f".keyword_index.{generation}",
    }
    try:
        tell("chroma", 0, len(rows))
        if not chroma_url and old is not None and ws.chroma_dir.exists():
            shutil.copytree(ws.chroma_dir, staging["chroma"])
        client = chroma_client(ws, chroma_url, path=staging["chroma"])
        store = _collection(client, collection, fingerprint)
        if keep - changed:
            store.delete(ids=sorted(keep - changed))
        batch = min(2_000, client.get_max_batch_size())
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            store.upsert(
                ids=[r["voc_id"] for r in part],
                embeddings=vectors[start : start + batch],
                documents=[r["text"] for r in part],
                metadatas=[_meta(r) for r in part],
            )
        tell("chroma", len(rows), len(rows))
        tell("keyword", 0, len(ids))
        keyword = KeywordIndex.build(ids, texts, metas, all_vectors)
        keyword.save(staging["keyword"])
        (staging["keyword"] / FINGERPRINT).write_text(json.dumps(fingerprint, indent=2))
        tell("keyword", len(ids), len(ids))
        swap_in(ws, staging, chroma_url)
    finally:
        for path in staging.values():
            shutil.rmtree(path, ignore_errors=True)


def _collection(client: Any, name: str, fingerprint: dict[str, Any]) -> Any:
    import chromadb.errors

    try:
        return client.get_collection(name, embedding_function=None)
    except (chromadb.errors.NotFoundError, ValueError):
        return client.create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={k: fingerprint[k] for k in ("model", "dim", "content_hash", "generation")},
            embedding_function=None,
        )


# ---------------------------------------------------------------- state


def _load_state(ws: WorkspacePaths) -> dict[str, Any]:
    path = ws.home / STATE_FILE
    return json.loads(path.read_text("utf-8")) if path.is_file() else {}


def _save_state(ws: WorkspacePaths, name: str, entry: dict[str, Any]) -> None:
    state = _load_state(ws)
    state[name] = entry
    path = ws.home / STATE_FILE
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(state, ensure_ascii=False, default=str), "utf-8")
    temp.replace(path)
