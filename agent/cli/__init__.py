"""The ``servicelens`` command: a thin face over the library.

Each command group lives in its own module with a ``register(app)`` function. Errors become
friendly one-line messages only here, at the edge; bugs still print a traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer

from ...data.errors import ServiceLensError
from ..settings import SettingsError
from .common import err_console

# Command modules, each with register(app). Imported lazily by main() so `--help` stays fast.
COMMAND_MODULES = [
    "init_cmd",
    "metric_cmds",
    "sql_cmd",
    "voc_cmds",
    "themes_cmd",
    "ask_cmd",
    "bench_cmd",
    "doctor_cmd",
    "chat_cmd",
    "serve_cmd",
    "eval_cmd",
    "ingest_cmd",
    "catalog_cmd",
]


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="servicelens",
        help="Ask your service history and customer voices where service is failing.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            # A command module not written yet; its siblings still work.
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(app)
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


def main(argv: list[str] | None = None) -> None:
    app = build_app()
    try:
        # In non-standalone mode click returns typer.Exit's code instead of exiting.
        code = app(args=argv, standalone_mode=False)
    except (ServiceLensError, SettingsError) as exc:
        err_console.print(f"[bold red]Error:[/] {exc}")
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
