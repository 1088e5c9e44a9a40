"""Row keys at ingest: duplicate ids, one row per entity from an event log, multi-label flags."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from ingest_support import load, rows

from servicelens.data.catalog import load_catalog
from servicelens.data.errors import DataError
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths

SERVICENOW = (
    Path(__file__).resolve().parents[2] / "shared" / "datasets" / "servicenow_incident_log"
    / "incident_event_log_every4th_incident.csv"
)  # fmt: skip


DUPS = "id,what\n1,a\n2,b\n1,c\n3,d\n2,e\n1,f\n"


def test_duplicate_ids_are_refused_with_every_line(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load(tmp_path, "dup.csv", DUPS, id="id")
    message = str(info.value)
    assert "2 ids appear more than once" in message
    assert "'1' on lines 2, 4 and 7" in message and "'2' on lines 3 and 6" in message
    assert "--skip-bad-rows" in message
    assert not (tmp_path / "ws" / "warehouse.duckdb").exists()


def test_duplicate_ids_skipped_keep_the_first_and_say_why(tmp_path: Path) -> None:
    ws, report = load(tmp_path, "dup.csv", DUPS, id="id", skip_bad_rows=True)
    table = report.tables[0]
    assert (table.rows, table.rejected) == (3, 3)
    assert rows(ws, "SELECT id, what FROM dup ORDER BY id") == [(1, "a"), (2, "b"), (3, "d")]
    assert table.reject_file is not None
    with Path(table.reject_file).open(encoding="utf-8") as fh:
        rejected = list(csv.DictReader(fh))
    assert [r["line"] for r in rejected] == ["4", "6", "7"]
    assert rejected[0]["problem"] == "duplicate id '1' (kept line 2)"
    assert rejected[1]["problem"] == "duplicate id '2' (kept line 3)"
    assert any("repeats an earlier row" in n for n in table.notes)


def test_empty_ids_are_set_aside_with_skip(tmp_path: Path) -> None:
    text = "id,what\n1,a\n,b\n3,c\n"
    with pytest.raises(DataError, match=r"line 3, column 'id': the key is empty"):
        load(tmp_path, "e.csv", text, id="id")
    _ws, report = load(tmp_path, "e.csv", text, id="id", skip_bad_rows=True)
    assert (report.tables[0].rows, report.tables[0].rejected) == (2, 1)


LOG = (
    "number,state,seq,priority\n"
    "A,New,0,3\n"
    "B,New,0,2\n"
    "A,Active,2,3\n"
    "A,Closed,1,1\n"  # a lower seq later in the file: not the latest
    "B,Active,1,2\n"
    "B,Closed,1,1\n"  # a tie on seq: the later row wins
)


def test_latest_per_entity_by_an_ordering_column(tmp_path: Path) -> None:
    ws, report = load(tmp_path, "log.csv", LOG, latest_per="number", latest_by="seq")
    assert report.tables[0].rows == 2
    got = rows(ws, "SELECT number, state, priority FROM log ORDER BY number")
    assert got == [("A", "Active", 3), ("B", "Closed", 1)]
    assert "one row per number (the latest by seq): 2 of 6 rows" in report.tables[0].notes


def test_latest_per_entity_defaults_to_file_order(tmp_path: Path) -> None:
    ws, _report = load(tmp_path, "log.csv", LOG, latest_per="number")
    got = rows(ws, "SELECT number, state FROM log ORDER BY number")
    assert got == [("A", "Closed"), ("B", "Closed")]


def test_latest_by_needs_latest_per(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="--latest-per"):
        load(tmp_path, "log.csv", LOG, latest_by="seq")


def test_servicenow_log_becomes_one_row_per_incident(tmp_path: Path) -> None:
    if not SERVICENOW.is_file():
        pytest.skip("servicenow_incident_log is not available in ../shared/datasets")
    ws = WorkspacePaths(tmp_path / "ws")
    options = IngestOptions(table="incidents", latest_per="number", latest_by="sys_mod_count")
    report = ingest(ws, [SERVICENOW], options, index=False)
    # The reference: the last row per number by max sys_mod_count, ties to the later row.
    with SERVICENOW.open(encoding="utf-8", newline="") as fh:
        events = list(csv.DictReader(fh))
    latest: dict[str, tuple[int, int, dict[str, str]]] = {}
    for i, event in enumerate(events):
        rank = (int(event["sys_mod_count"]), i)
        if event["number"] not in latest or rank > latest[event["number"]][:2]:
            latest[event["number"]] = (*rank, event)
    assert (len(events), report.tables[0].rows) == (35_478, 6_230) == (35_478, len(latest))
    got = {
        r[0]: r[1:]
        for r in rows(ws, "SELECT number, sys_mod_count, made_sla, priority FROM incidents")
    }
    expected = {
        n: (int(e["sys_mod_count"]), e["made_sla"] == "true", e["priority"])
        for n, (_m, _i, e) in latest.items()
    }
    assert got == expected
    sla = rows(ws, "SELECT round(100.0 * avg(CAST(made_sla AS INTEGER)), 1) FROM incidents")
    assert sla == [(63.7,)]
    missing = rows(ws, "SELECT count(*) FROM incidents WHERE resolved_at IS NULL")
    assert missing == [(407,)]


def test_three_flags_make_a_long_labels_table(tmp_path: Path) -> None:
    text = "Delivery,Prime,Refund,note\n1,,1,a\n,,,b\n1,1,,c\n"
    ws, report = load(tmp_path, "tags.csv", text)
    assert report.tables[0].labels_rows == 4
    assert rows(ws, "SELECT row_id, note FROM tags ORDER BY row_id") == [
        (1, "a"),
        (2, "b"),
        (3, "c"),
    ]
    got = rows(ws, "SELECT row_id, label FROM tags_labels")
    assert got == [(1, "Delivery"), (1, "Refund"), (3, "Delivery"), (3, "Prime")]


def test_labels_use_the_id_column_and_vanish_when_flags_do(tmp_path: Path) -> None:
    ws, _report = load(tmp_path, "tags.csv", "id,A,B,C\n7,1,,1\n9,,1,\n", id="id")
    assert rows(ws, "SELECT id, label FROM tags_labels") == [(7, "A"), (7, "C"), (9, "B")]
    assert "row_id" not in {r[0] for r in rows(ws, "DESCRIBE tags")}
    assert "tags_labels" in load_catalog(ws.catalog).tables
    _ws, report = load(tmp_path, "tags.csv", "id,A,B\n7,1,\n9,,1\n", id="id")
    assert not rows(ws, "SELECT * FROM duckdb_tables() WHERE table_name = 'tags_labels'")
    assert "tags_labels" not in load_catalog(ws.catalog).tables
    assert "tables.tags_labels: no longer in the warehouse" in report.catalog_dropped
