"""How big the demo is: tickets, and the customers, engineers and VOC records that go with them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ServiceLensError

NAMED_SCALES = {
    "tiny": 2_000,
    "small": 6_000,
    "default": 60_000,
    "large": 1_000_000,
    "xlarge": 10_000_000,
}
MAX_TICKETS = 10_000_000
MAX_VOC = 1_000_000
VOC_SHARE = 0.13


class ScaleError(ServiceLensError):
    """The requested scale is not a number of tickets or a known scale name."""


@dataclass(frozen=True)
class Scale:
    name: str
    tickets: int
    customers: int
    engineers: int
    voc: int

    @property
    def batch_size(self) -> int:
        # Batches bound memory: about 250k tickets are in flight at once at any scale.
        return 250_000


def resolve_scale(scale: str | int) -> Scale:
    """A scale name ("small", "default", ...), an integer or a string like "250k" / "1M"."""
    tickets = _parse(scale)
    if not 1_000 <= tickets <= MAX_TICKETS:
        raise ScaleError(
            f"Scale must be between 1,000 and {MAX_TICKETS:,} tickets; got {tickets:,}."
        )
    name = scale if isinstance(scale, str) and scale in NAMED_SCALES else str(tickets)
    return Scale(
        name=name,
        tickets=tickets,
        # About 20 tickets per customer over two years, with a floor so small demos still have
        # enough customers in every segment and region.
        customers=max(800, tickets // 20),
        # One engineer per ~400 tickets; East is deliberately short of them (fact 1).
        engineers=max(24, tickets // 400),
        voc=min(MAX_VOC, round(tickets * VOC_SHARE)),
    )


def _parse(scale: str | int) -> int:
    if isinstance(scale, int):
        return scale
    text = scale.strip().lower()
    if text in NAMED_SCALES:
        return NAMED_SCALES[text]
    match = re.fullmatch(r"([0-9_,.]+)\s*([km]?)", text)
    if not match:
        names = ", ".join(NAMED_SCALES)
        raise ScaleError(f"Unknown scale {scale!r}; use a number of tickets or one of: {names}.")
    number = float(match.group(1).replace("_", "").replace(",", ""))
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2)]
    return int(number * factor)
