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

ScaleOption = Annotated[
    str | None, typer.Option("--scale", help="demo (60k/8k), 1m (1M/100k) or 10m (10M/1M).")
]
TicketsOption = Annotated[int | None, typer.Option(help="Tickets (with --feedback).")]
FeedbackOption = Annotated[int | None, typer.Option(help="Feedback records (with --tickets).")]
OutOption = Annotated[Path, typer.Option(help="Directory for the JSON and Markdown reports.")]
ChromaMaxOption = Annotated[
    int | None, typer.Option(help="Records put in Chroma at most (the rest: keyword + exact).")
]

DataOption = Annotated[
    Path | None,
    typer.Option(help="Build the synthetic data here and keep it (for `bench scale-search`)."),
]


@bench_app.command("scale")
def scale_command(
    scale: ScaleOption = None,
    tickets: TicketsOption = None,
    feedback: FeedbackOption = None,
    out: OutOption = Path("bench-scale"),
    repeats: Annotated[int, typer.Option(help="Timed repetitions per measure.")] = 10,
    chroma_max: ChromaMaxOption = None,
    home: HomeOption = None,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """All DESIGN §9 budgets on a synthetic warehouse of the given size, with baselines."""
    from . import bench_scale, bench_scale_report

    size = _size(scale, tickets, feedback)
    settings = settings_for(home)
    agent_home = Path(settings.home) if settings.paths.warehouse.is_file() else None
    result = bench_scale.run_scale_bench(
        size, work=data, repeats=repeats, chroma_max=chroma_max, agent_home=agent_home
    )
    paths = bench_scale_report.write_report(result, out)
    if as_json:
        print_json(result)
    else:
        console.print(bench_scale_report.report_markdown(result), markup=False)
        console.print(f"Written: {', '.join(str(p) for p in paths)}", markup=False)


@bench_app.command("scale-search")
def scale_search_command(
    data: Annotated[Path, typer.Option(help="Data kept by `bench scale --data DIR`.")],
    out: OutOption = Path("bench-scale"),
    repeats: Annotated[int, typer.Option(help="Timed repetitions per measure.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Hybrid search alone, against exact brute force, on data `bench scale --data` kept."""
    from ..data.errors import WorkspaceError
    from . import bench_scale, bench_scale_report

    try:
        result = bench_scale.run_search_bench(data, repeats=repeats)
    except WorkspaceError as exc:
        console.print(str(exc), markup=False)
        raise typer.Exit(1) from None
    paths = bench_scale_report.write_report(result, out, "bench_scale_search")
    if as_json:
        print_json(result)
    else:
        console.print(bench_scale_report.search_report_markdown(result), markup=False)
        console.print(f"Written: {', '.join(str(p) for p in paths)}", markup=False)


@bench_app.command("growth")
def growth_command(
    out: OutOption = Path("bench-growth"),
    repeats: Annotated[int, typer.Option(help="Timed repetitions per measure.")] = 10,
    chroma_max: ChromaMaxOption = 300_000,
    home: HomeOption = None,
) -> None:
    """Cost growth 10k -> 100k -> 1M -> 10M tickets: a table and a PNG plot."""
    from . import bench_scale, bench_scale_report

    settings = settings_for(home)
    agent_home = Path(settings.home) if settings.paths.warehouse.is_file() else None
    result = bench_scale.bench_growth(
        out=out, repeats=repeats, chroma_max=chroma_max, agent_home=agent_home
    )
    console.print(bench_scale_report.growth_markdown(result["rows"]), markup=False)
    console.print(f"Written: {', '.join(result['files'])}", markup=False)


def _size(scale: str | None, tickets: int | None, feedback: int | None) -> Any:
    from .bench_scale import SCALES, Size

    if scale is not None and (tickets or feedback):
        raise typer.BadParameter("Give --scale or --tickets with --feedback, not both.")
    if scale is not None:
        if scale.lower() not in SCALES:
            raise typer.BadParameter(f"Unknown scale {scale!r}; use one of: {', '.join(SCALES)}.")
        return SCALES[scale.lower()]
    if not tickets or not feedback or tickets < 1_000 or feedback < 100:
        raise typer.BadParameter(
            "Give --scale, or --tickets (at least 1,000) with --feedback (at least 100)."
        )
    return Size(tickets, feedback)


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")
