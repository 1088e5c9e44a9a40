"""The ``servicelens`` command: a thin face over the library.

Each command group lives in its own module with a ``register(app)`` function. Errors become
friendly one-line messages only here, at the edge; bugs still print a traceback.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

import typer
from rich.text import Text

from ...data.errors import ServiceLensError
from ..settings import SettingsError
from . import (
    ask_cmd,
    catalog_cmd,
    chat_cmd,
    connect_cmd,
    digest_cmd,
    doctor_cmd,
    forecast_cmd,
    ingest_cmd,
    init_cmd,
    metric_cmds,
    proactive_cmds,
    serve_cmd,
    sql_cmd,
    themes_cmd,
    threads_cmd,
    voc_cmds,
)
from .common import err_console

Register = Callable[[typer.Typer], None]
# The product's commands, in the order ``--help`` lists them. The eval and benchmark commands
# are added by ``servicelens.cli``, which composes the program (the product never imports evals).
COMMANDS: tuple[Register, ...] = (
    init_cmd.register,
    metric_cmds.register,
    forecast_cmd.register,
    digest_cmd.register,
    proactive_cmds.register,
    sql_cmd.register,
    voc_cmds.register,
    themes_cmd.register,
    ask_cmd.register,
    doctor_cmd.register,
    chat_cmd.register,
    serve_cmd.register,
    ingest_cmd.register,
    connect_cmd.register,
    catalog_cmd.register,
    threads_cmd.register,
)


def build_app(extra: Sequence[Register] = ()) -> typer.Typer:
    app = typer.Typer(
        name="servicelens",
        help="Ask your service history and customer voices where service is failing.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for register in (*COMMANDS, *extra):
        register(app)
    return app


def _click_exceptions() -> tuple[type[Exception], ...]:
    import click

    kinds: list[type[Exception]] = [click.exceptions.ClickException]
    try:
        vendored = importlib.import_module("typer._click.exceptions")
    except ModuleNotFoundError:
        return tuple(kinds)
    kinds.append(vendored.ClickException)
    return tuple(kinds)


def main(argv: list[str] | None = None, app: typer.Typer | None = None) -> None:
    """Run the command line: errors the user can fix become one line and an exit status."""
    app = app or build_app()
    try:
        # In non-standalone mode click returns typer.Exit's code instead of exiting.
        code = app(args=argv, standalone_mode=False)
    except (ServiceLensError, SettingsError) as exc:
        err_console.print(Text.assemble(("Error:", "bold red"), f" {exc}"))
        sys.exit(getattr(exc, "exit_code", 1))
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("Aborted.")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("Interrupted.")
        sys.exit(130)
    except Exception as exc:
        # Usage errors arrive here in non-standalone mode, from click or from the copy of click
        # that recent typer versions vendor.
        if isinstance(exc, _click_exceptions()):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        raise
    if isinstance(code, int) and code != 0:
        sys.exit(code)
