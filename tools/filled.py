"""A filled strategy template: what ``fill_template`` produces and the renderers read."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

# Inline citations such as [Q3], [T1], [C2], [V:v000812]; lists like [Q1, V:v2] are split.
CITATION_BLOCK = re.compile(
    r"[\[【]((?:Q\d+|T\d+|C\d+|V:[\w.-]+)(?:\s*[,，;]\s*(?:Q\d+|T\d+|C\d+|V:[\w.-]+))*)[\]】]"
)
CITATION_ID = re.compile(r"Q\d+|T\d+|C\d+|V:[\w.-]+")


def inline_citations(text: str) -> list[str]:
    ids: list[str] = []
    for block in CITATION_BLOCK.findall(text or ""):
        ids.extend(CITATION_ID.findall(block))
    return ids


class FilledField(BaseModel):
    name: str
    title: str
    proposal: bool = False


class FilledItem(BaseModel):
    values: dict[str, Any]
    citations: list[str] = Field(default_factory=list)


class FilledSection(BaseModel):
    id: str
    title: str
    kind: Literal["text", "items", "user_input"]
    status: Literal["filled", "insufficient", "user_input"]
    text: str | None = None
    items: list[FilledItem] = Field(default_factory=list)
    citations: list[str] = Field(default_factory=list)
    fields: list[FilledField] = Field(default_factory=list)
    # For insufficient sections: what data would settle it.
    settle_with: str = ""

    def all_citations(self) -> list[str]:
        ids = [*self.citations, *inline_citations(self.text or "")]
        for item in self.items:
            ids.extend(item.citations)
            ids.extend(inline_citations(" ".join(str(v) for v in item.values.values())))
        return list(dict.fromkeys(ids))


class FilledTemplate(BaseModel):
    template: str
    version: int
    language: Literal["en", "zh"]
    title: str
    purpose: str
    sections: list[FilledSection]

    def citations(self) -> list[str]:
        ids = [i for s in self.sections for i in s.all_citations()]
        return list(dict.fromkeys(ids))

    def insufficient(self) -> list[str]:
        return [s.id for s in self.sections if s.status == "insufficient"]
