"""The catalog derived at ingest, for exports of any shape: run through the real metric compiler."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest

from servicelens.data.catalog import Catalog, load_catalog
from servicelens.data.ingest.catalog_derive import derive_catalog
from servicelens.data.ingest.pipeline import IngestOptions, IngestReport, ingest
from servicelens.data.metric_query import MetricRequest, compile_request
from servicelens.data.workspace import WorkspacePaths

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
TWCS = DATASETS / "twcs_support_topics_xlsx"
SERVICENOW = DATASETS / "servicenow_incident_log" / "incident_event_log_every4th_incident.csv"


def write(tmp_path: Path, name: str, header: list[str], rows: list[list[Any]]) -> Path:
    f = tmp_path / name
    with f.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return f


def load(ws: WorkspacePaths, files: list[Path], **options: Any) -> IngestReport:
    return ingest(ws, files, IngestOptions(**options), index=False)


def metric(ws: WorkspacePaths, request: MetricRequest) -> list[tuple]:
    compiled = compile_request(load_catalog(ws.catalog), request)
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    try:
        return con.execute(compiled.sql, compiled.params).fetchall()
    finally:
        con.close()


PRODUCTS = [f"Model {i}" for i in range(12)] + ["X" * 70 + " Pro Max limited edition"]


@pytest.fixture
def wide(tmp_path: Path) -> tuple[WorkspacePaths, IngestReport]:
    rows = [
        [
            f"T{i:05d}",
            PRODUCTS[i % 13],
            f"City {i % 300}",
            f"Customer wrote a long and different story number {i} about the product failing",
            1 if i % 4 == 0 else "",
            i % 7,
        ]
        for i in range(1200)
    ]
    f = write(
        tmp_path, "tickets.csv", ["ticket", "product", "city", "story", "urgent", "cost"], rows
    )
    ws = WorkspacePaths(tmp_path / "ws")
    return ws, load(ws, [f])


def test_every_groupable_column_is_a_dimension(wide: tuple[WorkspacePaths, IngestReport]) -> None:
    ws, report = wide
    catalog = load_catalog(ws.catalog)
    # A long label no longer costs the product column its place, and it keeps its values.
    assert set(catalog.dimension("product").values or []) == set(PRODUCTS)
    # 300 cities: a dimension, with its values left to the warehouse.
    city = catalog.dimension("city")
    assert city.kind == "category" and city.values is None
    top = metric(ws, MetricRequest(["tickets_count"], ["city"], order_by="-tickets_count", limit=1))
    assert top[0][1] == 4
    assert "story" not in catalog.dimensions and "ticket" not in catalog.dimensions
    skipped = {(s.table, s.column): s for s in report.catalog_skipped}
    assert skipped["tickets", "story"].role == "text"
    assert skipped["tickets", "story"].why.startswith("free text (1,200 distinct of 1,200 values")
    assert skipped["tickets", "ticket"].role == "id"


def test_flags_give_a_rate_over_all_rows_and_a_count(
    wide: tuple[WorkspacePaths, IngestReport],
) -> None:
    ws, _report = wide
    got = metric(ws, MetricRequest(["urgent_rate", "urgent count"]))
    assert got[0][:2] == (25.0, 300)
    assert "avg_urgent" not in load_catalog(ws.catalog).metrics
    assert metric(ws, MetricRequest(["avg_cost", "total_cost"]))[0][:2] == (
        round(sum(i % 7 for i in range(1200)) / 1200, 2),
        sum(i % 7 for i in range(1200)),
    )


def test_a_column_in_several_tables_is_one_dimension(tmp_path: Path) -> None:
    header = ["region", "company", "level"]
    a = write(tmp_path, "orders.csv", header, [["East", "Acme", "high"], ["West", "Acme", "low"]])
    b = write(tmp_path, "visits.csv", header, [["East", "Zeta", 1], ["North", "Zeta", 2]])
    ws = WorkspacePaths(tmp_path / "ws")
    report = load(ws, [a, b])
    catalog = load_catalog(ws.catalog)
    region = catalog.dimension("region")
    assert set(region.sources) == {"orders", "visits"}
    assert set(region.values or []) == {"East", "West", "North"}
    # No company in common, but the same kind of column: still one dimension.
    assert set(catalog.dimension("company").sources) == {"orders", "visits"}
    assert "visits_company" not in catalog.dimensions
    # A text level and a number level mean different things: two dimensions.
    assert set(catalog.dimension("level").sources) == {"orders"}
    assert catalog.dimension("visits_level").kind == "number"
    assert "dimensions.region (source visits)" in report.catalog_added
    got = metric(ws, MetricRequest(["visits_count"], ["region"]))
    assert [r[:2] for r in got] == [("East", 1), ("North", 1)]
    got = metric(ws, MetricRequest(["orders_count"], ["company"]))
    assert [r[:2] for r in got] == [("Acme", 2)]


def test_a_listed_dimension_is_not_swamped_by_a_large_column(tmp_path: Path) -> None:
    a = write(tmp_path, "tickets.csv", ["type"], [["repair"], ["install"], ["repair"]])
    ws = WorkspacePaths(tmp_path / "ws")
    load(ws, [a])
    catalog_file = ws.catalog.read_text(encoding="utf-8")
    ws.catalog.write_text(catalog_file.replace("repair: []", "repair: [维修]"), encoding="utf-8")
    trims = [[f"Trim {i % 80}"] for i in range(400)]
    load(ws, [write(tmp_path, "cars.csv", ["type"], trims)])
    catalog = load_catalog(ws.catalog)
    assert catalog.dimension("type").spec.values == {"repair": ["维修"], "install": []}
    assert set(catalog.dimension("cars_type").sources) == {"cars"}


def test_a_reloaded_table_without_the_column_leaves_the_shared_dimension(tmp_path: Path) -> None:
    a = write(tmp_path, "orders.csv", ["region"], [["East"], ["West"]])
    b = write(tmp_path, "visits.csv", ["region", "n"], [["East", 1], ["North", 2]])
    ws = WorkspacePaths(tmp_path / "ws")
    load(ws, [a, b])
    write(tmp_path, "visits.csv", ["area", "n"], [["East", 1], ["North", 2]])
    report = load(ws, [b])
    assert set(load_catalog(ws.catalog).dimension("region").sources) == {"orders"}
    assert any(d.startswith("dimensions.region.sources.visits") for d in report.catalog_dropped)


def test_time_column_prefers_opened_over_updated_and_closed(tmp_path: Path) -> None:
    rows = [[str(i), f"2020-01-0{i}", f"2020-01-0{i + 1}", f"2020-01-0{i}"] for i in range(1, 6)]
    f = write(tmp_path, "t.csv", ["id", "updated_at", "closed_at", "opened_at"], rows)
    ws = WorkspacePaths(tmp_path / "ws")
    report = load(ws, [f])
    catalog = load_catalog(ws.catalog)
    assert catalog.tables["t"].time_column == "opened_at"
    expected = "Time column: opened_at (when each row was opened); others: updated_at, closed_at"
    assert expected in catalog.tables["t"].description
    assert report.tables[0].notes[0] == expected


def test_feedback_is_dated_by_the_same_time_column(tmp_path: Path) -> None:
    rows = [
        ["1", "2020-02-01", "2020-01-05", "slow reply"],
        ["2", "2020-02-02", "2020-01-06", "ok"],
    ]
    f = write(tmp_path, "fb.csv", ["id", "updated_at", "created_at", "comment"], rows)
    ws = WorkspacePaths(tmp_path / "ws")
    load(ws, [f], text="comment", id="id")
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    dates = con.execute("SELECT CAST(created_at AS DATE) FROM voc ORDER BY voc_id").fetchall()
    con.close()
    assert [str(d[0]) for d in dates] == ["2020-01-05", "2020-01-06"]
    assert load_catalog(ws.catalog).tables["fb"].time_column == "created_at"


def test_start_end_pairs_give_durations_in_hours(tmp_path: Path) -> None:
    hours = [2, 6, 1, 2, 2, 2, 2, 2, 2, -1]  # the last was "resolved" before it was opened
    rows = [
        [str(i), f"2020-01-{i + 1:02d} 08:00", f"2020-01-{i + 1:02d} {8 + h:02d}:00",
         f"2020-01-{i + 2:02d} 08:00"]
        for i, h in enumerate(hours)
    ] + [["11", "2020-01-20 08:00", "", ""]]  # fmt: skip
    f = write(tmp_path, "t.csv", ["id", "opened_at", "resolved_at", "closed_at"], rows)
    ws = WorkspacePaths(tmp_path / "ws")
    load(ws, [f])
    catalog = load_catalog(ws.catalog)
    avg = catalog.metric("resolution time")
    assert avg.name == "avg_hours_opened_at_to_resolved_at"
    assert avg.spec.en == "Average time from opened at to resolved at (hours)"
    assert catalog.metric("处理时长") is avg and catalog.metric("time to resolve") is avg
    assert catalog.metric("median resolution time").name == "median_hours_opened_at_to_resolved_at"
    assert catalog.metric("time to close").name == "avg_hours_opened_at_to_closed_at"
    assert catalog.metric("median time from opening to resolving").name.startswith("median_")
    assert catalog.metric("从开单到解决") is avg
    got = metric(ws, MetricRequest(["resolution time", "median resolution time"]))
    assert got[0][:2] == (2.3, 2.0)  # over the 9 rows with both and end >= start
    assert metric(ws, MetricRequest(["time to close"]))[0][:2] == (24.0, 10)


def _ask(catalog: Catalog, ws: WorkspacePaths, m: str, by: str, **kw: Any) -> dict[str, Any]:
    rows = metric(ws, MetricRequest([m], [by], **kw))
    return {r[0]: r[1] for r in rows}


def test_multi_label_flags_rank_by_the_label_dimension(tmp_path: Path) -> None:
    rows = [
        ["East", "2020-01-05", 1, "", 1, ""],
        ["East", "2020-02-05", 1, 1, "", "x"],
        ["West", "2020-02-06", 1, "", "", ""],
        ["West", "2020-02-07", "", "", "", ""],
    ]
    header = ["region", "sent", "Delivery", "Prime", "Bad Support", "Refund"]
    ws = WorkspacePaths(tmp_path / "ws")
    load(ws, [write(tmp_path, "tweets.csv", header, rows)])
    catalog = load_catalog(ws.catalog)
    joins = [j.model_dump(by_alias=True) for j in catalog.spec.joins]
    assert {"from": "tweets_labels.row_id", "to": "tweets.row_id"} in joins
    counts = _ask(catalog, ws, "label count", "label", order_by="-label count")
    assert counts == {"Delivery": 3, "Prime": 1, "Bad Support": 1, "Refund": 1}
    east = metric(ws, MetricRequest(["label count"], ["topic"], filters={"region": "East"}))
    assert {r[0]: r[1] for r in east} == {"Delivery": 2, "Prime": 1, "Bad Support": 1, "Refund": 1}
    # The long table carries the row's time, so label counts take periods and months.
    assert catalog.tables["tweets_labels"].time_column == "sent"
    monthly = metric(ws, MetricRequest(["label count"], ["month"]))
    assert [r[:2] for r in monthly] == [("2020-01", 2), ("2020-02", 4)]
    assert metric(ws, MetricRequest(["delivery_rate", "delivery_count"]))[0][:2] == (75.0, 3)


def test_twcs_topics_rank_like_the_reference(tmp_path: Path) -> None:
    inbound = TWCS / "twcs-AmazonHelp-200-inbound.xlsx"
    if not inbound.is_file():
        pytest.skip("twcs_support_topics_xlsx is not available in ../shared/datasets")
    ws = WorkspacePaths(tmp_path / "ws")
    load(ws, [inbound], text="text", id="tweet_id")
    catalog = load_catalog(ws.catalog)
    top = metric(ws, MetricRequest(["topic count"], ["topic"], order_by="-topic count", limit=5))
    assert [r[:2] for r in top] == [
        ("Delivery", 70), ("Prime", 26), ("Bad Support", 19), ("Return", 12), ("Refund", 9),
    ]  # fmt: skip
    assert catalog.tables["twcs_amazonhelp_200_inbound"].time_column == "created_at"
    assert metric(ws, MetricRequest(["bad_support_count", "service_praise_count"]))[0][:2] == (
        19,
        5,
    )
    assert metric(ws, MetricRequest(["delivery_rate"]))[0][0] == 35.0
    assert "column_1" not in " ".join(catalog.metrics)


@pytest.fixture(scope="module")
def incidents(tmp_path_factory: pytest.TempPathFactory) -> WorkspacePaths:
    if not SERVICENOW.is_file():
        pytest.skip("servicenow_incident_log is not available in ../shared/datasets")
    ws = WorkspacePaths(tmp_path_factory.mktemp("sn") / "ws")
    load(ws, [SERVICENOW], table="incidents", latest_per="number", latest_by="sys_mod_count")
    return ws


def test_servicenow_median_resolution_by_priority(incidents: WorkspacePaths) -> None:
    got = {r[0]: (r[1], r[2]) for r in metric(
        incidents, MetricRequest(["median resolution time"], ["priority"])
    )}  # fmt: skip
    assert got == {
        "1 - Critical": (153.8, 70),
        "2 - High": (31.7, 94),
        "3 - Moderate": (22.4, 5481),
        "4 - Low": (4.8, 178),
    }


def test_servicenow_catalog_reads_like_the_questions(incidents: WorkspacePaths) -> None:
    catalog = load_catalog(incidents.catalog)
    assert catalog.tables["incidents"].time_column == "opened_at"
    assert metric(incidents, MetricRequest(["made_sla_rate"]))[0][0] == 63.7
    groups = metric(
        incidents,
        MetricRequest(
            ["incidents_count"], ["assignment_group"], order_by="-incidents_count", limit=2
        ),
    )
    assert [r[:2] for r in groups] == [("Group 70", 2361), (None, 533)]
    assert catalog.dimension("assignment_group").values is None
    months = metric(
        incidents,
        MetricRequest(["incidents_count"], ["month"], order_by="-incidents_count", limit=1),
    )
    assert months[0][:2] == ("2016-03", 2249)
    channels = Counter(
        {
            r[0]: r[1]
            for r in metric(incidents, MetricRequest(["incidents_count"], ["contact_type"]))
        }
    )
    assert channels["Phone"] == 6171
    for name in ("made_sla_count", "active_rate", "knowledge_rate", "knowledge_count"):
        assert name in catalog.metrics
    assert "number" not in catalog.dimensions


def test_message_and_reply_dates_give_a_reply_time_in_both_languages(tmp_path: Path) -> None:
    rows = [[f"2021-03-0{d} 09:00", f"2021-03-0{d} {9 + d}:00", "微信"] for d in range(1, 6)]
    f = write(tmp_path, "留言.csv", ["留言时间", "回复时间", "渠道"], rows)
    ws = WorkspacePaths(tmp_path / "ws")
    report = load(ws, [f])
    catalog = load_catalog(ws.catalog)
    assert catalog.tables["留言"].time_column == "留言时间"
    assert report.tables[0].notes[0].startswith("Time column: 留言时间 (the date of each row)")
    reply = catalog.metric("响应时间")
    assert reply is catalog.metric("reply time") and reply.spec.zh == "平均响应时间（小时）"
    assert metric(ws, MetricRequest(["响应时间", "响应时间中位数"]))[0][:2] == (3.0, 3.0)


def test_chinese_columns_are_found_by_their_english_names(tmp_path: Path) -> None:
    districts, kinds = ("东区", "西区"), ("城建", "环保")
    rows = [
        [f"2021-03-0{d} 09:00", f"2021-03-0{d} 11:00", districts[d % 2], kinds[d % 2]]
        for d in range(1, 9)
    ]
    f = write(tmp_path, "留言.csv", ["留言时间", "答复时间", "所属区县", "一级分类"], rows)
    ws = WorkspacePaths(tmp_path / "ws")
    load(ws, [f])
    catalog = load_catalog(ws.catalog)
    assert catalog.dimension("district") is catalog.dimension("所属区县")
    assert catalog.dimension("level-1 category") is catalog.dimension("一级分类")
    assert catalog.dimensions["所属区县"].spec.en == "District"
    reply = catalog.metric("average time from message time to reply time")
    assert reply is not None and reply.spec.en.startswith("Average time from message time")
    by_district = metric(ws, MetricRequest(["留言_count"], ["district"]))
    assert sorted(r[-1] for r in by_district) == [4, 4]


def test_shopping_reviews_rate_by_category_like_the_reference(tmp_path: Path) -> None:
    reviews = DATASETS / "online_shopping_10_cats_zh" / "online_shopping_10_cats.csv"
    if not reviews.is_file():
        pytest.skip("online_shopping_10_cats_zh is not available in ../shared/datasets")
    ws = WorkspacePaths(tmp_path / "ws")
    report = load(ws, [reviews], text="review")
    catalog = load_catalog(ws.catalog)
    assert len(catalog.dimension("cat").values or []) == 10
    assert [(s.column, s.role) for s in report.catalog_skipped] == [
        ("review", "text"),
        ("voc_id", "id"),
    ]
    # The bare 0/1 label is read from the reviews' text as their sentiment: 1 is positive.
    assert set(catalog.dimension("label").values or []) == {"positive", "negative"}
    counts = ["online_shopping_10_cats_count", "label_positive_count", "label_negative_count"]
    total = metric(ws, MetricRequest(counts))
    assert total[0][:3] == (62_774, 31_728, 31_046)
    by_cat = {r[0]: r[1] for r in metric(ws, MetricRequest(["label_positive_rate"], ["cat"]))}
    assert (by_cat["蒙牛"], by_cat["热水器"], by_cat["书籍"]) == (48.8, 82.6, 54.5)
    worst = {r[0]: r[1] for r in metric(ws, MetricRequest(["差评率"], ["cat"]))}
    assert worst["蒙牛"] == 51.2


def test_catalog_is_written_before_feedback_indexing_so_an_interrupt_keeps_it(
    tmp_path: Path,
) -> None:
    f = write(tmp_path, "fb.csv", ["id", "brand", "comment"], [[1, "A", "noisy"], [2, "B", "ok"]])
    ws = WorkspacePaths(tmp_path / "ws")

    def stop_when_embedding(stage: str, done: int, total: int) -> None:
        if stage == "embed":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(ws, [f], IngestOptions(text="comment", id="id"), progress=stop_when_embedding)
    catalog = load_catalog(ws.catalog)
    assert "fb_count" in catalog.metrics and catalog.dimension("brand").values == ["A", "B"]


def test_the_customers_text_gets_an_average_length_measure(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    texts = ["短", "有点长的一条评论", "The unit leaks water every morning", None]
    con.execute("CREATE TABLE voc (voc_id VARCHAR, text VARCHAR)")
    con.executemany("INSERT INTO voc VALUES (?, ?)", [(f"V{i}", t) for i, t in enumerate(texts)])
    derived = derive_catalog(con, ["voc"], None)
    metric = derived.data["metrics"]["avg_text_length"]
    assert metric["table"] == "voc" and "字数" in metric["aliases"]
    value = con.execute(f"SELECT {metric['expr']} FROM voc WHERE {metric['filter']}").fetchone()[0]
    said = [t for t in texts if t is not None]
    assert value == pytest.approx(sum(len(t) for t in said) / len(said))
