"""``servicelens themes``: what customers talk about in a slice, with change and quotes."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from ...data.errors import ServiceLensError
from ..results import ThemesOutput
from .common import HomeOption, JsonOption, console, open_analyst, print_json

_WHERE_KEYS = ("region", "product_line", "model", "source", "segment", "sentiment", "lang")
_HEADERS = {
    "en": ("Theme", "Count", "Share", "Previous", "Change", "What customers say"),
    "zh": ("主题", "数量", "占比", "上期", "变化", "客户原话"),
}
_EMERGING = {"en": "emerging", "zh": "新兴"}
_SOURCE_ZH = {
    "discovered": "主题从反馈中自动发现：{themes} 个聚类",
    "column": "主题来自导出文件的列 {column}（{themes} 个值）",
    "taxonomy": "主题来自演示分类体系（{themes} 个主题）",
}


class ThemesError(ServiceLensError):
    """The themes request cannot be answered as asked (bad filter, empty slice, ...)."""


def themes(
    period: Annotated[
        str | None,
        typer.Option(help='Date phrase, e.g. "last quarter", "上个月", "2026-07"; default all.'),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            help="Filter as key=value (region, product_line, model, source, segment, sentiment, "
            "lang, or a column of the records the feedback came from, e.g. brand); repeat.",
        ),
    ] = None,
    top: Annotated[int, typer.Option(min=1, max=25, help="How many themes to list.")] = 10,
    quotes: Annotated[int, typer.Option(min=0, max=3, help="Quotes per theme.")] = 2,
    compare: Annotated[
        bool, typer.Option(help="Compare with the previous period of equal length.")
    ] = True,
    lang: Annotated[str, typer.Option(help="Language of theme names: en or zh.")] = "en",
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Top customer-feedback themes for a period and slice, with change and quotes."""
    if lang not in _HEADERS:
        raise ThemesError(f"--lang must be en or zh, not {lang!r}.")
    filters = _where(where or [])
    with open_analyst(home) as analyst:
        result = analyst.themes(
            period=period, where=filters, top=top, quotes=quotes, compare=compare
        )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    _print(result, lang)


def _where(items: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key or not value.strip():
            raise ThemesError(
                f"--where {item!r} is not key=value: use one of {', '.join(_WHERE_KEYS)}, or a "
                "column of the records the feedback came from (brand=…)."
            )
        found[key] = value.strip()
    return found


def _print(result: ThemesOutput, lang: str) -> None:
    content = result.model_dump()
    head = _HEADERS[lang]
    period = content["period"]
    title = period if isinstance(period, str) else f"{period['label']} ({period['start']} – "
    title += "" if isinstance(period, str) else f"{period['last_day']})"
    table = Table(title=f"{title} · {content['records']:,} records", header_style="bold")
    for name, justify in zip(head[:5], ("left", "right", "right", "right", "right"), strict=True):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for t in content["themes"]:
        shown = Text(t["theme_name_zh"] if lang == "zh" else t["theme_name"])
        if t.get("emerging"):
            shown.append(f" ({_EMERGING[lang]})", style="bold yellow")
        prev = "-" if t["previous_count"] is None else f"{t['previous_count']:,}"
        table.add_row(shown, f"{t['count']:,}", f"{t['share_pct']:.1f}%", prev, _change(t))
    console.print(table)
    console.print(_source_text(result.theme_source, lang), style="dim")
    if content["truncated"]:
        console.print(f"(+{content['themes_not_shown']} smaller themes not shown)")
    _print_quotes(content, lang, head[5])


def _source_text(source: dict[str, Any], lang: str) -> str:
    if lang == "zh" and source.get("kind") in _SOURCE_ZH:
        return _SOURCE_ZH[source["kind"]].format(**{"column": "", **source})
    text = str(source.get("text") or "")
    return text[:1].upper() + text[1:] + "."


def _change(theme: dict[str, Any]) -> Text:
    pp = theme["change_pp"]
    if pp is None:
        return Text("-")
    # Red marks bad news: a complaint theme growing, or a praise theme shrinking.
    good = (pp > 0) == bool(theme.get("praise"))
    arrow = "▲" if pp > 0 else "▼" if pp < 0 else "="
    pct = theme["change_pct"]
    rel = f" ({pct:+.0f}%)" if pct is not None else " (new)" if theme["count"] else ""
    style = "" if pp == 0 else "green" if good else "red"
    return Text.assemble((arrow, style), f" {pp:+.1f} pp{rel}")


def _print_quotes(content: dict[str, Any], lang: str, heading: str) -> None:
    with_quotes = [t for t in content["themes"] if t["quotes"]]
    if not with_quotes:
        return
    console.print(f"\n{heading}", style="bold")
    for t in with_quotes:
        console.print(t["theme_name_zh"] if lang == "zh" else t["theme_name"], style="bold")
        for q in t["quotes"]:
            where = " · ".join(str(v) for v in (q["date"], q["source"], q["region"]) if v)
            quote = f"  “{q['customer_text']}” "
            console.print(Text.assemble(quote, (f"{q['id']} · {where}", "dim")))


def register(app: typer.Typer) -> None:
    app.command("themes")(themes)
