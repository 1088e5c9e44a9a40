"""``servicelens eval``: run golden questions with a provider, score them, write the report.

Exit status: 0 when pass^k (the pass rate when --repeat is 1) reaches --threshold, 1 when it
does not, 2 for usage errors (a bad option, a missing or malformed golden file).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..agent.cli.common import (
    HomeOption,
    JsonOption,
    console,
    err_console,
    print_json,
    settings_for,
)
from ..data.errors import ServiceLensError


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)


def eval_command(
    golden: Annotated[
        list[Path] | None,
        typer.Option("--golden", help="Golden file or folder (repeatable); default: the demo set."),
    ] = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="offline, scripted or openai.")
    ] = None,
    repeat: Annotated[int, typer.Option("--repeat", help="Runs per case (pass^k).")] = 1,
    filter_expr: Annotated[
        str | None,
        typer.Option("--filter", help="Id glob, category:X, tag:X or lang:zh; comma = or."),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", help="Cases run in parallel (threads).")] = 1,
    out: Annotated[
        Path | None, typer.Option("--out", help="Report folder (default <home>/evals/<run>).")
    ] = None,
    compare_to: Annotated[
        Path | None, typer.Option("--compare", help="An earlier report.json to compare with.")
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Pass rate (0..1) needed for exit 0.")
    ] = 0.8,
    prices: Annotated[
        Path | None, typer.Option("--prices", help="YAML price table: model: {input, output}.")
    ] = None,
    json_out: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Run golden questions and report pass rates; exit 0 at or above the threshold, else 1."""
    from . import report
    from .cases import load_cases, select
    from .costs import load_prices
    from .runner import RunOptions, raise_for_empty, run_eval

    _check_usage(repeat, jobs, threshold, compare_to)
    settings = settings_for(home)
    name = provider or settings.resolved_provider
    cases = select(load_cases(list(golden or [])), filter_expr)
    raise_for_empty(cases, filter_expr)
    options = RunOptions(
        home=home, provider=name, repeat=repeat, jobs=jobs, filter=filter_expr,
        prices=load_prices(prices) if prices else None,
        golden=[str(p) for p in golden or []],
    )  # fmt: skip
    with _progress(len(cases) * repeat, json_out) as on_run:
        run = run_eval(cases, options, on_run)
    folder = out or settings.paths.home / "evals" / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
    json_path, md_path = report.write(run, folder)
    summary = report.summarize(run)
    diff = report.compare(report.load(compare_to), run) if compare_to else None
    if diff is not None:
        (folder / "compare.md").write_text(report.compare_markdown(diff), encoding="utf-8")
    if json_out:
        print_json({"summary": summary, "report": str(json_path), "compare": diff})
    else:
        _show(summary, run.repeat, threshold, json_path, md_path, diff)
    if report.gate_rate(summary) < threshold:
        sys.exit(1)


class EvalUsageError(ServiceLensError):
    """An option value the eval cannot run with."""

    exit_code = 2


def _check_usage(repeat: int, jobs: int, threshold: float, compare_to: Path | None) -> None:
    # Checked here rather than with typer's min/max so that the edge prints them in one line
    # with exit status 2, like every other usage error of this command.
    if repeat < 1 or jobs < 1:
        raise EvalUsageError("--repeat and --jobs must be at least 1.")
    if not 0.0 <= threshold <= 1.0:
        raise EvalUsageError("--threshold is a pass rate between 0 and 1, e.g. 0.8.")
    if compare_to is not None and not compare_to.is_file():
        raise EvalUsageError(f"--compare: {compare_to} is not a report.json file.")


class _progress:
    """A rich progress bar on stderr (none with --json); yields the per-run callback."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.quiet = total, quiet
        self.bar: Progress | None = None

    def __enter__(self) -> Any:
        if self.quiet:
            return None
        self.bar = Progress(
            TextColumn("[bold]eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"), console=err_console, transient=True,
        )  # fmt: skip
        self.bar.start()
        task = self.bar.add_task("", total=self.total)
        bar = self.bar

        def on_run(run: Any) -> None:
            mark = "skip" if run.skipped else ("pass" if run.passed else "FAIL")
            bar.update(task, advance=1, description=f"{run.case_id}: {mark}")

        return on_run

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _show(
    summary: dict[str, Any],
    repeat: int,
    threshold: float,
    json_path: Path,
    md_path: Path,
    diff: dict[str, Any] | None,
) -> None:
    from . import report

    for title, key in (
        ("subset", "by_subset"), ("category", "by_category"), ("language", "by_language"),
    ):  # fmt: skip
        table = Table(title=f"Pass rate by {title}")
        for col in (title, "cases", "passed runs", "pass rate", f"pass^{repeat}"):
            table.add_column(col, justify="left" if col == title else "right")
        for row in report.group_rows(summary[key]):
            table.add_row(*map(str, row))
        console.print(table)
    scorers = ", ".join(
        f"{k} {v['mean']:.2f}" for k, v in summary["scorers"].items() if v["mean"] is not None
    )
    console.print(f"Scorer means: {scorers}")
    lat, tok = summary["latency_ms"], summary["tokens"]
    cost = "n/a" if summary["cost_usd"] is None else f"${summary['cost_usd']:.4f}"
    console.print(
        f"Latency median {lat['median']} ms, p95 {lat['p95']} ms; tokens {tok['total']:,}; "
        f"est. cost {cost}"
    )
    silent = summary["silent_wrong"]
    console.print(
        f"Silent wrong (answered, not flagged or hedged, wrong number or entity): "
        f"{silent['count']}/{silent['runs']} runs ({100 * (silent['rate'] or 0):.1f}%)"
    )
    gate = report.gate_rate(summary)
    verdict = "[green]PASS[/]" if gate >= threshold else "[red]FAIL[/]"
    console.print(
        f"[bold]Pass rate {100 * (summary['pass_rate'] or 0):.1f}%[/] "
        f"(pass^{repeat} {100 * gate:.1f}%, threshold {100 * threshold:.0f}%): {verdict}"
    )
    if diff is not None:
        console.print(report.compare_markdown(diff), markup=False, highlight=False)
    console.print(f"Report: {md_path}\nJSON:   {json_path}")
