"""Early warnings: what needs someone's action before it becomes a public problem.

Four kinds, each found from what the catalog says the data hold (``roles.py``), never from
the demo's names:

- ``unanswered_feedback``: a high-reach or urgent customer voice nobody answered in time;
- ``repeat_contact``: the same customer coming back about the same problem within days;
- ``rising_problem``: a product whose defect rate, wait or complaint theme is climbing,
  tested against its own baseline (two proportions, Poisson rates, Welch's t on means,
  Benjamini–Hochberg across every segment tested) and persisting across the recent window;
- ``sla_cluster``: SLA misses bunched at a weekday and hour, or an hour of every day.

Each warning says who should act, by when, and on what evidence (the SQL that ran, the
records' ids and the numbers). A kind the workspace cannot compute is skipped, and the report
says which inputs it lacks. The thresholds are ``[servicelens.warnings.*]`` settings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from .proactive_query import Evidence, Source, roles_of
from .proactive_rules import Severity, WarningRules
from .roles import Roles

Kind = Literal["unanswered_feedback", "repeat_contact", "rising_problem", "sla_cluster"]
KINDS: tuple[Kind, ...] = ("unanswered_feedback", "repeat_contact", "rising_problem", "sla_cluster")
_ORDER = {"high": 0, "medium": 1, "low": 2}


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


def early_warnings(
    source: Source,
    *,
    as_of: date,
    rules: WarningRules,
    kinds: list[str] | None = None,
) -> WarningReport:
    """Every warning the workspace supports as of ``as_of``; see the module docstring."""
    from .warn_feedback import unanswered_feedback
    from .warn_repeats import repeat_contacts
    from .warn_rising import rising_problems
    from .warn_sla import sla_clusters

    finders: dict[Kind, tuple[Finder, bool]] = {
        "unanswered_feedback": (unanswered_feedback, rules.feedback.enabled),
        "repeat_contact": (repeat_contacts, rules.repeat.enabled),
        "rising_problem": (rising_problems, rules.rising.enabled),
        "sla_cluster": (sla_clusters, rules.sla_cluster.enabled),
    }
    unknown = [k for k in kinds or [] if k not in finders]
    if unknown:
        raise ValueError(f"Unknown warning kind(s): {', '.join(unknown)}; use {', '.join(KINDS)}.")
    ctx = Context(source, roles_of(source), rules, as_of)
    found: list[EarlyWarning] = []
    computed: list[Kind] = []
    skipped: list[SkippedKind] = []
    for kind, (finder, enabled) in finders.items():
        if kinds and kind not in kinds:
            continue
        if not enabled:
            skipped.append(SkippedKind(kind=kind, reason="turned off in the settings", needs=[]))
            continue
        try:
            found += finder(ctx)
        except Unavailable as exc:
            skipped.append(SkippedKind(kind=kind, reason=exc.reason, needs=exc.needs))
            continue
        computed.append(kind)
    found.sort(key=lambda w: (_ORDER[w.severity], w.due, w.kind))
    return WarningReport(as_of=as_of, warnings=found, computed=computed, skipped=skipped)
