"""The digest's data: its period, sections and items, each item with its figures and evidence.

``digest`` builds it; ``digest_sections`` fills its sections; ``digest_render`` and
``webhook_payloads`` show it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

Lang = Literal["en", "zh"]
Audience = Literal["service", "product", "management"]
Status = Literal["ok", "empty", "unavailable"]
Direction = Literal["worse", "better", "up", "down", "neutral"]
AUDIENCES: tuple[Audience, ...] = ("service", "product", "management")


class DigestPeriod(BaseModel):
    """The period the digest covers and the one it is compared with, both resolved in code."""

    since: str
    as_of: date
    label: str
    start: date
    end: date  # the last day
    phrase: str  # resolves to exactly this period again (what the tools are given)
    comparison_label: str
    comparison_start: date
    comparison_end: date
    # What a change in this period is held to: records on a side, false discovery rate.
    min_n: int = 30
    fdr: float = 0.05

    @property
    def key(self) -> str:
        """Names the period for the no-double-send rule: its first and last day."""
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


class ItemEvidence(BaseModel):
    """Where an item's figures come from: the query (re-runnable as is) and record ids."""

    sql: str = ""
    params: list[Any] = Field(default_factory=list)
    ids: list[str] = Field(default_factory=list)  # feedback or record ids (V:…), if any
    link: str | None = None  # the item's evidence on the server, when its address is known


class DigestItem(BaseModel):
    id: str  # C1, F1, …: unique within the digest
    kind: str  # change, forecast, warning, at_risk
    label: str  # what the item is, in the digest's language ("Forecast", "显著变化")
    title: str
    text: str
    direction: Direction = "neutral"
    figures: dict[str, float | int | str | None]
    # Names the text shows that are not figures ("2-Tue", "AC-X735"), for the number check.
    names: list[str] = Field(default_factory=list)
    method: str  # the test, or the model and its backtest, in one sentence
    audiences: list[Audience]
    size: float = 0.0  # how large the item is, for ordering (relative move, forecast growth)
    # What the item reports when it outlives the period (an early warning's stable id, a
    # customer's id), so a tracker can be sent it once.
    ref: str | None = None
    team: str | None = None  # the team that owns a warning (``Owner.team``)
    evidence: ItemEvidence


class DigestSection(BaseModel):
    key: str
    title: str
    status: Status
    note: str = ""  # how the section was computed, or what it could not compute and why
    items: list[DigestItem] = Field(default_factory=list)


class Digest(BaseModel):
    kind: Literal["digest"] = "digest"
    title: str
    lang: Lang
    audience: Audience | None
    period: DigestPeriod
    sections: list[DigestSection]
    dashboard_url: str | None = None

    def items(self) -> list[DigestItem]:
        return [item for section in self.sections for item in section.items]

    def item(self, item_id: str) -> DigestItem | None:
        return next((i for i in self.items() if i.id == item_id), None)
