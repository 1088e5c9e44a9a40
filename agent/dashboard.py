"""The managers' dashboard as data: one tile per question, each with the evidence behind it.

Tiles: the customer emotion index (the negative share of feedback per month, from the enriched
feedback table), rising feedback themes (share now against the period before), and the digest's
significant changes, early warnings, customers at risk (with the health distribution) and
forecast. A tile the workspace cannot fill says why (``status`` "unavailable"), never shows
made-up numbers.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from ..data.errors import ServiceLensError
from ..data.period_types import add_months
from .digest_model import Digest, DigestPeriod, Lang, Status

if TYPE_CHECKING:
    from .analyst import Analyst

EMOTION_MONTHS = 12
SINCE = "28d"
TILE_KEYS = ("warnings", "health", "emotion", "themes", "changes", "forecast")


class Point(BaseModel):
    label: str
    value: float
    low: float | None = None  # an interval, for forecast points
    high: float | None = None
    kind: Literal["actual", "forecast", "band", "at_risk"] = "actual"


class TileEvidence(BaseModel):
    sql: str = ""
    columns: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)
    quotes: list[dict[str, str]] = Field(default_factory=list)  # id, date, text


class Tile(BaseModel):
    key: str
    title: str
    status: Status
    note: str = ""
    unit: str = ""
    points: list[Point] = Field(default_factory=list)  # a chart, when the tile has one
    chart: Literal["line", "bar"] = "line"
    lines: list[str] = Field(default_factory=list)  # short items (themes, changes)
    # The digest item each line is (C1, W2, R1), whose own evidence the page links to.
    item_ids: list[str] = Field(default_factory=list)
    evidence: TileEvidence = Field(default_factory=TileEvidence)


class Dashboard(BaseModel):
    as_of: date
    lang: Lang
    since: str
    period: DigestPeriod
    tiles: list[Tile]

    def tile(self, key: str) -> Tile | None:
        return next((t for t in self.tiles if t.key == key), None)


_TITLES = {
    "en": {
        "emotion": "Customer emotion index (negative share of feedback)",
        "themes": "Rising feedback themes",
        "changes": "Significant changes",
        "forecast": "Forecast against recent actuals",
        "warnings": "Early warnings",
        "health": "Customer health",
    },
    "zh": {
        "emotion": "客户情绪指数（负面反馈占比）",
        "themes": "上升的反馈主题",
        "changes": "显著变化",
        "forecast": "预测与近期实际",
        "warnings": "预警",
        "health": "客户健康度",
    },
}


def build_dashboard(analyst: Analyst, lang: Lang = "en", since: str = SINCE) -> Dashboard:
    """The tiles as of the analyst's day; themes and changes cover ``since`` (7d, 4w, 3m)
    before it, against the period before that."""
    digest = analyst.digest(since, lang=lang)
    # What needs someone's action comes first.
    tiles = [
        _warnings_tile(digest),
        _safe(lambda a, g: health_tile(a, digest), analyst, lang, "health"),
        _safe(emotion_tile, analyst, lang),
        _safe(lambda a, g: themes_tile(a, g, digest.period), analyst, lang, "themes"),
        *_digest_tiles(analyst, digest),
    ]
    return Dashboard(as_of=analyst.as_of, lang=lang, since=since, period=digest.period, tiles=tiles)


def _safe(build: Any, analyst: Analyst, lang: Lang, key: str = "emotion") -> Tile:
    try:
        tile: Tile = build(analyst, lang)
    except ServiceLensError as exc:
        return Tile(key=key, title=_TITLES[lang][key], status="unavailable", note=str(exc))
    return tile


def emotion_tile(analyst: Analyst, lang: Lang) -> Tile:
    """The negative share of feedback per complete month, the last twelve months."""
    end = analyst.as_of.replace(day=1)
    start = add_months(end, -EMOTION_MONTHS)
    sql = (
        "SELECT strftime(date_trunc('month', created_at), '%Y-%m') AS month, "
        "count(*) AS feedback, count(*) FILTER (WHERE sentiment = 'negative') AS negative, "
        "round(100.0 * count(*) FILTER (WHERE sentiment = 'negative') / count(*), 1) "
        "AS negative_share_pct FROM voc "
        f"WHERE created_at >= DATE '{start}' AND created_at < DATE '{end}' "
        "GROUP BY 1 ORDER BY 1"
    )
    result = analyst.sql(sql)
    quotes = analyst.sql(
        "SELECT voc_id, strftime(created_at, '%Y-%m-%d') AS day, text FROM voc "
        f"WHERE sentiment = 'negative' AND created_at < DATE '{end}' "
        "ORDER BY created_at DESC LIMIT 3"
    )
    points = [Point(label=str(r[0]), value=float(r[3])) for r in result.rows if r[3] is not None]
    evidence = TileEvidence(
        sql=result.sql, columns=result.columns, rows=result.rows,
        quotes=[{"id": f"V:{q[0]}", "date": str(q[1]), "text": str(q[2])} for q in quotes.rows],
    )  # fmt: skip
    status: Status = "ok" if points else "empty"
    note = _range_note(start, end, lang)
    return Tile(key="emotion", title=_TITLES[lang]["emotion"], status=status, note=note,
                unit="%", points=points, evidence=evidence)  # fmt: skip


def _range_note(start: date, end: date, lang: Lang) -> str:
    if lang == "zh":
        return f"{start:%Y-%m} 至 {add_months(end, -1):%Y-%m}，按月。"
    return f"Monthly, {start:%Y-%m} to {add_months(end, -1):%Y-%m}."


def themes_tile(analyst: Analyst, lang: Lang, period: DigestPeriod) -> Tile:
    """Themes whose share of feedback grew most against the period before."""
    out = analyst.themes(period=period.phrase, top=12, quotes=1, compare=True)
    rising = sorted(
        (t for t in out.themes if (t.get("change_pp") or 0) > 0 and not t.get("praise")),
        key=lambda t: -(t.get("change_pp") or 0),
    )[:5]
    name = "theme_name_zh" if lang == "zh" else "theme_name"
    lines = [
        f"{t.get(name) or t['theme']}: {t['previous_share_pct']:.1f}% → {t['share_pct']:.1f}% "
        f"({t['previous_count']} → {t['count']})"
        for t in rising
    ]
    columns = ["theme", "count", "share_pct", "previous_count", "previous_share_pct", "change_pp"]
    rows = [[t.get(c) for c in columns] for t in out.themes]
    quotes = [
        {"id": q["id"], "date": str(q.get("date", "")), "text": str(q.get("customer_text", ""))}
        for t in rising
        for q in t.get("quotes", [])[:1]
    ]
    source = str(out.theme_source.get("text") or out.theme_source.get("kind") or "")
    count = f"{out.previous_records} → {out.records} " + ("条反馈" if lang == "zh" else "feedback")
    note = f"{period.comparison_label} → {period.label}: {count}"
    note += f" · {source}" if source else ""
    return Tile(
        key="themes", title=_TITLES[lang]["themes"], status="ok" if rising else "empty",
        note=note, unit="%", lines=lines,
        evidence=TileEvidence(columns=columns, rows=rows, quotes=quotes),
    )  # fmt: skip


def _digest_tiles(analyst: Analyst, digest: Digest) -> list[Tile]:
    lang = digest.lang
    tiles = []
    for key in ("changes", "forecast"):
        section = next(s for s in digest.sections if s.key == key)
        note = section.note
        if key == "changes":
            note = f"{digest.period.comparison_label} → {digest.period.label}: {note}"
        tile = Tile(key=key, title=_TITLES[lang][key], status=section.status, note=note)
        tile.lines = [f"[{i.id}] {i.text}" for i in section.items]
        tile.item_ids = [i.id for i in section.items]
        if section.items:
            first = section.items[0]
            tile.evidence = TileEvidence(sql=first.evidence.sql)
            tile.evidence.rows = [[i.id, i.title, i.method] for i in section.items]
            tile.evidence.columns = ["item", "finding", "test"]
        tiles.append(tile)
    forecast = next(t for t in tiles if t.key == "forecast")
    if forecast.status == "ok":
        _forecast_points(analyst, forecast)
    return tiles


def _forecast_points(analyst: Analyst, tile: Tile) -> None:
    from .digest_sections import FORECAST_WEEKS, volume_metric

    metric = volume_metric(analyst.catalog)
    assert metric is not None
    report = analyst.forecast(metric, horizon=FORECAST_WEEKS)
    series = report.series[0]
    tile.unit = report.unit
    tile.points = [Point(label=a.period, value=a.value) for a in series.history[-12:]]
    tile.points += [
        Point(label=f.period, value=f.forecast, low=f.lower_80, high=f.upper_80, kind="forecast")
        for f in series.forecast
    ]
    tile.evidence = TileEvidence(
        sql=series.sql,
        columns=["week", "value", "kind", "lower_80", "upper_80"],
        rows=[[p.label, round(p.value, 1), p.kind, p.low, p.high] for p in tile.points],
    )


def _warnings_tile(digest: Digest) -> Tile:
    """The digest's early warnings, high severity first, each line linking to its evidence."""
    lang = digest.lang
    section = next(s for s in digest.sections if s.key == "warnings")
    tile = Tile(key="warnings", title=_TITLES[lang]["warnings"], status=section.status,
                note=section.note)  # fmt: skip
    sep = "：" if lang == "zh" else ": "
    tile.lines = [f"[{i.id}] {i.label}{sep}{i.text}" for i in section.items]
    tile.item_ids = [i.id for i in section.items]
    if section.items:
        tile.evidence = TileEvidence(
            sql=section.items[0].evidence.sql,
            columns=["item", "severity", "owner", "finding", "evidence ids", "warning id"],
            rows=[
                [i.id, i.label, i.team, i.title, ", ".join(i.evidence.ids[:5]), i.ref]
                for i in section.items
            ],
        )
    return tile


def health_tile(analyst: Analyst, digest: Digest) -> Tile:
    """Customers per 10-point band of the health score (red below the at-risk line) and the
    digest's customers at risk, key accounts first."""
    lang = digest.lang
    report = analyst.customer_health(top=10)
    section = next(s for s in digest.sections if s.key == "at_risk")
    line = analyst.settings.health.at_risk_below
    points = [
        Point(label=band, value=n, kind="at_risk" if int(band.split("-")[1]) <= line else "band")
        for band, n in report.distribution.items()
    ]
    tile = Tile(
        key="health", title=_TITLES[lang]["health"], status="ok" if report.scored else "empty",
        note=section.note, unit="count", points=points, chart="bar",
        lines=[f"[{i.id}] {i.text}" for i in section.items],
        item_ids=[i.id for i in section.items],
    )  # fmt: skip
    tile.evidence = TileEvidence(
        sql=section.items[0].evidence.sql if section.items else "",
        columns=["item", "customer", "score", "reasons"],
        rows=[[i.id, i.ref, i.figures.get("score"), i.text] for i in section.items],
    )
    return tile
