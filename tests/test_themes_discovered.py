"""Themes discovered from a user's own feedback, through the real ingest and index pipeline.

Real DuckDB files, a real Chroma directory and the bundled embedder. The support-message sample
is generated (``theme_sample``) and always runs; the Chinese review sample is read from the
shared datasets folder and skipped, saying so, when that folder is absent.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from theme_sample import TOPICS, write_csv

from servicelens.agent.analyst import Analyst
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.theme_set import load_theme_set
from servicelens.data.voc_pipeline import index_voc
from servicelens.data.workspace import WorkspacePaths
from servicelens.evals.theme_discovery import nmi, purity

SHOPPING = (
    Path(__file__).resolve().parents[2] / "shared" / "datasets" / "online_shopping_10_cats_zh"
    / "online_shopping_10_cats.csv"
)  # fmt: skip
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _voc(ws: WorkspacePaths) -> dict[str, str]:
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    try:
        return dict(con.execute("SELECT voc_id, theme FROM voc").fetchall())
    finally:
        con.close()


def _labels(path: Path, column: str) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row[column] for row in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def support(tmp_path_factory: pytest.TempPathFactory) -> tuple[WorkspacePaths, Path]:
    folder = tmp_path_factory.mktemp("discovered")
    export = folder / "support.csv"
    write_csv(export)
    ws = WorkspacePaths(folder / "ws")
    report = ingest(ws, [export], IngestOptions(text="text", id="id"))
    assert report.index is not None and report.index["themes"].startswith("themes discovered")
    return ws, export


def test_themes_are_discovered_named_in_english_and_match_the_topics(
    support: tuple[WorkspacePaths, Path],
) -> None:
    ws, export = support
    themes = load_theme_set(ws)
    assert themes.source.kind == "discovered"
    named = [t for t in themes.themes if t.id != "other"]
    assert 3 <= len(named) <= 6
    assert themes.describe() == f"themes discovered from the feedback: {len(named)} clusters"
    assert all(set(t.names) == {"en"} and not _CJK.search(t.id) and t.terms for t in named)
    voc, truth = _voc(ws), _labels(export, "topic")
    assert set(voc.values()) <= set(themes.ids)
    found = [voc[v] for v in truth]
    labels = list(truth.values())
    # Floors under the measured purity 0.91 and NMI 0.77 (delivery splits in two, the six
    # billing messages join refunds); README has the scores on real data.
    assert purity(found, labels) >= 0.85 and nmi(found, labels) >= 0.65
    # Each topic's largest theme is named with that topic's own words.
    for topic, templates in TOPICS.items():
        [(largest, _)] = Counter(
            f for f, t in zip(found, labels, strict=True) if t == topic
        ).most_common(1)
        words = " ".join(templates).lower()
        info = themes.get(largest)
        assert info is not None and any(term.split()[0] in words for term in info.terms)
    counts = Counter(voc.values())
    assert {t.id: t.records for t in themes.themes if t.records} == dict(counts)


def test_rebuilding_gives_the_same_themes(support: tuple[WorkspacePaths, Path]) -> None:
    ws, _ = support
    before = _voc(ws)
    report = index_voc(ws, rebuild=True)
    assert report.embedded == 0 and report.themes.startswith("themes discovered")
    assert _voc(ws) == before


def test_voc_themes_and_search_use_the_discovered_themes(
    support: tuple[WorkspacePaths, Path],
) -> None:
    ws, _ = support
    with Analyst.open(ws.home) as an:
        result = an.themes(period="2026-09", top=10, quotes=1)
        assert result.theme_source["kind"] == "discovered"
        assert result.theme_source["text"].startswith("themes discovered from the feedback")
        names = {t["theme"]: t["theme_name"] for t in result.themes}
        assert all(names[i] == i for i in names if i != "other")
        battery = next(t for t in result.themes if "battery" in t["theme"])
        # A theme is found by a word of its name as well as by its id.
        hits = an.search("phone", where={"theme": "battery"}, k=5).hits
        assert hits and all(h.meta["theme"] == battery["theme"] for h in hits)


def test_too_few_records_are_all_other_and_say_why(tmp_path: Path) -> None:
    export = tmp_path / "few.csv"
    export.write_text("id,text\n" + "".join(f"{i},refund please {i}\n" for i in range(12)))
    ws = WorkspacePaths(tmp_path / "ws")
    ingest(ws, [export], IngestOptions(text="text", id="id"))
    themes = load_theme_set(ws)
    assert set(_voc(ws).values()) == {"other"}
    assert themes.describe() == "themes discovered from the feedback: 0 clusters"
    assert "too few records (12)" in themes.notes[0]


@pytest.mark.slow
def test_chinese_reviews_cluster_by_category_with_chinese_names(tmp_path: Path) -> None:
    if not SHOPPING.is_file():
        pytest.skip("online_shopping_10_cats.csv is not in ../shared/datasets")
    cats = ("酒店", "水果", "书籍", "手机")
    with SHOPPING.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["cat"] in cats and r["review"].strip()]
    rng = random.Random(3)
    picked = [r for c in cats for r in rng.sample([r for r in rows if r["cat"] == c], 40)]
    export = tmp_path / "reviews.csv"
    with export.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("id", "cat", "review"))
        writer.writerows((f"r{i}", r["cat"], r["review"][:200]) for i, r in enumerate(picked))
    ws = WorkspacePaths(tmp_path / "ws")
    ingest(ws, [export], IngestOptions(text="review", id="id"))
    themes = load_theme_set(ws)
    named = [t for t in themes.themes if t.id != "other"]
    assert named and all(_CJK.search(t.id) and "zh" in t.names for t in named)
    voc, truth = _voc(ws), _labels(export, "cat")
    found, labels = [voc[v] for v in truth], list(truth.values())
    # Measured: purity 0.90, NMI 0.75 on these 160 reviews (6 themes for 4 categories).
    assert purity(found, labels) >= 0.75 and nmi(found, labels) >= 0.55


def test_the_names_of_what_records_are_about_never_name_a_theme() -> None:
    # A brand column and capitalised company handles are names; a lower-case topic column and
    # the free text are not (a topic may well name a theme).
    import duckdb

    from servicelens.data.voc_pipeline import record_names

    con = duckdb.connect()
    con.execute("CREATE TABLE voc (voc_id VARCHAR, text VARCHAR)")
    con.execute(
        "CREATE TABLE tweets AS SELECT i::VARCHAR AS voc_id, "
        "['一汽马自达', '吉利汽车'][i % 2 + 1] AS brand, "
        "['AmazonHelp', 'AppleSupport'][i % 2 + 1] AS handle, "
        "['battery', 'delivery'][i % 2 + 1] AS topic, "
        "'my parcel ' || i || ' never arrived' AS message FROM range(40) t(i)"
    )
    names = record_names(con)
    assert {"一汽马自达", "马自达", "amazonhelp", "amazon", "apple"} <= names
    assert not {"battery", "delivery", "parcel", "arrived"} & names
