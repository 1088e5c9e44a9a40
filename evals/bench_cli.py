"""``servicelens bench``: the project's benchmarks, reported as medians and baseline ratios.

Benchmarks are measurements, not tests: they print figures to compare against DESIGN §9.
Each subcommand calls a function in ``servicelens.evals``; this module only formats.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..agent.cli.common import HomeOption, JsonOption, console, print_json, settings_for

bench_app = typer.Typer(help="Measure latency and quality against the budgets in DESIGN §9.")

# Subcommand -> (module, function, help)
BENCHES: dict[str, tuple[str, str, str]] = {
    "sql": ("bench_sql", "run_sql_bench", "query_metric, run_sql and the SQL guard (medians)."),
    "voc": ("bench_voc", "run_voc_bench", "search_voc latency, hybrid and filtered (medians)."),
    "retrieval": (
        "retrieval",
        "run_retrieval_eval",
        "nDCG@10 / recall@10: vector, keyword, hybrid.",
    ),
    "agent": ("bench_agent", "run_agent_bench", "Agent overhead per answer, scripted provider."),
}


def _load(module: str, func: str) -> Callable[..., dict[str, Any]]:
    mod = importlib.import_module(f"servicelens.evals.{module}")
    fn: Callable[..., dict[str, Any]] = getattr(mod, func)
    return fn


def _render(title: str, result: dict[str, Any]) -> None:
    table = Table(title=title, show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in _flatten(result):
        shown = f"{value:,.3f}" if isinstance(value, float) else str(value)
        table.add_row(key, shown)
    console.print(table)


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(_flatten(value, name + "."))
        elif not isinstance(value, list):
            rows.append((name, value))
    return rows


def _make_command(name: str, module: str, func: str, help_text: str) -> None:
    def command(
        home: HomeOption = None,
        repeats: Annotated[int, typer.Option(help="Timed repetitions per measure.")] = 20,
        as_json: JsonOption = False,
    ) -> None:
        settings = settings_for(home)
        fn = _load(module, func)
        result = fn(Path(settings.home), repeats=repeats)
        if as_json:
            print_json(result)
        else:
            _render(f"bench {name}", result)

    command.__doc__ = help_text
    bench_app.command(name=name, help=help_text)(command)


for _name, (_module, _func, _help) in BENCHES.items():
    _make_command(_name, _module, _func, _help)


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")
