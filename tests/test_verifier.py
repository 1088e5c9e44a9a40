"""The verifier over crafted answers: what is supported passes, and nothing unsupported does."""

from __future__ import annotations

import pytest

from servicelens.agent.verifier import VerificationReport, flag_unsupported, verify
from servicelens.tools.ledger import Ledger


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    led = Ledger()
    led.add(  # Q1: a metric by region
        "query",
        "query_metric",
        sql="SELECT ...",
        columns=["region", "fcr_rate", "tickets", "avg_resolution_hours"],
        rows=[["East", 0.6318, 12034, 36.5], ["West", 0.71, 9800, 28.25]],
    )
    led.add(  # Q2: a period comparison computed by the tool
        "query",
        "query_metric",
        columns=["metric", "current", "previous", "delta", "pct_change"],
        rows=[["complaint_rate", 0.352, 0.383, -0.031, -0.0809]],
    )
    led.add(  # Q3: VOC themes with coverage in meta
        "query",
        "voc_themes",
        columns=["theme", "mentions", "share"],
        rows=[["slow repair", 412, 0.35], ["rude staff", 120, 0.102]],
        meta={"matches": 212, "shown": 5},
    )
    led.add(  # Q4: money
        "query",
        "run_sql",
        columns=["scope", "service_revenue_cny"],
        rows=[["East", 3200], ["all regions", 120_000_000]],
    )
    led.add(  # Q5: two rates side by side
        "query",
        "query_metric",
        columns=["fcr_rate", "csat_rate"],
        rows=[[0.63, 0.81]],
    )
    led.add_voc(
        "v000812",
        "The technician came three days late and the AC-X200 still leaks  water. Never again!",
        "search_voc",
    )
    led.add_voc("v000900", "客服态度很好，但是维修太慢了，等了5天才上门。", "search_voc")
    return led


SUPPORTED = [
    "East FCR was 63.2% [Q1].",
    "East FCR was 63% [Q1].",
    "East FCR was 0.632 [Q1].",
    "East handled 12,034 tickets [Q1].",
    "East handled 12 034 tickets [Q1].",
    "华东共处理1.2万张工单【Q1】。",
    "West handled 9,800 tickets and the East 12,034 [Q1].",
    "FCR in the West was 7.8 pp higher than in the East [Q1].",
    "The complaint rate fell 3.1 pp [Q2].",
    "投诉率下降了3.1个百分点【Q2】。",
    "The complaint rate dropped 8.1% [Q2].",
    "The complaint rate was 35.2%, down from 38.3% [Q2].",
    "Slow repair accounts for 35% of mentions [Q3].",
    "维修慢占比35%，共412次提及【Q3】。",
    "维修慢的占比为百分之三十五【Q3】。",
    "5 of 212 matching complaints [Q3] mention slow repair.",
    "East service revenue was ¥3,200 [Q4].",
    "全部区域服务收入1.2亿元【Q4】。",
    "CSAT was 81% and FCR 63% [Q5].",
    "Average resolution took 36.5 hours in the East [Q1].",
    "In 2026-Q3 (Jul 1 – Sep 30, 2026), East FCR was 63.2% [Q1].",
    "2026年7月1日至9月30日，西部首解率71%【Q1, Q3】。",
    "Ticket T000123 about the AC-X200 showed error E4 at 14:00 [V:v000812].",
    "1. East FCR was 63.2% [Q1].\n2. West FCR was 71% [Q1].",
    "Overall the West handled 9,800 tickets.",
    "A customer waited 5 days [V:v000900].",
    "One customer said “the AC-X200 still leaks water” [V:v000812].",
    "One customer said “The technician came three days late … still leaks water.” [V:v000812]",
    "有客户说「维修太慢了」【V:v000900】。",
    "| region | FCR |\n|---|---|\n| East | 63.2% [Q1] |\n| West | 71.0% [Q1] |",
    "FCR was 63.2%. [Q1]",
]

# (answer, kinds of findings expected, span the finding must name)
UNSUPPORTED = [
    ("East FCR was 64% [Q1].", ["unsupported_number"], "64%"),
    ("East FCR was 63.3% [Q1].", ["unsupported_number"], "63.3%"),
    ("East handled 12,035 tickets [Q1].", ["unsupported_number"], "12,035"),
    ("华东共处理1.3万张工单【Q1】。", ["unsupported_number"], "1.3万"),
    ("East FCR was 71% [Q1].", ["unsupported_number"], "71%"),
    ("The complaint rate fell 3.2 pp [Q2].", ["unsupported_number"], "3.2 pp"),
    ("投诉率下降了5个百分点【Q2】。", ["unsupported_number"], "5个百分点"),
    ("Slow repair accounts for 412% of mentions [Q3].", ["unsupported_number"], "412%"),
    ("5 of 213 matching complaints [Q3] mention slow repair.", ["unsupported_number"], "213"),
    ("East FCR was 63.2% [Q3].", ["unsupported_number"], "63.2%"),
    ("FCR was 81% [Q5].", ["unsupported_number"], "81%"),
    ("East service revenue was ¥3,300 [Q4].", ["unsupported_number"], "¥3,300"),
    ("Average resolution took 38 hours in the East [Q1].", ["unsupported_number"], "38 hours"),
    ("West handled 9,800 tickets and the East 12,043 [Q1].", ["unsupported_number"], "12,043"),
    ("Overall the West handled 9,900 tickets.", ["unsupported_number"], "9,900"),
    ("See the breakdown [Q9].", ["unknown_citation"], "[Q9]"),
    ("详见【Q9】。", ["unknown_citation"], "【Q9】"),
    ("East FCR was 63.2% [Q1, C7].", ["unknown_citation"], "[Q1, C7]"),
    ("A customer said “the AC-X200 still drips water” [V:v000812].", ["unverified_quote"], "drips"),
    ("A customer said “the AC-X200 still leaks water” [V:v000900].", ["unverified_quote"], "leaks"),
    ("有客户说「维修太快了」【V:v000900】。", ["unverified_quote"], "维修太快了"),
    ("A customer waited 6 days [V:v000900].", ["unsupported_number"], "6 days"),
    (
        "Customers keep telling us “we will never buy this brand again” about repairs.",
        ["unverified_quote"],
        "never buy",
    ),
]


@pytest.mark.parametrize("answer", SUPPORTED)
def test_supported_answer_passes(ledger: Ledger, answer: str) -> None:
    report = verify(answer, ledger)
    assert report.ok, report.findings


@pytest.mark.parametrize(("answer", "kinds", "span"), UNSUPPORTED)
def test_unsupported_answer_is_caught(
    ledger: Ledger, answer: str, kinds: list[str], span: str
) -> None:
    report = verify(answer, ledger)
    assert not report.ok
    assert [f.kind for f in report.findings] == kinds
    assert span in report.findings[0].span
    assert report.findings[0].detail.endswith(".")


def test_at_least_thirty_crafted_answers() -> None:
    assert len(SUPPORTED) + len(UNSUPPORTED) >= 30
    assert len(UNSUPPORTED) >= 15


def test_citation_outside_this_conversation_is_unknown(ledger: Ledger) -> None:
    report = verify("East FCR was 63.2% [Q1].", ledger, turn_ids={"Q2"})
    kinds = [f.kind for f in report.findings]
    # The id is unknown here, so the number has no cited evidence left to stand on either.
    assert kinds == ["unknown_citation", "unsupported_number"]
    assert "in this conversation" in report.findings[0].detail


def test_uncited_numbers_only_match_evidence_of_this_turn(ledger: Ledger) -> None:
    assert verify("The West handled 9,800 tickets.", ledger, turn_ids={"Q1"}).ok
    assert not verify("The West handled 9,800 tickets.", ledger, turn_ids={"Q3"}).ok


def test_no_evidence_means_numbers_are_unsupported() -> None:
    report = verify("FCR was 63%.", Ledger())
    assert [f.kind for f in report.findings] == ["unsupported_number"]


def test_one_wrong_number_among_right_ones_is_the_only_finding(ledger: Ledger) -> None:
    answer = "East FCR was 63.2% on 12,034 tickets, resolved in 35 hours [Q1]."
    report = verify(answer, ledger)
    assert [f.span for f in report.findings] == ["35 hours"]
    assert report.numbers_checked == 3


def test_counts_of_what_was_checked(ledger: Ledger) -> None:
    answer = "East FCR was 63.2% [Q1]. One said “still leaks water” [V:v000812, Q1]."
    report = verify(answer, ledger)
    assert report.ok
    assert (report.citations_checked, report.numbers_checked, report.quotes_checked) == (3, 1, 1)


def test_wrong_record_detail_names_the_right_one(ledger: Ledger) -> None:
    report = verify("They said “still leaks water” [V:v000900].", ledger)
    assert "V:v000812" in report.findings[0].detail


def test_flag_marks_every_failing_span_and_keeps_the_text(ledger: Ledger) -> None:
    answer = "East FCR was 64% [Q1]. See [Q9]."
    report = verify(answer, ledger)
    flagged = flag_unsupported(answer, report)
    assert "64% ⚠" in flagged and "[Q9] ⚠" in flagged
    assert flagged.replace(" ⚠", "").startswith(answer)
    assert flagged.splitlines()[-1].startswith("⚠ Unverified:")
    assert "64%" in flagged.splitlines()[-1]


def test_flag_footnote_follows_the_answer_language(ledger: Ledger) -> None:
    answer = "华东首解率为64%【Q1】。"
    flagged = flag_unsupported(answer, verify(answer, ledger))
    assert "64% ⚠" in flagged
    assert flagged.splitlines()[-1].startswith("⚠ 未能核实")


def test_flag_leaves_a_clean_answer_alone(ledger: Ledger) -> None:
    answer = "East FCR was 63.2% [Q1]."
    assert flag_unsupported(answer, verify(answer, ledger)) == answer
    assert flag_unsupported(answer, VerificationReport(ok=True)) == answer


def test_percent_matches_a_column_whose_metric_declares_percent_units() -> None:
    # query_metric names columns after the metric (sla_attainment), not after its unit.
    from servicelens.agent.verifier import verify
    from servicelens.tools.ledger import Ledger

    ledger = Ledger()
    ledger.add(
        "query",
        "query_metric",
        columns=["region", "sla_attainment", "sla_attainment_prev", "n_tickets"],
        rows=[["East", 63.1, 72.3, 225], ["North", 90.2, 91.0, 240]],
        meta={"metrics": [{"name": "sla_attainment", "unit": "%"}]},
    )
    assert verify("East's SLA attainment was 63.1% against 72.3% before [Q1].", ledger).ok
    assert not verify("East's SLA attainment was 63.1% of 225% [Q1].", ledger).ok


def test_points_change_matches_a_pp_column_in_its_own_row() -> None:
    from servicelens.agent.verifier import verify
    from servicelens.tools.ledger import Ledger

    ledger = Ledger()
    ledger.add(
        "query",
        "voc_themes",
        columns=["theme", "count", "share_pct", "change_pp"],
        rows=[["noise", 28, 19.7, 7.0], ["parts wait", 3, 2.1, -6.1]],
    )
    assert verify("Noise rose by 7 pp to 19.7% of feedback [Q1].", ledger).ok
    assert not verify("Noise rose by 6.1 pp [Q1].", ledger).ok


def test_names_with_digits_in_the_evidence_are_not_unsupported_figures() -> None:
    led = Ledger()
    led.add(
        "query",
        "query_metric",
        columns=["assignment_group", "tickets"],
        rows=[["Group 70", 2361], ["Group 24", 977]],
    )
    report = verify("Group 70 handles the most tickets: 2,361 [Q1].", led)
    assert report.ok, report.findings
    wrong = verify("Group 70 handles the most tickets: 2,400 [Q1].", led)
    assert [f.span for f in wrong.findings] == ["2,400"]


def test_metric_names_and_period_labels_are_names_in_any_case() -> None:
    """ "the satisfied share (CSAT 4-5)" and "2026年5–7月" come from the evidence's own metric
    and period labels: their digits are not figures to check, while the values still are."""
    led = Ledger()
    led.add(
        "query",
        "query_metric",
        columns=["source", "voc_count", "voc_count_prev"],
        rows=[["在线", 354, 342]],
        meta={
            "metrics": [{"name": "csat_top2_share", "label": "Satisfied share (CSAT 4-5)"}],
            "period": {"label": "2026年8–10月"},
            "comparison_period": {"label": "2026年5–7月"},
        },
    )
    said = "2026年8–10月在线最高：354，2026年5–7月 为 342 [Q1]。"
    assert verify(said, led).ok, verify(said, led).findings
    assert verify("The satisfied share (CSAT 4-5) for online was 354 [Q1].", led).ok
    wrong = verify("2026年5–7月 为 343 [Q1]。", led)
    assert [f.span for f in wrong.findings] == ["343"]


def test_values_the_cited_sql_names_in_quotes_are_names() -> None:
    """A share answer repeats the value its SQL filtered on ("3 - Moderate"); its digit is a
    name, while the counts beside it are still checked."""
    led = Ledger()
    led.add(
        "query",
        "run_sql",
        sql="SELECT count(*) FILTER (WHERE priority = '3 - Moderate') AS part, count(*) AS records "
        "FROM incidents",
        columns=["part", "records"],
        rows=[[5863, 6230]],
    )
    assert verify("共 6,230 条记录，其中3 - Moderate 5,863 条 [Q1]。", led).ok
    wrong = verify("共 6,230 条记录，其中3 - Moderate 5,800 条 [Q1]。", led)
    assert [f.span for f in wrong.findings] == ["5,800"]


def test_the_question_s_own_words_quoted_back_are_no_record_s_speech(ledger: Ledger) -> None:
    # "（留言主题含“小区学位划片问题”）": what was counted, in the manager's own words; a quote
    # of the same length the question never said is still checked against the records.
    answer = "留言主题含“小区学位划片问题”的留言共 7 条。"
    question = "反映小区学位划片问题的留言有多少条？"
    assert not [f for f in verify(answer, ledger, question=question).findings
                if f.kind == "unverified_quote"]  # fmt: skip
    kinds = [f.kind for f in verify(answer, ledger, question="留言有多少条？").findings]
    assert "unverified_quote" in kinds


def test_how_many_the_question_asks_for_in_words_may_be_restated() -> None:
    """ "The three most …", "前五个", "top 3": the count asked for is the question's own figure,
    restated as a digit; a count the question never said is still checked."""
    led = Ledger()
    led.add(
        "query", "query_metric", columns=["brand", "n"],
        rows=[["A", 30], ["B", 20], ["C", 12], ["D", 11]],
    )  # fmt: skip
    answer = "The first 3 by brand: A (30), B (20), C (12) [Q1]."
    assert verify(answer, led, question="Which are the three biggest brands?").ok
    assert verify(answer, led, question="List the top 3 brands.").ok
    assert verify("前 5 个品牌：A (30)、B (20) [Q1]。", led, question="前五个品牌是哪些？").ok
    wrong = verify(answer, led, question="Which brands are the biggest?")
    assert [f.span for f in wrong.findings] == ["3"]
