"""What every CLI command shares: the --home option, settings, consoles and JSON output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from ..settings import Settings, load_settings

if TYPE_CHECKING:
    from ..analyst import Analyst

# Markup is off: what these consoles print is mostly data (customer feedback, column names and
# values, error messages quoting them), and rich markup in it would crash the print ("[/bold]")
# or hide a clickable link ("[link=…]"). Styling is given with Text and style= instead.
console = Console(markup=False)
err_console = Console(stderr=True, markup=False)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Workspace directory (default ./.servicelens or $SERVICELENS_HOME).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def settings_for(home: Path | None, **overrides: Any) -> Settings:
    return load_settings(home, **overrides)


def open_analyst(home: Path | None, **overrides: Any) -> Analyst:
    """The analyst over the workspace the command names (``--home`` or the default)."""
    from ..analyst import Analyst

    return Analyst.open(settings=settings_for(home, **overrides))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
