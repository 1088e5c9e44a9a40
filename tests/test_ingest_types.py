"""Column types of real-world exports: day-first dates, Excel serials, offsets, flags, ``?``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ingest_support import load, rows

from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths


def test_day_first_dates_are_decided_from_the_whole_column(tmp_path: Path) -> None:
    # Only the last row proves day-first; the earlier ones read either way.
    text = "id,opened\n1,5/3/2016 12:00\n2,1/2/2016 09:05\n3,29/2/2016 01:16\n"
    ws, report = load(tmp_path, "log.csv", text)
    assert report.tables[0].types["opened"] == "TIMESTAMP"
    assert any("day-first" in n for n in report.tables[0].notes)
    got = [r[0] for r in rows(ws, "SELECT opened FROM log ORDER BY id")]
    assert got == [
        dt.datetime(2016, 3, 5, 12),
        dt.datetime(2016, 2, 1, 9, 5),
        dt.datetime(2016, 2, 29, 1, 16),
    ]


def test_month_first_dates_stay_month_first(tmp_path: Path) -> None:
    ws, _report = load(tmp_path, "us.csv", "id,day\n1,9/24/2019\n2,3/5/2019\n")
    assert rows(ws, "SELECT day FROM us ORDER BY id") == [
        (dt.date(2019, 9, 24),),
        (dt.date(2019, 3, 5),),
    ]


def test_excel_serials_mixed_with_written_dates(tmp_path: Path) -> None:
    text = "id,day\n1,2019/9/24\n2,43770\n3,2019/11/2\n4,43770.5\n"
    ws, report = load(tmp_path, "mixed.csv", text)
    assert report.tables[0].types["day"] == "TIMESTAMP"
    assert report.tables[0].rejected == 0
    got = [r[0] for r in rows(ws, "SELECT day FROM mixed ORDER BY id")]
    assert got == [
        dt.datetime(2019, 9, 24),
        dt.datetime(2019, 11, 1),
        dt.datetime(2019, 11, 2),
        dt.datetime(2019, 11, 1, 12),
    ]


def test_numbers_alone_are_never_taken_for_serial_dates(tmp_path: Path) -> None:
    _ws, report = load(tmp_path, "n.csv", "id,amount\n1,43770\n2,43771\n3,12\n")
    assert report.tables[0].types["amount"] == "BIGINT"


def test_serials_out_of_range_are_bad_rows(tmp_path: Path) -> None:
    lines = ["id,day"] + [f"{i},2020/1/{i}" for i in range(1, 28)] + ["28,12345"]
    _ws, report = load(tmp_path, "r.csv", "\n".join(lines) + "\n", skip_bad_rows=True)
    assert (report.tables[0].rows, report.tables[0].rejected) == (27, 1)


def test_utc_offsets_are_read_as_utc(tmp_path: Path) -> None:
    text = "id,created_at\n1,2017-10-07 10:33:00+00:00\n2,2017-10-07 10:33:00+02:00\n"
    ws, report = load(tmp_path, "tz.csv", text)
    assert report.tables[0].types["created_at"] == "TIMESTAMP"
    got = [r[0] for r in rows(ws, "SELECT created_at FROM tz ORDER BY id")]
    assert got == [dt.datetime(2017, 10, 7, 10, 33), dt.datetime(2017, 10, 7, 8, 33)]


def test_question_mark_counts_as_empty(tmp_path: Path) -> None:
    ws, report = load(tmp_path, "q.csv", "id,cost,closed\n1,?,?\n2,5,2020-01-02\n3,7,?\n")
    assert report.tables[0].types["cost"] == "BIGINT"
    assert report.tables[0].types["closed"] == "DATE"
    assert rows(ws, "SELECT count(cost), count(closed) FROM q") == [(2, 1)]


def test_one_and_blank_columns_are_flags_where_blank_means_no(tmp_path: Path) -> None:
    text = "id,Delivery,Refund,done\n1,1,,yes\n2,,x,no\n3,1,✓,\n"
    ws, report = load(tmp_path, "tags.csv", text)
    types = report.tables[0].types
    assert types["delivery"] == types["refund"] == types["done"] == "BOOLEAN"
    got = rows(ws, "SELECT delivery, refund, done FROM tags ORDER BY id")
    # Flags have no blanks; a yes/no column keeps its blank as unknown.
    assert got == [(True, False, True), (False, True, False), (True, True, None)]


def test_excel_sheet_mixing_date_cells_text_dates_and_serials(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "提交日期"])
    sheet.append([1, dt.datetime(2019, 9, 23)])  # a real date cell
    sheet.append([2, "2019/9/24"])  # typed as text
    sheet.append([3, 43770])  # a date cell that lost its format: a bare serial
    book.save(tmp_path / "book.xlsx")
    ws = WorkspacePaths(tmp_path / "ws")
    report = ingest(ws, [tmp_path / "book.xlsx"], IngestOptions(), index=False)
    assert report.tables[0].types["提交日期"] == "DATE"
    assert any("Excel serial dates" in n for n in report.tables[0].notes)
    got = [r[0] for r in rows(ws, "SELECT 提交日期 FROM book ORDER BY id")]
    assert got == [dt.date(2019, 9, 23), dt.date(2019, 9, 24), dt.date(2019, 11, 1)]


def test_broken_lines_set_aside_are_named_in_the_notes(tmp_path: Path) -> None:
    text = "id,name\n1,a\n2,b,extra\n3,c\n"
    _ws, report = load(tmp_path, "broken.csv", text, skip_bad_rows=True)
    assert (report.tables[0].rows, report.tables[0].rejected) == (2, 1)
    assert "set aside 1 broken line (see the reject file)" in report.tables[0].notes
