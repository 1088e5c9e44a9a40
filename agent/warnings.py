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

from datetime import date

from .proactive_query import Evidence, Source, roles_of
from .proactive_rules import WarningRules
from .warn_feedback import unanswered_feedback
from .warn_repeats import repeat_contacts
from .warn_rising import rising_problems
from .warn_sla import sla_clusters
from .warning_types import (
    KINDS,
    ORDER,
    OWNERS,
    Context,
    EarlyWarning,
    Finder,
    Kind,
    Owner,
    SkippedKind,
    Text,
    Unavailable,
    WarningReport,
    warning_id,
)

__all__ = [
    "KINDS",
    "OWNERS",
    "Context",
    "EarlyWarning",
    "Evidence",
    "Kind",
    "Owner",
    "SkippedKind",
    "Text",
    "Unavailable",
    "WarningReport",
    "early_warnings",
    "warning_id",
]


def early_warnings(
    source: Source,
    *,
    as_of: date,
    rules: WarningRules,
    kinds: list[str] | None = None,
) -> WarningReport:
    """Every warning the workspace supports as of ``as_of``; see the module docstring."""
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
    found.sort(key=lambda w: (ORDER[w.severity], w.due, w.kind))
    return WarningReport(as_of=as_of, warnings=found, computed=computed, skipped=skipped)
