"""Feedback filtered by a grouping of the records it was written in, across every table.

Two exports, each with a text column and a company column, are ingested together; search and
theme counts filtered by company return exactly that company's messages from both tables, and a
grouping no table with feedback holds is refused with a clear message.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.agent.results import RequestError
from servicelens.data.errors import ServiceLensError
from servicelens.data.ingest.pipeline import IngestOptions, ingest
from servicelens.data.workspace import WorkspacePaths

_TEXTS = [
    "The parcel arrived two weeks late and the box was crushed",
    "Refund still not processed after a month of waiting",
    "The app crashes every time I open my playlist",
    "Delivery driver left the package in the rain again",
    "Charged twice for the same subscription this month",
    "Support closed my ticket without solving anything",
]


def _write(path: Path, prefix: str, companies: list[str]) -> dict[str, str]:
    lines = ["msg_id,sent_at,company,message"]
    owners = {}
    for i, text in enumerate(_TEXTS * 2):
        company = companies[i % len(companies)]
        msg = f"{prefix}{i:03d}"
        owners[msg] = company
        lines.append(f"{msg},2024-0{1 + i % 6}-1{i % 9} 10:00,{company},{text} ({prefix}{i})")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return owners


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Analyst, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("records")
    owners = _write(folder / "chats.csv", "c", ["Acme", "Bolt"])
    owners |= _write(folder / "emails.csv", "e", ["Bolt", "Acme", "Acme", "Cody"])
    home = folder / "ws"
    ingest(WorkspacePaths(home), [folder / "chats.csv", folder / "emails.csv"],
           IngestOptions(text="message", id="msg_id"))  # fmt: skip
    with Analyst.open(home, provider="offline", checkpointer=InMemorySaver()) as an:
        yield an, owners


def test_search_filtered_by_a_source_grouping_covers_every_table(
    setup: tuple[Analyst, dict[str, str]],
) -> None:
    analyst, owners = setup
    acme = {m for m, c in owners.items() if c == "Acme"}
    found = analyst.search("late delivery", where={"company": "Acme"}, k=20)
    assert found.total_matching == len(acme)
    ids = {h.id.removeprefix("V:") for h in found.hits}
    assert ids and ids <= acme
    assert {i[0] for i in ids} == {"c", "e"}  # both tables


def test_search_filtered_by_several_values_of_a_grouping_takes_records_with_any(
    setup: tuple[Analyst, dict[str, str]],
) -> None:
    analyst, owners = setup
    wanted = {m for m, c in owners.items() if c in ("Bolt", "Cody")}
    found = analyst.search("refund", where={"company": ["Bolt", "cody"]}, k=20)
    assert found.total_matching == len(wanted)
    ids = {h.id.removeprefix("V:") for h in found.hits}
    assert ids and ids <= wanted
    assert {owners[i] for i in ids} == {"Bolt", "Cody"}


def test_what_customers_of_two_companies_say_is_their_feedback_counted_alone(
    setup: tuple[Analyst, dict[str, str]],
) -> None:
    # Two values named together in a question about what customers say: the quotes and the
    # count are of those records, not of every company's.
    analyst, owners = setup
    answer = analyst.ask("What do Bolt or Cody customers say about refunds?")
    assert answer.status == "answered", answer.text
    searches = [c for c in answer.trace if c.name == "search_voc"]
    assert searches and all(
        sorted(c.arguments["filters"]["company"]) == ["Bolt", "Cody"] for c in searches
    )
    quoted = {c.id.removeprefix("V:") for c in answer.citations if c.kind == "voc"}
    assert quoted and {owners[i] for i in quoted} <= {"Bolt", "Cody"}


def test_theme_counts_filtered_by_a_source_grouping(
    setup: tuple[Analyst, dict[str, str]],
) -> None:
    analyst, owners = setup
    themes = analyst.themes(where={"company": "Bolt"}, compare=False)
    assert themes.records == sum(c == "Bolt" for c in owners.values())
    assert themes.filters == {"company": "Bolt"}


def test_a_grouping_no_feedback_table_holds_is_refused_clearly(
    setup: tuple[Analyst, dict[str, str]],
) -> None:
    analyst, _ = setup
    with pytest.raises(RequestError, match="Unknown filter 'weekday'"):
        analyst.search("refund", where={"weekday": "Monday"})


def test_the_themes_command_takes_a_source_grouping_and_refuses_others_clearly(
    setup: tuple[Analyst, dict[str, str]],
) -> None:
    import json

    import typer
    from typer.testing import CliRunner

    from servicelens.agent.cli import themes_cmd

    analyst, owners = setup
    app = typer.Typer()
    themes_cmd.register(app)
    app.command("noop", hidden=True)(lambda: None)
    home = str(analyst.workspace.paths.home)
    runner = CliRunner()
    ok = runner.invoke(app, ["themes", "--home", home, "--json", "--where", "company=Acme"])
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.stdout)
    assert data["filters"] == {"company": "Acme"}
    assert data["records"] == sum(c == "Acme" for c in owners.values())
    bad = runner.invoke(app, ["themes", "--home", home, "--where", "weekday=Monday"])
    # The command's error reaches the user as the CLI's one-line "Error: …".
    assert isinstance(bad.exception, ServiceLensError)
    assert "cannot be filtered by 'weekday'" in str(bad.exception)


def test_how_long_asked_of_data_with_no_durations_is_insufficient_data(
    setup: tuple[Analyst, dict[str, str]],
) -> None:
    # One date per message: no time between events can be measured, and no other figure is
    # offered in its place.
    analyst, _ = setup
    answer = analyst.ask("How long do our agents take on average to reply to a message?")
    assert answer.status == "insufficient_data"
    assert "times between events" in answer.body
