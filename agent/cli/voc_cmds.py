"""``servicelens search`` and ``servicelens index``: customer feedback from the command line."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ...data.errors import ServiceLensError
from ...tools.search_voc import FILTER_KEYS
from ..results import SearchOutput
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

_STAGES = {
    "read": "Reading source",
    "embed": "Embedding",
    "enrich": "Enriching",
    "chroma": "Vector index",
    "keyword": "Keyword index",
}
WhereOption = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        help=f"Filter as key=value ({', '.join(FILTER_KEYS)}, or a column of the records the "
        "feedback came from, e.g. brand); repeat for several.",
    ),
]


def search(
    query: Annotated[str, typer.Argument(help="What customers said, in any language.")],
    where: WhereOption = None,
    period: Annotated[
        str | None, typer.Option(help='Date phrase, e.g. "last quarter", "上个月", "2026-07".')
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many quotes.")] = 8,
    mode: Annotated[
        str, typer.Option(help="hybrid, vector or keyword.", case_sensitive=False)
    ] = "hybrid",
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search customer feedback (hybrid: meaning plus exact words) with optional filters."""
    filters = _where(where or [])
    with open_analyst(home) as analyst:
        result = analyst.search(query, where=filters, period=period, k=k, mode=mode.lower())
    if as_json:
        data = result.model_dump(mode="json")
        # Flat hits: each record's metadata beside its id, score and text.
        data["hits"] = [
            {"id": h.id, "score": h.score, "text": h.text, **h.meta} for h in result.hits
        ]
        print_json(data)
        return
    _print_result(result)


def index(
    rebuild: Annotated[bool, typer.Option(help="Rebuild even if nothing changed.")] = False,
    themes: Annotated[
        str | None,
        typer.Option(
            "--themes",
            help="Where feedback themes come from: discovered (from the feedback) or taxonomy "
            "(the demo's); default: what the workspace uses.",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Index the feedback table of this live source incrementally: only rows new or "
            "changed since the last run (see feedback_table in servicelens.toml).",
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="With --source: read every row again and drop records whose row was deleted.",
        ),
    ] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Build or refresh the customer-feedback index (embeddings, enrichment, vector + keyword)."""
    from ...data.theme_set import ThemeSource
    from ...data.voc_pipeline import index_voc

    if source is not None:
        _index_source(source, full, home, as_json)
        return
    if full:
        raise ServiceLensError("--full applies to --source NAME; use --rebuild for the index.")
    sources = {"discovered": ThemeSource.discovered(), "taxonomy": ThemeSource.taxonomy()}
    if themes is not None and themes not in sources:
        raise ServiceLensError(f"--themes must be discovered or taxonomy, not {themes!r}.")
    settings = settings_for(home)
    embedder = embedder_for(settings)
    with _progress_bar(disable=as_json) as report_progress:
        report = index_voc(
            settings.paths,
            embedder=embedder,
            progress=report_progress,
            rebuild=rebuild,
            chroma_url=settings.chroma_url,
            themes=sources[themes] if themes else None,
        )
    if as_json:
        print_json(report.to_dict())
    elif report.skipped:
        console.print(f"VOC index is up to date ({report.records:,} records); nothing to do.")
    else:
        console.print(
            f"Indexed {report.records:,} records with {report.model} ({report.dim}-d): "
            f"{report.embedded:,} embedded, {report.cached:,} from cache; redactions "
            f"{report.redactions or 'none'}; {sum(report.seconds.values()):.1f} s."
        )
        console.print(f"Feedback themes: {report.themes}.")


def _index_source(name: str, full: bool, home: Any, as_json: bool) -> None:
    from ..source_feedback import index_source_feedback

    settings = settings_for(home)
    with _progress_bar(disable=as_json) as report_progress:
        report = index_source_feedback(settings, name, full=full, progress=report_progress)
    if as_json:
        print_json(report.to_dict())
        return
    how = "every row read" if report.full else "rows changed since the last run"
    console.print(
        f"{report.source}.{report.table}: {report.read:,} {how}; {report.added:,} added, "
        f"{report.updated:,} updated, {report.removed:,} removed; {report.embedded:,} embedded, "
        f"{report.cached:,} from cache; {report.records:,} records in the index; "
        f"{report.seconds:.1f} s."
    )


class _progress_bar:
    """A rich progress bar with one task per ingest stage, fed by index_voc's callback."""

    def __init__(self, disable: bool) -> None:
        self._bar = Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=disable,
        )
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Any:
        self._bar.start()
        return self.update

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def update(self, stage: str, done: int, total: int) -> None:
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(_STAGES.get(stage, stage), total=total)
        self._bar.update(self._tasks[stage], completed=done, total=total)


def _where(items: list[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key or not value.strip():
            raise ServiceLensError(
                f"--where {item!r} is not key=value: use one of {', '.join(FILTER_KEYS)}, or a "
                "column of the records the feedback came from (brand=…)."
            )
        # Other keys are groupings of the source records, checked by the search itself.
        fields[key] = _where_value(key, value.strip()) if key in FILTER_KEYS else value.strip()
    return fields


def _where_value(key: str, value: str) -> Any:
    if key != "min_reach":
        # "region=East,North" means either.
        parts = [v.strip() for v in value.split(",") if v.strip()]
        return parts[0] if len(parts) == 1 else parts
    if not value.isdigit():
        raise ServiceLensError(f"--where min_reach needs a whole number, not {value!r}.")
    return int(value)


def _print_result(result: SearchOutput) -> None:
    table = Table(show_header=True, header_style="bold", expand=True)
    for name in ("id", "date", "src", "region", "product"):
        table.add_column(name, no_wrap=True)
    table.add_column("text", ratio=1)
    table.add_column("score", justify="right")
    for h in result.hits:
        m = h.meta
        date = str(m.get("date", ""))
        shown_date = f"{date[:4]}-{date[4:6]}-{date[6:]}" if len(date) == 8 else ""
        table.add_row(
            h.id,
            shown_date,
            m.get("source", ""),
            m.get("region", ""),
            m.get("model", ""),
            h.text,
            f"{h.score:.3f}",
        )
    console.print(table)
    words = "-" if result.keyword_matches is None else f"{result.keyword_matches:,}"
    console.print(
        f"{len(result.hits)} of {result.total_matching:,} matching records ({result.mode}); "
        f"{words} contain query words."
    )


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.command("index")(index)
