"""The parts every early warning shares: its model, the report, and what each kind is given.

``warnings`` runs the kinds; each kind (``warn_*.py``) builds ``EarlyWarning`` objects from a
``Context`` or raises ``Unavailable`` naming what the workspace lacks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from .proactive_query import Evidence, Source
from .proactive_rules import Severity, WarningRules
from .roles import Roles

Kind = Literal["unanswered_feedback", "repeat_contact", "rising_problem", "sla_cluster"]
KINDS: tuple[Kind, ...] = ("unanswered_feedback", "repeat_contact", "rising_problem", "sla_cluster")
ORDER = {"high": 0, "medium": 1, "low": 2}


class Text(BaseModel):
    en: str
    zh: str


class Owner(BaseModel):
    team: str  # a stable key for routing: social, service, rd, supply, workforce
    en: str
    zh: str


OWNERS = {
    "social": Owner(team="social", en="Social care and PR", zh="社媒客服与公关"),
    "service": Owner(team="service", en="Service team lead", zh="服务主管"),
    "rd": Owner(team="rd", en="Product quality and R&D", zh="产品质量与研发"),
    "supply": Owner(team="supply", en="Spare parts and supply planning", zh="备件与供应计划"),
    "workforce": Owner(team="workforce", en="Contact-centre workforce planning", zh="客服排班"),
}


class EarlyWarning(BaseModel):
    id: str  # stable for the same finding on the same data, so it is never sent twice
    kind: Kind
    severity: Severity
    title: Text
    action: Text
    owner: Owner
    due: date
    subject: dict[str, str] = Field(default_factory=dict)  # what it is about, as data
    evidence: Evidence


class SkippedKind(BaseModel):
    kind: Kind
    reason: str
    needs: list[str]


class WarningReport(BaseModel):
    as_of: date
    warnings: list[EarlyWarning]  # high severity first
    computed: list[Kind]
    skipped: list[SkippedKind]
    notes: list[str] = Field(default_factory=list)


class Unavailable(Exception):
    """The workspace lacks an input this kind needs."""

    def __init__(self, reason: str, needs: list[str]) -> None:
        super().__init__(reason)
        self.reason, self.needs = reason, needs


@dataclass(frozen=True)
class Context:
    source: Source
    roles: Roles
    rules: WarningRules
    as_of: date

    def due(self, severity: Severity) -> date:
        return self.as_of + timedelta(days=self.rules.due_days.get(severity, 7))


Finder = Callable[[Context], list[EarlyWarning]]


def warning_id(kind: str, *parts: object) -> str:
    digest = hashlib.sha1("|".join([kind, *map(str, parts)]).encode()).hexdigest()[:10]
    return f"W-{digest}"
