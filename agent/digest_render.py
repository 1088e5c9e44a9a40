"""The digest as Markdown, standalone HTML (the report page: inline style, nothing loaded) or
JSON, the formats ``servicelens digest --format`` writes and ``GET /v1/digest`` serves."""

from __future__ import annotations

from typing import Literal

from ..data.sql_params import inline_params
from .digest_model import Digest, DigestItem, DigestSection
from .digest_text import words
from .render.report import to_html

Format = Literal["md", "html", "json"]
FORMATS: tuple[Format, ...] = ("md", "html", "json")


def render(digest: Digest, fmt: str) -> str:
    if fmt == "md":
        return to_markdown(digest)
    if fmt == "html":
        return to_html(to_markdown(digest), title=digest.title, lang=digest.lang)
    if fmt == "json":
        return digest.model_dump_json(indent=2) + "\n"
    raise ValueError(f"Unknown format {fmt!r}; use md, html or json.")


def to_markdown(digest: Digest) -> str:
    w = words(digest.lang)
    p = digest.period
    lines = [
        f"# {_inert(digest.title)}",
        "",
        f"_{w.period}: {p.start} – {p.end}, {w.compared} {p.comparison_start} – "
        f"{p.comparison_end} (as of {p.as_of})._",
        "",
    ]
    if digest.dashboard_url:
        lines += [f"Dashboard: {digest.dashboard_url}", ""]
    for section in digest.sections:
        lines += _section(section, w.no_items, w.unavailable)
    lines += [f"## {w.evidence}", ""]
    for item in digest.items():
        lines += _evidence(item)
    return "\n".join(lines).rstrip() + "\n"


def _section(section: DigestSection, empty: str, unavailable: str) -> list[str]:
    out = [f"## {section.title}", ""]
    if section.status == "unavailable":
        return [*out, f"_{unavailable}: {_inert(section.note)}_", ""]
    for item in section.items:
        out.append(f"- **[{item.id}] {item.label}** — {_inert(item.text)}")
        out.append(f"  _{_inert(item.method)}_")
    if not section.items:
        out.append(empty)
    if section.note:
        out += ["", f"_{_inert(section.note)}_"]
    return [*out, ""]


def _evidence(item: DigestItem) -> list[str]:
    out = [f"### [{item.id}] {_inert(item.title)}", ""]
    if item.evidence.link:
        out += [item.evidence.link, ""]
    if item.evidence.sql:
        sql = inline_params(item.evidence.sql.strip(), item.evidence.params)
        out += ["```sql", sql, "```", ""]
    figures = ", ".join(f"{k} = {_figure(v)}" for k, v in item.figures.items() if v is not None)
    return [*out, f"_{_inert(figures)}_", ""]


def _figure(value: object) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _inert(text: str) -> str:
    """Data shown as written: no Markdown link, image or HTML made of it."""
    for ch in "\\[]<*_`":
        text = text.replace(ch, "\\" + ch)
    return text
