"""No half-loaded workspace: an ingest is all or nothing across tables, catalog and index, and
one that was interrupted is finished (or named, with its fix) by the next run and by ``doctor``."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ingest_support import rows as query

from servicelens.agent.doctor import Check, run_checks
from servicelens.agent.settings import load_settings
from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint
from servicelens.cli import main
from servicelens.data.catalog import load_catalog
from servicelens.data.embeddings import Embedder, make_embedder
from servicelens.data.errors import DataError
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.voc_index import read_fingerprint
from servicelens.data.workspace import WorkspacePaths

WORDS = ("noisy", "broken", "late", "refund", "screen", "battery", "charger", "engineer",
         "rude", "quick", "helpful", "leak")  # fmt: skip


def _feedback(path: Path, n: int, salt: str = "") -> Path:
    lines = ["id,region,text"]
    for i in range(n):
        said = " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(6))
        lines.append(f"{i},{'East' if i % 3 else 'West'},{said} {salt}{i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _embedder(ep: FakeOpenAIEndpoint) -> Embedder:
    return make_embedder("openai", model="fake-embed", base_url=ep.base_url, cache_path=None)


def _env(ep: FakeOpenAIEndpoint) -> dict[str, str]:
    return {
        "SERVICELENS_EMBEDDER": "openai",
        "SERVICELENS_EMBEDDING_MODEL": "fake-embed",
        "SERVICELENS_EMBEDDING_BASE_URL": ep.base_url,
    }


def _state(ws: WorkspacePaths) -> tuple[str, str]:
    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"

    return digest(ws.warehouse), digest(ws.catalog)


def _doctor(ws: WorkspacePaths, environ: dict[str, str] | None = None) -> dict[str, Check]:
    settings = load_settings(ws.home, environ=environ or {})
    return {c.name: c for c in run_checks(settings, model=False, embedder=False)}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _half_catalogued(tmp_path: Path) -> tuple[WorkspacePaths, Path]:
    """A workspace whose ``parts`` table is committed but missing from the catalog: what an
    ingest killed between its commit and its catalog (or refused by the catalog) left."""
    ws = WorkspacePaths(tmp_path / "ws")
    ingest(ws, [_write(tmp_path / "sites.csv", "site,city\nA,Oslo\nB,Rome\n")], IngestOptions())
    catalog_before = ws.catalog.read_bytes()
    parts = _write(tmp_path / "parts.csv", "part,kind,cost\nP1,fan,10\nP2,pump,20\nP3,fan,5\n")
    ingest(ws, [parts], IngestOptions(), index=False)
    ws.catalog.write_bytes(catalog_before)
    return ws, parts


# --- 1. A catalog conflict refuses the load before anything commits --------------------------


def test_catalog_conflict_is_refused_and_the_workspace_is_unchanged(
    demo_home: Path, tmp_path: Path
) -> None:
    ws = WorkspacePaths(tmp_path / "ws")
    shutil.copytree(demo_home, ws.home)
    # A tickets export with a cost column, but none of the columns the demo's joins use.
    export = _write(tmp_path / "tickets.csv", "id,cost\n1,10.5\n2,20\n")
    before = _state(ws)
    tickets = query(ws, "SELECT count(*) FROM tickets")
    with pytest.raises(DataError) as info:
        ingest(ws, [export], IngestOptions(), index=False)
    assert _state(ws) == before
    assert query(ws, "SELECT count(*) FROM tickets") == tickets
    message = str(info.value)
    assert "tickets.csv" in message and "tickets.customer_id" in message, message
    assert "nothing was loaded" in message and "--table" in message, message
    assert not list(ws.home.glob(".ingest-*"))
    assert not ws.ingest_marker.exists()


# --- 2. A re-run never says "nothing to do" over a half-finished workspace --------------------


def test_rerun_finishes_the_catalog_of_a_committed_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, parts = _half_catalogued(tmp_path)
    assert "parts" not in load_catalog(ws.catalog).tables
    main(["ingest", str(parts), "--home", str(ws.home)])
    out = capsys.readouterr().out
    assert "nothing to do" not in out
    assert "Finished an interrupted ingest" in out and "parts" in out
    catalog = load_catalog(ws.catalog)
    assert "parts" in catalog.tables and "sites" in catalog.tables


def test_rerun_indexes_feedback_the_index_is_behind_on(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path / "ws")
    export = _feedback(tmp_path / "fb.csv", 40)
    options = IngestOptions(text="text", id="id")
    first = ingest(ws, [export], options, index=False)
    assert first.unfinished and "servicelens index" in first.unfinished[0]
    with FakeOpenAIEndpoint() as ep:
        again = ingest(ws, [export], options, embedder=_embedder(ep))
    assert again.tables[0].unchanged
    assert again.index is not None and again.index["records"] == 40
    assert any("index" in line for line in again.finished)
    assert not again.unfinished and not ws.ingest_marker.exists()
    fingerprint = read_fingerprint(ws)
    assert fingerprint is not None and fingerprint["records"] == 40


def test_ingest_with_no_files_finishes_what_was_left(tmp_path: Path) -> None:
    ws, _parts = _half_catalogued(tmp_path)
    report = ingest(ws, [], IngestOptions(), index=False)
    assert "parts" in load_catalog(ws.catalog).tables
    assert report.finished and not report.tables
    assert ingest(ws, [], IngestOptions(), index=False).finished == []


# --- 3. Staging folders of killed runs --------------------------------------------------------


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def test_left_over_staging_folders_are_reported_and_removed(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path / "ws")
    ingest(ws, [_write(tmp_path / "a.csv", "id,n\n1,2\n")], IngestOptions())
    killed = ws.home / f".ingest-{_dead_pid()}-k1ll3d"
    killed.mkdir()
    (killed / "staging.duckdb").write_bytes(b"\0" * 4096)
    legacy = ws.home / ".ingest-0ld5tyl3"  # named before folders carried their owner's pid
    legacy.mkdir()
    two_hours_ago = time.time() - 7200
    os.utime(legacy, (two_hours_ago, two_hours_ago))
    running = ws.home / f".ingest-{os.getpid()}-runn1ng"  # a run still going: never touched
    running.mkdir()
    staging = _doctor(ws)["staging"]
    assert staging.status == "warn", staging
    assert killed.name in staging.detail and legacy.name in staging.detail
    assert running.name not in staging.detail and "servicelens ingest" in staging.fix
    ingest(ws, [_write(tmp_path / "b.csv", "id,m\n1,3\n")], IngestOptions())
    assert not killed.exists() and not legacy.exists()
    assert running.exists()
    assert _doctor(ws)["staging"].status == "ok"


# --- 4. doctor checks that tables, catalog and index agree -----------------------------------


def test_doctor_fails_a_table_missing_from_the_catalog(tmp_path: Path) -> None:
    ws, _parts = _half_catalogued(tmp_path)
    check = _doctor(ws)["consistency"]
    assert check.status == "fail" and "parts" in check.detail, check
    assert "servicelens ingest" in check.fix
    ingest(ws, [], IngestOptions(), index=False)
    assert _doctor(ws)["consistency"].status == "ok"


def test_doctor_fails_an_index_behind_the_feedback(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path / "ws")
    options = IngestOptions(text="text", id="id")
    with FakeOpenAIEndpoint() as ep:
        ingest(ws, [_feedback(tmp_path / "fb.csv", 30)], options, embedder=_embedder(ep))
        env = _env(ep)
        assert _doctor(ws, env)["consistency"].status == "ok"
        # More feedback loaded without indexing it: the index now holds fewer records.
        ingest(ws, [_feedback(tmp_path / "fb.csv", 45)], options, index=False)
        check = _doctor(ws, env)["consistency"]
        assert check.status == "fail" and "45" in check.detail and "30" in check.detail, check
        assert "servicelens index" in check.fix
        assert _doctor(ws, env)["VOC index"].status == "ok"  # the store itself is sound


# --- A real kill ------------------------------------------------------------------------------


def test_killed_while_embedding_then_rerun_brings_the_workspace_back(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path / "ws")
    export = _feedback(tmp_path / "fb.csv", 200)
    command = [sys.executable, "-m", "servicelens", "ingest", str(export)]
    command += ["--text", "text", "--id", "id", "--home", str(ws.home)]
    with FakeOpenAIEndpoint(embed_delay_s=0.5) as ep:
        env = {**os.environ, **_env(ep)}
        with (tmp_path / "killed.err").open("wb") as err:
            proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 120
        while len(ep.embedding_requests) < 2 and proc.poll() is None:
            assert time.monotonic() < deadline, "the ingest never started embedding"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL, (tmp_path / "killed.err").read_text()
        # The tables committed; the index did not get built.
        assert query(ws, "SELECT count(*) FROM voc") == [(200,)]
        assert read_fingerprint(ws) is None
        check = _doctor(ws, _env(ep))["consistency"]
        assert check.status == "fail" and "servicelens ingest" in check.fix, check

        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert "nothing to do" not in again.stdout, again.stdout
        assert "VOC index built: 200 records" in again.stdout, again.stdout
        checks = _doctor(ws, _env(ep))
    assert checks["consistency"].status == "ok", checks["consistency"]
    assert checks["VOC index"].status == "ok", checks["VOC index"]
    assert checks["staging"].status == "ok", checks["staging"]
    assert "fb" in load_catalog(ws.catalog).tables
    fingerprint = read_fingerprint(ws)
    assert fingerprint is not None and fingerprint["records"] == 200
