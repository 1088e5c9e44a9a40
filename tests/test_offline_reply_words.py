"""Words quoted from a column of replies written in parts ("经城东区住房和城乡建设局调查核实，具体
政策已在回复中说明，…"), counted and ranked by the share of each group's records that carry
them: the replies holding the words are what is counted, not also a filter that would make every
share 100%; "比例最高" ranks the groups by that share, not by how many.

Every expected figure is computed from the rows the test wrote, never from the analyst.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from agent_support import ask_offline
from ingest_support import offline_analyst

from servicelens.agent.analyst import Analyst

pytestmark = pytest.mark.slow
FMT = "%Y-%m-%d %H:%M:%S"
DISTRICTS = ["东城区", "西城区", "南湖区", "北山县"]
OFFICES = ["住房和城乡建设局", "卫生健康局", "市场监督管理局", "教育局"]
CATEGORIES = ["城乡建设", "卫生计生", "商贸旅游", "教育文体"]
POLICY = "具体政策已在回复中说明"
OUTCOMES = [POLICY, "问题已转交相关部门处理", "已安排工作人员现场核查"]
Rows = list[dict[str, str]]


def _messages() -> Rows:
    start, rows = datetime(2024, 1, 1, 8), []
    for i in range(320):
        district, office = DISTRICTS[(i * 3 + i // 7) % 4], OFFICES[(i * 5 + i // 3) % 4]
        # The biggest category gets the policy-only reply least often.
        k = CATEGORIES.index(category := CATEGORIES[[0, 0, 0, 0, 0, 1, 1, 2, 2, 3][i % 10]])
        outcome = OUTCOMES[0] if (i // 10) % (6 - k) == 0 else OUTCOMES[1 + i % 2]
        rows.append(
            {
                "编号": f"M{i:04d}",
                "留言时间": (start + timedelta(hours=13 * i)).strftime(FMT),
                "所属区县": district,
                "一级分类": category,
                "留言详情": f"小区问题反映（{i}），希望尽快处理",
                "答复意见": ""
                if i % 9 == 4
                else f"网友您好，经{district}{office}调查核实，{outcome}，感谢您的监督。",
                "答复时间": ""
                if i % 9 == 4
                else (start + timedelta(hours=13 * i + 30 + i % 50)).strftime(FMT),
            }
        )
    return rows


@pytest.fixture(scope="module")
def hotline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, Rows]]:
    rows = _messages()
    folder = tmp_path_factory.mktemp("replies")
    with offline_analyst(
        folder, rows, file="hotline.csv", as_of="2024-07-01", id="编号", text="留言详情"
    ) as an:
        yield an, rows


def _pct(part: int, whole: int) -> str:
    share = (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{share.normalize():f}%"


def test_quoted_reply_words_ranked_by_each_groups_share(hotline: tuple[Analyst, Rows]) -> None:
    an, rows = hotline
    said = [r for r in rows if POLICY in r["答复意见"]]
    per = Counter(r["一级分类"] for r in said)
    total = Counter(r["一级分类"] for r in rows)
    shares = {c: per[c] / total[c] for c in total}
    top = max(shares, key=lambda c: shares[c])
    most = per.most_common(1)[0][0]
    assert top != most  # the share and the count rank differently
    answer = ask_offline(
        an, f"答复里写着“{POLICY}”的留言一共有多少条？哪一类留言收到这种答复的比例最高，是多少？"
    )
    assert f"其中提到“{POLICY}”的有 {len(said)} 条" in answer.body, answer.body
    lead = f"比例最高的是{top}：{_pct(per[top], total[top])}（{total[top]} 条中 {per[top]} 条）"
    assert lead in answer.body, answer.body
    # Not every share is 100%: the replies holding the words are not a filter as well.
    assert "| 100% |" not in answer.body


def test_a_share_among_the_records_an_event_happened_to(hotline: tuple[Analyst, Rows]) -> None:
    # "已经答复的留言里，答复说“…”的比例，哪个区县最高": over the answered messages of each
    # district, not over every message.
    an, rows = hotline
    answered = [r for r in rows if r["答复时间"]]
    assert len(answered) < len(rows)
    per = Counter(r["所属区县"] for r in answered if POLICY in r["答复意见"])
    total = Counter(r["所属区县"] for r in answered)
    top = max(total, key=lambda d: per[d] / total[d])
    answer = ask_offline(an, f"已经答复的留言里，答复说“{POLICY}”的比例，哪个区县最高？是多少？")
    share = _pct(per[top], total[top])
    assert f"最高的是{top}：{share}（{total[top]} 条中 {per[top]} 条）" in answer.body, answer.body
    assert f"共有 {len(answered)} 条记录" in answer.body, answer.body
