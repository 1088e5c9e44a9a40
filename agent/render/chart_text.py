"""A chart spec as plain unicode text for a terminal: horizontal bars, one glyph per series.

Hand-made rather than plotext: plotext 6 draws on one process-wide figure (unsafe when several
analysts render at once), gives string x values no line plot and, without colour, no way to tell
grouped series apart. This renderer is a pure function of the spec: no global state, no colour
codes (faces may add their own), and widths measured in terminal cells, so Chinese labels, which
take two cells per character, still line up.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

from ...tools.chart_spec import ChartDatum, ChartSpec, format_value

GLYPHS = "█▓▒░▚▞▙▟▛▜■□"
SPARKS = "▁▂▃▄▅▆▇█"
# A line chart lists its points as bars too while that stays short enough to read.
MAX_LINE_ROWS = 36


def to_terminal(spec: ChartSpec, width: int = 80) -> str:
    """The chart as text at most ``width`` cells wide (at least 40)."""
    width = max(width, 40)
    lines = [_fit(f"{spec.title} [{spec.source_id}]", width)]
    series = spec.series_values()
    if series:
        lines.append(_fit(_legend(series), width))
    if spec.kind == "line":
        lines += _sparklines(spec, width)
        if len(spec.data) > MAX_LINE_ROWS:
            return _join(lines)
    if spec.kind == "stacked_bar":
        lines += _stacked_rows(spec, width)
    else:
        lines += _bar_rows(spec, width)
    return _join(lines)


def _join(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines)


def cells(text: str) -> int:
    """Terminal cells ``text`` takes, as the terminal library measures them: wide (CJK)
    characters and emoji take two, combining marks and zero-width joiners none."""
    return cell_len(text)


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells (with an ellipsis) or padded to exactly that width."""
    if cells(text) > width:
        # Cut whole graphemes, so a combining mark or a joined emoji is never split.
        text = set_cell_size(text, width - 1).rstrip() + "…"
    return text + " " * (width - cells(text))


def _legend(series: list[str]) -> str:
    return "  ".join(f"{GLYPHS[i % len(GLYPHS)]} {s}" for i, s in enumerate(series))


def _layout(spec: ChartSpec, width: int, values: list[float | None]) -> tuple[int, int, int]:
    label_w = min(max(cells(x) for x in spec.x_values()), width // 4, 24)
    value_w = max(len(format_value(v, spec.unit)) for v in values)
    return label_w, value_w, max(width - label_w - value_w - 4, 10)


def _bar_rows(spec: ChartSpec, width: int) -> list[str]:
    values = [d.value for d in spec.data]
    label_w, value_w, bar_w = _layout(spec, width, values)
    numbers = [v for v in values if v is not None]
    lo, hi = min([0.0, *numbers]), max([0.0, *numbers])
    glyph = {s: GLYPHS[i % len(GLYPHS)] for i, s in enumerate(spec.series_values())}
    order = {x: i for i, x in enumerate(spec.x_values())}
    rows, last_x = [], None
    for d in sorted(spec.data, key=lambda d: order[d.x]):
        label = _fit(d.x if d.x != last_x else "", label_w)
        bar = _bar(d.value, lo, hi, bar_w, glyph.get(d.series or "", GLYPHS[0]))
        rows.append(f"{label} │{bar} {format_value(d.value, spec.unit).rjust(value_w)}")
        last_x = d.x
    return rows


def _bar(value: float | None, lo: float, hi: float, width: int, glyph: str) -> str:
    """``value`` drawn from the zero line, on a scale running from ``lo`` to ``hi``."""
    span = (hi - lo) or 1.0
    zero = round(width * -lo / span)
    if value is None:
        return " " * width
    n = round(width * abs(value) / span) or (1 if value else 0)
    start = zero if value >= 0 else zero - n
    return (" " * start + glyph * n).ljust(width)


def _stacked_rows(spec: ChartSpec, width: int) -> list[str]:
    by_x: dict[str, list[ChartDatum]] = {}
    for d in spec.data:
        by_x.setdefault(d.x, []).append(d)
    totals = {x: sum(max(d.value or 0.0, 0.0) for d in ds) for x, ds in by_x.items()}
    label_w, value_w, bar_w = _layout(spec, width, list(totals.values()))
    top = max(totals.values()) or 1.0
    glyph = {s: GLYPHS[i % len(GLYPHS)] for i, s in enumerate(spec.series_values())}
    rows = []
    for x, ds in by_x.items():
        bar = "".join(glyph[d.series or ""] * round(bar_w * max(d.value or 0, 0) / top) for d in ds)
        total = format_value(totals[x], spec.unit).rjust(value_w)
        rows.append(f"{_fit(x, label_w)} │{bar[:bar_w].ljust(bar_w)} {total}")
    return rows


def _sparklines(spec: ChartSpec, width: int) -> list[str]:
    groups: dict[str, list[float | None]] = {}
    for d in spec.data:
        groups.setdefault(d.series or spec.y_label, []).append(d.value)
    xs = spec.x_values()
    span = f"{xs[0]} → {xs[-1]}" if len(xs) > 1 else xs[0]
    name_w = min(max(cells(name) for name in groups), 20)
    lines = [_fit(span, width)]
    for name, values in groups.items():
        numbers = [v for v in values if v is not None]
        lo, hi = (min(numbers), max(numbers)) if numbers else (0.0, 0.0)
        rng = f"{format_value(lo, spec.unit)} … {format_value(hi, spec.unit)}"
        lines.append(_fit(f"{_fit(name, name_w)} {_spark(values, lo, hi)}  {rng}", width))
    return lines


def _spark(values: list[float | None], lo: float, hi: float) -> str:
    span = (hi - lo) or 1.0
    top = len(SPARKS) - 1
    return "".join(" " if v is None else SPARKS[round(top * (v - lo) / span)] for v in values)
