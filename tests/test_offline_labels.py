"""The offline analyst over exports whose rows carry one-hot category flags, one file per company
and direction (real labelled support tweets: customers' inbound tweets tagged with topics, the
agents' outbound replies tagged with actions).

The files are ingested as a user would load a folder, each its own table, and every figure is
compared with an independent count over the Excel files themselves (skipped when the dataset is
absent; it is never copied into the repository).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from agent_support import ask_offline, lead_of
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths

pytestmark = pytest.mark.slow
TWCS = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "twcs_support_topics_xlsx"
FILES = (
    "twcs-AmazonHelp-200-inbound.xlsx",
    "twcs-AmazonHelp-100-outbound.xlsx",
    "twcs-AppleSupport-200-inbound.xlsx",
    "twcs-AppleSupport-100-outbound.xlsx",
)
ROWS = {"inbound": 200, "outbound": 100}
META = {
    "Unnamed: 0", "main_tweet_id", "tweet_id", "in_response_to_tweet_id", "response_tweet_id",
    "created_at", "author_id", "inbound", "text", "company",
}  # fmt: skip


def _sheet(name: str) -> list[tuple[object, ...]]:
    """The rows of one Excel file, its header first, read with openpyxl."""
    import openpyxl

    sheet = openpyxl.load_workbook(TWCS / name, read_only=True).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


def _flags(name: str) -> dict[str, set[object]]:
    """Flag column -> the tweet ids carrying it."""
    rows = _sheet(name)
    header = [str(h) for h in rows[0]]
    ids = header.index("tweet_id")
    # The leftover pandas index has no header (None).
    out: dict[str, set[object]] = {h: set() for h in header if h not in META and h != "None"}
    for row in rows[1:]:
        for h, v in zip(header, row, strict=False):
            if h in out and v not in (None, "", 0):
                out[h].add(row[ids])
    return out


@pytest.fixture(scope="module")
def flags() -> dict[str, dict[str, set[object]]]:
    if not all((TWCS / f).is_file() for f in FILES):
        pytest.skip("twcs_support_topics_xlsx is not available in ../shared/datasets")
    return {f: _flags(f) for f in FILES}


@pytest.fixture(scope="module")
def analyst(
    flags: dict[str, dict[str, set[object]]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Analyst]:
    home = tmp_path_factory.mktemp("labels") / "ws"
    options = IngestOptions(text="text", id="tweet_id")
    ingest(WorkspacePaths(home), [TWCS / f for f in FILES], options)
    with Analyst.open(home, provider="offline", checkpointer=InMemorySaver()) as an:
        yield an


def _table(text: str) -> dict[str, tuple[int, str]]:
    rows = re.findall(r"^\| ([^|]+?) \| (\d+) \| ([\d.]+%) \|", text, flags=re.MULTILINE)
    return {name: (int(n), share) for name, n, share in rows}


def test_what_customers_contact_about_most_ranks_their_tweets_own_topics(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    answer = ask_offline(analyst, "What do Amazon customers contact support about most?")
    topics = flags["twcs-AmazonHelp-200-inbound.xlsx"]
    expected = sorted(topics, key=lambda t: -len(topics[t]))
    shown = _table(answer.text)
    # The customers' inbound topics, not the agents' reply actions nor themes of the text.
    assert set(shown) <= set(topics), shown
    assert next(iter(shown)) == expected[0]
    for name, (n, share) in shown.items():
        assert n == len(topics[name])
        assert share == f"{round(100 * n / 200, 1):g}%"
    assert expected[0] in lead_of(answer.text)
    untagged = 200 - len(set().union(*topics.values()))
    assert f"{untagged} of the 200 carry none" in answer.text


@pytest.mark.parametrize(
    ("question", "file"),
    [
        # The agents' replies, not the customers' tweets of the same company.
        ("What do Amazon's support agents do most often in their replies?",
         "twcs-AmazonHelp-100-outbound.xlsx"),
        # The company named picks its own file.
        ("Apple 用户主要反映哪些问题？", "twcs-AppleSupport-200-inbound.xlsx"),
    ],
)  # fmt: skip
def test_the_company_and_words_pick_the_file_whose_flags_are_ranked(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]], question: str, file: str
) -> None:
    answer = ask_offline(analyst, question)
    own = flags[file]
    shown = _table(answer.text)
    assert shown and set(shown) <= set(own), shown
    assert all(n == len(own[name]) for name, (n, _) in shown.items())
    assert next(iter(shown.values()))[0] == max(len(ids) for ids in own.values())


def test_records_carrying_named_labels_any_and_all_of_them(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    topics = flags["twcs-AppleSupport-200-inbound.xlsx"]
    both = topics["iPhone"] & topics["Update"]
    answer = ask_offline(
        analyst,
        "How many Apple customer tweets are about an iPhone and a software update at once?",
    )
    lead = lead_of(answer.text)
    assert f"iPhone {len(topics['iPhone'])} " in lead and f"Update {len(topics['Update'])} " in lead
    assert f"any of them: {len(topics['iPhone'] | topics['Update'])};" in answer.text
    assert f"all of them at once: {len(both)} " in answer.text


def test_a_share_of_records_about_one_label(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    delivery = flags["twcs-AmazonHelp-200-inbound.xlsx"]["Delivery"]
    answer = ask_offline(analyst, "What share of Amazon customer tweets are about delivery?")
    share = f"{round(100 * len(delivery) / 200, 1):g}%"
    assert f"Delivery {len(delivery)} ({share})" in lead_of(answer.text)


def test_one_measure_on_each_groups_own_table_is_ranked_side_by_side(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    # Each company's replies are a table of their own: "which company's agents …" takes the
    # same measure on every company's table, rather than one table that holds one company.
    answer = ask_offline(
        analyst, "Which company's agents refer customers to a specialist team most often?"
    )
    amazon = len(flags["twcs-AmazonHelp-100-outbound.xlsx"]["Refer to specialist team"])
    apple = len(flags["twcs-AppleSupport-100-outbound.xlsx"]["Refer to specialist team"])
    assert answer.reading is not None and "(2 tables)" in answer.reading.line
    assert not answer.reading.unsure
    rows = dict(re.findall(r"^\| (\w+) \| ([\d.]+)% \|", answer.text, flags=re.MULTILINE))
    assert rows == {"AmazonHelp": f"{amazon:g}", "AppleSupport": f"{apple:g}"}


def test_a_named_category_counted_for_the_groups_named(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    answer = ask_offline(analyst, "Who gets more refund requests from customers, Amazon or Apple?")
    amazon = len(flags["twcs-AmazonHelp-200-inbound.xlsx"]["Refund"])
    apple = len(flags["twcs-AppleSupport-200-inbound.xlsx"]["Refund"])
    rows = dict(re.findall(r"^\| (\w+) \| (\d+) \|", answer.text, flags=re.MULTILINE))
    assert rows == {"AmazonHelp": str(amazon), "AppleSupport": str(apple)}


def test_the_companies_ranked_by_one_category_as_a_count_and_as_a_share(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    amazon = len(flags["twcs-AmazonHelp-200-inbound.xlsx"]["Refund"])
    apple = len(flags["twcs-AppleSupport-200-inbound.xlsx"]["Refund"])
    # "Most often" is how often, not words to find in the text; the companies are ranked,
    # not the categories of the first company's customers.
    answer = ask_offline(analyst, "Which company's customers mention refunds most often?")
    rows = dict(re.findall(r"^\| (\w+) \| (\d+) \|", answer.text, flags=re.MULTILINE))
    assert rows == {"AmazonHelp": str(amazon), "AppleSupport": str(apple)}, answer.text
    answer = ask_offline(
        analyst,
        "Which company's customers complain about refunds most, as a share of their tweets?",
    )
    rows = dict(re.findall(r"^\| (\w+) \| ([\d.]+)% \|", answer.text, flags=re.MULTILINE))
    n = ROWS["inbound"]
    want = {
        c: f"{round(100 * k / n, 1):g}"
        for c, k in (("AmazonHelp", amazon), ("AppleSupport", apple))
    }
    assert rows == want, answer.text


def test_a_category_only_another_company_s_replies_carry_is_no_zero(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    assert "Apologize" in flags["twcs-AmazonHelp-100-outbound.xlsx"]
    assert "Apologize" not in flags["twcs-AppleSupport-100-outbound.xlsx"]
    for question in (
        "How many Apple replies apologise to the customer?",
        "Apple 的客服回复里有多少条道歉了？",
    ):
        answer = ask_offline(analyst, question)
        assert answer.status == "insufficient_data", answer.text
        assert "AmazonHelp" in answer.body, answer.body


def _carrying(topics: dict[str, set[object]], rows: int) -> tuple[int, int]:
    """Records with no flag, and with two or more, from the flag sets."""
    counts: dict[object, int] = {}
    for ids in topics.values():
        for i in ids:
            counts[i] = counts.get(i, 0) + 1
    return rows - len(counts), sum(1 for n in counts.values() if n >= 2)


@pytest.mark.parametrize(
    ("question", "which"),
    [
        ("For each company, how many customer tweets don't fit any of our topics?", 0),
        ("每家公司各有多少条客户推文同时涉及两个或更多话题？", 1),
    ],
)
def test_records_carrying_no_category_or_several_per_group(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]], question: str, which: int
) -> None:
    answer = ask_offline(analyst, question)
    rows = re.findall(r"^\| (\w+) \| 200 \| (\d+) \|", answer.text, flags=re.MULTILINE)
    expected = {
        company: str(_carrying(flags[f"twcs-{company}-200-inbound.xlsx"], 200)[which])
        for company in ("AmazonHelp", "AppleSupport")
    }
    assert dict(rows) == expected


def test_quotes_given_for_a_question_that_asks_how_many_say_they_are_no_answer(
    analyst: Analyst,
) -> None:
    question = "Across everything we loaded, how many customer tweets and agent replies are there?"
    answer = analyst.ask(question)
    # No measure counts tweets across the per-company tables: the closest records are quoted.
    assert answer.reading is not None and "customer quotes" in answer.reading.line
    assert answer.reading.unsure
    assert "asks for a number" in answer.text


def test_the_least_carried_label_leads_when_the_least_is_asked(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    topics = flags["twcs-AppleSupport-200-inbound.xlsx"]
    answer = ask_offline(analyst, "Which topic do Apple customers mention least?")
    fewest = min(len(ids) for ids in topics.values() if ids)
    lead = lead_of(answer.text)
    assert "the fewest carry" in lead and f": {fewest} (" in lead


def test_a_choice_between_two_files_no_word_made_is_said(analyst: Analyst) -> None:
    # Amazon has a file of customers' tweets and one of agents' replies, both flagged; the
    # question says neither, so the answer says which it used and offers the other.
    answer = analyst.ask("Which topics come up most for Amazon?")
    assert answer.reading is not None and answer.reading.unsure
    assert "does not say whose records" in answer.reading.doubt
    assert answer.reading.alternatives


def test_replies_carrying_more_than_one_action_are_counted_per_company(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    # The replies' flags are what agents did: those carrying two or more, per company.
    answer = ask_offline(analyst, "By company, how many agent replies carry more than one action?")
    for company, name in (
        ("AmazonHelp", "twcs-AmazonHelp-100-outbound.xlsx"),
        ("AppleSupport", "twcs-AppleSupport-100-outbound.xlsx"),
    ):
        carried: dict[object, int] = {}
        for ids in flags[name].values():
            for i in ids:
                carried[i] = carried.get(i, 0) + 1
        several = sum(1 for n in carried.values() if n >= 2)
        assert f"{company} {several} of {ROWS['outbound']}" in answer.text, answer.text


def test_categories_named_in_other_words_are_counted(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    # "Continue in a direct message" is the Request DM action; "complained about the support"
    # and "praised it" are the Bad Support and Service Praise topics: the records carrying
    # them are counted, not text searched or quoted.
    replies = flags["twcs-AppleSupport-100-outbound.xlsx"]
    answer = ask_offline(
        analyst, "How often do Apple's agents ask the customer to continue in a direct message?"
    )
    dm = len(replies["Request DM"])
    assert f"Request DM {dm} ({dm}%)" in lead_of(answer.text)
    topics = flags["twcs-AmazonHelp-200-inbound.xlsx"]
    answer = ask_offline(
        analyst,
        "How many Amazon customers complained about the support itself, and how many praised it?",
    )
    lead = lead_of(answer.text)
    assert f"Bad Support {len(topics['Bad Support'])} (" in lead
    assert f"Service Praise {len(topics['Service Praise'])} (" in lead


def test_a_question_naming_no_category_is_not_read_as_one(analyst: Analyst) -> None:
    # "Agent" resembles the Account topic by embedding alone; nothing else ties them.
    answer = analyst.ask(
        "Across everything we loaded, how many customer tweets and agent replies are there?"
    )
    assert answer.reading is not None and "Account" not in answer.text


def test_a_category_said_not_to_be_about_counts_the_rest(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    topics = flags["twcs-AppleSupport-200-inbound.xlsx"]
    rest = ROWS["inbound"] - len(topics["iPhone"])
    for question in (
        "苹果的客户推文里，跟 iPhone 无关的有几条？",
        "How many Apple customer tweets are not about the iPhone?",
    ):
        answer = ask_offline(analyst, question)
        assert re.search(rf"(?<![\d.]){rest}(?![\d.%])", lead_of(answer.text)), question


def test_a_second_category_asked_of_the_first_ones_records(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    topics = flags["twcs-AppleSupport-200-inbound.xlsx"]
    both = len(topics["iPhone"] & topics["Battery"])
    answer = ask_offline(
        analyst,
        "Of the Apple customers tweeting about their iPhone, what percentage also bring up "
        "the battery?",
    )
    share = round(100 * both / len(topics["iPhone"]), 1)
    assert (
        f"Of the {len(topics['iPhone'])} labelled iPhone, {both} also carry Battery: {share:g}%"
        in answer.text
    )


def test_a_word_counted_as_written_is_not_the_category_named_alike(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    # "Package" is also the start of the Packaging topic; the word itself is counted, over
    # the customers' tweets (not the agents' replies, though both files carry the company).
    import openpyxl

    sheet = openpyxl.load_workbook(TWCS / "twcs-AmazonHelp-200-inbound.xlsx", read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    text = rows[0].index("text")
    said = sum("package" in str(r[text]).lower() for r in rows[1:])
    answer = ask_offline(
        analyst, 'How many Amazon customers use the word "package" in their tweets?'
    )
    assert f"{said} of {ROWS['inbound']} records" in lead_of(answer.text)


def test_the_busiest_day_is_the_peak_of_every_day(analyst: Analyst) -> None:
    # More days than a result shows: the busiest is asked for on its own, not read off the
    # first rows.
    import openpyxl

    sheet = openpyxl.load_workbook(
        TWCS / "twcs-AppleSupport-200-inbound.xlsx", read_only=True
    ).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    at = rows[0].index("created_at")
    days: dict[str, int] = {}
    for r in rows[1:]:
        day = str(r[at])[:10]
        days[day] = days.get(day, 0) + 1
    assert len(days) > 30
    top = max(days.values())
    answer = ask_offline(analyst, "What was the single busiest day for Apple customer tweets?")
    busiest = [d for d, n in days.items() if n == top]
    assert any(f"highest on {d}, at {top} [" in answer.text for d in busiest), answer.text


def test_a_category_set_aside_leaves_the_next_one_leading(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    topics = flags["twcs-AppleSupport-200-inbound.xlsx"]
    first, second = sorted(topics, key=lambda t: -len(topics[t]))[:2]
    answer = ask_offline(analyst, f"After {first}, what do Apple customers tweet about most?")
    lead = lead_of(answer.text)
    assert f"the most carry {second}: {len(topics[second])}" in lead, lead
    assert f"not {first}" in answer.text.splitlines()[0]  # said in the reading line


def test_replies_without_an_action_named_in_chinese_are_counted(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    apologized = flags["twcs-AmazonHelp-100-outbound.xlsx"]["Apologize"]
    answer = ask_offline(analyst, "亚马逊客服的回复里，没有道歉的有多少条？")
    assert f"为 {ROWS['outbound'] - len(apologized)} [Q" in answer.text, answer.text


@pytest.mark.parametrize("said", ["没有主动表示会调查问题的", "没有提出要调查问题的"])
def test_an_action_not_offered_with_a_verb_of_saying_between_is_set_aside(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]], said: str
) -> None:
    # "没有主动提出可以…": the adverb and the verb of offering between the "没有" and the action.
    investigated = flags["twcs-AmazonHelp-100-outbound.xlsx"]["Investigate Issue"]
    answer = ask_offline(analyst, f"亚马逊客服的回复里，{said}有多少条？")
    assert f"为 {ROWS['outbound'] - len(investigated)} [Q" in answer.text, answer.text


def test_a_category_said_in_its_short_form_is_counted(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    # "acct" is how people write Account; the category is counted, not a word searched for.
    topics = flags["twcs-AmazonHelp-200-inbound.xlsx"]
    answer = ask_offline(analyst, "How many Amazon customer tweets are about their acct or Prime?")
    either = topics["Account"] | topics["Prime"]
    assert f"Carrying any of them: {len(either)}" in answer.text, answer.text


def test_a_company_s_topics_carried_by_fewer_tweets_than_said_are_counted_and_named(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    # "Apple's topics": whose topics (AppleSupport's file), not the topic "Apple Pay"; the
    # topics are those of Apple's customer tweets, not of the first file holding topics.
    topics = flags["twcs-AppleSupport-200-inbound.xlsx"]
    rare = sorted(t for t, ids in topics.items() if len(ids) < 5)
    answer = ask_offline(
        analyst,
        "How many of Apple's topic tags are used on fewer than 5 customer tweets each, "
        "and which ones are they?",
    )
    assert f"{len(rare)} different values of label have fewer than 5" in answer.text, answer.text
    for topic in rare:
        assert f"{topic} ({len(topics[topic])})" in answer.text, answer.text


def test_two_actions_said_not_done_in_chinese_are_both_set_aside(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    # "既没…、也没给链接": the second "没" negates the link as the first does the apology.
    actions = flags["twcs-AmazonHelp-100-outbound.xlsx"]
    either = actions["Apologize"] | actions["Provide URL"]
    answer = ask_offline(analyst, "亚马逊客服的回复里，既没道歉、也没给链接的有多少条？")
    assert f"为 {ROWS['outbound'] - len(either)} [Q" in answer.text, answer.text


def test_what_agents_tell_customers_not_to_do_is_the_category_not_a_kind_of_customer(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    # "warn customers not to post": what is said to the customers, not "warn" customers.
    warned = flags["twcs-AmazonHelp-100-outbound.xlsx"]["Request to not send personal details"]
    answer = ask_offline(
        analyst,
        "How often do Amazon's agents warn customers not to post their personal details? "
        "Give me the share of their replies.",
    )
    share = f"{round(100 * len(warned) / ROWS['outbound'], 1):g}%"
    assert f"Request to not send personal details {len(warned)} ({share})" in answer.text


def test_a_count_over_one_export_per_company_adds_up_every_company(analyst: Analyst) -> None:
    # One file of customers' tweets per company: "in total" is every company's, each shown,
    # not the first file's alone.
    answer = ask_offline(analyst, "How many customer tweets are there in total?")
    total = ROWS["inbound"] * 2
    assert f"Added up over the tables of every group: {total} records [" in answer.text
    assert "| AmazonHelp | 200 |" in answer.text and "| AppleSupport | 200 |" in answer.text


def test_the_most_and_the_least_carried_actions_both_lead(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    actions = flags["twcs-AmazonHelp-100-outbound.xlsx"]
    counts = {name: len(ids) for name, ids in actions.items() if ids}
    answer = ask_offline(
        analyst, "What do Amazon's agents do most and least often in their replies?"
    )
    lead = lead_of(answer.text)
    top, least = max(counts.values()), min(counts.values())
    assert "the most carry" in lead and f": {top} (" in lead
    assert "The fewest carry" in lead and f": {least} (" in lead


def test_one_category_without_another_is_counted_on_their_columns(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    topics = flags["twcs-AmazonHelp-200-inbound.xlsx"]
    only = len(topics["Refund"] - topics["Return"])
    answer = ask_offline(
        analyst,
        "Amazon customers asking about a refund - how many of those tweets do not also "
        "involve a return?",
    )
    refund = len(topics["Refund"])
    assert f"{only} of {refund} records" in lead_of(answer.text), answer.text


def test_combined_over_the_companies_adds_their_tables_up(analyst: Analyst) -> None:
    answer = ask_offline(
        analyst, "How many customer tweets came in across all the companies combined?"
    )
    assert f"Added up over the tables of every group: {ROWS['inbound'] * 2} records" in answer.text


def test_as_a_share_names_no_measure_of_its_own(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    # "As a share of their replies" says how to measure, not what (it is no "Account rate"):
    # the action named is the measure, its rate on each company's replies.
    answer = ask_offline(
        analyst,
        "Which company's agents refer customers to a specialist team the least, as a share of "
        "their replies?",
    )
    n, label = ROWS["outbound"], "Refer to specialist team"
    referred = {
        c: len(flags[f"twcs-{c}-100-outbound.xlsx"][label]) for c in ("AmazonHelp", "AppleSupport")
    }
    want = {c: f"{round(100 * k / n, 1):g}" for c, k in referred.items()}
    rows = dict(re.findall(r"^\| (\w+) \| ([\d.]+)% \|", answer.text, flags=re.MULTILINE))
    assert rows == want, answer.text


def test_a_category_named_in_other_words_is_counted_month_by_month(analyst: Analyst) -> None:
    # "Device freezes or stops responding", three months said one by one: the Unresponsive/
    # Freezing Device category's records in each month, not one total by category.
    import openpyxl

    sheet = openpyxl.load_workbook(TWCS / FILES[2], read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    at, flag = header.index("created_at"), header.index("Unresponsive/Freezing Device")
    months = [str(r[at])[:7] for r in rows[1:] if r[flag] not in (None, "", 0)]
    answer = ask_offline(
        analyst,
        "Apple customers whose device freezes or stops responding - how many such tweets in "
        "October 2017, in November 2017 and in December 2017?",
    )
    for month in ("2017-10", "2017-11"):
        assert f"| {month} | {months.count(month)} |" in answer.body, (month, answer.body)


def _months(name: str) -> dict[str, int]:
    """Tweets per month (created_at's first seven characters) in one Excel file."""
    rows = _sheet(name)
    at = [str(h) for h in rows[0]].index("created_at")
    out: dict[str, int] = {}
    for row in rows[1:]:
        out[str(row[at])[:7]] = out.get(str(row[at])[:7], 0) + 1
    return out


def test_each_company_s_own_table_against_the_month_before(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    # One table per company: each company's November against its October, side by side.
    answer = ask_offline(
        analyst,
        "Which company's customer tweets grew the most in November 2017 compared with "
        "October 2017?",
    )
    for company, name in (
        ("AmazonHelp", "twcs-AmazonHelp-200-inbound.xlsx"),
        ("AppleSupport", "twcs-AppleSupport-200-inbound.xlsx"),
    ):
        months = _months(name)
        now, before = months.get("2017-11", 0), months.get("2017-10", 0)
        assert f"| {company} | {now} | {before} | {now - before:+d} |" in answer.text, answer.text


@pytest.mark.parametrize(
    "question",
    [
        "How many Apple customer tweets are about the iPhone and no other topic?",
        "苹果用户关于 iPhone 的推文里，只涉及 iPhone、没有再打上其他任何话题的有几条？",
    ],
)
def test_records_carrying_one_category_and_no_other(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]], question: str
) -> None:
    # Of the records carrying the category named, those carrying nothing else: not the records
    # carrying no category at all.
    topics = flags["twcs-AppleSupport-200-inbound.xlsx"]
    iphone = topics["iPhone"]
    others = set().union(*(ids for name, ids in topics.items() if name != "iPhone"))
    alone = len(iphone - others)
    answer = ask_offline(analyst, question)
    en = answer.language == "en"
    said = f"{alone} of {len(iphone)}" if en else f"{len(iphone)} 条中 {alone} 条"
    assert said in answer.body, answer.body


@pytest.mark.parametrize(
    ("question", "company", "word", "label"),
    [
        (
            'How many Amazon customer tweets use the word "delivered"? Of those, how many are '
            "not about delivery?", "AmazonHelp", "delivered", "Delivery",
        ),
        (
            "亚马逊的客户推文里，写到 delivered 的有几条？"
            "其中没有被标成配送（delivery）话题的有几条？",
            "AmazonHelp", "delivered", "Delivery",
        ),
        (
            'How many Apple customers use the word "iphone" in their tweet, and how many of '
            "those tweets are not tagged with the iPhone topic?", "AppleSupport", "iphone",
            "iPhone",
        ),
    ],
)  # fmt: skip
def test_a_category_said_not_carried_among_the_records_with_a_word(
    analyst: Analyst,
    flags: dict[str, dict[str, set[object]]],
    question: str,
    company: str,
    word: str,
    label: str,
) -> None:
    # The word is counted as written (also when a category has its name); "not about
    # delivery" / "没有被标成配送" is the part of those records without the category, not
    # every record without it.
    name = f"twcs-{company}-200-inbound.xlsx"
    rows = _sheet(name)
    text, ids = rows[0].index("text"), rows[0].index("tweet_id")
    said = {r[ids] for r in rows[1:] if word in str(r[text]).lower()}
    untagged = len(said - flags[name][label])
    answer = ask_offline(analyst, question)
    part = f"; {untagged} of them" if answer.language == "en" else f"否 {untagged} 条"
    assert f"{len(said)} " in answer.body and part in answer.body, answer.body


def test_a_list_of_categories_left_aside_leaves_the_records_with_none_of_them(
    analyst: Analyst, flags: dict[str, dict[str, set[object]]]
) -> None:
    # "Leaving aside the big three topics - iPhone, software updates and battery": a list set
    # aside by words before what it holds; the rest are the part, of all Apple's tweets ("how
    # many" between two names lists nothing: "Apple" stays the company).
    topics = flags["twcs-AppleSupport-200-inbound.xlsx"]
    rest = ROWS["inbound"] - len(topics["iPhone"] | topics["Update"] | topics["Battery"])
    answer = ask_offline(
        analyst,
        "Leaving aside the big three topics - iPhone, software updates and battery - how many "
        "Apple customer tweets are about something else entirely? What share of Apple's "
        "customer tweets is that?",
    )
    share = f"{100 * rest / ROWS['inbound']:.1f}".rstrip("0").rstrip(".")
    assert f"{rest} of {ROWS['inbound']} records" in answer.body, answer.body
    assert f"{share}%" in answer.body, answer.body
    assert "apple pay" not in answer.body.lower(), answer.body
