"""The offline analyst on an incident export it has never seen, in the words managers use.

A small incident log (made here, seeded) is ingested into a fresh workspace: no demo catalog, no
feedback text, dates years before today. Each answer is checked against a count over the rows
themselves: a grouping named in other words ("support group" for assignment group), records
whose value is missing, a comparison with a year the data does not hold, a grouping that fits
nothing (said, not replaced silently), and quotes asked of a workspace without any text.
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
from servicelens.agent.offline.narrative import fmt as shown
from servicelens.data.catalog import load_catalog
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths

GROUPS = ["Group 7", "Group 12", "Group 31", ""]
CONTACT = ["Phone", "Email", "Self service"]


def _rows() -> list[dict[str, str]]:
    rng = random.Random(11)
    later = random.Random(12)  # columns added later draw apart, so the others stay as they were
    start = datetime(2016, 3, 1, 8)
    rows = []
    for i in range(400):
        opened = start + timedelta(hours=rng.randint(0, 24 * 300))
        resolved = opened + timedelta(hours=rng.randint(1, 90))
        rows.append(
            {
                "number": f"INC{i:05d}",
                "opened_at": opened.strftime("%Y-%m-%d %H:%M"),
                "resolved_at": resolved.strftime("%Y-%m-%d %H:%M"),
                "assignment_group": rng.choices(GROUPS, weights=[5, 3, 2, 1])[0],
                # Many agents with alike names: looked up in the data, never read into "resolve".
                "assigned_to": f"Resolver {rng.randint(1, 40)}",
                "contact_type": rng.choices(CONTACT, weights=[6, 3, 1])[0],
                "priority": rng.choice(["1 - Critical", "2 - High", "3 - Moderate"]),
                "made_sla": rng.choice(["true", "true", "false"]),
                "closed_at": (resolved + timedelta(hours=later.randint(1, 200))).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "reopen_count": str(later.choices([0, 1, 2], weights=[8, 1, 1])[0]),
                "u_symptom": later.choice(["Symptom 4", "Symptom 9", "Symptom 17"]),
                "knowledge": later.choice(["true", "false", "false"]),
            }
        )
    return rows


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _rows()


@pytest.fixture(scope="module")
def home(rows: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("incidents")
    path = folder / "incident_log.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ws = folder / "ws"
    ingest(WorkspacePaths(ws), [path], IngestOptions(id="number"))
    return ws


@pytest.fixture(scope="module")
def analyst(home: Path) -> Iterator[Analyst]:
    with Analyst.open(home, provider="offline", checkpointer=InMemorySaver()) as an:
        yield an


ask = ask_offline


def test_a_grouping_named_in_other_words_is_read_as_the_dimension(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "Which support group handles the most tickets, and how many?")
    top, n = Counter(r["assignment_group"] for r in rows if r["assignment_group"]).most_common(1)[0]
    assert answer.reading is not None and answer.reading.group_by == ["assignment group"]
    assert f"{top} has the most" in answer.body and f"{n}" in answer.body


def test_records_whose_value_is_missing_are_counted(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "How many tickets never got an assignment group?")
    blank = sum(not r["assignment_group"] for r in rows)
    assert answer.status == "answered"
    assert f"{blank} of {len(rows)} records" in answer.body
    assert "without any assignment group" in answer.body


def test_a_grouping_that_fits_nothing_is_said_and_the_nearest_are_offered(
    analyst: Analyst,
) -> None:
    answer = ask(analyst, "Through which medium do most tickets reach us?")
    assert answer.reading is not None and answer.reading.unsure
    assert "No grouping in this data matches “medium”" in answer.text
    assert answer.follow_ups and all(q.startswith("And by ") for q in answer.follow_ups)


def test_a_comparison_with_a_year_the_data_does_not_hold_is_partial(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    question = "How many tickets did we log in 2015, and how does that compare with 2016?"
    answer = ask(analyst, question)
    assert answer.status == "partial"
    assert "no records for 2015" in answer.body
    assert f"{len(rows)}" in answer.body and "from 0" not in answer.body


def test_quotes_asked_of_a_workspace_without_feedback_text_say_so(analyst: Analyst) -> None:
    answer = ask(analyst, "Show me what users actually wrote about critical incidents.")
    assert answer.status == "insufficient_data"
    assert "customer feedback text" in answer.body


def test_a_yes_no_column_answers_to_the_rate_as_managers_say_it(home: Path) -> None:
    catalog = load_catalog(WorkspacePaths(home).catalog)
    rate = catalog.metrics["made_sla_rate"].spec
    assert "sla attainment rate" in rate.aliases and "SLA达成率" in rate.aliases
    assert rate.direction == "higher_is_better"


def test_the_worst_group_on_a_flag_rate_is_the_lowest(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "Which assignment group is worst at meeting SLA?")
    by: dict[str, list[bool]] = {}
    for r in rows:
        if r["assignment_group"]:
            by.setdefault(r["assignment_group"], []).append(r["made_sla"] == "true")
    worst = min(by, key=lambda g: sum(by[g]) / len(by[g]))
    assert answer.reading is not None and answer.reading.group_by == ["assignment group"]
    assert worst in lead_of(answer.body)


def test_a_value_is_named_by_its_name_without_its_code(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "How many critical incidents did we have overall?")
    n = sum(r["priority"] == "1 - Critical" for r in rows)
    assert answer.reading is not None and answer.reading.filters == ["1 - Critical"]
    assert f" was {n} in " in answer.body


def test_a_share_of_records_with_a_value_when_the_records_are_named(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "What share of incidents came in by phone?")
    n = sum(r["contact_type"] == "Phone" for r in rows)
    assert f"{n} of {len(rows)} records" in answer.body
    # The reading line says the dates the query covered (every date of this 2016 export).
    assert answer.reading is not None and "· 2016-03-01.." in answer.reading.line


def test_two_values_each_said_in_the_same_words_one_in_chinese_are_side_by_side(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # Self service as written, Phone said in Chinese (电话), each followed by "提交的工单".
    answer = ask(analyst, "通过自助服务（Self service）提交的工单和通过电话提交的工单各有多少张？")
    counts = Counter(r["contact_type"] for r in rows)
    assert answer.reading is not None and "Self service/Phone" in answer.reading.line
    for value in ("Self service", "Phone"):
        assert f"{counts[value]:,}" in answer.body, answer.body


def test_the_record_with_the_highest_count_of_any_is_named_with_those_tied(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "What's the highest reopen count of any ticket? List them all if tied.")
    top = max(int(r["reopen_count"]) for r in rows)
    tied = sorted(r["number"] for r in rows if int(r["reopen_count"]) == top)
    assert f"The highest is {top}, of the {len(rows)} records" in answer.body, answer.body
    # The first ten tied, by id; not an average by some group.
    assert ", ".join(tied[:10]) in answer.body, answer.body
    assert "At least 10 records share that value" in answer.body


def test_groups_whose_every_record_has_the_yes_no_column_set(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "made SLA on every single one": the flag's rate is 100% in each group kept.
    tickets = Counter(r["assigned_to"] for r in rows)
    missed = {r["assigned_to"] for r in rows if r["made_sla"] != "true"}
    kept = sorted(p for p, n in tickets.items() if n >= 5 and p not in missed)
    answer = ask(
        analyst, "How many resolvers with at least 5 tickets made SLA on every single one of them?"
    )
    sized = sum(1 for n in tickets.values() if n >= 5)
    assert f"{len(kept)} of {sized} have" in answer.body, answer.body
    for person in kept:
        assert f"{person} (100%)" in answer.body


def test_a_value_named_then_set_aside_where_it_is_said_again(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "Symptom 9 …? … anything other than 9": the records without it, not with it.
    others = [r for r in rows if r["u_symptom"] != "Symptom 9"]
    answer = ask(
        analyst,
        "Symptom 9 keeps coming up - how many tickets have a symptom other than 9?",
    )
    assert answer.reading is not None and "not Symptom 9" in answer.reading.line, answer.text
    assert f"{len(others)}" in answer.body, answer.body


def test_one_average_asked_is_one_value_with_no_filter_read_into_its_words(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "How long does it take on average to resolve a ticket?")
    fmt = "%Y-%m-%d %H:%M"
    hours = [
        (datetime.strptime(r["resolved_at"], fmt) - datetime.strptime(r["opened_at"], fmt))
        / timedelta(hours=1)
        for r in rows
    ]
    assert answer.reading is not None and answer.reading.filters == []
    assert answer.reading.shape != "trend"
    assert f"{round(sum(hours) / len(hours), 1)} hours" in answer.body


def test_which_group_the_data_lacks_is_a_ranking_that_says_so_not_one_total(
    analyst: Analyst,
) -> None:
    answer = ask(analyst, "Which shift handles the most tickets?")
    assert answer.reading is not None and answer.reading.group_by and answer.reading.unsure
    # Either "No grouping in this data matches “shift”" or the reading it was given, said.
    assert "“shift”" in answer.text


def _hours(a: str, b: str) -> float:
    fmt = "%Y-%m-%d %H:%M"
    return (datetime.strptime(b, fmt) - datetime.strptime(a, fmt)) / timedelta(hours=1)


def test_the_time_between_two_events_named_in_order(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "Once an incident is resolved, how many days until it is closed?")
    hours = [_hours(r["resolved_at"], r["closed_at"]) for r in rows]
    mean = sum(hours) / len(hours)
    r = answer.reading
    assert r is not None and r.measures == ["Average time from resolved at to closed at (hours)"]
    assert r.filters == [] and r.shape != "trend"
    assert f"{round(mean, 1)} hours ({round(mean / 24, 2)} days)" in answer.body


def test_an_event_count_column_gives_how_many_happened_at_least_once_and_the_share(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    answer = ask(analyst, "How many incidents were reopened at least once, and what share is that?")
    n = sum(int(r["reopen_count"]) > 0 for r in rows)
    assert answer.reading is not None and len(answer.reading.measures) == 2
    assert f" was {n} in " in answer.body
    assert _has_percent(answer.body, 100 * n / len(rows))


def test_a_system_prefix_is_not_part_of_a_column_name_as_people_say_it(
    analyst: Analyst, home: Path, rows: list[dict[str, str]]
) -> None:
    catalog = load_catalog(WorkspacePaths(home).catalog)
    assert catalog.dimensions["u_symptom"].spec.en == "Symptom"
    answer = ask(analyst, "Which symptom do users report most often?")
    top, n = Counter(r["u_symptom"] for r in rows).most_common(1)[0]
    assert answer.reading is not None and answer.reading.group_by == ["symptom"]
    assert top in lead_of(answer.body) and f"{n}" in answer.body


def test_the_count_is_named_for_the_records_not_the_file(home: Path) -> None:
    catalog = load_catalog(WorkspacePaths(home).catalog)
    assert catalog.metrics["incident_log_count"].spec.en == "Incident count"


def test_a_measure_split_by_a_yes_no_column_the_question_contrasts(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    question = (
        "When agents used a knowledge article, did tickets meet SLA more often than when they"
        " didn't?"
    )
    answer = ask(analyst, question)
    rate = {
        flag: 100 * sum(r["made_sla"] == "true" for r in group) / len(group)
        for flag in ("true", "false")
        if (group := [r for r in rows if r["knowledge"] == flag])
    }
    assert answer.reading is not None and answer.reading.group_by == ["knowledge"]
    assert "knowledge: yes" in answer.body and "knowledge: no" in answer.body
    for value in rate.values():
        assert _has_percent(answer.body, value)
    # "… for incidents that did not use knowledge, and for the ones that did": both sides
    # named, the measure not negated by the other side's "not".
    answer = ask(
        analyst,
        "What's the SLA rate for incidents that did not use knowledge, and for the ones that did?",
    )
    assert answer.reading is not None and answer.reading.group_by == ["knowledge"]
    assert "Made sla rate" in (answer.reading.line or ""), answer.reading
    for value in rate.values():
        assert _has_percent(answer.body, value)
    # "… when the assignment group skips knowledge": the group as the clause's subject is no
    # split of the two sides.
    answer = ask(
        analyst,
        "Do incidents miss SLA more when the assignment group skips knowledge? Give me the SLA "
        "rate for incidents that did not use knowledge and for the ones that did.",
    )
    assert answer.reading is not None and answer.reading.group_by == ["knowledge"]
    for value in rate.values():
        assert _has_percent(answer.body, value)


def _has_percent(text: str, value: float) -> bool:
    """Whether ``text`` shows ``value`` as a percentage, to its one decimal."""
    shown = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)%", text)]
    return any(abs(x - value) <= 0.051 for x in shown)


def test_a_common_word_names_a_value_of_the_dimension_said_beside_it(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "high" alone is too common to be a filter; "high priority" is priority "2 - High", and
    # the answer may name that value (its digit is no figure) without being revised.
    answer = ask(analyst, "What's the average time to resolve high priority incidents?")
    high = [_hours(r["opened_at"], r["resolved_at"]) for r in rows if r["priority"] == "2 - High"]
    assert answer.reading is not None and answer.reading.filters == ["2 - High"]
    assert f"{shown(round(sum(high) / len(high), 1))} hours" in lead_of(answer.body)


def test_the_most_reopened_records_by_group_count_the_reopened_ones(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "Reopened incidents" are the incidents reopened at least once, not all incidents.
    answer = ask(analyst, "Which assignment group has the most reopened incidents?")
    by: dict[str, int] = {}
    for r in rows:
        if r["assignment_group"] and int(r["reopen_count"]) > 0:
            by[r["assignment_group"]] = by.get(r["assignment_group"], 0) + 1
    top = max(by, key=lambda g: by[g])
    lead = lead_of(answer.body)
    assert top in lead and f": {by[top]}" in lead, lead


def _sla_rate(rows: list[dict[str, str]]) -> float:
    return 100 * sum(r["made_sla"] == "true" for r in rows) / len(rows)


def test_a_measure_for_records_an_event_happened_to_a_number_of_times(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "Reopened more than once", "重开2次以上": the records past that number, against the rest
    # — not every record reopened at least once.
    twice = [r for r in rows if int(r["reopen_count"]) >= 2]
    once = [r for r in rows if int(r["reopen_count"]) >= 1]
    assert 0 < len(twice) < len(once)
    for question in (
        "For incidents reopened more than once, what's the SLA rate?",
        "重开2次以上的工单，SLA达成率是多少？",
    ):
        answer = ask(analyst, question)
        lead = lead_of(answer.body)
        assert _has_percent(lead, _sla_rate(twice)), (question, lead)
        assert f"{len(twice)} " in lead, (question, lead)
        assert not _has_percent(lead, _sla_rate(once)), (question, lead)


def test_the_average_of_an_event_count_over_the_records_it_happened_to(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "For the incidents that got reopened, how many times on average, and the most": the
    # column's own average over the reopened ones, with its highest value.
    counts = [int(r["reopen_count"]) for r in rows if int(r["reopen_count"]) > 0]
    answer = ask(
        analyst,
        "For the incidents that got reopened, how many times were they reopened on average,"
        " and what's the most times any one incident was reopened?",
    )
    lead = lead_of(answer.body)
    assert f"is {shown(round(sum(counts) / len(counts), 2))} ({len(counts)} records)" in lead, lead
    assert f"The most any one of them had is {max(counts)}" in lead, lead


def test_the_single_longest_record_with_its_id_and_the_column_asked(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "The single longest-running incident … its number and its assignment group": that
    # record, not the group with the longest average, nor a split by who closed it.
    spans = [(_hours(r["opened_at"], r["closed_at"]), r) for r in rows]
    longest, row = max(spans, key=lambda t: t[0])
    assert sum(h == longest for h, _ in spans) == 1
    answer = ask(
        analyst,
        "What's the single longest-running incident - the most hours from being opened to being "
        "closed? Give me the incident number and its assignment group.",
    )
    lead = lead_of(answer.body)
    said = f"That record is {row['number']} (assignment group: {row['assignment_group']})"
    assert said in lead and f"{shown(longest)} hours" in lead, lead


def test_the_longest_record_asked_as_that_one(analyst: Analyst, rows: list[dict[str, str]]) -> None:
    # "…the longest from opened to closed? Which assignment group was that incident?": the one
    # record, asked after the figure.
    spans = [(_hours(r["opened_at"], r["closed_at"]), r) for r in rows]
    _, row = max(spans, key=lambda t: t[0])
    answer = ask(
        analyst,
        "What's the longest an incident took from being opened to being closed, in hours? "
        "Which assignment group was that incident in?",
    )
    said = f"That record is {row['number']} (assignment group: {row['assignment_group']})"
    assert said in lead_of(answer.body), answer.body


def test_a_coded_value_named_by_a_common_word_beside_another_of_its_column(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "Moderate" is a common word, but written so beside "Critical" it is 3 - Moderate; and
    # "avarage" is the average, mistyped.
    answer = ask(
        analyst,
        "How many times does a Critical ticket get reopened on avarage, compared with a "
        "Moderate one?",
    )
    for value in ("1 - Critical", "3 - Moderate"):
        counts = [int(r["reopen_count"]) for r in rows if r["priority"] == value]
        mean = f"{sum(counts) / len(counts):.2f}".rstrip("0").rstrip(".")
        assert f"| {value} | {mean} |" in answer.text, (value, mean, answer.text)
    assert "2 - High" not in answer.text, answer.text


def test_a_span_restated_by_its_months_gives_its_records_and_their_share(
    home: Path, rows: list[dict[str, str]]
) -> None:
    # The months after the dash say again which the last three months are: one span, not a
    # trend; "how many new tickets … what share of them made SLA" counts the tickets (not
    # those that made SLA) and takes the share of them.
    with Analyst.open(
        home, provider="offline", checkpointer=InMemorySaver(), as_of="2017-01-01"
    ) as an:
        answer = ask(
            an,
            "Over the last three months - October, November and December - how many new "
            "tickets did we open, and what share of them made SLA?",
        )
    span = [r for r in rows if "2016-10" <= r["opened_at"][:7] <= "2016-12"]
    assert answer.reading is not None and answer.reading.shape != "trend", answer.text
    assert f"was {len(span)} in" in answer.body, answer.body
    assert _has_percent(answer.body, _sla_rate(span)), answer.body


def test_sites_are_the_location_column(tmp_path: Path) -> None:
    # "Which site": the location the records come from, not another grouping by likeness.
    from ingest_support import offline_analyst

    sites = ["Location 4", "Location 9", "Location 12"]
    states = ["New", "Active", "Resolved", "Closed"]
    records = [
        {"number": f"INC{i:04d}", "opened_at": f"2016-0{1 + i % 6}-1{i % 9} 10:00",
         "resolved_at": f"2016-0{1 + i % 6}-1{i % 9} 1{1 + i % 8}:00",
         "location": sites[(i * 7 + i // 5) % 3 if i % 4 else 0], "incident_state": states[i % 4],
         "category": f"Category {i % 5}", "subcategory": f"Subcategory {i % 7}",
         "u_symptom": f"Symptom {i % 6}", "contact_type": ("Phone", "Email")[i % 2],
         "assignment_group": f"Group {i % 4}", "caller_id": f"Caller {i % 30}"}
        for i in range(120)
    ]  # fmt: skip
    counts = Counter(r["location"] for r in records)
    top, n = counts.most_common(1)[0]
    with offline_analyst(tmp_path, records, file="incidents.csv", id="number") as an:
        answer = ask(an, "Which site raised the most tickets overall?")
        fastest = ask(an, "Which site resolves tickets fastest by median time to resolution?")
    assert answer.reading is not None and answer.reading.group_by == ["location"], answer.text
    assert f"| {top} | {n} |" in answer.text, answer.text
    assert fastest.reading is not None and fastest.reading.group_by == ["location"], fastest.text


def test_how_records_ended_said_by_a_kind_the_data_lacks_is_said_unread(
    analyst: Analyst,
) -> None:
    # "closed as duplicates": no column says why a ticket was closed; the answer says so.
    answer = analyst.ask("How many of these incidents were closed as duplicates of another one?")
    assert "duplicates" in answer.text, answer.text
    flagged = answer.reading is not None and answer.reading.unsure
    assert answer.status != "answered" or flagged, answer.text


def test_records_then_how_many_of_those_a_column_holds(
    analyst: Analyst, rows: list[dict[str, str]]
) -> None:
    # "How many …, and how many of those didn't make SLA": every ticket counted, then the
    # count of those without SLA — not that count alone with its share.
    answer = ask(
        analyst, "How many tickets were opened in 2016, and how many of those didn't make SLA?"
    )
    year = [r for r in rows if r["opened_at"].startswith("2016")]
    missed = sum(r["made_sla"] == "false" for r in year)
    assert f"was {len(year)} in" in answer.body, answer.body
    assert f"was {missed} [" in answer.body, answer.body
