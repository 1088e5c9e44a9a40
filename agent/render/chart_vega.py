"""Vega-Lite JSON and PNG renderers of a chart spec.

The JSON carries its data inline (``data.values``), so a portal needs nothing but the spec; the
only URL in it is the ``$schema`` identifier, which Vega never fetches. PNGs are drawn by
vl-convert, which bundles Vega and renders without a browser; every conversion passes
``allowed_base_urls=[]``, so a spec that named a data URL would fail instead of reaching the
network. vl-convert draws text only with fonts it can find: without a CJK font, Chinese labels
become boxes, so a CJK font found on the machine is registered once and put first in the font list.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...tools.chart_spec import ChartSpec, format_value

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Bars carry their value as a label while they stay few enough to read.
LABELLED_BARS = 24
# File-name fragments of common CJK fonts (lower case, no spaces) and the family they hold.
_CJK_FONTS = (
    ("notosanscjk", "Noto Sans CJK SC"),
    ("notoserifcjk", "Noto Serif CJK SC"),
    ("notosanssc", "Noto Sans SC"),
    ("sourcehansans", "Source Han Sans SC"),
    ("wqy-microhei", "WenQuanYi Micro Hei"),
    ("wqy-zenhei", "WenQuanYi Zen Hei"),
    ("droidsansfallback", "Droid Sans Fallback"),
    ("pingfang", "PingFang SC"),
    ("hiraginosansgb", "Hiragino Sans GB"),
    ("msyh", "Microsoft YaHei"),
    ("simhei", "SimHei"),
    ("arialunicode", "Arial Unicode MS"),
)
_FONT_FILES = (".ttf", ".otf", ".ttc", ".otc")
_register_lock = threading.Lock()
_registered: set[str] = set()


@dataclass(frozen=True)
class CjkFont:
    family: str
    path: Path


def font_dirs() -> list[Path]:
    """Where fonts usually live on Linux, macOS and Windows."""
    home = Path(os.path.expanduser("~"))
    return [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local/share/fonts",
        home / ".fonts",
        Path("/Library/Fonts"),
        Path("/System/Library/Fonts"),
        home / "Library/Fonts",
        Path("C:/Windows/Fonts"),
    ]


def find_cjk_font(dirs: tuple[Path, ...] | None = None) -> CjkFont | None:
    """The first font with Chinese glyphs found in ``dirs`` (default: the usual font folders)."""
    dirs = tuple(dirs) if dirs is not None else tuple(font_dirs())
    for fragment, family in _CJK_FONTS:
        for folder in dirs:
            for path in _font_files(folder):
                if fragment in path.name.lower().replace(" ", "").replace("_", ""):
                    return CjkFont(family, path)
    return None


def _font_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = []
    for root, _, files in os.walk(folder):
        found += [Path(root) / f for f in files if f.lower().endswith(_FONT_FILES)]
    # Regular weights first, so the font named in reports is the one text is set in.
    return sorted(found, key=lambda p: ("regular" not in p.name.lower(), str(p)))


@lru_cache(maxsize=1)
def _default_font() -> CjkFont | None:
    # Scanned once per process: walking the font folders for every PNG would cost more than
    # drawing it. A font installed while a server runs is seen after a restart.
    return find_cjk_font()


def _png_config(font: CjkFont | None) -> dict[str, Any]:
    if font is None:
        return {}
    folder = str(font.path.parent)
    with _register_lock:
        if folder not in _registered:
            import vl_convert

            vl_convert.register_font_directory(folder)
            _registered.add(folder)
    return {"font": f"{font.family}, sans-serif"}


def to_png(
    spec: ChartSpec,
    *,
    width: int = 800,
    height: int = 450,
    scale: float = 1,
    font: CjkFont | None = None,
) -> bytes:
    """PNG bytes of exactly ``width*scale`` × ``height*scale`` pixels, drawn offline."""
    import vl_convert

    config = _png_config(font or _default_font())
    vl = to_vega_lite(spec, width=width, height=height)
    png: bytes = vl_convert.vegalite_to_png(vl, scale=scale, config=config, allowed_base_urls=[])
    return png


def to_vega_lite(spec: ChartSpec, *, width: int = 800, height: int = 450) -> dict[str, Any]:
    """A Vega-Lite v5 spec with the data inline; ``width``/``height`` are the whole image."""
    values = [_datum(d.x, d.series, d.value, spec.unit) for d in spec.data]
    chart: dict[str, Any] = {
        "$schema": SCHEMA,
        "title": spec.title,
        "description": f"{spec.y_label} by {spec.x_label}, from {spec.source_id}",
        "width": width,
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
        "data": {"values": values},
        "encoding": _encoding(spec),
        "usermeta": {"servicelens": {"source": spec.source_id, "unit": spec.unit}},
    }
    layers = [{"mark": _mark(spec)}]
    if spec.kind in ("bar", "grouped_bar") and len(values) <= LABELLED_BARS:
        layers.append({"mark": {"type": "text", "dy": -6, "fontSize": 11}, "encoding": _label()})
    if len(layers) == 1:
        chart["mark"] = layers[0]["mark"]
    else:
        chart["layer"] = layers
    return chart


def _datum(x: str, series: str | None, value: float | None, unit: str) -> dict[str, Any]:
    out: dict[str, Any] = {"x": x, "value": value, "label": format_value(value, unit)}
    if series is not None:
        out["series"] = series
    return out


def _mark(spec: ChartSpec) -> dict[str, Any]:
    if spec.kind == "line":
        return {"type": "line", "point": True, "tooltip": True}
    return {"type": "bar", "tooltip": True}


def _encoding(spec: ChartSpec) -> dict[str, Any]:
    xs = spec.x_values()
    crowded = len(xs) > 8 or max(len(v) for v in xs) > 12
    x = {
        "field": "x",
        "type": "ordinal" if spec.kind == "line" else "nominal",
        "sort": None,
        "title": spec.x_label,
        "axis": {"labelAngle": -40 if crowded else 0, "labelLimit": 180},
    }
    y: dict[str, Any] = {"field": "value", "type": "quantitative", "title": spec.y_label}
    if spec.kind == "line":
        y["scale"] = {"zero": False}
    elif spec.kind != "stacked_bar":
        y["stack"] = None
    encoding: dict[str, Any] = {"x": x, "y": y, "tooltip": _tooltip(spec)}
    if spec.series_values():
        encoding["color"] = {
            "field": "series",
            "type": "nominal",
            "sort": None,
            "title": spec.series_label,
        }
        if spec.kind == "grouped_bar":
            encoding["xOffset"] = {"field": "series", "sort": None}
    return encoding


def _tooltip(spec: ChartSpec) -> list[dict[str, Any]]:
    tips = [{"field": "x", "title": spec.x_label}]
    if spec.series_values():
        tips.append({"field": "series", "title": spec.series_label or "Series"})
    return [*tips, {"field": "label", "title": spec.y_label}]


def _label() -> dict[str, Any]:
    return {"text": {"field": "label"}, "color": {"value": "#333333"}}
