"""Bound parameters shown in place for people: placeholders found by the SQL tokenizer."""

from __future__ import annotations

from datetime import date

from servicelens.agent.render.report import sources_markdown
from servicelens.data.sql_params import inline_params
from servicelens.tools.ledger import Ledger


def test_a_question_mark_inside_a_literal_is_not_a_placeholder() -> None:
    sql = "SELECT count(*) FROM voc WHERE text LIKE '%why?%' AND region = ? AND n > ?"
    assert inline_params(sql, ["East", 3]) == (
        "SELECT count(*) FROM voc WHERE text LIKE '%why?%' AND region = 'East' AND n > 3"
    )


def test_comments_quotes_dates_and_nulls() -> None:
    sql = "SELECT 1 -- is this ok?\nFROM t WHERE a = ? AND d >= ? AND e IS NOT DISTINCT FROM ?"
    out = inline_params(sql, ["it's", date(2026, 7, 1), None])
    assert "-- is this ok?\n" in out
    assert "a = 'it''s' AND d >= DATE '2026-07-01' AND e IS NOT DISTINCT FROM NULL" in out


def test_mismatched_counts_leave_the_sql_as_it_ran() -> None:
    sql = "SELECT * FROM t WHERE a = ? AND b = ?"
    assert inline_params(sql, ["x"]) == sql
    assert inline_params(sql, None) == sql


def test_report_sources_show_values_where_the_placeholders_stand() -> None:
    ledger = Ledger()
    ledger.add(
        "query",
        "voc_themes",
        sql="SELECT theme FROM voc WHERE text LIKE '%why?%' AND region = ?",
        columns=["theme"],
        rows=[["noise"]],
        meta={"params": ["East"]},
    )
    markdown = sources_markdown(["Q1"], ledger, "en")
    assert "LIKE '%why?%' AND region = 'East'" in markdown
