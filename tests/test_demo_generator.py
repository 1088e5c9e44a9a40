"""The demo generator as a whole: determinism, safe rebuilds, the files it writes, the CLI."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import duckdb
import pytest

from servicelens.cli import main
from servicelens.data.demo.build import build_demo
from servicelens.data.demo.scales import ScaleError, resolve_scale
from servicelens.data.errors import WorkspaceError
from servicelens.data.schema import TABLES, columns, key
from servicelens.data.workspace import WorkspacePaths


def checksums(home: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect(str(WorkspacePaths(home).warehouse), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT count(*), sum(hash(x)) FROM {t} x").fetchone()  # type: ignore[misc]
            for t in TABLES
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("gen") / "ws"
    build_demo(home, scale="tiny", seed=11, index=False)
    return home


def test_same_seed_same_data_different_seed_different_data(built: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    build_demo(again, scale="tiny", seed=11, index=False)
    build_demo(other, scale="tiny", seed=12, index=False)
    assert checksums(again) == checksums(built)
    assert checksums(other)["tickets"] != checksums(built)["tickets"]
    for name in ("facts.json", "manifest.json", "voc_labels.csv", "servicelens.toml"):
        assert (again / name).read_bytes() == (built / name).read_bytes()


def test_tables_have_canonical_columns_and_sane_values(built: Path) -> None:
    con = duckdb.connect(str(WorkspacePaths(built).warehouse), read_only=True)
    for table in TABLES:
        names = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        assert names == columns(table)
    assert con.execute(
        "SELECT count(*) FROM tickets WHERE resolved_at < opened_at "
        "OR first_response_at < opened_at OR closed_at < resolved_at "
        "OR opened_at < '2024-11-01' OR opened_at >= '2026-11-01'"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT min(csat), max(csat), min(nps), max(nps), min(ces), max(ces) FROM surveys"
    ).fetchone() == (1, 5, 0, 10, 1, 7)
    statuses = {r[0] for r in con.execute("SELECT DISTINCT status FROM tickets").fetchall()}
    assert statuses == {"open", "in_progress", "resolved", "closed"}
    # Open tickets have no resolution; text enrichment is left to the VOC pipeline.
    assert con.execute(
        "SELECT count(*) FROM tickets WHERE status IN ('open', 'in_progress') "
        "AND resolved_at IS NOT NULL"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(sentiment), count(theme), count(urgency) FROM voc"
    ).fetchone() == (0, 0, 0)


def test_every_table_key_is_unique_and_present(built: Path) -> None:
    # Keys are not declared PRIMARY KEY (see data/schema.py), so the generator must keep them.
    con = duckdb.connect(str(WorkspacePaths(built).warehouse), read_only=True)
    try:
        for table in TABLES:
            k = key(table)
            rows, distinct, nulls = con.execute(
                f"SELECT count(*), count(DISTINCT {k}), count(*) - count({k}) FROM {table}"
            ).fetchone() or (0, 0, 0)
            assert rows > 0 and distinct == rows and nulls == 0, table
    finally:
        con.close()


def test_workspace_files(built: Path) -> None:
    ws = WorkspacePaths(built)
    config = tomllib.loads(ws.config.read_text(encoding="utf-8"))
    assert str(config["servicelens"]["as_of"]) == "2026-11-01"
    facts = json.loads(ws.facts.read_text(encoding="utf-8"))
    assert len(facts["facts"]) == 10
    assert all(f["date_ranges"] and f["description"] for f in facts["facts"])
    manifest = json.loads(ws.manifest.read_text(encoding="utf-8"))
    assert manifest["seed"] == 11 and manifest["row_counts"]["tickets"] == 2000
    assert ws.catalog.exists()
    with ws.voc_labels.open(encoding="utf-8") as fh:
        labels = list(csv.DictReader(fh))
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    assert len(labels) == con.execute("SELECT count(*) FROM voc").fetchone()[0]  # type: ignore[index]
    dups = [row for row in labels if row["duplicate_of"]]
    assert dups and len(dups) < 0.05 * len(labels)


def test_seeded_pii_never_reaches_the_warehouse(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    build_demo(home, scale=20_000, seed=3, index=False)
    samples = json.loads(WorkspacePaths(home).facts.read_text(encoding="utf-8"))["pii_samples"]
    assert samples
    con = duckdb.connect(str(WorkspacePaths(home).warehouse), read_only=True)
    for value in samples:
        hits = con.execute("SELECT count(*) FROM voc WHERE contains(text, ?)", [value]).fetchone()
        assert hits == (0,), value


def test_refuses_to_overwrite_without_force(built: Path) -> None:
    with pytest.raises(WorkspaceError, match="--force"):
        build_demo(built, scale="tiny", seed=11, index=False)


def test_force_rebuilds_and_keeps_user_files(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    build_demo(home, scale="tiny", seed=1, index=False)
    (home / "checkpoints.sqlite").write_text("conversations")
    build_demo(home, scale="tiny", seed=2, force=True, index=False)
    assert json.loads(WorkspacePaths(home).manifest.read_text())["seed"] == 2
    assert (home / "checkpoints.sqlite").read_text() == "conversations"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]


def test_failed_build_leaves_old_workspace_untouched(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    build_demo(home, scale="tiny", seed=1, index=False)
    before = checksums(home)

    def explode(stage: str, done: int, total: int) -> None:
        if stage == "tickets" and done > 0:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        build_demo(home, scale="tiny", seed=2, force=True, index=False, progress=explode)
    assert checksums(home) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]


def test_failed_first_build_leaves_nothing(tmp_path: Path) -> None:
    def explode(stage: str, done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_demo(tmp_path / "ws", scale="tiny", index=False, progress=explode)
    assert list(tmp_path.iterdir()) == []


def test_scales() -> None:
    assert resolve_scale("small").tickets == 6_000
    default = resolve_scale("default")
    assert (default.tickets, default.customers, default.engineers) == (60_000, 3_000, 150)
    assert 7_500 <= default.voc <= 8_000
    assert resolve_scale("1M").tickets == 1_000_000
    assert resolve_scale(10_000_000).voc == 1_000_000
    with pytest.raises(ScaleError):
        resolve_scale("huge")
    with pytest.raises(ScaleError):
        resolve_scale(20_000_000)


def test_cli_init_builds_then_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "ws"
    args = ["init", "--home", str(home), "--scale", "tiny", "--seed", "5", "--no-index"]
    main(args)
    out, err = capsys.readouterr()
    assert "tickets" in out and "2,000" in out
    assert "Generating service history" in err
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 1
    assert "--force" in capsys.readouterr().err
    main([*args, "--force", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["tickets"] == 2_000 and report["seed"] == 5
