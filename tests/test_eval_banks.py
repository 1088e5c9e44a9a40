"""Question banks over exports: the workspace is built from the bank's recipe once, reused, and
the bank's questions run against it; a bank whose dataset is missing says so and others run.

A small export is written here (the real ones stay in ../shared/datasets and are used by the
benchmark command, not the tests).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from servicelens.evals.banks import ensure_workspace, ingest_argv, run_banks
from servicelens.evals.cases import load_file

pytestmark = pytest.mark.slow

BRANDS = ["Acme Motors"] * 7 + ["Borealis Cars"] * 4 + ["Cobalt Auto"] * 2
STATUS = ["accepted", "in review"]


def _dataset(root: Path) -> Path:
    folder = root / "datasets" / "mini_complaints"
    folder.mkdir(parents=True)
    with (folder / "complaints.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "brand", "status", "opened", "desc"])
        for i, brand in enumerate(BRANDS):
            noise = "strange noise from the engine" if i % 3 == 0 else "paint peeling off"
            out.writerow([i + 1, brand, STATUS[i % 2], f"2020-06-0{1 + i % 5}", noise])
    return folder.parent


def _bank(root: Path, dataset: str = "mini_complaints") -> Path:
    doc = {
        "kind": "golden_questions",
        "version": 1,
        "name": "mini",
        "workspace": {
            "dataset": dataset,
            "ingest": [{"files": ["complaints.csv"], "options": {"text": "desc", "id": "id"}}],
            "as_of": "2020-06-09",
        },
        "cases": [
            {
                "id": "mini-total", "question": "How many complaints are in this export?",
                "language": "en", "category": "count", "tags": ["tuned"],
                "expect": {"status": "answered", "numbers": [
                    {"label": "n", "reference_sql": "SELECT count(*) FROM complaints"}]},
            },
            {
                "id": "mini-top-brand", "question": "Which brand has the most complaints?",
                "language": "en", "category": "ranking", "tags": ["held_out"],
                "expect": {"status": "answered", "required_entities": ["Acme Motors"],
                           "numbers": [{"label": "top", "reference_sql":
                               "SELECT max(n) FROM (SELECT count(*) AS n FROM complaints "
                               "GROUP BY brand)"}]},
            },
        ],
    }  # fmt: skip
    path = root / f"bank_{dataset}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_ingest_options_become_command_line_flags(tmp_path: Path) -> None:
    argv = ingest_argv(
        [tmp_path / "a.csv"], {"text": "desc", "skip_bad_rows": True, "meta": ["a=b", "c=d"]},
        tmp_path / "ws",
    )  # fmt: skip
    assert argv == [
        "ingest", str(tmp_path / "a.csv"), "--home", str(tmp_path / "ws"), "--text", "desc",
        "--skip-bad-rows", "--meta", "a=b", "--meta", "c=d",
    ]  # fmt: skip


def test_a_bank_builds_its_workspace_once_and_runs_its_questions(tmp_path: Path) -> None:
    datasets = _dataset(tmp_path)
    bank = _bank(tmp_path)
    root, reports = tmp_path / "workspaces", tmp_path / "reports"
    [outcome] = run_banks([bank], datasets, root, reports)
    assert outcome.error is None, outcome.error
    assert outcome.summary["pass_rate"] == 1.0, outcome.report
    assert set(outcome.summary["by_subset"]) == {"tuned", "held_out"}
    assert outcome.report is not None and outcome.report.is_file()
    home = outcome.home
    assert home is not None and (home / ".bank-ready.json").is_file()
    assert not list(root.glob(".*.building"))

    # Built once: the second call finds it and never runs the importer.
    def fail(argv: list[str]) -> None:
        raise AssertionError(f"rebuilt: {argv}")

    assert ensure_workspace(load_file(bank), datasets, root, fail) == home


def test_a_missing_dataset_is_reported_and_leaves_nothing_behind(tmp_path: Path) -> None:
    datasets = _dataset(tmp_path)
    missing = _bank(tmp_path, dataset="not_there")
    [outcome] = run_banks([missing], datasets, tmp_path / "ws", tmp_path / "reports")
    assert outcome.error is not None and "SERVICELENS_DATASETS" in outcome.error
    assert outcome.row()["error"] == outcome.error
    assert not (tmp_path / "ws").exists() or not any((tmp_path / "ws").iterdir())


# Synthetic exports of new shapes (evals/exports.py) and banks that generate them --------------


def test_the_export_generators_are_deterministic_and_say_they_are_synthetic(
    tmp_path: Path,
) -> None:
    from openpyxl import load_workbook

    from servicelens.evals.exports import GENERATORS, generate

    for name in GENERATORS:
        first = generate(name, tmp_path / "a" / name, rows=300)
        again = generate(name, tmp_path / "b" / name, rows=300)
        assert first.read_bytes() == again.read_bytes(), name
        assert "SYNTHETIC" in (first.parent / "SOURCE.txt").read_text(encoding="utf-8")
        other = generate(name, tmp_path / "c" / name, rows=300, seed=7)
        assert other.read_bytes() != first.read_bytes()
    with (tmp_path / "a" / "consumer_complaints_en" / "complaints.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 300 and len({r["Complaint ID"] for r in rows}) == 300
    assert {r["Timely response?"] for r in rows} == {"Yes", "No"}
    sheet = load_workbook(tmp_path / "a" / "citizen_hotline_zh" / "hotline.xlsx").active
    assert sheet is not None
    cells = list(sheet.iter_rows(min_row=2, values_only=True))
    ids = [c[0] for c in cells]
    assert len(ids) > len(set(ids)), "some message ids repeat"
    times = [c[1] for c in cells]
    assert any(isinstance(t, float) for t in times) and any(isinstance(t, str) for t in times)


def test_a_bank_over_a_generated_export_builds_without_a_datasets_folder(tmp_path: Path) -> None:
    from servicelens.evals.banks import dataset_folder, recipe_key

    doc = {
        "kind": "golden_questions", "version": 1, "name": "gen",
        "workspace": {
            "dataset": "citizen_hotline_zh",
            "generate": {"name": "citizen_hotline_zh", "rows": 120},
            "ingest": [{"files": ["hotline.xlsx"],
                        "options": {"text": "留言详情", "id": "留言编号", "skip_bad_rows": True}}],
            "as_of": "2024-07-01",
        },
        "cases": [{
            "id": "gen-total", "question": "一共有多少条留言？", "language": "zh",
            "category": "count", "tags": ["held_out"],
            "expect": {"numbers": [{"label": "n",
                                    "reference_sql": "SELECT count(*) FROM hotline"}]},
        }],
    }  # fmt: skip
    path = tmp_path / "gen.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    root = tmp_path / "workspaces"
    [outcome] = run_banks([path], None, root, tmp_path / "reports")
    assert outcome.error is None, outcome.error
    assert outcome.summary["cases"] == 1
    bank = load_file(path)
    assert bank.workspace is not None
    folder = dataset_folder(bank, None, root)
    assert folder == root / "generated" / f"citizen_hotline_zh-{recipe_key(bank.workspace)}"
    assert (folder / "hotline.xlsx").is_file() and (folder / "SOURCE.txt").is_file()
    import duckdb

    con = duckdb.connect(str(outcome.home / "warehouse.duckdb"), read_only=True)
    try:
        loaded = con.execute("SELECT count(*), count(DISTINCT 留言编号) FROM hotline").fetchone()
    finally:
        con.close()
    assert loaded is not None and loaded[0] == loaded[1] > 100  # the repeated ids set aside

    def fail(argv: list[str]) -> None:
        raise AssertionError(f"rebuilt: {argv}")

    assert ensure_workspace(bank, None, root, fail) == outcome.home


def test_a_bank_naming_an_unknown_generator_says_which_exist(tmp_path: Path) -> None:
    doc = {
        "kind": "golden_questions", "version": 1, "name": "bad",
        "workspace": {"dataset": "x", "generate": {"name": "nope"},
                      "ingest": [{"files": ["x.csv"]}]},
        "cases": [],
    }  # fmt: skip
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    [outcome] = run_banks([path], None, tmp_path / "ws", tmp_path / "reports")
    assert outcome.error is not None and "consumer_complaints_en" in outcome.error
    ws = tmp_path / "ws"
    assert not ws.exists() or not [p for p in ws.rglob("*") if p.is_file()]
