"""Questions about the export's own categories held as yes/no columns, asked in ways that combine
them or name them in other words, on a fresh export written by the test: customers' messages
tagged with topics and agents' replies tagged with what the agent did, one file per company and
direction.

- two categories at once ("both ask to DM and include a link", "同时提到退款和退货"), and one
  without the other ("a refund but not also a return");
- English categories named word by word in Chinese ("设备卡死、没反应", "让用户重启设备",
  "要求用户告知 iOS 版本");
- a category counted in two months, and replies carrying more than one action;
- a word counted as written that a category's name stands before ("the delivery driver");
- quotes from the records with a category.

Every expected figure is computed from the rows the test wrote, never from the analyst.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from agent_support import ask_offline, lead_of
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths

pytestmark = pytest.mark.slow
AS_OF = "2026-12-04"
START = datetime(2026, 10, 1, 9, 0)
TOPICS = ["Refund", "Return", "Battery", "Unresponsive/Freezing Device", "Update", "Delivery"]
ACTIONS = ["Request DM", "Provide URL", "Request device restart", "Request iOS version"]
SAYINGS = {
    "Refund": "I still have not got my money back for the order",
    "Return": "the parcel went back to you last week",
    "Battery": "my phone battery drains in two hours",
    "Unresponsive/Freezing Device": "the screen froze and nothing responds",
    "Update": "since the latest software version everything is slow",
    "Delivery": "the parcel is late again",
}


def _inbound(company: str, n: int, seed: int) -> list[dict[str, str]]:
    rows, pick = [], random.Random(seed)
    for i in range(n):
        on = {t for t in TOPICS if pick.random() < 0.3}
        said = [SAYINGS[t] for t in TOPICS if t in on] or ["hello, a question about my account"]
        if i % 9 == 0:
            said.append("the driver left it at the wrong door")
        rows.append(
            {
                "tweet_id": str(seed * 10_000 + i),
                "created_at": (START + timedelta(hours=13 * i)).strftime("%Y-%m-%d %H:%M:%S"),
                "company": company,
                "text": f"@{company} " + "; ".join(said) + f" (#{i})",
                **{t: "1" if t in on else "" for t in TOPICS},
            }
        )
    return rows


def _outbound(company: str, n: int, seed: int) -> list[dict[str, str]]:
    rows, pick = [], random.Random(seed)
    for i in range(n):
        on = {a for a in ACTIONS if pick.random() < 0.4}
        rows.append(
            {
                "tweet_id": str(seed * 10_000 + 5_000 + i),
                "created_at": (START + timedelta(hours=23 * i)).strftime("%Y-%m-%d %H:%M:%S"),
                "company": company,
                "text": f"We are sorry to hear that. Reply {i}, the {company} team.",
                **{a: "1" if a in on else "" for a in ACTIONS},
            }
        )
    return rows


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict[str, str]]]:
    return {
        "acmehelp_inbound": _inbound("AcmeHelp", 140, 3),
        "acmehelp_outbound": _outbound("AcmeHelp", 60, 4),
        "applesupport_outbound": _outbound("AppleSupport", 60, 9),
    }


@pytest.fixture(scope="module")
def analyst(
    data: dict[str, list[dict[str, str]]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Analyst]:
    folder = tmp_path_factory.mktemp("flag_sets")
    files = [_write(folder / f"{name}.csv", rows) for name, rows in data.items()]
    home = folder / "ws"
    ingest(WorkspacePaths(home), files, IngestOptions(text="text", id="tweet_id"))
    with Analyst.open(home, provider="offline", checkpointer=InMemorySaver(), as_of=AS_OF) as an:
        yield an


def _count(rows: list[dict[str, str]], *yes: str, no: tuple[str, ...] = ()) -> int:
    return sum(1 for r in rows if all(r[c] for c in yes) and not any(r[c] for c in no))


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole, 1):g}%"


def test_two_categories_at_once_are_the_records_with_both(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    replies = data["acmehelp_outbound"]
    both = _count(replies, "Request DM", "Provide URL")
    assert 0 < both < _count(replies, "Request DM")  # the figure tells the readings apart
    lead = lead_of(
        ask_offline(
            analyst,
            "What percentage of AcmeHelp's agent replies both ask the customer to DM and "
            "include a link?",
        ).text
    )
    assert f"{both} of {len(replies)}" in lead and _pct(both, len(replies)) in lead, lead

    tweets = data["acmehelp_inbound"]
    together = _count(tweets, "Refund", "Return")
    answer = ask_offline(analyst, "AcmeHelp 的推文里，同时提到退款和退货的占多少？")
    lead = lead_of(answer.text)
    assert f"共 {len(tweets)} 条记录" in lead and f" {together} 条" in lead, lead
    assert _pct(together, len(tweets)) in lead, lead


def test_one_category_without_another_in_either_language(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    tweets = data["acmehelp_inbound"]
    refund_only = _count(tweets, "Refund", no=("Return",))
    refund = _count(tweets, "Refund")
    assert 0 < refund_only < refund
    lead = lead_of(
        ask_offline(
            analyst,
            "AcmeHelp customers asking about a refund - how many of those tweets do not also "
            "involve a return?",
        ).text
    )
    assert f"{refund_only} of {refund}" in lead, lead
    lead = lead_of(
        ask_offline(analyst, "AcmeHelp 客户的推文里，有多少条是关于退款但不涉及退货的？").text
    )
    assert re.search(rf"(?<!\d){refund_only}(?!\d)", lead), lead
    assert f"{refund} " not in lead.replace(f"{refund_only} ", ""), lead


def test_english_categories_named_word_by_word_in_chinese(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    tweets = data["acmehelp_inbound"]
    battery, frozen = _count(tweets, "Battery"), _count(tweets, "Unresponsive/Freezing Device")
    answer = ask_offline(
        analyst, "AcmeHelp 用户的推文里，反映电池问题的和反映设备卡死、没反应的，各有几条？"
    )
    lead = lead_of(answer.text)
    assert f"Battery {battery} 条" in lead, lead
    assert f"Unresponsive/Freezing Device {frozen} 条" in lead, lead

    replies = data["acmehelp_outbound"]
    ios = _count(replies, "Request iOS version")
    answer = ask_offline(analyst, "AcmeHelp 客服的回复里，要求用户告知 iOS 版本的占了多少？")
    lead = lead_of(answer.text)
    assert f"Request iOS version {ios} 条" in lead, lead
    assert "要求" not in answer.text.split("_离线")[0], answer.text  # its words were all read


def test_which_company_does_a_category_more_often_named_in_chinese(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    answer = ask_offline(analyst, "AcmeHelp 和 AppleSupport 的客服，谁更常让用户重启设备？")
    for name in ("acmehelp_outbound", "applesupport_outbound"):
        rows = data[name]
        rate = _pct(_count(rows, "Request device restart"), len(rows))
        assert rate in answer.text, (rate, answer.text)
    assert "Request device restart" in answer.text.splitlines()[0], answer.text


def test_a_category_counted_in_two_months_is_counted_on_its_column(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    tweets = data["acmehelp_inbound"]

    def in_month(month: str) -> int:
        return sum(1 for r in tweets if r["Update"] and r["created_at"].startswith(month))

    nov, oct_ = in_month("2026-11"), in_month("2026-10")
    assert nov != oct_
    lead = lead_of(
        ask_offline(
            analyst,
            "Were there more AcmeHelp tweets about software updates in November than in October?",
        ).text
    )
    assert re.search(rf"(?<!\d){nov}(?!\d)", lead) and re.search(rf"(?<!\d){oct_}(?!\d)", lead), (
        lead
    )
    assert "update" in lead.lower(), lead


def test_replies_carrying_more_than_one_action_by_company(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    text = ask_offline(
        analyst, "By company, how many agent replies carry more than one action?"
    ).text
    for company, name in (
        ("AcmeHelp", "acmehelp_outbound"),
        ("AppleSupport", "applesupport_outbound"),
    ):
        rows = data[name]
        several = sum(1 for r in rows if sum(bool(r[a]) for a in ACTIONS) >= 2)
        assert f"{company} {several} of {len(rows)}" in text, (company, several, text)


def test_replies_with_three_or_more_actions_and_actions_per_reply_on_average(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    rows = data["acmehelp_outbound"]
    per_reply = [sum(bool(r[a]) for a in ACTIONS) for r in rows]
    three = sum(1 for n in per_reply if n >= 3)
    answer = ask_offline(analyst, "How many of AcmeHelp's replies combine three or more actions?")
    assert f"three or more of the export's own categories at once: {three} of {len(rows)}" in (
        answer.body
    ), answer.body
    answer = ask_offline(analyst, "平均每条客服回复包含几个动作？按公司看")
    for company, name in (
        ("AcmeHelp", "acmehelp_outbound"),
        ("AppleSupport", "applesupport_outbound"),
    ):
        counts = [sum(bool(r[a]) for a in ACTIONS) for r in data[name]]
        mean = f"{round(sum(counts) / len(counts), 2):g}"
        assert f"| {company} | {len(counts)} | {mean} |" in answer.body, (company, answer.body)


def test_a_category_s_name_before_a_word_counted_as_written_describes_the_word(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    tweets = data["acmehelp_inbound"]
    driver = sum(1 for r in tweets if "driver" in r["text"].lower())
    lead = lead_of(
        ask_offline(
            analyst,
            "How many AcmeHelp customers mention the delivery driver in their tweet? Count any "
            'tweet with the word "driver" in it.',
        ).text
    )
    assert f"{driver} of {len(tweets)}" in lead, lead


def test_quotes_of_the_records_with_a_category(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    refunds = {r["text"] for r in data["acmehelp_inbound"] if r["Refund"]}
    answer = analyst.ask("给我几条 AcmeHelp 用户关于退款问题的原话。")
    assert answer.status == "answered", answer.text
    quoted = re.findall(r"“(@AcmeHelp[^”]*)”", answer.text)
    assert quoted, answer.text
    for quote in quoted:
        assert any(t.startswith(quote.rstrip("…")) for t in refunds), quote


def test_each_group_s_share_of_a_category_named_in_chinese(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    # "苹果" is Apple, the first word of AppleSupport; "私信" is the DM of Request DM.
    answer = ask_offline(analyst, "AcmeHelp 和苹果的客服回复里，要求私信的各占多少比例？")
    for name in ("acmehelp_outbound", "applesupport_outbound"):
        rows = data[name]
        rate = _pct(_count(rows, "Request DM"), len(rows))
        assert rate in answer.text, (rate, answer.text)
    assert "AppleSupport" in answer.text.splitlines()[0], answer.text


def test_the_hour_customers_write_most_is_a_ranking_by_hour(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    # "At what hour … most": the records ranked by the hour of their time, not by what they
    # are about, though the export carries its own categories.
    hours = Counter(int(r["created_at"][11:13]) for r in data["acmehelp_inbound"])
    n = max(hours.values())
    answer = ask_offline(analyst, "At what hour of the day do AcmeHelp customers tweet at us most?")
    assert answer.reading is not None and "hour" in answer.reading.line.lower()
    named = re.search(r"By hour of day, (\d+):00 has the most[^:]*: (\d+)", answer.body)
    assert named is not None, answer.body
    assert hours[int(named.group(1))] == n == int(named.group(2))


def test_replies_carrying_neither_of_two_categories(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    rows = data["acmehelp_outbound"]
    neither = _count(rows, no=("Request DM", "Provide URL"))
    question = "How many of AcmeHelp's replies neither ask the customer to DM nor include a link?"
    answer = ask_offline(analyst, question)
    assert f"Carrying none of them: {neither} of {len(rows)}" in answer.body, answer.body
    assert _pct(neither, len(rows)) in answer.body


def test_a_category_s_share_in_each_of_two_months_named(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    # "10月和11月各占当月…的多少": the share in each month, on the category's own column.
    tweets = data["acmehelp_inbound"]
    answer = ask_offline(analyst, "AcmeHelp的客户推文里提到退款的，10月和11月各占当月推文的多少？")
    for month in ("2026-10", "2026-11"):
        rows = [r for r in tweets if r["created_at"].startswith(month)]
        part = sum(1 for r in rows if r["Refund"])
        assert f"| {month} | {part} | {len(rows)} | {_pct(part, len(rows))} |" in answer.body, (
            month, answer.body,
        )  # fmt: skip


def test_categories_per_record_on_average_for_two_companies_compared(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    answer = ask_offline(
        analyst,
        "On average, how many actions does an agent reply contain - AcmeHelp versus AppleSupport?",
    )
    for company, name in (
        ("AcmeHelp", "acmehelp_outbound"),
        ("AppleSupport", "applesupport_outbound"),
    ):
        counts = [sum(bool(r[a]) for a in ACTIONS) for r in data[name]]
        mean = f"{round(sum(counts) / len(counts), 2):g}"
        assert f"{company} {mean}" in answer.body.split("\n\n")[1], (company, mean, answer.body)
        assert f"| {company} | {len(counts)} | {mean} |" in answer.body, answer.body


def test_a_category_named_after_of_those_is_a_part_of_the_records_with_the_words(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    # "Tweets with "parcel"; how many of those are about a refund": the words counted first,
    # then the category's part of them, not the categories counted instead.
    tweets = data["acmehelp_inbound"]
    said = [r for r in tweets if "parcel" in r["text"].lower()]
    part = _count(said, "Refund")
    assert 0 < part < len(said)
    answer = ask_offline(
        analyst,
        'Count AcmeHelp customer tweets with "parcel" in them. How many of those are tagged '
        "as being about a refund?",
    )
    lead = lead_of(answer.text)
    assert f"{len(said)} feedback records" in lead and f"{part} of them" in lead, lead


def test_records_about_none_of_a_list_of_categories(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    # The negation said once before the list holds for every category in it ("nothing to do
    # with refunds or returns", "aren't about any of these: …"), or once after it ("…都没有涉及").
    tweets = data["acmehelp_inbound"]
    neither = _count(tweets, no=("Refund", "Return"))
    assert neither not in (_count(tweets, no=("Refund",)), _count(tweets, no=("Return",)))
    lead = lead_of(
        ask_offline(
            analyst,
            "How many AcmeHelp customer tweets have nothing to do with refunds or returns?",
        ).text
    )
    assert re.search(rf"(?<![\d,]){neither}(?![\d,])", lead), (neither, lead)
    lead = lead_of(
        ask_offline(analyst, "AcmeHelp 的客户推文里，退款和退货都没有涉及的有多少条？").text
    )
    assert re.search(rf"(?<![\d,]){neither}(?![\d,])", lead), (neither, lead)
    # The category said after "what share of them" is the part of those records.
    rest = [r for r in tweets if not any(r[t] for t in ("Battery", "Update", "Delivery"))]
    part = _count(rest, "Refund")
    assert 0 < part < len(rest)
    lead = lead_of(
        ask_offline(
            analyst,
            "AcmeHelp customer tweets that aren't about any of these topics (Battery, Update, "
            "Delivery) - how many are there, and what share of them are about a refund?",
        ).text
    )
    assert f"{part} of {len(rest)}" in lead and _pct(part, len(rest)) in lead, lead


def test_a_word_counted_in_any_form_then_a_category_of_those(
    analyst: Analyst, data: dict[str, list[dict[str, str]]]
) -> None:
    # "Tweets with parcel in them in any form": the word as written, unquoted, then the part of
    # those records carrying a category.
    tweets = data["acmehelp_inbound"]
    said = [r for r in tweets if "parcel" in r["text"].lower()]
    part = _count(said, "Refund")
    lead = lead_of(
        ask_offline(
            analyst,
            "Count AcmeHelp customer tweets with parcel in them in any form (parcel, parcels). "
            "How many of those are tagged as being about a refund?",
        ).text
    )
    assert f"{len(said)} feedback records" in lead and f"{part} of them" in lead, lead
