"""``servicelens warnings``, ``health`` and ``staffing``: what needs acting on before customers
leave, and the people it takes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from .common import HomeOption, JsonOption, console, open_analyst, print_json
from .metric_cmds import parse_where

if TYPE_CHECKING:
    from ..health import HealthReport
    from ..staffing import StaffingReport
    from ..warnings import WarningReport

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Count from this date (YYYY-MM-DD) instead of today."),
]
LangOption = Annotated[str, typer.Option("--lang", help="en or zh.")]
_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}


def warnings(
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only these kinds (repeatable), e.g. sla_cluster."),
    ] = None,
    as_of: AsOfOption = None,
    lang: LangOption = "en",
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Early warnings: unanswered influencers, repeat contacts, rising defects, SLA clusters.

    Each says who should act, by when and on what evidence; kinds the data cannot support
    are listed with what they need. Thresholds: [servicelens.warnings.*] in servicelens.toml."""
    with open_analyst(home) as analyst:
        report = analyst.warnings(as_of, kinds=kind)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    print_warnings(report, lang)


def print_warnings(report: WarningReport, lang: str = "en") -> None:
    zh = lang == "zh"
    title = f"{len(report.warnings)} early warning(s) as of {report.as_of}"
    table = Table(title=Text(title), title_justify="left", header_style="bold", show_lines=True)
    for name in ("severity", "warning", "who acts", "by", "evidence"):
        table.add_column(name)
    for w in report.warnings:
        listed = w.evidence.feedback_ids or w.evidence.ids
        ids = listed[:3]
        more = len(listed) - len(ids) + w.evidence.more_ids
        table.add_row(
            Text(w.severity, style=_STYLE[w.severity]),
            Text(w.title.zh if zh else w.title.en),
            Text(w.owner.zh if zh else w.owner.en),
            str(w.due),
            Text(", ".join(ids) + (f" +{more}" if more > 0 else "")),
        )
    console.print(table)
    for s in report.skipped:
        needs = f" Needs: {'; '.join(s.needs)}." if s.needs else ""
        console.print(Text(f"Not computed — {s.kind}: {s.reason}.{needs}", style="yellow"))
    console.print(Text("Evidence (SQL, ids, numbers): servicelens warnings --json", style="dim"))


def health(
    top: Annotated[int, typer.Option("--top", help="At-risk customers to list.")] = 10,
    as_of: AsOfOption = None,
    lang: LangOption = "en",
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Customer health: a score per customer and the at-risk list, key accounts first.

    Every component's value, points and weight are shown (--json for all); weights are
    [servicelens.health.weights] in servicelens.toml."""
    with open_analyst(home) as analyst:
        report = analyst.customer_health(as_of, top=top)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    print_health(report, lang)


def print_health(report: HealthReport, lang: str = "en") -> None:
    zh = lang == "zh"
    weights = ", ".join(f"{k} {v:g}" for k, v in report.weights.items())
    console.print(
        Text(
            f"Customer health as of {report.as_of}: {report.scored:,} scored "
            f"({report.window['from']} – {report.window['to']}); weights: {weights}."
        )
    )
    table = Table(title="At risk", title_justify="left", header_style="bold", show_lines=True)
    for name in ("customer", "key account", "score", "why"):
        table.add_column(name)
    for h in report.at_risk:
        who = f"{h.name} ({h.customer})" if h.name else h.customer
        why = (h.reasons_zh if zh else h.reasons) or ["—"]
        if h.missing:
            why = [*why, f"no data: {', '.join(h.missing)}"]
        table.add_row(
            Text(who), "yes" if h.key_account else "", f"{h.score:.0f}", Text("\n".join(why))
        )
    console.print(table)
    for name, reason in report.missing_inputs.items():
        console.print(Text(f"Not computed — {name}: {reason}.", style="yellow"))
    for note in report.notes:
        console.print(Text(note, style="dim"))


def staffing(
    target: Annotated[
        float | None, typer.Option("--target", help="Share answered in time, e.g. 0.8.")
    ] = None,
    within: Annotated[
        str | None, typer.Option("--within", help="The wait allowed, e.g. 20s or 1m.")
    ] = None,
    aht: Annotated[
        str | None, typer.Option("--aht", help="Handling time per contact, e.g. 6m or 300s.")
    ] = None,
    staffed: Annotated[
        int | None, typer.Option("--staffed", help="Agents on shift now, per hour.")
    ] = None,
    metric: Annotated[
        str | None, typer.Option("--metric", help="Count metric of contacts (default: volume).")
    ] = None,
    where: Annotated[
        list[str] | None, typer.Option("--where", help="Filter DIM=VALUE, e.g. channel=phone.")
    ] = None,
    as_of: AsOfOption = None,
    lang: LangOption = "en",
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Agents needed each hour of next week for a service level (Erlang C), and where to add.

    Arrivals are the forecast week spread as recent weeks were; defaults are
    [servicelens.staffing] in servicelens.toml."""
    with open_analyst(home) as analyst:
        report = analyst.staffing(
            as_of,
            metric=metric,
            where=parse_where(where or []),
            target=target,
            within_seconds=seconds(within) if within else None,
            handle_minutes=seconds(aht) / 60 if aht else None,
            staffed=staffed,
        )
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    print_staffing(report, lang)


def seconds(text: str) -> float:
    found = re.fullmatch(
        r"\s*([0-9]+(?:\.[0-9]+)?)\s*(s|sec|secs|seconds|m|min|mins|minutes)?\s*", text
    )
    if found is None:
        raise typer.BadParameter(f"{text!r} is not a duration; write e.g. 20s or 6m.")
    value = float(found.group(1))
    return value * 60 if (found.group(2) or "s").startswith("m") else value


def print_staffing(report: StaffingReport, lang: str = "en") -> None:
    zh = lang == "zh"
    lo, hi = report.weekly_interval_80
    console.print(
        Text(
            f"FORECAST week of {report.week_of}: {report.weekly_forecast:,.0f} contacts "
            f"(80% interval {lo:,.0f} – {hi:,.0f}; {report.model}). Handling time "
            f"{report.handle_minutes:g} min ({report.handle_source}); target {report.target:.0%} "
            f"within {report.within_seconds:g} s; shrinkage {report.shrinkage:.0%}."
        )
    )
    console.print(
        Text(f"Flat roster: {report.staffed} agent(s) per hour ({report.staffed_source}).")
    )
    if not report.proposals:
        console.print(Text("No hour needs more than the flat roster."))
    for p in report.proposals:
        text = p.text.zh if zh else p.text.en[:1].upper() + p.text.en[1:]
        console.print(Text("• " + text))
    for note in report.notes:
        console.print(Text(note, style="dim"))


def register(app: typer.Typer) -> None:
    app.command("warnings")(warnings)
    app.command("health")(health)
    app.command("staffing")(staffing)
