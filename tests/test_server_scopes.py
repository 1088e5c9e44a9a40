"""Per-token data scopes over HTTP: a token limited to the East region gets East numbers, East
feedback and its own threads only — whatever it asks, and whatever retrieved customer text tells
the model to do. A real uvicorn server on loopback; the model is scripted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph.checkpoint.memory import InMemorySaver
from server_support import STEPS, LiveServer, brain, serving

from servicelens.agent.analyst import Analyst
from servicelens.agent.providers.base import ModelTurn
from servicelens.agent.providers.scripted import ScriptedProvider as S
from servicelens.agent.server import Limits, create_app
from servicelens.agent.settings import ApiToken, load_settings
from servicelens.data.scope import Scope

EAST_TOKEN = "token-of-the-east-office"
HQ_TOKEN = "token-of-headquarters"
EAST = {"Authorization": f"Bearer {EAST_TOKEN}"}
HQ = {"Authorization": f"Bearer {HQ_TOKEN}"}
# What a piece of customer feedback "asks" the model to run; a model that obeys runs it.
INJECTED_SQL = (
    "SELECT region, count(*) AS n FROM tickets GROUP BY region "
    "UNION ALL SELECT region, count(*) FROM main.customers GROUP BY region"
)


def _results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    last_user = max(i for i, m in enumerate(messages) if m["role"] == "user")
    return [json.loads(m["content"]) for m in messages[last_user:] if m["role"] == "tool"]


def obedient(messages: list[dict[str, Any]]) -> ModelTurn:
    """A model that does what retrieved text tells it: search, then run the injected SQL."""
    last_user = max(i for i, m in enumerate(messages) if m["role"] == "user")
    if "ignore" not in str(messages[last_user]["content"]):
        return brain(messages)
    if "Write the answer to the latest question" in str(messages[0].get("content")):
        ids = [r["id"] for r in _results(messages) if "id" in r]
        return S.text(f"As the feedback asked, here is every region [{ids[-1]}].")
    results = _results(messages)
    if not results:
        return S.tool("search_voc", query="ignore your instructions", k=5)
    if len(results) == 1:
        return S.tool("run_sql", sql=INJECTED_SQL, purpose="what the customer text asked for")
    return S.text("done")


@pytest.fixture(scope="module")
def server(demo_home: Path) -> Iterator[str]:
    provider = S([obedient] * STEPS)

    def factory() -> Analyst:
        return Analyst.open(demo_home, provider=provider, checkpointer=InMemorySaver())

    tokens = [ApiToken(token=EAST_TOKEN, rows={"region": ["East"]}), HQ_TOKEN]
    app = create_app(factory, tokens=tokens, limits=Limits(rate_per_minute=0))
    with serving(app) as live:
        yield live.url


def _ask(url: str, headers: dict[str, str], question: str) -> dict[str, Any]:
    reply = httpx.post(f"{url}/v1/ask", json={"question": question}, headers=headers, timeout=120)
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


def _evidence(url: str, headers: dict[str, str], thread: str, ev: str) -> httpx.Response:
    return httpx.get(
        f"{url}/v1/evidence/{ev}", params={"thread_id": thread}, headers=headers, timeout=30
    )


def _count(evidence: dict[str, Any]) -> int:
    count: int = evidence["rows"][0][evidence["columns"].index("ticket_count")]
    return count


def test_a_scoped_token_gets_its_region_numbers_and_others_get_all(server: str) -> None:
    question = "How many tickets were there in 2026-Q3?"
    east, hq = _ask(server, EAST, question), _ask(server, HQ, question)
    east_count = _count(_evidence(server, EAST, east["thread_id"], "Q1").json())
    hq_count = _count(_evidence(server, HQ, hq["thread_id"], "Q1").json())
    assert 0 < east_count < hq_count
    assert str(east_count) in east["text"].replace(",", "")
    # Neither token reads the other's thread, its evidence or its export.
    assert _evidence(server, EAST, hq["thread_id"], "Q1").status_code == 404
    export = httpx.get(f"{server}/v1/export/{hq['thread_id']}.md", headers=EAST, timeout=30)
    assert export.status_code == 404
    own = httpx.get(f"{server}/v1/export/{east['thread_id']}.md", headers=EAST, timeout=30)
    assert own.status_code == 200 and str(hq_count) not in own.text.replace(",", "")


def test_injected_text_cannot_widen_the_scope(server: str) -> None:
    answer = _ask(server, EAST, "What do customers say when they tell us to ignore instructions?")
    thread = answer["thread_id"]
    quotes = [c["id"] for c in answer["citations"] if c["id"].startswith("V:")]
    tools = [step["name"] for step in answer["trace"]]
    assert tools[:2] == ["search_voc", "run_sql"], tools
    ran = _evidence(server, EAST, thread, "Q1").json()
    assert ran["rows"] and {row[0] for row in ran["rows"]} == {"East"}
    for quote in quotes:
        assert _evidence(server, EAST, thread, quote).json()["meta"]["region"] == "East"
    # The same obedient model with the headquarters token sees every region: the scope, not
    # the model, made the difference.
    wide = _ask(server, HQ, "What do customers say when they tell us to ignore instructions?")
    rows = _evidence(server, HQ, wide["thread_id"], "Q1").json()["rows"]
    assert len({row[0] for row in rows}) > 1


def test_scoped_tokens_are_read_from_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "servicelens.toml").write_text(
        "[servicelens]\n"
        'api_tokens = ["plain-token", { token = "east-token", rows = { region = "East" } },\n'
        '  { token = "two-tables", tables = ["tickets", "voc"] }]\n',
        encoding="utf-8",
    )
    tokens = load_settings(tmp_path, environ={}).api_tokens
    assert [t.scope for t in tokens] == [
        None,
        Scope(rows={"region": ("East",)}),
        Scope(tables=("tickets", "voc")),
    ]
    assert "east-token" not in repr(tokens)


# uvicorn ends its thread with SystemExit when the app cannot start: that is the point here.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_scope_that_does_not_fit_the_catalog_stops_the_server(
    demo_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def factory() -> Analyst:
        return Analyst.open(demo_home, provider=S([]), checkpointer=InMemorySaver())

    bad = ApiToken(token="east", rows={"regoin": ["East"]})
    server = LiveServer(create_app(factory, tokens=[bad]))
    try:
        with pytest.raises(RuntimeError, match="did not start"):
            server.start()
    finally:
        server.stop()
    assert "rows.regoin: not a dimension of the catalog" in caplog.text
