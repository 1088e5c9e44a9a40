"""The semantic catalog: the demo's definitions, bilingual lookups and clear load errors."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
import yaml

from servicelens.data.catalog import (
    UnknownNameError,
    demo_catalog,
    demo_catalog_text,
    load_catalog,
    parse_catalog,
)
from servicelens.data.errors import DataError

REQUIRED_METRICS = [
    "sla_attainment", "first_response_hours", "avg_resolution_hours", "first_time_fix_rate",
    "repeat_visit_rate", "reopen_rate", "csat_avg", "nps", "ces_avg", "ticket_count",
    "cost_per_ticket", "remote_resolution_share", "parts_wait_days_avg", "service_revenue",
    "contract_renewal_rate",
]  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> Any:
    return demo_catalog()


def _demo_data() -> dict[str, Any]:
    return yaml.safe_load(demo_catalog_text())


def test_demo_catalog_defines_the_required_metrics(catalog: Any) -> None:
    assert set(REQUIRED_METRICS) <= set(catalog.metrics)
    assert len(catalog.metrics) >= 15
    for metric in catalog.metrics.values():
        spec = metric.spec
        assert spec.en and spec.zh and spec.definition, metric.name
        assert spec.unit in {"%", "hours", "days", "CNY", "count", "score"}, metric.name
        assert catalog.time_column(metric), metric.name


def test_metric_sql_is_qualified_with_its_base_table(catalog: Any) -> None:
    assert catalog.metric("sla_attainment").expr == "100.0 * AVG(CAST(tickets.sla_met AS DOUBLE))"
    assert catalog.metric("installation_on_time_rate").filter_sql == "tickets.type = 'installation'"


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("一次修复率", "first_time_fix_rate"),
        ("First time fix", "first_time_fix_rate"),
        ("SLA达成率", "sla_attainment"),
        ("满意度", "csat_avg"),
        ("CSAT", "csat_avg"),
        ("net-promoter score", "nps"),
        ("续约率", "contract_renewal_rate"),
        ("工单量", "ticket_count"),
    ],
)
def test_metric_aliases(catalog: Any, alias: str, name: str) -> None:
    assert catalog.metric(alias).name == name


@pytest.mark.parametrize(
    ("dimension", "alias", "value"),
    [
        ("region", "华北", "North"), ("region", "华东", "East"), ("region", "华南", "South"),
        ("region", "华中", "Central"), ("region", "西南", "Southwest"),
        ("region", "东北", "Northeast"), ("region", "east", "East"),
        ("segment", "大客户", "key account"), ("segment", "KA", "key account"),
        ("segment", "Key Account", "key account"), ("segment", "中小企业", "SMB"),
        ("segment", "个人消费者", "consumer"),
        ("channel", "电话", "phone"), ("channel", "在线", "chat"), ("channel", "聊天", "chat"),
        ("channel", "邮件", "email"), ("channel", "App", "app"),
        ("channel", "社交媒体", "social"), ("channel", "上门", "onsite"),
        ("type", "安装", "installation"), ("type", "维修", "repair"),
        ("type", "保养", "maintenance"), ("type", "咨询", "inquiry"), ("type", "投诉", "complaint"),
        ("product_line", "空调", "Air Conditioners"), ("product_line", "冰箱", "Refrigerators"),
        ("product_line", "洗衣机", "Washing Machines"), ("product_line", "热水器", "Water Heaters"),
        ("product_line", "商用空调", "Commercial HVAC"),
        ("product_line", "厨电", "Kitchen Appliances"),
        ("地区", "华东", "East"), ("产品线", "fridge", "Refrigerators"),
        ("weekday", "周四", "4-Thu"), ("theme", "噪音", "noise"),
    ],
)  # fmt: skip
def test_values_resolve_from_english_and_chinese(
    catalog: Any, dimension: str, alias: str, value: str
) -> None:
    assert catalog.resolve_value(dimension, alias) == value


def test_canonical_values_match_the_demo_generator(catalog: Any) -> None:
    # The generator writes these exact strings; a rename on either side must fail here.
    entities = pytest.importorskip("servicelens.data.demo.entities")
    tickets = pytest.importorskip("servicelens.data.demo.tickets")
    volume = pytest.importorskip("servicelens.data.demo.volume")
    expected = {
        "region": entities.REGIONS,
        "segment": entities.SEGMENTS,
        "product_line": entities.PRODUCT_LINES,
        "channel": tickets.CHANNELS,
        "priority": tickets.PRIORITIES,
        "type": volume.TYPES,
    }
    for dim, values in expected.items():
        assert catalog.dimension(dim).values == list(values), dim


def test_theme_values_match_the_taxonomy(catalog: Any) -> None:
    text = resources.files("servicelens.data").joinpath("taxonomy.yaml").read_text("utf-8")
    taxonomy = yaml.safe_load(text)
    assert catalog.dimension("theme").values == [t["id"] for t in taxonomy["themes"]]


def test_unknown_names_suggest_close_matches(catalog: Any) -> None:
    with pytest.raises(UnknownNameError, match="first_time_fix_rate") as info:
        catalog.metric("first_tme_fix_rat")
    assert "first_time_fix_rate" in info.value.suggestions
    with pytest.raises(UnknownNameError, match="region"):
        catalog.dimension("regoin")
    with pytest.raises(UnknownNameError, match="East") as value_info:
        catalog.resolve_value("region", "Eastt")
    assert value_info.value.suggestions[0] == "East"


def test_free_dimensions_pass_values_through(catalog: Any) -> None:
    assert catalog.resolve_value("model", " AC-X735 ") == "AC-X735"
    assert catalog.resolve_value("hour", "14") == 14
    assert catalog.resolve_value("remote", "yes") is True


def test_find_values_across_dimensions(catalog: Any) -> None:
    assert ("region", "East") in catalog.find_values("华东")
    assert ("channel", "phone") in catalog.find_values("电话")


def test_join_paths_follow_many_to_one_joins(catalog: Any) -> None:
    path = catalog.join_path("surveys", "engineers")
    assert [j.to_table for j in path] == ["tickets", "engineers"]
    assert catalog.join_path("tickets", "surveys") is None  # one-to-many is never followed
    assert catalog.join_path("contracts", "customers") is not None


def test_no_join_path_passes_through_the_feedback_table_between_two_sources() -> None:
    # Two exports whose texts are both in the feedback table, joined to it both ways by its row
    # id: each feedback row comes from one of them, so no path leads from one to the other
    # through it (it would match no record), while each still reaches the feedback table.
    text = """
tables:
  voc: {time_column: at, columns: {voc_id: {}, at: {}, text: {}}}
  nova: {time_column: at, columns: {voc_id: {}, at: {}, apologize: {}}}
  zen: {time_column: at, columns: {voc_id: {}, at: {}}}
joins:
  - {from: nova.voc_id, to: voc.voc_id}
  - {from: voc.voc_id, to: nova.voc_id}
  - {from: zen.voc_id, to: voc.voc_id}
  - {from: voc.voc_id, to: zen.voc_id}
dimensions:
  apologize: {en: Apologize, kind: boolean, sources: {nova: apologize}}
metrics:
  zen_count: {en: Zen count, table: zen, expr: COUNT(*), unit: count,
              direction: neutral, definition: Zen records.}
"""
    cat = parse_catalog(yaml.safe_load(text), "catalog.yaml")
    assert cat.join_path("zen", "nova") is None
    assert cat.join_path("nova", "zen") is None
    assert [j.to_table for j in cat.join_path("zen", "voc") or []] == ["voc"]
    assert [j.to_table for j in cat.join_path("voc", "nova") or []] == ["nova"]


def test_describe_is_compact_and_complete(catalog: Any) -> None:
    summary = catalog.describe()
    assert {m["name"] for m in summary["metrics"]} == set(catalog.metrics)
    assert summary["dimensions"]["region"]["values"][1] == "East"


def _broken(path: list[str], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(_demo_data())
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["metrics", "nps", "direction"], "up", "metrics.nps.direction"),
        (["metrics", "nps", "expr"], "AVG(npsx)", "metrics.nps.expr: surveys has no column 'npsx'"),
        (["metrics", "nps", "expr"], "AVG(", "metrics.nps.expr: not valid SQL"),
        (["metrics", "nps", "table"], "nowhere", "metrics.nps.table: unknown table 'nowhere'"),
        (["metrics", "nps", "time_column"], "when", "metrics.nps.time_column"),
        (["metrics", "nps", "expr"], "AVG(tickets.csat)", "may only use columns of surveys"),
        (["dimensions", "region", "sources"], {"tickets": "regio"}, "dimensions.region.sources"),
        (["metrics", "nps", "aliases"], ["满意度"], "alias '满意度' is used by both"),
        (["joins"], [{"from": "tickets.customer", "to": "customers.customer_id"}], "joins.0"),
        (["headline"], ["ticket_count", "nps_score"], "headline: no metric 'nps_score'"),
        (["splits"], ["regions"], "splits: no dimension 'regions'"),
        (["dimensions", "engineer", "label"], "engineer", "dimensions.engineer.label"),
        (["dimensions", "engineer", "label"], "eng_name", "dimensions.engineer.label"),
    ],
)
def test_invalid_catalog_names_the_yaml_path(path: list[str], value: Any, message: str) -> None:
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        parse_catalog(_broken(path, value), "catalog.yaml")


def test_minimal_catalog_without_demo_assumptions(tmp_path: Any) -> None:
    # A derived catalog for arbitrary tables has the same shape and needs none of the demo.
    text = """
tables:
  orders: {time_column: placed, columns: {id: {}, placed: {}, amount: {}, shop: {}}}
dimensions:
  shop: {en: Shop, sources: {orders: shop}}
metrics:
  order_total: {en: Order total, table: orders, expr: SUM(amount), unit: EUR,
                direction: higher_is_better, definition: Sum of order amounts.}
"""
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    catalog = load_catalog(path)
    assert catalog.metric("Order total").expr == "SUM(orders.amount)"
    assert catalog.resolve_value("shop", "Berlin") == "Berlin"


def test_missing_or_malformed_file_is_a_data_error(tmp_path: Any) -> None:
    with pytest.raises(DataError, match="no catalog"):
        load_catalog(tmp_path / "catalog.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("tables: [", encoding="utf-8")
    with pytest.raises(DataError, match="not valid YAML"):
        load_catalog(bad)
