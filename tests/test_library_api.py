"""The Analyst is the whole library surface: each method through the real demo workspace.

No mocks of our own parts: the real warehouse, catalog, VOC index, tools, guard and offline
provider; threads are read back from a real SQLite checkpoint file.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicelens.agent.analyst import Analyst
from servicelens.agent.provider_choice import ProviderNotConfigured
from servicelens.agent.results import RequestError
from servicelens.data.sql_guard import SqlRejected

QUESTION = "How did SLA attainment change by region last quarter?"


@pytest.fixture(scope="module")
def home(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A private copy: this module writes conversation checkpoints into its workspace.
    copy = tmp_path_factory.mktemp("library") / "ws"
    shutil.copytree(demo_home, copy)
    return copy


@pytest.fixture(scope="module")
def analyst(home: Path) -> Iterator[Analyst]:
    with Analyst.open(home, provider="offline") as an:
        yield an


@pytest.fixture(scope="module")
def answered(analyst: Analyst) -> tuple[Analyst, object]:
    return analyst, analyst.ask(QUESTION)


def test_describe_lists_coverage_metrics_and_working_examples(analyst: Analyst) -> None:
    d = analyst.describe()
    assert d.coverage["tickets"].rows == analyst.sql("SELECT count(*) FROM tickets").rows[0][0]
    assert any(line.startswith("sla_attainment ") for line in d.metrics)
    assert "region" in d.dimensions
    [example] = d.examples
    metric = example.split()[2]
    assert analyst.catalog is not None and metric in analyst.catalog.metrics


def test_metric_matches_the_sql_it_shows(analyst: Analyst) -> None:
    result = analyst.metric(
        "sla_attainment", by="region", where={"type": "installation"}, period="2026-Q3"
    )
    assert result.columns[:2] == ["region", "sla_attainment"]
    east = next(r for r in result.records() if r["region"] == "East")
    [[expected]] = analyst.sql(
        "SELECT round(100 * avg(sla_met::DOUBLE), 1) FROM tickets WHERE region = 'East' "
        "AND type = 'installation' AND opened_at >= DATE '2026-07-01' "
        "AND opened_at < DATE '2026-10-01'"
    ).rows
    assert east["sla_attainment"] == expected
    assert result.meta["period"]["label"] == "2026-Q3" and "?" in result.sql


def test_metric_problems_are_request_errors(analyst: Analyst) -> None:
    with pytest.raises(RequestError, match="Did you mean"):
        analyst.metric("sla_attainmnt")
    with pytest.raises(RequestError, match="needs a period"):
        analyst.metric("sla_attainment", compare="previous")


def test_sql_goes_through_the_guard_with_the_row_cap(analyst: Analyst) -> None:
    capped = analyst.sql("SELECT ticket_id FROM tickets", max_rows=5)
    assert len(capped.rows) == 5 and capped.truncated and capped.row_cap == 5
    assert "LIMIT" in capped.sql.upper()
    with pytest.raises(SqlRejected, match="read-only"):
        analyst.sql("DELETE FROM tickets")
    with pytest.raises(SqlRejected):
        analyst.sql("SELECT * FROM read_csv('/etc/passwd')")


def test_search_filters_and_modes(analyst: Analyst) -> None:
    found = analyst.search("compressor noise", where={"lang": "en"}, k=3)
    assert 0 < len(found.hits) <= 3 and found.total_matching > 0
    assert all(h.meta["lang"] == "en" and h.id.startswith("V:") for h in found.hits)
    keyword = analyst.search("AC-X735", mode="keyword", k=2)
    assert keyword.mode == "keyword" and all("X735" in h.text.upper() for h in keyword.hits)
    with pytest.raises(RequestError, match="Unknown filter 'colour'"):
        analyst.search("noise", where={"colour": "red"})
    with pytest.raises(RequestError, match="search mode"):
        analyst.search("noise", mode="fuzzy")


def test_themes_counts_and_quotes(analyst: Analyst) -> None:
    themes = analyst.themes(period="last quarter", top=5, quotes=1)
    # The five largest, largest first; smaller themes that moved a lot may follow them.
    counts = [t["count"] for t in themes.themes[:5] if t["theme"] != "other"]
    assert counts == sorted(counts, reverse=True) and themes.records >= sum(counts)
    assert themes.previous_period is not None
    quoted = [q for t in themes.themes for q in t["quotes"]]
    assert quoted and all(q["id"].startswith("V:") for q in quoted)
    with pytest.raises(RequestError, match=r"(?i)known values"):
        analyst.themes(where={"region": "Atlantis"})


def test_the_demo_keeps_its_taxonomy_and_says_so(analyst: Analyst, home: Path) -> None:
    stored = json.loads((home / "themes.json").read_text(encoding="utf-8"))
    assert stored["source"]["kind"] == "taxonomy"
    themes = analyst.themes(period="last quarter", top=3, quotes=0)
    assert themes.theme_source["kind"] == "taxonomy"
    assert themes.theme_source["text"].startswith("themes from the demo taxonomy")
    answer = analyst.ask("What are the top complaint themes last quarter?")
    assert "demo's after-sales theme taxonomy" in answer.text
    zh = analyst.ask("上季度投诉最多的主题是什么？")
    assert "演示数据的售后主题分类体系" in zh.text


def test_threads_thread_ledger_and_evidence(answered: tuple[Analyst, object]) -> None:
    analyst, answer = answered
    thread_id = answer.thread_id  # type: ignore[attr-defined]
    assert thread_id in [t.thread_id for t in analyst.threads()]
    summary = next(t for t in analyst.threads() if t.thread_id == thread_id)
    assert summary.turns == 1 and summary.first_question == QUESTION
    view = analyst.thread(thread_id)
    assert view is not None
    [turn] = view.turns
    assert turn.question == QUESTION and turn.answer == answer.text  # type: ignore[attr-defined]
    assert turn.status == "answered" and turn.finished_at
    ledger = analyst.ledger(thread_id)
    assert ledger is not None and set(turn.cited) <= set(ledger.items)
    first = turn.cited[0]
    evidence = analyst.evidence(thread_id, first)
    assert evidence is not None and evidence.id == first
    assert analyst.thread("no-such-thread") is None and analyst.ledger("no-such-thread") is None


def test_report_export_and_chart(answered: tuple[Analyst, object], tmp_path: Path) -> None:
    analyst, answer = answered
    thread_id = answer.thread_id  # type: ignore[attr-defined]
    report = analyst.report(thread_id)
    assert report is not None and report.markdown.startswith(f"# {QUESTION}")
    assert "[Q1]" in report.markdown and "```sql" in report.markdown
    written = analyst.export(answer, tmp_path / "answer.html")  # type: ignore[arg-type]
    html = written.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Q1" in html
    spec = analyst.chart(thread_id, "Q1")
    assert spec.source_id == "Q1" and spec.data
    with pytest.raises(RequestError):
        analyst.export("no-such-thread", tmp_path / "none.md")


def test_follow_up_appears_as_a_second_turn(answered: tuple[Analyst, object]) -> None:
    analyst, answer = answered
    thread_id = answer.thread_id  # type: ignore[attr-defined]
    follow = analyst.ask("And only for installations?", thread_id=thread_id)
    view = analyst.thread(thread_id)
    assert view is not None and [t.question for t in view.turns][-1] == follow.question
    whole = analyst.report(thread_id, whole_thread=True)
    assert whole is not None and QUESTION in whole.markdown and follow.question in whole.markdown


def test_declined_answers_say_so_as_data(analyst: Analyst) -> None:
    refused = analyst.ask("What's the weather in Shanghai tomorrow?")
    assert refused.status == "refused" and not refused.text.lstrip().startswith("[")
    missing = analyst.ask("What are our engineers' salaries?")
    assert missing.status == "insufficient_data" and not missing.text.lstrip().startswith("[")


def test_direct_operations_need_no_model(home: Path) -> None:
    # The provider is resolved on the first question, not when the workspace opens.
    with Analyst.open(home, provider="openai") as analyst:
        assert analyst.sql("SELECT 1").rows == [[1]]
        assert analyst.describe().metrics
        with pytest.raises(ProviderNotConfigured):
            analyst.ask("How many tickets last month?")


def test_a_warehouse_without_catalog_still_answers_sql(tmp_path: Path) -> None:
    import duckdb

    home = tmp_path / "bare"
    home.mkdir()
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    con.execute("CREATE TABLE notes AS SELECT 1 AS n UNION ALL SELECT 2")
    con.close()
    with Analyst.open(home) as analyst:
        assert analyst.catalog is None
        assert analyst.sql("SELECT sum(n) FROM notes").rows == [[3]]
        assert analyst.describe is not None
        with pytest.raises(RequestError, match="no catalog"):
            analyst.check_catalog()
