"""``servicelens forecast``: a metric's next weeks or months, with intervals and a backtest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from .common import HomeOption, JsonOption, console, open_analyst, print_json
from .metric_cmds import fmt, parse_where

if TYPE_CHECKING:
    from ..forecast import Backtest, ForecastReport, SeriesForecast


def forecast(
    metric: Annotated[str, typer.Argument(help="Metric name or alias, e.g. ticket_count.")],
    by: Annotated[
        str | None, typer.Option("--by", help="One forecast per top value of a dimension.")
    ] = None,
    where: Annotated[
        list[str] | None, typer.Option("--where", help="Filter DIM=VALUE (VALUE may be a,b).")
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option("--horizon", help="Periods ahead (default 8 weeks, 6 months)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help='Forecast through a period ahead: "next quarter", 下个月.'),
    ] = None,
    grain: Annotated[str, typer.Option("--grain", help="week or month.")] = "week",
    backtest: Annotated[
        bool, typer.Option("--backtest", help="Score the model on past origins vs naive ones.")
    ] = False,
    folds: Annotated[int, typer.Option("--folds", help="Backtest origins.")] = 8,
    top: Annotated[int, typer.Option("--top", help="Values of --by forecast.")] = 5,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Forecast a metric per week or month, with 80% and 95% prediction intervals.

    Holt-Winters smoothing; --backtest scores it against naive and seasonal-naive forecasts."""
    with open_analyst(home) as analyst:
        report = analyst.forecast(
            metric, by=by, where=parse_where(where or []), horizon=horizon, until=until,
            grain=grain, backtest=backtest, folds=folds, top=top,
        )  # fmt: skip
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    for series in report.series:
        console.print(forecast_table(report, series))
        for line in about(report, series):
            console.print(Text(line, style="dim"))
        if series.backtest is not None:
            console.print(backtest_table(series.backtest))
            console.print(Text(series.backtest.note, style="dim"))
            console.print(Text(verdict(series.backtest)))
        console.print()
    for note in report.notes:
        console.print(Text(note, style="yellow"))


def forecast_table(report: ForecastReport, series: SeriesForecast) -> Table:
    segment = f" — {report.dimension} = {series.value}" if report.dimension else ""
    unit = report.unit
    title = f"FORECAST of {report.label}, {report.grain}ly{segment}"
    table = Table(title=Text(title), title_justify="left", header_style="bold")
    table.add_column("week of" if report.grain == "week" else "month")
    for name in ("forecast", "80% interval", "95% interval"):
        table.add_column(name, justify="right")
    for p in series.forecast:
        table.add_row(
            Text(p.period), fmt(p.forecast, unit),
            f"{fmt(p.lower_80, unit)} – {fmt(p.upper_80, unit)}",
            f"{fmt(p.lower_95, unit)} – {fmt(p.upper_95, unit)}",
        )  # fmt: skip
    return table


def about(report: ForecastReport, series: SeriesForecast) -> list[str]:
    """What a reader needs beside the forecast table: that it is one, and what it rests on."""
    last = series.history[-1]
    lines = [
        f"Forecast, not actual data. Model: {series.model}.",
        f"History {report.history_start} – {report.history_end} ({len(series.history)} "
        f"{report.grain}s); last actual {last.period}: {fmt(last.value, report.unit)}.",
    ]
    if report.target:
        lines.append(f"Through {report.target}.")
    return lines + series.notes


def backtest_table(bt: Backtest) -> Table:
    title = f"Backtest: {bt.folds} origins, {bt.origins[0]} – {bt.origins[-1]}"
    table = Table(title=title, title_justify="left", header_style="bold")
    columns = ("step", "model MAPE", "seasonal-naive MAPE", "naive MAPE", "model MAE",
               f"{bt.baseline} MAE", "in 80%", "in 95%")  # fmt: skip
    for name in columns:
        table.add_column(name, justify="right")
    for s in bt.steps:
        table.add_row(
            f"+{s.step}", _pct(s.model_mape), _pct(s.seasonal_naive_mape), _pct(s.naive_mape),
            _num(s.model_mae), _num(s.baseline_mae),
            f"{s.covered_80:.0%}", f"{s.covered_95:.0%}",
        )  # fmt: skip
    return table


def verdict(bt: Backtest) -> str:
    if bt.beats_baseline is None:
        return "The backtest has no non-zero actual values to compare the MAPEs on."
    wins = sum(
        s.model_mape < s.baseline_mape
        for s in bt.steps
        if s.model_mape is not None and s.baseline_mape is not None
    )
    word = "beats" if bt.beats_baseline else "does not beat"
    return (
        f"The model {word} the {bt.baseline} baseline: MAPE {_pct(bt.model_mape)} against "
        f"{_pct(bt.baseline_mape)} over all steps (better at {wins} of {len(bt.steps)} steps)."
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
