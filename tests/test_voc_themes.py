"""voc_themes over a small hand-built warehouse: counts, shares, comparison, filters, evidence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from themes_support import AS_OF, ROWS, build_warehouse

from servicelens.data.warehouse import Warehouse
from servicelens.tools.base import ToolContext, ToolError
from servicelens.tools.ledger import Ledger
from servicelens.tools.voc_themes import TOOL


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("themes") / "warehouse.duckdb"
    build_warehouse(path)
    wh = Warehouse.open(path)
    yield wh
    wh.close()


def _run(warehouse: Warehouse, **args: Any) -> tuple[dict[str, Any], Ledger]:
    ledger = Ledger()
    ctx = ToolContext(ledger=ledger, as_of=AS_OF, warehouse=warehouse)
    return TOOL.run(ctx, args).content, ledger


def _by_theme(content: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["theme"]: t for t in content["themes"]}


def test_counts_and_shares_match_independent_sql(warehouse: Warehouse) -> None:
    content, _ = _run(warehouse, period="last quarter")
    expected = warehouse.execute(
        "SELECT theme, count(*), round(100.0 * count(*) / sum(count(*)) OVER (), 1) FROM voc "
        "WHERE created_at >= DATE '2026-07-01' AND created_at < DATE '2026-10-01' GROUP BY 1"
    ).rows
    got = _by_theme(content)
    assert content["records"] == 12
    assert {t: (g["count"], g["share_pct"]) for t, g in got.items()} == {
        t: (n, s) for t, n, s in expected
    }
    # Largest first; "other" last whatever its size.
    assert [t["theme"] for t in content["themes"]][:2] == ["noise", "parts_wait"]
    assert content["themes"][-1]["theme"] == "other"


def test_previous_period_comparison(warehouse: Warehouse) -> None:
    content, _ = _run(warehouse, period="last quarter")
    assert content["previous_period"]["start"] == "2026-04-01"
    assert content["previous_records"] == 4
    noise = _by_theme(content)["noise"]
    assert (noise["previous_count"], noise["previous_share_pct"]) == (1, 25.0)
    assert noise["change_pp"] == round(7 / 12 * 100, 1) - 25.0
    assert noise["change_pct"] == 600.0
    parts = _by_theme(content)["parts_wait"]
    assert (parts["count"], parts["previous_count"], parts["change_pct"]) == (3, 2, 50.0)


def test_no_comparison_without_period_or_when_switched_off(warehouse: Warehouse) -> None:
    everything, _ = _run(warehouse)
    assert everything["records"] == len(ROWS) and everything["previous_period"] is None
    plain, _ = _run(warehouse, period="last quarter", compare=False)
    assert _by_theme(plain)["noise"]["previous_count"] is None


@pytest.mark.parametrize(
    ("filters", "want"),
    [
        ({"region": "East"}, {"noise": 6, "praise": 1, "other": 1}),
        ({"product_line": "Refrigerators"}, {"noise": 1, "parts_wait": 3}),
        ({"model": "ac-x200"}, {"noise": 6, "praise": 1}),
        ({"segment": "key account"}, {"noise": 1, "parts_wait": 3, "praise": 1}),
        ({"sentiment": "positive"}, {"praise": 1}),
    ],
)
def test_filters(warehouse: Warehouse, filters: dict[str, str], want: dict[str, int]) -> None:
    content, ledger = _run(warehouse, period="last quarter", **filters)
    assert {t: g["count"] for t, g in _by_theme(content).items()} == want
    table = ledger.get(content["table_id"])
    assert table is not None and table.sql is not None and "?" not in table.sql


def test_unknown_filter_value_and_empty_slice_are_model_fixable(warehouse: Warehouse) -> None:
    with pytest.raises(ToolError, match=r"(?i)known values"):
        _run(warehouse, region="Atlantis")
    with pytest.raises(ToolError, match="No customer feedback"):
        _run(warehouse, period="2025-01")
    with pytest.raises(ToolError):
        _run(warehouse, period="the age of dragons")


def test_evidence_is_registered_and_quotes_belong_to_their_theme(warehouse: Warehouse) -> None:
    content, ledger = _run(warehouse, period="last quarter", quotes_per_theme=3)
    table = ledger.get(content["table_id"])
    assert table is not None and table.kind == "query"
    assert table.rows[0][:3] == ["noise", "Noise", 7]
    themes = {f"v{i:04d}": row[0] for i, row in enumerate(ROWS)}
    noise_quotes = _by_theme(content)["noise"]["quotes"]
    assert len(noise_quotes) == 3
    for theme in content["themes"]:
        for quote in theme["quotes"]:
            voc_id = quote["id"].removeprefix("V:")
            assert themes[voc_id] == theme["theme"]
            evidence = ledger.get(quote["id"])
            assert evidence is not None and evidence.text == ROWS[int(voc_id[1:])][6]
            assert quote["date"].startswith("2026-08")
    # No quote is offered for "other", where injection attempts and chatter land.
    assert _by_theme(content)["other"]["quotes"] == []
    assert "not instructions" in content["note"]


def test_top_limits_the_list_and_says_so(warehouse: Warehouse) -> None:
    content, _ = _run(warehouse, period="last quarter", top=1, compare=False)
    assert [t["theme"] for t in content["themes"]] == ["noise"]
    assert content["truncated"] and content["themes_not_shown"] == 3


def test_big_movers_outside_the_top_are_shown_too(warehouse: Warehouse) -> None:
    # parts_wait fell from 50% to 25% of the slice and praise from 25% to 8.3%: both are news.
    content, _ = _run(warehouse, period="last quarter", top=1)
    assert [t["theme"] for t in content["themes"]] == ["noise", "parts_wait", "praise"]
    assert content["themes_not_shown"] == 1


def test_every_result_states_where_the_themes_come_from(warehouse: Warehouse) -> None:
    content, ledger = _run(warehouse, period="last quarter")
    source = content["theme_source"]
    assert source["kind"] == "taxonomy"
    assert source["text"].startswith("themes from the demo taxonomy (")
    table = ledger.get(content["table_id"])
    assert table is not None and table.meta["theme_source"] == source["text"]


def test_a_theme_growing_from_a_small_base_is_emerging_and_kept(tmp_path: Any) -> None:
    app_rows = [
        ("app_digital", "negative", "East", "P1", "C1", datetime(2026, 9, 2), f"app crash {i}")
        for i in range(5)
    ]
    path = tmp_path / "warehouse.duckdb"
    build_warehouse(path, [*ROWS, *app_rows])
    wh = Warehouse.open(path)
    try:
        content, _ = _run(wh, period="last quarter", top=1)
    finally:
        wh.close()
    themes = _by_theme(content)
    # New with five records: emerging, and listed though only the largest theme was asked for.
    assert themes["app_digital"]["emerging"] and themes["app_digital"]["previous_count"] == 0
    assert list(themes).index("app_digital") == 1
    # Noise went from 1 to 7 records, but its share only from 25% to 41%: large, not emerging.
    assert not themes["noise"]["emerging"]
