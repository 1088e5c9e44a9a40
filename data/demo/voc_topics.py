"""Which topic a VOC record is about, decided from its ticket so text and history agree.

Planted stories come first (the defective model's compressor noise, parts waits in the shortage,
unanswered Thursday-afternoon calls, late East installations in Q3, praise for remote fixes);
other tickets get topics that fit their type and outcome; a small share of every source is
off-topic, hostile or a prompt-injection attempt so that defences are exercised.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .facts import FIRST_RESPONSE_TARGET_HOURS

_NOT_COOLING = {"compressor", "refrigerant_leak", "thermostat", "heating_element", "sensor"}
_LEAKS = {"refrigerant_leak", "water_leak", "drainage", "door_seal"}
_NOISY = {"motor", "wear", "installation_error"}


@dataclass(frozen=True)
class TicketFacts:
    """The ticket attributes that decide a topic (plain Python values)."""

    type: str
    channel: str
    segment: str
    line: str
    root_cause: str | None
    defect: bool
    shortage: bool
    parts_days: float
    peak: bool
    fr_h: float | None  # None when no first response was recorded
    surge_late: bool
    sla_met: bool | None
    remote: bool
    visits: int
    ftf: bool
    csat_mu: float

    @property
    def late_response(self) -> bool:
        return self.fr_h is None or self.fr_h > FIRST_RESPONSE_TARGET_HOURS


def _weighted(rnd: random.Random, options: dict[str, float]) -> str:
    names = list(options)
    return rnd.choices(names, weights=[options[n] for n in names])[0]


def mischief(rnd: random.Random) -> str | None:
    u = rnd.random()
    if u < 0.012:
        return "prompt_injection"
    if u < 0.027:
        return "hostile"
    if u < 0.047:
        return "off_topic"
    return None


def planted(t: TicketFacts, rnd: random.Random) -> str | None:
    u = rnd.random()
    if t.defect and t.root_cause == "compressor":
        return "compressor_noise" if u < 0.9 else "repeat_visit"
    if t.shortage and t.parts_days > 0:
        return "parts_wait" if u < 0.85 else None
    if t.peak and t.type == "inquiry" and t.late_response:
        return "no_answer" if u < 0.85 else "slow_response"
    if t.surge_late and t.sla_met is not True:
        return "installation_delay" if u < 0.9 else None
    if t.remote:
        return "remote_fix_praise" if u < 0.75 else None
    return None


def _repair(t: TicketFacts, rnd: random.Random) -> str:
    options = {
        "engineer_praise": 0.8 if t.ftf else 0.1,
        "praise_general": 0.3,
        "engineer_attitude": 0.5 if t.csat_mu < 3.6 else 0.08,
        "usage_question": 0.1,
    }
    if t.visits >= 2:
        options["repeat_visit"] = 1.5
    if t.parts_days > 4:
        options["parts_wait"] = 1.0
    cause = t.root_cause or ""
    if cause in _LEAKS:
        options["leak"] = 1.2
    if cause in _NOT_COOLING and t.line in (
        "Air Conditioners",
        "Water Heaters",
        "Commercial HVAC",
        "Refrigerators",
    ):
        options["not_cooling_heating"] = 1.2
    if cause in _NOISY or (cause == "compressor" and not t.defect):
        options["noise_other"] = 1.0
        options["compressor_noise"] = 0.15 if cause == "compressor" else 0.0
    if cause == "control_board":
        options["safety_hazard"] = 0.12
    return _weighted(rnd, options)


def _by_type(t: TicketFacts, rnd: random.Random) -> str:
    if t.type == "repair":
        return _repair(t, rnd)
    if t.type == "installation":
        return _weighted(
            rnd,
            {
                "installation_delay": 1.2 if t.sla_met is False else 0.05,
                "delivery_damage": 0.15,
                "engineer_praise": 0.35,
                "praise_general": 0.3,
                "usage_question": 0.2,
                "app_problem": 0.3 if t.channel == "app" else 0.02,
            },
        )
    if t.type == "maintenance":
        business = t.segment != "consumer"
        return _weighted(
            rnd,
            {
                "contract_renewal": 0.4 if business else 0.08,
                "engineer_praise": 0.35,
                "praise_general": 0.25,
                "billing_dispute": 0.1,
                "usage_question": 0.1,
            },
        )
    if t.type == "inquiry":
        return _weighted(
            rnd,
            {
                "usage_question": 1.0,
                "app_problem": 0.6 if t.channel == "app" else 0.05,
                "slow_response": 0.4 if t.late_response else 0.02,
                "contract_renewal": 0.1,
                "billing_dispute": 0.06,
            },
        )
    return _weighted(
        rnd,
        {
            "billing_dispute": 0.4,
            "slow_response": 0.45,
            "engineer_attitude": 0.35,
            "app_problem": 0.08,
            "delivery_damage": 0.05,
            "noise_other": 0.1,
            "leak": 0.05,
        },
    )


def ticket_topic(t: TicketFacts, rnd: random.Random) -> str:
    return mischief(rnd) or planted(t, rnd) or _by_type(t, rnd)


def unlinked_topic(defect_window_ac: bool, rnd: random.Random) -> str:
    """Reviews and posts with no ticket behind them."""
    if defect_window_ac and rnd.random() < 0.6:
        return "compressor_noise"
    return mischief(rnd) or _weighted(
        rnd,
        {
            "praise_general": 0.28,
            "usage_question": 0.1,
            "app_problem": 0.12,
            "delivery_damage": 0.08,
            "noise_other": 0.08,
            "off_topic": 0.1,
            "leak": 0.05,
            "not_cooling_heating": 0.08,
            "engineer_praise": 0.04,
            "slow_response": 0.04,
            "contract_renewal": 0.03,
        },
    )
