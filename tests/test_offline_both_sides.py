"""Questions over exports of both sides of a conversation, one file per company and direction
(the customers' messages, the agents' replies, each with a yes/no column saying which side):
the feedback's own text measured or searched over all the files at once, split by the company
each row's file holds, on the side the question's words name.

- "whose customers write the longest messages on average" (every company, customers only);
- messages longer than a number of characters, for each company;
- a word in the customers' messages, per company and in total, and in the agents' replies;
- customers' messages per month across all companies combined;
- the share of each company's customers' messages sent at the weekend.

Every expected figure is computed from the rows the test wrote, never from the analyst.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from agent_support import ask_offline
from ingest_support import load_conversations
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst

pytestmark = pytest.mark.slow
AS_OF = "2026-12-04"
START = datetime(2026, 8, 20, 8, 0)
COMPANIES = {"AcmeHelp": 3, "BoltCares": 5}
PHRASES = [
    "my order is still missing",
    "the app keeps crashing when I open my playlist and nothing I try helps at all, please fix it",
    "thanks, all sorted now",
    "why was I charged twice this month for the same plan",
    "still waiting for a reply about my refund",
]


def _rows(company: str, inbound: bool, n: int, seed: int) -> list[dict[str, str]]:
    pick, rows = random.Random(seed), []
    for i in range(n):
        if inbound:
            text = f"@{company} " + " and ".join(pick.sample(PHRASES, pick.randint(1, 3)))
        else:
            text = pick.choice(["Sorry to hear that, please DM us.", "Happy to help! DM us."])
        at = START + timedelta(hours=pick.randint(0, 24 * 100))
        rows.append(
            {
                "tweet_id": str(seed * 10_000 + i),
                "created_at": at.strftime("%Y-%m-%d %H:%M:%S"),
                "company": company,
                "inbound": "True" if inbound else "False",
                "text": text,
            }
        )
    return rows


@pytest.fixture(scope="module")
def data() -> dict[tuple[str, bool], list[dict[str, str]]]:
    out = {}
    for company, seed in COMPANIES.items():
        out[(company, True)] = _rows(company, True, 120 + 40 * seed, seed)
        out[(company, False)] = _rows(company, False, 60, seed + 100)
    return out


@pytest.fixture(scope="module")
def analyst(
    data: dict[tuple[str, bool], list[dict[str, str]]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Analyst]:
    home = load_conversations(tmp_path_factory.mktemp("both_sides"), data)
    with Analyst.open(home, provider="offline", checkpointer=InMemorySaver(), as_of=AS_OF) as an:
        yield an


def _customers(data: dict[tuple[str, bool], list[dict[str, str]]]) -> list[dict[str, str]]:
    return [r for (_, inbound), rows in data.items() if inbound for r in rows]


def _mean_length(rows: list[dict[str, str]]) -> float:
    return sum(len(r["text"]) for r in rows) / len(rows)


def _figure(x: float) -> str:
    return f"{round(x, 2):g}"


def test_average_length_of_each_company_s_customer_messages(
    analyst: Analyst, data: dict[tuple[str, bool], list[dict[str, str]]]
) -> None:
    # Asked with the companies after a comma, and as a choice between them with no other word
    # of a ranking: every company measured, each on its customers' messages only.
    for question in (
        "Whose customers write the longest messages on average, AcmeHelp or BoltCares?",
        "Whose customers write the longest messages - AcmeHelp's or BoltCares's?",
    ):
        answer = ask_offline(analyst, question)
        for company in COMPANIES:
            mean = _figure(_mean_length(data[(company, True)]))
            assert mean in answer.body, (question, company, mean, answer.body)
        assert str(len(data[("BoltCares", True)])) in answer.body, question


def test_agent_replies_average_length_in_chinese(
    analyst: Analyst, data: dict[tuple[str, bool], list[dict[str, str]]]
) -> None:
    answer = ask_offline(analyst, "哪家公司的客服回复平均写得最长？")
    for company in COMPANIES:
        rows = data[(company, False)]
        mean = _figure(_mean_length(rows))
        assert mean in answer.body, (company, mean, answer.body)


def test_customer_messages_longer_than_a_length_for_each_company(
    analyst: Analyst, data: dict[tuple[str, bool], list[dict[str, str]]]
) -> None:
    question = "How many customer messages run longer than 100 characters, for each company?"
    answer = ask_offline(analyst, question)
    assert answer.status == "answered", answer.text
    for company in COMPANIES:
        n = sum(1 for r in data[(company, True)] if len(r["text"]) > 100)
        assert f"| {company} | {n} | {len(data[(company, True)])} |" in answer.body, answer.body


def test_a_word_in_customer_messages_per_company_and_in_all(
    analyst: Analyst, data: dict[tuple[str, bool], list[dict[str, str]]]
) -> None:
    question = 'How many customer messages use the word "still"? Give the number for each company.'
    answer = ask_offline(analyst, question)
    everyone = _customers(data)
    total = sum(1 for r in everyone if "still" in r["text"].lower())
    assert f"{total} of {len(everyone)}" in answer.body, answer.body
    for company in COMPANIES:
        n = sum(1 for r in data[(company, True)] if "still" in r["text"].lower())
        assert f"| {company} | {n} |" in answer.body, answer.body
    # Asked without a company, it is every company's customers, not the first file's.
    answer = ask_offline(analyst, "How many customer messages mention a refund?")
    n = sum(1 for r in everyone if "refund" in r["text"].lower())
    assert f"{n} of {len(everyone)}" in answer.body, answer.body


def test_a_word_in_the_agents_replies_counts_every_company_s_replies(
    analyst: Analyst, data: dict[tuple[str, bool], list[dict[str, str]]]
) -> None:
    replies = [r for (_, inbound), rows in data.items() if not inbound for r in rows]
    n = sum(1 for r in replies if "sorry" in r["text"].lower())
    answer = ask_offline(analyst, "How many agent replies mention 'sorry'?")
    assert f"{n} of {len(replies)}" in answer.body, answer.body


def test_customer_messages_per_month_across_all_companies(
    analyst: Analyst, data: dict[tuple[str, bool], list[dict[str, str]]]
) -> None:
    months = Counter(r["created_at"][:7] for r in _customers(data))
    answer = ask_offline(
        analyst, "Across all companies combined, how many customer messages came in each month?"
    )
    for month, n in months.items():
        assert f"| {month} | {n} |" in answer.body, (month, n, answer.body)


def test_each_company_s_share_of_customer_messages_at_the_weekend(
    analyst: Analyst, data: dict[tuple[str, bool], list[dict[str, str]]]
) -> None:
    answer = ask_offline(
        analyst, "Which company gets the biggest share of its customer messages at the weekend?"
    )
    for company in COMPANIES:
        rows = data[(company, True)]
        days = [datetime.strptime(r["created_at"], "%Y-%m-%d %H:%M:%S") for r in rows]
        weekend = sum(1 for d in days if d.weekday() >= 5)
        assert f"| {company} | {weekend} | {len(rows)} |" in answer.body, answer.body


def test_an_imperative_count_of_quoted_words_per_company(
    analyst: Analyst, data: dict[tuple[str, bool], list[dict[str, str]]]
) -> None:
    # "Count …" asks a count; the words listed after an aside in brackets are counted too.
    answer = ask_offline(
        analyst,
        'Whose customers thank us most? Count customer messages containing "thanks" (thank you '
        'and so on) or "refund", for each company.',
    )
    for company in COMPANIES:
        n = sum(
            1 for r in data[(company, True)]
            if "thanks" in r["text"].lower() or "refund" in r["text"].lower()
        )  # fmt: skip
        assert f"| {company} | {n} |" in answer.body, (company, n, answer.body)
