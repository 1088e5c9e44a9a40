"""``servicelens connect NAME URL``: a live, read-only database beside the embedded warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from ..sources import ConnectReport, connect
from .common import HomeOption, JsonOption, console, err_console, print_json, settings_for


def connect_cmd(
    name: Annotated[str, typer.Argument(help="A short name for the source, e.g. helpdesk.")],
    url: Annotated[
        str,
        typer.Argument(
            help="postgresql://USER:${PASSWORD_VAR}@HOST:PORT/DB[?schema=S] or "
            "mysql:// / mariadb://USER:${PASSWORD_VAR}@HOST:PORT/DB. Quote it so the shell "
            "leaves ${…} alone; the password itself is never written."
        ),
    ],
    password_env: Annotated[
        str | None,
        typer.Option("--password-env", help="Read the password from this environment variable."),
    ] = None,
    password_file: Annotated[
        Path | None,
        typer.Option("--password-file", help="Read the password from this file (a secret mount)."),
    ] = None,
    tables: Annotated[
        str | None,
        typer.Option("--tables", help="Comma-separated tables to use (default: all it can read)."),
    ] = None,
    feedback: Annotated[
        str | None,
        typer.Option(
            "--feedback",
            help="A table of feedback text to index incrementally (`servicelens index --source "
            "NAME`); needs --feedback-id and --feedback-updated-at.",
        ),
    ] = None,
    feedback_id: Annotated[
        str | None, typer.Option("--feedback-id", help="The feedback table's id column.")
    ] = None,
    feedback_updated_at: Annotated[
        str | None,
        typer.Option("--feedback-updated-at", help="The column a change to a row updates."),
    ] = None,
    feedback_text: Annotated[
        str | None, typer.Option("--feedback-text", help="The text column (default: text).")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Connect a PostgreSQL, MySQL or MariaDB database: check it, derive its catalog, save it."""
    settings = settings_for(home)
    wanted = [t.strip() for t in tables.split(",") if t.strip()] if tables else None
    fields = {
        "feedback_table": feedback, "feedback_id": feedback_id,
        "feedback_updated_at": feedback_updated_at, "feedback_text": feedback_text,
    }  # fmt: skip
    report = connect(
        settings, name, url, password_env=password_env, password_file=password_file,
        tables=wanted, feedback={k: v for k, v in fields.items() if v},
    )  # fmt: skip
    if as_json:
        print_json(report.to_dict())
        return
    _render(report)


def _render(report: ConnectReport) -> None:
    console.print(
        Text.assemble(("Connected ", "green"), (report.name, "bold"), f": {report.flavour} at ")
        + Text(report.where)
    )
    table = Table(show_header=True, header_style="bold")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("in the catalog")
    for name, rows in report.tables.items():
        table.add_row(
            name,
            f"{rows:,}" if rows >= 0 else "unreadable",
            "yes" if name in report.catalog_tables else "no",
        )
    console.print(table)
    if report.timeout_stop_s is not None:
        console.print(
            f"Statement timeout honoured: a 0.3 s limit stopped a query in "
            f"{report.timeout_stop_s:.2f} s."
        )
    elif report.timeout_error:
        err_console.print(Text.assemble(("Warning:", "bold yellow"), f" {report.timeout_error}"))
    if report.write_grants:
        err_console.print(
            Text.assemble(
                ("Warning:", "bold yellow"),
                f" the login of {report.name} can write ({'; '.join(report.write_grants)}). "
                "ServiceLens only reads, in read-only transactions, but a least-privilege role "
                f"is safer; as an administrator run: {report.revoke}",
            )
        )
    else:
        console.print("Read-only: the login has no write grants.")
    console.print(
        f"{len(report.catalog_tables)} tables and {report.metrics_added} new metrics in the "
        f"catalog; the source is saved in {report.config} (no password)."
    )


def register(app: typer.Typer) -> None:
    app.command("connect")(connect_cmd)
