"""``servicelens catalog show|edit|validate``: the workspace's semantic catalog."""

from __future__ import annotations

from pathlib import Path

import click
import typer
from rich.table import Table
from rich.text import Text

from ...data.errors import ServiceLensError
from .common import (
    HomeOption,
    JsonOption,
    console,
    err_console,
    open_analyst,
    print_json,
    settings_for,
)


class CatalogInvalid(ServiceLensError):
    """The catalog loads but some metrics or dimensions do not run against the warehouse."""


def _show_table(described: dict) -> Table:
    table = Table(title=f"Catalog: {described['catalog']}", caption=described["description"])
    for name in ("metric", "en", "zh", "unit", "table"):
        table.add_column(name)
    for m in described["metrics"]:
        table.add_row(m["name"], m["en"], m["zh"], m["unit"], m["table"])
    return table


def _validate(home: Path | None) -> list[str]:
    with open_analyst(home) as analyst:
        return analyst.check_catalog()


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Show, edit and validate the semantic catalog.", no_args_is_help=True)
    app.add_typer(group, name="catalog")

    @group.command("show")
    def show(home: HomeOption = None, as_json: JsonOption = False) -> None:
        """The catalog's tables, metrics and dimensions."""
        with open_analyst(home) as analyst:
            if analyst.catalog is None:
                raise ServiceLensError("The workspace has no catalog.yaml yet; ingest data first.")
            described = analyst.catalog.describe()
        if as_json:
            print_json(described)
            return
        console.print(_show_table(described))
        dims = ", ".join(
            f"{n} ({len(d['values'])} values)" if "values" in d else n
            for n, d in described["dimensions"].items()
        )
        console.print(f"Dimensions: {dims}")

    @group.command("edit")
    def edit(home: HomeOption = None) -> None:
        """Open catalog.yaml in $EDITOR, then validate it."""
        path = settings_for(home).paths.catalog
        if not path.exists():
            raise ServiceLensError("The workspace has no catalog.yaml yet; ingest data first.")
        click.edit(filename=str(path))
        _report(_validate(home))

    @group.command("validate")
    def validate(home: HomeOption = None, as_json: JsonOption = False) -> None:
        """Load the catalog and run every metric and dimension against the warehouse."""
        problems = _validate(home)
        if as_json:
            print_json({"ok": not problems, "problems": problems})
            if problems:
                raise typer.Exit(1)
            return
        _report(problems)


def _report(problems: list[str]) -> None:
    if not problems:
        console.print("Catalog is valid: every metric and dimension runs.")
        return
    for problem in problems:
        err_console.print(Text.assemble(("✗", "red"), f" {problem}"))
    raise CatalogInvalid(f"{len(problems)} catalog problem(s); fix catalog.yaml and re-run.")
