"""Exportable reports: a Markdown body plus a sources appendix, as Markdown or standalone HTML.

The HTML has no external assets (inline CSS, no scripts, no fonts or images fetched) so it opens
offline and prints cleanly. Raw HTML in the Markdown is not passed through: customer text could
carry markup, and it is data, never layout. For the same reason Markdown images and links are
shown as the text they are written as: a customer's ``![x](http://host/p.png)`` quoted in an
answer would otherwise be fetched when the report is opened, telling the host who read it. A
Content-Security-Policy forbids loading anything else the page might come to hold.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from ...data.errors import DataError
from ...data.sql_params import inline_params
from ...tools.filled import inline_citations
from ...tools.ledger import Evidence, Ledger
from ...tools.template_render import label

MAX_SOURCE_ROWS = 20


def sources_markdown(ids: list[str], ledger: Ledger, lang: str) -> str:
    lines = [f"## {label(lang, 'sources')}", ""]
    for ev_id in dict.fromkeys(ids):
        ev = ledger.get(ev_id)
        # Template documents are shown in full above; the appendix resolves what they cite.
        if ev is not None and ev.kind != "template":
            lines.extend(_source(ev))
    return "\n".join(lines).rstrip() + "\n"


def _source(ev: Evidence) -> list[str]:
    head = f"### [{ev.id}] {ev.meta.get('title') or ev.tool}"
    if ev.kind == "voc":
        where = ", ".join(
            str(ev.meta[k]) for k in ("source", "created_at", "region", "product") if ev.meta.get(k)
        )
        quote = _inert((ev.text or "").replace("\n", " "))
        return [head, "", f"> {quote}", "", f"_{_inert(where)}_", ""]
    out = [head, ""]
    scope = _scope(ev.meta)
    if scope:
        out.extend([f"_{_inert(scope)}_", ""])
    if ev.sql:
        out.extend(["```sql", inline_params(ev.sql.strip(), ev.meta.get("params")), "```", ""])
    if ev.columns:
        out.extend(_table(ev.columns, ev.rows))
        if ev.truncated or len(ev.rows) > MAX_SOURCE_ROWS:
            out.append(f"_{min(len(ev.rows), MAX_SOURCE_ROWS)} of {len(ev.rows)} rows shown._")
        out.append("")
    return out


def _scope(meta: dict[str, Any]) -> str:
    periods = []
    for key, word in (("period", ""), ("comparison_period", "vs ")):
        value = meta.get(key)
        if isinstance(value, dict) and value.get("label"):
            periods.append(f"{word}{value['label']} ({value.get('start')} – {value.get('end')})")
        elif isinstance(value, str) and value:
            periods.append(f"{word}{value}")
    parts = [" ".join(periods)] if periods else []
    filters = meta.get("filters")
    if isinstance(filters, dict) and filters:
        parts.append("filters: " + "; ".join(f"{k} = {_listed(v)}" for k, v in filters.items()))
    return " · ".join(parts)


def _listed(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _inert(text: str) -> str:
    """Data as Markdown that shows it as written: no image, link or HTML made of it."""
    for ch in "\\[]<":
        text = text.replace(ch, "\\" + ch)
    return text


def _table(columns: list[str], rows: list[list[Any]]) -> list[str]:
    def cell(v: Any) -> str:
        return _inert("" if v is None else str(v)).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(cell(c) for c in columns) + " |"]
    out.append("|" + "---|" * len(columns))
    out.extend("| " + " | ".join(cell(v) for v in row) + " |" for row in rows[:MAX_SOURCE_ROWS])
    return out


def with_sources(body: str, ids: list[str], ledger: Ledger, lang: str) -> str:
    return body.rstrip() + "\n\n" + sources_markdown(ids, ledger, lang)


def answer_document(question: str, text: str, ledger: Ledger, lang: str) -> str:
    """An answer as a report: the question, the answer, every cited template document in full,
    and a sources appendix covering the answer's citations and the documents' own."""
    ids = inline_citations(text)
    parts = [f"# {question.strip()}", "", text.strip(), ""]
    for ev_id in [i for i in ids if i.startswith("T")]:
        ev = ledger.get(ev_id)
        if ev is not None and ev.text:
            parts.extend(["---", "", _demote(ev.text), ""])
            ids.extend(inline_citations(ev.text))
    return with_sources("\n".join(parts), list(dict.fromkeys(ids)), ledger, lang)


def _demote(markdown: str) -> str:
    # A template document's headings sit one level below the report's title.
    return "\n".join("#" + line if line.startswith("#") else line for line in markdown.splitlines())


REPORT_SUFFIXES = (".md", ".markdown", ".html", ".htm")


def check_report_path(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise DataError(f"Cannot export to {path.name}: use a .md or .html file name.")
    return suffix


def write_report(path: Path, markdown: str, *, title: str, lang: str) -> Path:
    """Write Markdown or standalone HTML by the file's suffix, atomically."""
    suffix = check_report_path(path)
    content = to_html(markdown, title=title, lang=lang) if suffix in (".html", ".htm") else markdown
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)
    return path


def to_html(markdown: str, *, title: str, lang: str) -> str:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.disable(["image", "link", "autolink"])
    body = md.render(markdown)
    return _PAGE.format(
        lang="zh-CN" if lang == "zh" else "en",
        title=html.escape(title),
        body=body,
        css=_CSS,
        csp=CONTENT_SECURITY_POLICY,
    )


# Nothing is loaded from anywhere: the page's only resource is its inline style sheet.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)


_CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",
Helvetica,Arial,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1.2rem;color:#1f2933;
line-height:1.55}
h1{font-size:1.7rem;border-bottom:2px solid #2f6f9f;padding-bottom:.3rem}
h2{font-size:1.25rem;margin-top:2rem;color:#234e70}
h3{font-size:1rem;margin-top:1.2rem}
blockquote{margin:.6rem 0;padding:.4rem .9rem;border-left:4px solid #c9a227;background:#fbf7ea}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem;display:block;overflow-x:auto}
th,td{border:1px solid #cbd2d9;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#eef2f6}
pre{background:#f4f6f8;padding:.6rem;overflow-x:auto;font-size:.82rem;white-space:pre-wrap}
code{font-family:"SFMono-Regular",Consolas,monospace}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}
pre,table{page-break-inside:avoid}}
"""

_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""
