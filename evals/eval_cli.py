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
from rich.text import Text

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
    app.command("eval-banks")(banks_command)


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
    from .cases import load_cases, recipe_as_of, select
    from .costs import load_prices
    from .runner import RunOptions, raise_for_empty, run_eval

    _check_usage(repeat, jobs, threshold, compare_to)
    settings = settings_for(home)
    name = provider or settings.resolved_provider
    cases = select(load_cases(list(golden or [])), filter_expr)
    raise_for_empty(cases, filter_expr)
    # A bank's questions were written against its own "today"; the workspace's setting wins.
    as_of = recipe_as_of(list(golden or [])) if settings.as_of is None else None
    options = RunOptions(
        home=home, provider=name, repeat=repeat, jobs=jobs, filter=filter_expr,
        prices=load_prices(prices) if prices else None,
        golden=[str(p) for p in golden or []],
        overrides={"as_of": as_of} if as_of else {},
    )  # fmt: skip
    with _progress(len(cases) * repeat, json_out) as on_run:
        run = run_eval(cases, options, on_run)
    folder = out or settings.paths.home / "evals" / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
    json_path, md_path = report.write(run, folder)
    summary = report.summarize(run)
    card_path = None
    if name == "openai":
        from . import model_card

        card_path = model_card.write(run, folder, summary)[1]
    diff = report.compare(report.load(compare_to), run) if compare_to else None
    if diff is not None:
        (folder / "compare.md").write_text(report.compare_markdown(diff), encoding="utf-8")
    if json_out:
        card = str(card_path) if card_path else None
        print_json(
            {"summary": summary, "report": str(json_path), "compare": diff, "model_card": card}
        )
    else:
        _show(summary, run.repeat, threshold, json_path, md_path, diff)
        if card_path is not None:
            console.print(f"Model card: {card_path}")
    if report.gate_rate(summary) < threshold:
        sys.exit(1)


def banks_command(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Banks to run, e.g. car_complaints_zh (default: all)."),
    ] = None,
    datasets: Annotated[
        Path | None,
        typer.Option(
            "--datasets", help="Folder of the public exports (default ../shared/datasets)."
        ),
    ] = None,
    workspaces: Annotated[
        Path | None,
        typer.Option("--workspaces", help="Where bank workspaces are built and kept."),
    ] = None,
    provider: Annotated[str, typer.Option("--provider", help="offline or openai.")] = "offline",
    jobs: Annotated[int, typer.Option("--jobs", help="Cases run in parallel (threads).")] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="Report folder, one per bank.")] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Pass rate every bank needs for exit 0.")
    ] = 0.85,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Build the workspaces anew.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Run the question banks over public exports; build each bank's workspace on first use."""
    from .banks import BankError, bank_files, default_datasets, is_generated, run_banks

    _check_usage(1, jobs, threshold, None)
    folder = datasets or default_datasets()
    files = bank_files(names)
    if (folder is None or not folder.is_dir()) and not all(map(is_generated, files)):
        raise BankError(
            "The public datasets are not here; pass --datasets DIR or set SERVICELENS_DATASETS."
        )
    root = workspaces or Path.home() / ".cache" / "servicelens" / "banks"
    reports = out or root / "reports" / time.strftime("%Y%m%d-%H%M%S")
    outcomes = run_banks(
        files, folder, root, reports, provider=provider, jobs=jobs, rebuild=rebuild
    )
    rows = [o.row() for o in outcomes]
    if json_out:
        print_json({"banks": rows, "reports": str(reports)})
    else:
        _show_banks(rows, reports)
    if any(o.error or (o.pass_rate or 0.0) < threshold for o in outcomes):
        sys.exit(1)


def _show_banks(rows: list[dict[str, Any]], reports: Path) -> None:
    table = Table(title="Question banks")
    heads = ("bank", "cases", "pass rate", "tuned", "held out", "silent wrong")
    for col in heads:
        table.add_column(col, justify="left" if col == "bank" else "right")
    for r in rows:
        if r["error"]:
            table.add_row(r["bank"], "—", Text("error", style="red"), "", "", "")
            continue
        table.add_row(
            r["bank"], str(r["cases"]), _pct(r["pass_rate"]), _pct(r["tuned"]),
            _pct(r["held_out"]), f"{r['silent_wrong']}/{r['runs']}",
        )  # fmt: skip
    console.print(table)
    for r in rows:
        if r["error"]:
            err_console.print(f"{r['bank']}: {r['error']}")
    console.print(f"Reports: {reports}")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


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
    verdict = ("PASS", "green") if gate >= threshold else ("FAIL", "red")
    console.print(
        Text.assemble(
            (f"Pass rate {100 * (summary['pass_rate'] or 0):.1f}%", "bold"),
            f" (pass^{repeat} {100 * gate:.1f}%, threshold {100 * threshold:.0f}%): ",
            verdict,
        )
    )
    if diff is not None:
        console.print(report.compare_markdown(diff), highlight=False)
    console.print(f"Report: {md_path}\nJSON:   {json_path}")
