"""Strategy templates as data: the schema of ``prompts/templates/*.yaml`` and its loader.

A template is a list of sections. A section is narrative text, a list of items with named fields,
or user input (facts only the user can provide, such as competitors). Sections that state facts
require citations; fields marked ``proposal`` hold the agent's proposals (targets, deadlines,
owners) and are labelled as such wherever they are shown.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, Field

from ..prompts import load_yaml

Lang = Literal["en", "zh"]


class Bilingual(BaseModel):
    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class FieldSpec(BaseModel):
    name: str
    title: Bilingual
    kind: Literal["text", "number", "list"] = "text"
    proposal: bool = False


class SectionSpec(BaseModel):
    id: str
    kind: Literal["text", "items", "user_input"]
    title: Bilingual
    guidance: Bilingual
    settle_with: Bilingual
    requires_evidence: bool = True
    min_items: int = 0
    fields: list[FieldSpec] = Field(default_factory=list)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


class TemplateSpec(BaseModel):
    id: str
    version: int
    title: Bilingual
    # Other names managers use for it, in either language ("roadmap", "路线图").
    aliases: list[str] = Field(default_factory=list)
    purpose: Bilingual
    when_to_use: str
    sections: list[SectionSpec]
    dimensions: list[dict[str, str]] = Field(default_factory=list)

    def section(self, section_id: str) -> SectionSpec | None:
        return next((s for s in self.sections if s.id == section_id), None)


TEMPLATE_IDS = (
    "gap_analysis",
    "market_insight",
    "strategic_intent",
    "innovation_focus",
    "business_design",
    "service_strategy_assessment",
    "transformation_roadmap",
)


@cache
def load_template(template_id: str) -> TemplateSpec:
    if template_id not in TEMPLATE_IDS:
        raise KeyError(template_id)
    return TemplateSpec.model_validate(load_yaml(f"templates/{template_id}.yaml"))


def all_templates() -> list[TemplateSpec]:
    return [load_template(t) for t in TEMPLATE_IDS]


def named_template(text: str) -> str | None:
    """The template a request names by its title or an alias (the longest name wins)."""
    lowered = text.lower()
    best: tuple[int, str] | None = None
    for spec in all_templates():
        for name in [spec.title.en, spec.title.zh, *spec.aliases]:
            if name and name.lower() in lowered and (best is None or len(name) > best[0]):
                best = (len(name), spec.id)
    return best[1] if best else None
