"""``servicelens ingest``: load exports (CSV, TSV, Parquet, JSONL, Excel) into the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ...data.errors import ServiceLensError
from ...data.ingest.pipeline import IngestOptions, IngestReport, ingest
from ..workspace import embedder_for
from .common import (
    HomeOption,
    JsonOption,
    console,
    err_console,
    open_analyst,
    print_json,
    settings_for,
)

_STAGES = {"embed": "Embedding", "enrich": "Enriching", "chroma": "Vector index"}
_STAGES |= {"keyword": "Keyword index", "commit": "Writing tables", "catalog": "Catalog"}
_STAGES |= {"stack": "Stacking files"}


class IngestUsageError(ServiceLensError):
    exit_code = 2


def parse_meta(items: list[str]) -> dict[str, str]:
    meta = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise IngestUsageError(f"--meta {item!r} must look like KEY=COLUMN, e.g. region=区域.")
        meta[name.strip()] = column.strip()
    return meta


class _Bar:
    """One rich progress task per stage (per file while reading), fed by ingest's callback."""

    def __init__(self, disable: bool) -> None:
        # Descriptions name the user's files: plain text, never markup.
        description = TextColumn("{task.description:<28}", markup=False)
        columns = (description, BarColumn(), MofNCompleteColumn())
        self.bar = Progress(*columns, TimeElapsedColumn(), console=err_console, disable=disable)
        self.tasks: dict[str, Any] = {}

    def update(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            label = _STAGES.get(stage, stage.capitalize())
            self.tasks[stage] = self.bar.add_task(label, total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)


def _summary(report: IngestReport) -> Table:
    table = Table(title="Ingested", caption=f"{report.seconds:.1f} s")
    for name in ("file", "table", "rows", "rejected", "feedback"):
        table.add_column(name, justify="right" if name in ("rows", "rejected") else "left")
    for r in report.tables:
        rejected = f"{r.rejected:,}" + (" (set aside)" if r.reject_file else "")
        feedback = f"{r.voc_rows:,} → voc" if r.voc_rows else ""
        table.add_row(r.file, r.table, f"{r.rows:,}", rejected, feedback)
    return table


def _print(report: IngestReport) -> None:
    if report.tables:
        console.print(_summary(report))
    # An unchanged file is not the whole story when an interrupted run's work was just done.
    same = "unchanged since its last load" if report.finished else "unchanged; nothing to do"
    for r in report.tables:
        notes = [same] if r.unchanged else r.notes
        for note in notes:
            console.print(f"  {r.table}: {note}")
        if r.reject_file:
            rows = f"{r.rejected:,} row" + ("" if r.rejected == 1 else "s")
            console.print(f"  {r.table}: {rows} set aside, each with its line and "
                          f"reason (personal data redacted), in {r.reject_file}")  # fmt: skip
    if report.catalog:
        console.print(f"Catalog written: {report.catalog} (edit with `servicelens catalog edit`).")
        console.print(_catalog_changes(report))
    if report.catalog_skipped:
        console.print("Left out of the catalog (neither dimensions nor metrics):")
    for line in _left_out(report):
        console.print(f"  {line}")
    for dropped in report.catalog_dropped:
        console.print(Text.assemble(("Catalog entry dropped:", "yellow"), f" {dropped}"))
    if report.index:
        idx = report.index
        state = "up to date" if idx.get("skipped") else "built"
        console.print(f"VOC index {state}: {idx['records']:,} records ({idx['model']}).")
        if idx.get("themes"):
            console.print(f"Feedback themes: {idx['themes']}.")
    if report.index_error:
        console.print(Text.assemble(("VOC index not built:", "yellow"), f" {report.index_error}"))
    _print_interrupted(report)


def _print_interrupted(report: IngestReport) -> None:
    if report.swept:
        console.print(f"Removed {len(report.swept)} staging folder(s) left by killed ingests.")
    if report.finished:
        console.print(Text(f"Finished an interrupted ingest: {'; '.join(report.finished)}."))
    for line in report.unfinished:
        console.print(Text.assemble(("Not finished:", "yellow"), f" {line}"))
    if not (report.tables or report.finished or report.unfinished):
        console.print("Nothing to finish: the tables, the catalog and the index agree.")


def _catalog_changes(report: IngestReport) -> str:
    added = report.catalog_added
    dims = [a.split(".", 1)[1] for a in added if a.startswith("dimensions.")]
    metrics = [a.split(".", 1)[1] for a in added if a.startswith("metrics.")]
    if not added:
        return "Catalog entries added: none (the existing entries still fit)."
    return (
        f"Catalog entries added: {len(dims)} dimensions ({_few(dims)}); "
        f"{len(metrics)} metrics ({_few(metrics)})."
    )


def _left_out(report: IngestReport) -> list[str]:
    """One line per table: its ids, then its free-text columns, each with the reason."""
    lines: dict[str, list[str]] = {}
    for kind, word in (("id", "ids"), ("text", "free text")):
        for table in dict.fromkeys(s.table for s in report.catalog_skipped):
            found = [s for s in report.catalog_skipped if s.table == table and s.role == kind]
            if found:
                named = ", ".join(f"{s.column} ({s.figures})" for s in found)
                lines.setdefault(table, []).append(f"{word}: {named}")
    return [f"{table}: {'; '.join(parts)}" for table, parts in lines.items()]


def _few(names: list[str], shown: int = 8) -> str:
    more = f", … {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more if names else "none"


def _print_examples(home: Path | None) -> None:
    # Commands that work on what was just loaded (never a metric this workspace lacks).
    with open_analyst(home) as analyst:
        examples = analyst.describe().examples
    for example in examples:
        console.print(f"Try: {example}", style="dim")


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        files: Annotated[
            list[Path] | None,
            typer.Argument(
                help="CSV, TSV, Parquet, JSONL or Excel. With none, finish what an interrupted "
                "ingest left undone (its catalog entries, the feedback index).",
                show_default=False,
            ),
        ] = None,
        table: Annotated[
            str | None,
            typer.Option(
                "--table",
                help="Table name (default: the file name). With several files, they are "
                "stacked into this one table: columns matched by name, a source_file column "
                "saying where each row came from.",
            ),
        ] = None,
        text: Annotated[
            str | None,
            typer.Option("--text", help="Free-text column to redact, embed and index as VOC."),
        ] = None,
        id_column: Annotated[
            str | None,
            typer.Option(
                "--id",
                help="Unique id column (the VOC id, the key of flag labels). Duplicate or empty "
                "ids stop the load with their lines; with --skip-bad-rows the first row of each "
                "id is kept and the others are set aside in the reject file.",
            ),
        ] = None,
        meta: Annotated[
            list[str] | None,
            typer.Option("--meta", help="VOC metadata KEY=COLUMN (region, created_at, ...)."),
        ] = None,
        mapping: Annotated[
            Path | None, typer.Option("--mapping", help="YAML mapping onto canonical tables.")
        ] = None,
        skip_bad_rows: Annotated[
            bool,
            typer.Option(
                "--skip-bad-rows",
                help="Set bad rows (values that do not fit, broken lines, repeated or empty ids) "
                "aside in a reject file and load the rest.",
            ),
        ] = False,
        encoding: Annotated[
            str | None, typer.Option("--encoding", help="Force an encoding, e.g. gb18030.")
        ] = None,
        latest_per: Annotated[
            str | None,
            typer.Option(
                "--latest-per",
                help="Event logs: load one row per value of this column (e.g. number), its "
                "latest update.",
            ),
        ] = None,
        latest_by: Annotated[
            str | None,
            typer.Option(
                "--latest-by",
                help="With --latest-per: the column that orders updates (e.g. sys_mod_count); "
                "the highest wins, ties and the default go to the later row in the file.",
            ),
        ] = None,
        theme_column: Annotated[
            str | None,
            typer.Option(
                "--theme-column",
                help="Category column whose values are the feedback themes (default: "
                "discover themes from the feedback).",
            ),
        ] = None,
        home: HomeOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Load exports into named tables (all or nothing), derive the catalog, index feedback."""
        settings = settings_for(home)
        options = IngestOptions(
            table, text, id_column, parse_meta(meta or []), mapping, skip_bad_rows, encoding,
            latest_per, latest_by, theme_column,
        )  # fmt: skip
        # Also without --text: an interrupted ingest may still owe the feedback index.
        embedder = embedder_for(settings)
        bar = _Bar(disable=as_json)
        with bar.bar:
            report = ingest(
                settings.paths, files or [], options, embedder=embedder, progress=bar.update,
                chroma_url=settings.chroma_url,
            )  # fmt: skip
        if as_json:
            print_json(report.to_dict())
        else:
            _print(report)
            _print_examples(home)
