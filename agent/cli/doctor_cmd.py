"""``servicelens doctor``: configuration, data, index, model and fonts on one screen."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from ..doctor import Check, diagnose
from .common import HomeOption, JsonOption, console, print_json

_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def _table(checks: list[Check]) -> Table:
    table = Table(title="ServiceLens doctor", show_lines=False, expand=True)
    table.add_column("check", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("what was found", ratio=3)
    table.add_column("fix", ratio=2)
    for c in checks:
        style = _STYLE[c.status]
        table.add_row(c.name, Text(c.status, style=style), c.detail, c.fix)
    return table


def doctor(
    home: HomeOption = None,
    as_json: JsonOption = False,
    no_probe: Annotated[
        bool, typer.Option("--no-probe", help="Do not send test requests to the model endpoint.")
    ] = False,
) -> None:
    """Check configuration, workspace, data and index versions, model endpoint and fonts."""
    checks = diagnose(home, probe=not no_probe)
    failed = [c for c in checks if c.status == "fail"]
    if as_json:
        print_json({"ok": not failed, "checks": [c.to_dict() for c in checks]})
    else:
        console.print(_table(checks))
        verdict = f"{len(failed)} problem(s) to fix." if failed else "All good."
        console.print(verdict, style="bold red" if failed else "green")
    if failed:
        # SystemExit rather than typer.Exit: the app runs click in non-standalone mode, where
        # typer.Exit's code is returned by app() instead of reaching the process exit status.
        raise SystemExit(1)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
