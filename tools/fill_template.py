"""``fill_template``: validate a strategy template filled by the model and register it as T<n>.

The model supplies the content; this tool decides what may stand. Citations must name evidence
already in the ledger; a section that states facts without evidence is not kept as prose but
marked "insufficient evidence", with what data would settle it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .base import Tool, ToolContext, ToolError, ToolResult
from .filled import FilledField, FilledItem, FilledSection, FilledTemplate, inline_citations
from .template_render import render_markdown
from .templates import TEMPLATE_IDS, SectionSpec, TemplateSpec, load_template

TemplateId = Literal[
    "gap_analysis",
    "market_insight",
    "strategic_intent",
    "innovation_focus",
    "business_design",
    "service_strategy_assessment",
    "transformation_roadmap",
]
assert set(TemplateId.__args__) == set(TEMPLATE_IDS)  # type: ignore[attr-defined]


class SectionFill(BaseModel):
    section: str = Field(description="Section id.")
    text: str | None = Field(None, description="Narrative with inline citations.")
    items: list[dict[str, Any]] = Field(
        default_factory=list, description="Item sections: field values plus a citations list."
    )
    citations: list[str] = Field(default_factory=list)


class FillTemplateInput(BaseModel):
    template: TemplateId
    language: Literal["en", "zh"] = "en"
    title: str | None = None
    sections: list[SectionFill] = Field(
        default_factory=list, description="Leave empty to get the template's outline first."
    )


def fill_template(ctx: ToolContext, args: FillTemplateInput) -> ToolResult:
    spec = load_template(args.template)
    if not args.sections:
        return _outline(spec, args.language)
    fills = _index_fills(spec, args.sections)
    sections = [_build_section(spec, s, fills.get(s.id), args.language, ctx) for s in spec.sections]
    doc = FilledTemplate(
        template=spec.id,
        version=spec.version,
        language=args.language,
        title=args.title or spec.title.get(args.language),
        purpose=spec.purpose.get(args.language),
        sections=sections,
    )
    markdown = render_markdown(doc)
    ev = ctx.ledger.add(
        "template",
        "fill_template",
        text=markdown,
        meta={"template": spec.id, "document": doc.model_dump(mode="json")},
    )
    return ToolResult(
        content={
            "id": ev.id,
            "template": spec.id,
            "filled": [s.id for s in sections if s.status != "insufficient"],
            "insufficient_evidence": doc.insufficient(),
            "note": f"Cite the document as [{ev.id}]; the user can export it as Markdown or HTML.",
        },
        evidence_ids=[ev.id],
        summary=f"{spec.id}: {len(sections) - len(doc.insufficient())}/{len(sections)} sections "
        f"filled as {ev.id}",
    )


def _outline(spec: TemplateSpec, lang: str) -> ToolResult:
    # A dry run: the model learns the sections and item fields before filling them, so the
    # tool schema does not have to carry every template's shape on every turn.
    sections = [
        {
            "section": s.id,
            "kind": s.kind,
            "guidance": s.guidance.get(lang),
            "needs_citations": s.requires_evidence,
            **({"fields": [f.name for f in s.fields]} if s.fields else {}),
        }
        for s in spec.sections
    ]
    return ToolResult(
        content={"template": spec.id, "purpose": spec.purpose.get(lang), "sections": sections},
        summary=f"{spec.id}: outline of {len(sections)} sections",
    )


def _index_fills(spec: TemplateSpec, fills: list[SectionFill]) -> dict[str, SectionFill]:
    known = [s.id for s in spec.sections]
    out: dict[str, SectionFill] = {}
    for fill in fills:
        if fill.section not in known:
            allowed = ", ".join(known)
            raise ToolError(
                f"Template {spec.id} has no section {fill.section!r}; use one of {allowed}."
            )
        if fill.section in out:
            raise ToolError(f"Section {fill.section!r} was given twice; merge it into one.")
        out[fill.section] = fill
    return out


def _build_section(
    spec: TemplateSpec, sec: SectionSpec, fill: SectionFill | None, lang: str, ctx: ToolContext
) -> FilledSection:
    section = FilledSection(
        id=sec.id,
        title=sec.title.get(lang),
        kind=sec.kind,
        status="insufficient",
        fields=[
            FilledField(name=f.name, title=f.title.get(lang), proposal=f.proposal)
            for f in sec.fields
        ],
        settle_with=sec.settle_with.get(lang),
    )
    if fill is None:
        return section
    _check_citations(sec.id, _cited(fill), ctx)
    items = [_build_item(sec, raw) for raw in fill.items]
    if sec.requires_evidence:
        items = [i for i in items if i.citations or inline_citations(_item_text(i))]
    section.text = (fill.text or "").strip() or None
    section.items = items
    section.citations = list(fill.citations)
    section.status = _status(sec, section)
    return section


def _status(
    sec: SectionSpec, section: FilledSection
) -> Literal["filled", "insufficient", "user_input"]:
    has_content = bool(section.text) or bool(section.items)
    if sec.kind == "user_input":
        return "user_input" if has_content else "insufficient"
    if sec.kind == "items" and len(section.items) < max(sec.min_items, 1):
        return "insufficient"
    if not has_content:
        return "insufficient"
    if sec.requires_evidence and not section.all_citations():
        return "insufficient"
    return "filled"


def _build_item(sec: SectionSpec, raw: dict[str, Any]) -> FilledItem:
    values = {k: v for k, v in raw.items() if k != "citations"}
    unknown = [k for k in values if sec.field(k) is None]
    if unknown:
        allowed = ", ".join(f.name for f in sec.fields)
        raise ToolError(
            f"Section {sec.id!r} has no field {unknown[0]!r}; item fields are: {allowed}."
        )
    citations = raw.get("citations") or []
    if isinstance(citations, str):
        citations = [citations]
    return FilledItem(values=values, citations=[str(c) for c in citations])


def _item_text(item: FilledItem) -> str:
    return " ".join(str(v) for v in item.values.values())


def _cited(fill: SectionFill) -> list[str]:
    ids = [*fill.citations, *inline_citations(fill.text or "")]
    for raw in fill.items:
        cits = raw.get("citations") or []
        ids.extend([cits] if isinstance(cits, str) else [str(c) for c in cits])
        ids.extend(inline_citations(" ".join(str(v) for k, v in raw.items() if k != "citations")))
    return ids


def _check_citations(section_id: str, ids: list[str], ctx: ToolContext) -> None:
    for ev_id in ids:
        if ev_id not in ctx.ledger:
            raise ToolError(
                f"Section {section_id!r} cites {ev_id}, which no tool returned in this "
                "conversation; cite ids from earlier tool results or run the tool first."
            )


TOOL = Tool(name="fill_template", input_model=FillTemplateInput, fn=fill_template)
