"""The dashboard page: server-rendered HTML with inline SVG charts and no script at all.

Each tile shows its figures and opens its evidence in place (a ``<details>`` with the SQL, the
rows and the quotes) and as JSON (``/dashboard/tiles/<key>.json``). Every value is escaped: tiles
carry customer text. The only resource is the inline style sheet, allowed by its hash, so the
Content-Security-Policy forbids everything else — scripts, images, fonts, frames, forms.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

from ..dashboard import Dashboard, Tile
from ..render.svg_chart import bar_chart, line_chart

MAX_ROWS = 20

_CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",
Helvetica,Arial,sans-serif;margin:0;background:#f4f6f8;color:#1f2933;line-height:1.45}
header{background:#234e70;color:#fff;padding:.8rem 1.4rem;display:flex;gap:1rem;
align-items:baseline;flex-wrap:wrap}
header h1{font-size:1.3rem;margin:0}header a{color:#fff}header .meta{opacity:.85}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(30rem,1fr));gap:1rem;
padding:1rem 1.4rem}
.tile{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:.8rem 1rem}
.tile h2{font-size:1.02rem;margin:0 0 .4rem;color:#234e70}
.note{color:#52606d;font-size:.85rem;margin:.2rem 0 .5rem}
.unavailable{color:#8a6d3b;background:#fcf8e3;padding:.5rem;border-radius:4px}
ul.lines{padding-left:1.1rem;margin:.3rem 0;font-size:.9rem}
.chart{width:100%;height:auto}
details{margin-top:.5rem;font-size:.85rem}summary{cursor:pointer;color:#2f6f9f}
pre{background:#f4f6f8;padding:.5rem;white-space:pre-wrap;font-size:.78rem;max-height:14rem;
overflow:auto}
table{border-collapse:collapse;font-size:.78rem;display:block;overflow-x:auto}
th,td{border:1px solid #d9e2ec;padding:.15rem .4rem;text-align:left}th{background:#eef2f6}
blockquote{margin:.3rem 0;padding:.2rem .6rem;border-left:3px solid #c9a227;background:#fbf7ea}
.legend{font-size:.78rem;color:#52606d}
a.evidence-link,a.item-link{font-size:.8rem;color:#2f6f9f}
"""

_STYLE_HASH = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
# Nothing is loaded: the inline style sheet (by its hash) is the page's only resource.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)

_WORDS = {
    "en": {
        "title": "ServiceLens — service dashboard",
        "as_of": "as of",
        "evidence": "Evidence",
        "json": "Evidence as JSON",
        "quotes": "Customer voices",
        "legend": "solid: actual · dashed: forecast with its 80% interval (not actual data)",
        "other": "中文",
        "empty": "Nothing to show for this period.",
        "item": "evidence",
        "bars": "customers per band of the health score (0–100); red: at risk",
    },
    "zh": {
        "title": "ServiceLens — 智能管理看板",
        "as_of": "数据截至",
        "evidence": "证据",
        "json": "证据（JSON）",
        "quotes": "客户原声",
        "legend": "实线：实际 · 虚线：预测及 80% 区间（非实际数据）",
        "other": "English",
        "empty": "本期无可显示内容。",
        "item": "证据",
        "bars": "各健康分区间（0–100）的客户数；红色：有风险",
    },
}


def page(dashboard: Dashboard, query: str = "") -> str:
    w = _WORDS[dashboard.lang]
    other = "en" if dashboard.lang == "zh" else "zh"
    suffix = f"&{query}" if query else ""
    tiles = "\n".join(_tile(t, dashboard.lang, suffix) for t in dashboard.tiles)
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if dashboard.lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(w["title"])}</title>
<style>{_CSS}</style>
</head>
<body>
<header><h1>{escape(w["title"])}</h1>
<span class="meta">{w["as_of"]} {dashboard.as_of} · {escape(dashboard.period.label)}</span>
<a href="?lang={other}{suffix}" hreflang="{other}">{w["other"]}</a></header>
<main>
{tiles}
</main>
</body>
</html>
"""


def _tile(tile: Tile, lang: str, suffix: str) -> str:
    w = _WORDS[lang]
    parts = [f'<section class="tile" id="tile-{tile.key}" data-status="{tile.status}">']
    parts.append(f"<h2>{escape(tile.title)}</h2>")
    if tile.status == "unavailable":
        parts.append(f'<p class="unavailable">{escape(tile.note)}</p></section>')
        return "".join(parts)
    if tile.note:
        parts.append(f'<p class="note">{escape(tile.note)}</p>')
    if tile.points:
        chart = bar_chart if tile.chart == "bar" else line_chart
        parts.append(chart(tile.points, unit=tile.unit, title=tile.title))
        if any(p.kind == "forecast" for p in tile.points):
            parts.append(f'<p class="legend">{escape(w["legend"])}</p>')
        if tile.chart == "bar":
            parts.append(f'<p class="legend">{escape(w["bars"])}</p>')
    if tile.lines:
        items = "".join(
            f"<li>{escape(line)}{_item_link(tile, i, lang, suffix)}</li>"
            for i, line in enumerate(tile.lines)
        )
        parts.append(f'<ul class="lines">{items}</ul>')
    parts.append(_evidence(tile, lang))
    href = f"/dashboard/tiles/{tile.key}.json?lang={lang}{suffix}"
    parts.append(f'<p><a class="evidence-link" href="{escape(href)}">{w["json"]}</a></p>')
    if tile.status == "empty":
        parts.insert(2, f'<p class="unavailable">{w["empty"]}</p>')
    return "".join(parts) + "</section>"


def _item_link(tile: Tile, i: int, lang: str, suffix: str) -> str:
    """A line's own evidence: its digest item, with the rows of its query run again."""
    if i >= len(tile.item_ids):
        return ""
    href = f"/v1/digest/items/{tile.item_ids[i]}?lang={lang}{suffix}"
    return f' <a class="item-link" href="{escape(href)}">{_WORDS[lang]["item"]}</a>'


def _evidence(tile: Tile, lang: str) -> str:
    w = _WORDS[lang]
    ev = tile.evidence
    out = [f"<details><summary>{w['evidence']}</summary>"]
    if ev.sql:
        out.append(f"<pre>{escape(ev.sql)}</pre>")
    if ev.columns:
        head = "".join(f"<th>{escape(c)}</th>" for c in ev.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
            for row in ev.rows[:MAX_ROWS]
        )
        out.append(f"<table><tr>{head}</tr>{body}</table>")
    if ev.quotes:
        out.append(f"<p>{w['quotes']}</p>")
        out += [
            f"<blockquote>[{escape(q['id'])}] {escape(q['date'])}: {escape(q['text'])}</blockquote>"
            for q in ev.quotes
        ]
    return "".join(out) + "</details>"


def _cell(value: Any) -> str:
    return "" if value is None else escape(str(value))
