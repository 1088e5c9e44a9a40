"""A tiny hand-made tool registry and helpers for the agent tests (no workspace needed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from servicelens.agent.analyst import Analyst
from servicelens.agent.answer import Answer
from servicelens.agent.deps import Deps
from servicelens.agent.providers.base import Provider
from servicelens.agent.settings import load_settings
from servicelens.agent.toolset import Toolset
from servicelens.agent.workspace import Workspace
from servicelens.tools.base import Tool, ToolContext, ToolError, ToolResult

AS_OF = date(2026, 11, 1)


class DescribedTool(Tool[Any]):
    """A test tool whose description is given inline instead of a prompt file."""

    def description(self) -> str:
        return f"Test tool {self.name}."


class TicketArgs(BaseModel):
    region: str = Field("all", description="Region name or 'all'.")


class SearchArgs(BaseModel):
    query: str


def _count_tickets(ctx: ToolContext, args: TicketArgs) -> ToolResult:
    rows = [["East", 1234], ["West", 567]]
    if args.region != "all":
        rows = [r for r in rows if r[0] == args.region]
        if not rows:
            raise ToolError(f"Unknown region {args.region!r}; use East or West.")
    ev = ctx.ledger.add(
        "query",
        "count_tickets",
        sql="SELECT region, count(*) AS n FROM tickets GROUP BY 1",
        columns=["region", "n"],
        rows=rows,
    )
    return ToolResult(
        content={"id": ev.id, "columns": ev.columns, "rows": rows},
        evidence_ids=[ev.id],
        summary=f"ticket count by region: {len(rows)} rows",
    )


def _search(ctx: ToolContext, args: SearchArgs) -> ToolResult:
    ev = ctx.ledger.add_voc(
        "v000812",
        "The engineer came late twice and the noise is still there.",
        "search_feedback",
        source="call",
        created_at="2026-08-14",
    )
    return ToolResult(
        content={"matches": 1, "of": 212, "quotes": [{"id": ev.id, "text": ev.text}]},
        evidence_ids=[ev.id],
        summary=f"search {args.query!r}: 1 of 212 matches",
    )


def _leaky(ctx: ToolContext, args: SearchArgs) -> ToolResult:
    raise ToolError(
        "Could not read /home/alice/.servicelens/warehouse.duckdb: Traceback (most recent call "
        'last):\n  File "/srv/app/x.py", line 3'
    )


def _buggy(ctx: ToolContext, args: SearchArgs) -> ToolResult:
    raise RuntimeError("a bug in a tool")


TOOLS = [
    DescribedTool("count_tickets", TicketArgs, _count_tickets),
    DescribedTool("search_feedback", SearchArgs, _search),
    DescribedTool("leaky", SearchArgs, _leaky),
    DescribedTool("buggy", SearchArgs, _buggy),
]


def bare_workspace(home: Path, **overrides: Any) -> Workspace:
    """Settings and a clock, no data: enough for the hand-made tools above."""
    return Workspace(load_settings(home, as_of=AS_OF, **overrides), AS_OF)


def make_deps(home: Path, provider: Provider, **overrides: Any) -> Deps:
    return Deps(bare_workspace(home, **overrides), provider, Toolset.from_tools(TOOLS))


def make_analyst(home: Path, provider: Provider, checkpointer: Any = None, **kw: Any) -> Analyst:
    toolset = Toolset.from_tools(TOOLS)
    return Analyst(bare_workspace(home, **kw), provider, toolset=toolset, checkpointer=checkpointer)


def is_writer_call(messages: list[dict[str, Any]]) -> bool:
    return "Write the answer to the latest question" in str(messages[0].get("content"))


def tiny_workspace(home: Path) -> Path:
    """An empty canonical warehouse plus the demo catalog: enough for Analyst.open."""
    import duckdb

    from servicelens.data.catalog import demo_catalog_text
    from servicelens.data.schema import create_statements
    from servicelens.data.workspace import WorkspacePaths

    ws = WorkspacePaths(home).ensure()
    con = duckdb.connect(str(ws.warehouse))
    for statement in create_statements():
        con.execute(statement)
    con.close()
    ws.catalog.write_text(demo_catalog_text(), encoding="utf-8")
    return home


def lead_of(text: str) -> str:
    """An answer's first paragraph of substance: after the reading line and the offline note."""
    skip = ("Read as:", "理解为：", "理解为:", "Did you mean", "您是否想问", "_Offline", "_离线")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return next(p for p in paragraphs if not p.lstrip().startswith(skip))


def ask_offline(an: Analyst, question: str) -> Answer:
    """Ask the offline analyst; the answer must have passed the verifier unrevised, and every
    citation must resolve."""
    answer = an.ask(question)
    assert answer.provider == "offline"
    assert answer.verified, answer.verification
    assert not answer.revised, answer.verification
    assert all(c.found for c in answer.citations)
    return answer


_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def month_said(label: str, lang: str = "en") -> str:
    """A month label ("2026-04") as an offline answer's lead says it: "April 2026", "2026年4月"."""
    year, month = label.split("-")
    return f"{year}年{int(month)}月" if lang == "zh" else f"{_MONTH_NAMES[int(month) - 1]} {year}"
