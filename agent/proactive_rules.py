"""The rules of the proactive features, as the workspace's ``servicelens.toml`` sets them.

Each is a section under ``[servicelens]`` (``[servicelens.warnings.rising]``,
``[servicelens.health.weights]``, ``[servicelens.staffing]``); anything left out keeps the
default below. ``Settings`` holds one of each, so they are read once with the rest of the
configuration and passed down.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["high", "medium", "low"]


_DUE_DAYS: dict[Severity, int] = {"high": 1, "medium": 7, "low": 14}


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedbackRule(_Rules):
    """High-reach or urgent feedback that nobody answered in time."""

    enabled: bool = True
    # Authors at or above it count as high reach.
    reach_threshold: int = Field(default=100_000, ge=1)
    include_urgent: bool = True  # urgent records of any reach count too (as medium)
    response_hours: float = Field(default=2.0, gt=0)
    lookback_days: int = Field(default=92, ge=1)


class RepeatRule(_Rules):
    """The same customer contacting again about the same problem."""

    enabled: bool = True
    # A contact this soon after the one before about the same problem is a repeat.
    within_days: int = Field(default=30, ge=1)
    lookback_days: int = Field(default=30, ge=1)  # the latest contact falls in this window
    min_contacts: int = Field(default=2, ge=2)
    high_contacts: int = Field(default=3, ge=2)  # this many contacts is high severity
    max_warnings: int = Field(default=10, ge=1)


class RisingRule(_Rules):
    """A product whose defect rate, wait or complaint theme is climbing."""

    enabled: bool = True
    recent_days: int = Field(default=56, ge=7)
    baseline_days: int = Field(default=182, ge=14)
    # The recent window is cut into this many equal parts; each must be worse than the
    # baseline, so a one-week blip is not a trend.
    persist: int = Field(default=2, ge=1, le=8)
    min_n: int = Field(default=15, ge=2)  # records on each side for a rate or an average
    min_count: int = Field(default=5, ge=1)  # recent records for a theme count
    fdr: float = Field(default=0.05, gt=0, lt=1)
    high_change: float = Field(default=1.0, gt=0)  # relative worsening (1.0 = doubled) for high
    medium_change: float = Field(default=0.3, gt=0)
    max_warnings: int = Field(default=8, ge=1)


class SlaClusterRule(_Rules):
    """SLA misses clustering at a weekday and hour (or an hour of every day)."""

    enabled: bool = True
    lookback_days: int = Field(default=91, ge=14)
    min_n: int = Field(default=10, ge=2)  # records in an hour slot to test it
    fdr: float = Field(default=0.01, gt=0, lt=1)
    persist: int = Field(default=2, ge=1, le=8)  # parts of the lookback that must each show it
    high_ratio: float = Field(default=2.0, gt=1)  # miss rate in the slot / elsewhere, for high
    medium_ratio: float = Field(default=1.5, gt=1)
    max_warnings: int = Field(default=8, ge=1)


class WarningRules(_Rules):
    feedback: FeedbackRule = FeedbackRule()
    repeat: RepeatRule = RepeatRule()
    rising: RisingRule = RisingRule()
    sla_cluster: SlaClusterRule = SlaClusterRule()
    # Days from today by which a warning of each severity should be acted on.
    due_days: dict[Severity, int] = Field(default_factory=lambda: dict(_DUE_DAYS))


class HealthWeights(_Rules):
    """How much each component counts; a component a customer lacks is left out of the sum."""

    csat_trend: float = Field(default=0.25, ge=0)
    nps: float = Field(default=0.15, ge=0)
    repeat_issues: float = Field(default=0.15, ge=0)
    sla_misses: float = Field(default=0.15, ge=0)
    sentiment: float = Field(default=0.15, ge=0)
    renewal: float = Field(default=0.15, ge=0)


class HealthRules(_Rules):
    weights: HealthWeights = HealthWeights()
    recent_days: int = Field(default=92, ge=7)  # the window the components are measured over
    baseline_days: int = Field(default=275, ge=7)  # CSAT before the recent window, for the trend
    renewal_days: int = Field(default=90, ge=1)  # contracts ending this soon count against health
    at_risk_below: float = Field(default=60.0, ge=0, le=100)
    min_components: int = Field(default=2, ge=1)  # fewer known components: no verdict
    # A rate or mean of fewer recent records than this says too little about one customer.
    min_records: int = Field(default=2, ge=1)


class StaffingRules(_Rules):
    handle_minutes: float = Field(default=8.0, gt=0)  # used when the data hold no handling time
    target: float = Field(default=0.8, gt=0, lt=1)  # share answered within ``within_seconds``
    within_seconds: float = Field(default=20.0, gt=0)
    shrinkage: float = Field(default=0.0, ge=0, lt=1)  # breaks, training, absence
    max_occupancy: float = Field(default=0.9, gt=0, le=1)
    # Weeks whose weekday-hour pattern spreads the weekly forecast over the hours.
    history_weeks: int = Field(default=13, ge=1)
