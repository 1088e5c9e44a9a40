"""``servicelens init``: build the seeded demo workspace, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ...data.demo.build import BuildReport, build_demo
from .common import HomeOption, JsonOption, console, err_console, print_json, settings_for

STAGES = {"tickets": "Generating service history", "contracts": "Writing contracts"}


def _summary(report: BuildReport) -> Table:
    table = Table(
        title="Demo workspace", caption=f"{report.home} · built in {report.seconds:.1f} s"
    )
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in report.counts.items():
        table.add_row(name, f"{count:,}")
    return table


def _run(
    home: Path | None, scale: str, seed: int, force: bool, index: bool, quiet: bool
) -> BuildReport:
    settings = settings_for(home)
    if quiet:
        return build_demo(
            settings.home, scale=scale, seed=seed, force=force, index=index,
            chroma_url=settings.chroma_url,
        )  # fmt: skip
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES.get(stage, stage.capitalize()), total=total)
            bar.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        return build_demo(
            settings.home, scale=scale, seed=seed, force=force, index=index, progress=progress,
            chroma_url=settings.chroma_url,
        )  # fmt: skip


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        home: HomeOption = None,
        scale: Annotated[
            str,
            typer.Option(
                "--scale",
                help="Tickets to generate: a number (250000, 1M) or small / default / "
                "large / xlarge.",
            ),
        ] = "default",
        seed: Annotated[
            int, typer.Option("--seed", help="Random seed; same seed, same data.")
        ] = 42,
        force: Annotated[
            bool, typer.Option("--force", help="Rebuild even if a workspace already exists.")
        ] = False,
        index: Annotated[
            bool,
            typer.Option(
                "--index/--no-index", help="Build the VOC search index too (default: yes)."
            ),
        ] = True,
        as_json: JsonOption = False,
    ) -> None:
        """Build the seeded demo service history (tickets, surveys, contracts, VOC) and index."""
        report = _run(home, scale, seed, force, index, quiet=as_json)
        if as_json:
            print_json(
                {
                    "home": str(report.home),
                    "scale": report.scale,
                    "seed": report.seed,
                    "counts": report.counts,
                    "seconds": report.seconds,
                    "redactions": report.redactions,
                    "indexed": report.indexed,
                }
            )
            return
        console.print(_summary(report))
