"""Small charts as inline SVG, drawn on the server: the dashboard loads no script.

A line chart: actual values are a solid line; forecast values a dashed line with their interval
as a band. A bar chart: one bar per band, red where the band is at risk.
Every text is escaped; the SVG uses presentation attributes only (no ``style``), so the page's
Content-Security-Policy needs nothing for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Protocol

WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 520, 200, 44, 14, 34


class ChartPoint(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def low(self) -> float | None: ...
    @property
    def high(self) -> float | None: ...
    @property
    def kind(self) -> str: ...


def line_chart(points: Sequence[ChartPoint], *, unit: str = "", title: str = "") -> str:
    if not points:
        return ""
    highs = [p.high if p.high is not None else p.value for p in points]
    lows = [p.low if p.low is not None else p.value for p in points]
    top, bottom = max(highs), min(0.0, min(lows))
    span = (top - bottom) or 1.0
    step = (WIDTH - 2 * PAD_X) / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return PAD_X + i * step

    def y(v: float) -> float:
        return PAD_TOP + (HEIGHT - PAD_TOP - PAD_BOTTOM) * (1 - (v - bottom) / span)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        _axis(bottom, top, unit, y),
    ]
    forecast = [i for i, p in enumerate(points) if p.kind == "forecast"]
    if forecast:
        band = [(x(i), y(points[i].high or points[i].value)) for i in forecast]
        band += [(x(i), y(points[i].low or points[i].value)) for i in reversed(forecast)]
        parts.append(f'<polygon points="{_pts(band)}" fill="#c9def0" opacity="0.7"/>')
    actual = [i for i, p in enumerate(points) if p.kind == "actual"]
    parts.append(_polyline([(x(i), y(points[i].value)) for i in actual], "#2f6f9f", ""))
    if forecast:
        joined = ([actual[-1]] if actual else []) + forecast
        coords = [(x(i), y(points[i].value)) for i in joined]
        parts.append(_polyline(coords, "#c26d1a", ' stroke-dasharray="5 4"'))
    for i, p in enumerate(points):
        color = "#c26d1a" if p.kind == "forecast" else "#2f6f9f"
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="2.6" fill="{color}">'
            f"<title>{escape(p.label)}: {p.value:,.1f}{escape(_suffix(unit))}</title></circle>"
        )
    for i in (0, len(points) // 2, len(points) - 1):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 12}" font-size="10" fill="#52606d" '
            f'text-anchor="middle">{escape(points[i].label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _axis(bottom: float, top: float, unit: str, y: object) -> str:
    out = []
    for v in (bottom, (bottom + top) / 2, top):
        yy = y(v)  # type: ignore[operator]
        out.append(
            f'<line x1="{PAD_X}" x2="{WIDTH - PAD_X}" y1="{yy:.1f}" y2="{yy:.1f}" '
            'stroke="#e4e7eb"/>'
            f'<text x="{PAD_X - 6}" y="{yy + 3:.1f}" font-size="10" fill="#52606d" '
            f'text-anchor="end">{v:,.0f}{escape(_suffix(unit))}</text>'
        )
    return "".join(out)


def _suffix(unit: str) -> str:
    return "%" if unit == "%" else ""


def _pts(coords: list[tuple[float, float]]) -> str:
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in coords)


def _polyline(coords: list[tuple[float, float]], color: str, extra: str) -> str:
    if not coords:
        return ""
    return (
        f'<polyline points="{_pts(coords)}" fill="none" stroke="{color}" stroke-width="2"{extra}/>'
    )


def bar_chart(points: Sequence[ChartPoint], *, unit: str = "", title: str = "") -> str:
    """Bars with their value above and their label below (a distribution over bands)."""
    if not points:
        return ""
    top = max(max(p.value for p in points), 1.0)
    slot = (WIDTH - 2 * PAD_X) / len(points)
    inner = HEIGHT - PAD_TOP - PAD_BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">'
    ]
    for i, p in enumerate(points):
        h = inner * p.value / top
        x, y = PAD_X + i * slot + slot * 0.15, PAD_TOP + inner - h
        color = "#c0392b" if p.kind == "at_risk" else "#2f6f9f"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{color}"><title>{escape(p.label)}: {p.value:,.0f}{escape(_suffix(unit))}'
            "</title></rect>"
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 3:.1f}" font-size="10" fill="#1f2933" '
            f'text-anchor="middle">{p.value:,.0f}</text>'
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - 12}" font-size="10" fill="#52606d" '
            f'text-anchor="middle">{escape(p.label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
