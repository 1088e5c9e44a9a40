"""The ten planted facts of DESIGN §2.2: their parameters, and the facts.json document.

The generator reads these constants; tests and evals read facts.json. Date ranges are half-open
ISO ranges [start, end). Numbers called "target" are what the generator aims for; the tables
themselves (with sampling noise) are the truth.
"""

from __future__ import annotations

from typing import Any

Q2 = ("2026-04-01", "2026-07-01")
Q3 = ("2026-07-01", "2026-10-01")
LAST_3_MONTHS = ("2026-08-01", "2026-11-01")

# 1. Installation surge, with an engineer shortage in East.
SURGE_RATIO = 1.6
SURGE_REGION = "East"
INSTALL_ON_TIME = 0.93
SURGE_REGION_ON_TIME_Q3 = 0.63

# 2. Thursday-afternoon inquiry peak; the contact centre falls behind on first responses.
PEAK_WEEKDAY = 3  # Monday = 0
PEAK_HOURS = (14, 17)
PEAK_RATIO = 1.8
FIRST_RESPONSE_TARGET_HOURS = 1.0

# 3. Influencer complaints without a response ticket.
INFLUENCER_REACH = 100_000
RESPONSE_WINDOW_HOURS = 2
ORDINARY_REACH_CAP = 90_000

# 4. A defective air-conditioner model.
DEFECT_MODEL = "AC-X735"
DEFECT_FROM = "2026-03-01"
DEFECT_FTF = 0.55
NORMAL_FTF = 0.80
DEFECT_ROOT_CAUSE = "compressor"

# 5. Parts shortage for one product line.
SHORTAGE_LINE = "Washing Machines"
SHORTAGE = ("2026-05-01", "2026-07-01")
SHORTAGE_FACTOR = 3.0

# 7. Remote resolution.
REMOTE_COST_RATIO = 0.30

# 8. Key accounts.
KEY_SEGMENT = "key account"
KEY_CSAT_DROP_Q3 = 0.7

# 9. Engineer first-time-fix spread.
ENGINEER_FTF = (0.60, 0.90)

# 10. Contract revenue growth with a renewal dip.
RENEWAL_DIP_REGION = "South"
RENEWAL_DIP = ("2026-01-01", "2026-09-01")
RENEWAL_RATE = 0.88
RENEWAL_DIP_RATE = 0.40


def _fact(fid: str, description: str, ranges: dict[str, Any], **params: Any) -> dict[str, Any]:
    dated = {k: {"start": v[0], "end": v[1]} for k, v in ranges.items()}
    return {"id": fid, "description": description, "date_ranges": dated, "parameters": params}


def facts_document(planted: dict[str, Any]) -> dict[str, Any]:
    """facts.json: the ten facts, plus ids the generator chose while building (``planted``)."""
    facts = [
        _fact(
            "installation_surge",
            "Installation tickets in 2026-Q3 are ~60% above 2026-Q2; East installation on-time "
            "(sla_met) falls from ~93% to ~63% because East is short of engineers.",
            {"previous_quarter": Q2, "quarter": Q3},
            type="installation",
            volume_ratio=SURGE_RATIO,
            region=SURGE_REGION,
            on_time_before=INSTALL_ON_TIME,
            on_time_after=SURGE_REGION_ON_TIME_Q3,
        ),
        _fact(
            "thursday_peak",
            "Inquiries peak on Thursdays 14:00-17:00 at ~1.8x the average weekday business hour "
            "(09:00-18:00); first responses later than 1 hour cluster there.",
            {"period": ("2024-11-01", "2026-11-01")},
            type="inquiry",
            weekday="Thursday",
            isodow=4,
            hours=list(PEAK_HOURS),
            business_hours=[9, 18],
            ratio=PEAK_RATIO,
            first_response_target_hours=FIRST_RESPONSE_TARGET_HOURS,
        ),
        _fact(
            "influencer_complaints",
            "In the last 3 months two social posts by authors with reach > 100k complain and no "
            "social ticket for that customer was opened within 2 hours; other high-reach posts "
            "in the window did get one.",
            {"period": LAST_3_MONTHS},
            reach_threshold=INFLUENCER_REACH,
            response_window_hours=RESPONSE_WINDOW_HOURS,
            unanswered_voc_ids=planted.get("unanswered", []),
            answered_voc_ids=planted.get("answered", []),
        ),
        _fact(
            "compressor_defect",
            f"Air conditioner {DEFECT_MODEL}: compressor-noise repairs rise from March 2026; its "
            "first-time-fix rate is ~55% against ~80% for other models, with repeat visits.",
            {"defect": (DEFECT_FROM, "2026-11-01"), "before": ("2024-11-01", DEFECT_FROM)},
            product_line="Air Conditioners",
            model=DEFECT_MODEL,
            from_month="2026-03",
            root_cause=DEFECT_ROOT_CAUSE,
            first_time_fix=DEFECT_FTF,
            first_time_fix_elsewhere=NORMAL_FTF,
            voc_topic="compressor_noise",
        ),
        _fact(
            "parts_shortage",
            f"{SHORTAGE_LINE}: parts waits triple in May-June 2026; resolution times rise and "
            "CSAT falls in that window.",
            {"shortage": SHORTAGE},
            product_line=SHORTAGE_LINE,
            months=["2026-05", "2026-06"],
            factor=SHORTAGE_FACTOR,
            voc_topic="parts_wait",
        ),
        _fact(
            "channels",
            "Chat has the fastest first response but the lowest first-contact resolution "
            "(first_time_fix); phone has the best CSAT and social the worst.",
            {"period": ("2024-11-01", "2026-11-01")},
            fastest_first_response="chat",
            lowest_first_time_fix="chat",
            best_csat="phone",
            worst_csat="social",
        ),
        _fact(
            "remote_resolution",
            "Remotely resolved repairs cost ~70% less than onsite repairs, with CSAT no worse.",
            {"period": ("2024-11-01", "2026-11-01")},
            type="repair",
            cost_ratio=REMOTE_COST_RATIO,
            voc_topic="remote_fix_praise",
        ),
        _fact(
            "key_accounts",
            "Key accounts bring the most service revenue (ticket revenue + contract value); their "
            "CSAT fell in 2026-Q3 against 2026-Q2.",
            {"previous_quarter": Q2, "quarter": Q3},
            segment=KEY_SEGMENT,
            csat_drop=KEY_CSAT_DROP_Q3,
        ),
        _fact(
            "engineer_spread",
            "Engineers' first-time-fix rates range from ~60% to ~90%.",
            {"period": ("2024-11-01", "2026-11-01")},
            low=ENGINEER_FTF[0],
            high=ENGINEER_FTF[1],
        ),
        _fact(
            "contract_revenue",
            "Maintenance-contract value grows through the period; South's renewal rate dips for "
            "contracts ending Jan-Aug 2026.",
            {"renewal_dip": RENEWAL_DIP, "period": ("2024-11-01", "2026-11-01")},
            kind="maintenance",
            region=RENEWAL_DIP_REGION,
            renewal_rate=RENEWAL_RATE,
            renewal_rate_in_dip=RENEWAL_DIP_RATE,
        ),
    ]
    return {
        "as_of": "2026-11-01",
        "calendar": {"start": "2024-11-01", "end": "2026-11-01"},
        "facts": facts,
        "pii_samples": planted.get("pii_samples", []),
    }
