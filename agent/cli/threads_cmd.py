"""``servicelens threads list|prune``: the workspace's conversation threads and their retention."""

from __future__ import annotations

import typer
from rich.table import Table

from .common import HomeOption, JsonOption, console, open_analyst, print_json


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="List conversation threads and prune old ones.", no_args_is_help=True)
    app.add_typer(group, name="threads")

    @group.command("list")
    def list_threads(
        home: HomeOption = None,
        limit: int = typer.Option(20, "--limit", help="How many threads, newest first."),
        as_json: JsonOption = False,
    ) -> None:
        """The most recently used threads."""
        with open_analyst(home) as analyst:
            found = analyst.threads(limit)
        if as_json:
            print_json([t.model_dump() for t in found])
            return
        table = Table("thread", "turns", "updated", "first question")
        for t in found:
            table.add_row(t.thread_id, str(t.turns), t.updated, t.first_question)
        console.print(table)

    @group.command("prune")
    def prune(
        home: HomeOption = None,
        max_age_days: float | None = typer.Option(
            None, "--max-age-days", help="Delete threads unused this long (0: keep all ages)."
        ),
        max_threads: int | None = typer.Option(
            None, "--max-threads", help="Keep at most this many threads (0: no limit)."
        ),
        as_json: JsonOption = False,
    ) -> None:
        """Apply checkpoint retention now: old and surplus threads deleted, finished turns
        compacted. Defaults come from the checkpoint_* settings."""
        from dataclasses import replace

        from ..retention import Retention

        with open_analyst(home) as analyst:
            retention = Retention.from_settings(analyst.settings)
            if max_age_days is not None:
                retention = replace(retention, max_age_days=max_age_days)
            if max_threads is not None:
                retention = replace(retention, max_threads=max_threads)
            report = analyst.prune_threads(retention)
        if as_json:
            print_json(vars(report))
            return
        console.print(report.summary())
