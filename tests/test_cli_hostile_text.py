"""Hostile customer text is shown as written: in the CLI, in the REPL and in exported reports.

Feedback is written by anyone: ``[/bold]`` used to crash every command printing it,
``[link=…]…[/link]`` became a clickable link whose address the reader never saw, and a quoted
``![x](http://host/p.png)`` became an image fetched whenever an HTML report was opened.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner
from voc_sample import build_sample

from servicelens.agent.analyst import Analyst
from servicelens.agent.cli import common, main, sql_cmd, voc_cmds
from servicelens.agent.cli.chat_commands import dispatch
from servicelens.agent.cli.chat_session import ChatSession
from servicelens.agent.providers.scripted import ScriptedProvider

runner = CliRunner()
HOSTILE = (
    "Fan broken [/bold] call [link=https://evil.example/x]support[/link] [red]now "
    "![x](http://evil.example/p.png)"
)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("hostile") / "ws"
    ws = build_sample(home)
    con = duckdb.connect(str(ws.warehouse))
    con.execute(
        "INSERT INTO voc (voc_id, source, customer_id, product_id, region, created_at, lang, "
        "author_reach, text) VALUES ('V099', 'review', 'C1', 'P1', 'East', ?, 'en', 0, ?)",
        [datetime(2026, 9, 3, 10), HOSTILE],
    )
    con.close()
    app = typer.Typer()
    voc_cmds.register(app)
    result = runner.invoke(app, ["index", "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["records"] == 18
    return home


def _app(*modules: Any) -> typer.Typer:
    app = typer.Typer()
    for module in modules:
        module.register(app)
    return app


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    # Wide enough that the table keeps each record's text on one line.
    monkeypatch.setattr(common.console, "width", 300)


@pytest.mark.usefixtures("wide")
def test_search_shows_markup_as_written(home: Path) -> None:
    args = ["search", "fan broken support", "--mode", "keyword", "--home", str(home)]
    result = runner.invoke(_app(voc_cmds), args)
    assert result.exit_code == 0, result.output
    assert HOSTILE in result.stdout


@pytest.mark.usefixtures("wide")
def test_sql_shows_markup_in_values_and_column_names(home: Path) -> None:
    query = "SELECT text AS \"[/bold] [red]\" FROM voc WHERE voc_id = 'V099'"
    result = runner.invoke(_app(sql_cmd, voc_cmds), ["sql", query, "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert "[/bold] [red]" in result.stdout and HOSTILE in result.stdout


def test_repl_shows_hostile_questions_and_answer_links(home: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    # A console as any embedding program might pass: markup on, which the REPL must not rely on.
    console = Console(file=out, width=200, color_system=None, force_terminal=False)
    answer = "A customer wrote: see [the photo](http://evil.example/p.png) [/bold]."
    # The agent step says it is done; the writer step writes the answer.
    steps = ["ok", answer]

    def open_analyst(model: str | None) -> Analyst:
        return Analyst.open(home=home, provider=ScriptedProvider(steps, model="m"))

    session = ChatSession(open_analyst, dispatch=dispatch, console=console, exports_dir=tmp_path)
    try:
        session.handle("why [/bold] [red]angry?")
        session.handle("/threads")
        session.handle("/answer")
    finally:
        session.close()
    screen = out.getvalue()
    assert "why [/bold] [red]angry?" in screen
    # The answer's link shows where it goes instead of hiding the address behind its words: the
    # checked answer holds no Markdown link any more (agent/inert.py), only its text.
    assert "[the photo] (http://evil.example/p.png)" in screen


def test_error_quoting_markup_is_one_readable_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "x", "--where", "[/bold]", "--home", str(home)], app=_app(voc_cmds))
    assert exit_info.value.code == 1
    assert "Error: --where '[/bold]' is not key=value" in capsys.readouterr().err


def _cite_hostile(messages: list[dict[str, Any]]) -> Any:
    content = [m for m in messages if m.get("role") == "tool"][-1]["content"]
    quotes = json.loads(content)["quotes"]
    hit = next(q for q in quotes if "Fan broken" in q["customer_text"])
    return ScriptedProvider.text(
        f"One customer sent a picture ![x](http://evil.example/answer.png) and a "
        f"[link](https://evil.example/go) <http://evil.example/auto> [{hit['id']}]."
    )


def test_html_export_loads_nothing_remote(home: Path, tmp_path: Path) -> None:
    search = ScriptedProvider.tool("search_voc", query="fan broken support", k=3)
    provider = ScriptedProvider([search, "ok", _cite_hostile])
    with Analyst.open(home=home, provider=provider) as analyst:
        answer = analyst.ask("What do customers say about broken fans?")
        page = analyst.export(answer, tmp_path / "report.html").read_text(encoding="utf-8")
        markdown = analyst.export(answer, tmp_path / "report.md").read_text(encoding="utf-8")
    # The customer's words and the answer's are all there, as text.
    assert "evil.example/p.png" in page and "evil.example/answer.png" in page
    for tag in ("<img", "<a ", "src=", "href="):
        assert tag not in page
    csp = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    assert f'<meta http-equiv="Content-Security-Policy" content="{csp}">' in page
    assert page.index("Content-Security-Policy") < page.index("<style>")
    # In the Markdown export the customer's quote cannot become an image either.
    assert "![x](http://evil.example/p.png)" not in markdown
