"""Erlang C: how many agents a queue needs to answer a share of contacts within a wait.

With contacts arriving at random (Poisson) at ``rate`` per hour, each handled in ``aht``
seconds on average (exponential), the offered traffic is A = rate × aht / 3600 erlangs. With
N > A agents (Erlang 1917; Gans, Koole and Mandelbaum, "Telephone call centers: tutorial,
review, and research prospects", M&SOM 5(2), 2003, eq. 1–2):

    P(wait) = C(N, A) = N·B(N, A) / (N − A·(1 − B(N, A)))
    B(N, A) = (A^N / N!) / Σ_{k=0..N} A^k / k!            (Erlang B)
    service level SL(t) = 1 − C(N, A) · exp(−(N − A) · t / aht)
    average speed of answer ASA = C(N, A) · aht / (N − A)

B is computed as the Poisson probability of N over that of at most N (``scipy.stats.poisson``),
which is the same ratio and stays finite for large N. The smallest N meeting the target is
the answer; occupancy A / N above ``max_occupancy`` adds agents, and shrinkage (breaks,
training, absence) scales the agents on shift: ceil(N / (1 − shrinkage)).

pyworkforce (the workforce library on PyPI) has an ``ErlangC`` class, but its only
installable release imports OR-Tools at package import (a 30 MB wheel that also pins another
protobuf than ChromaDB's) for these few lines, and refuses an hour with no contacts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Staffing:
    agents: int  # on shift, after shrinkage
    productive: int  # answering contacts
    traffic: float  # erlangs
    wait_probability: float
    service_level: float
    asa_seconds: float
    occupancy: float


def erlang_b(n: int, traffic: float) -> float:
    from scipy.stats import poisson

    if traffic <= 0:
        return 0.0
    return float(poisson.pmf(n, traffic) / poisson.cdf(n, traffic))


def erlang_c(n: int, traffic: float) -> float:
    """The probability that a contact waits, with ``n`` agents and ``traffic`` erlangs."""
    if traffic <= 0:
        return 0.0
    if n <= traffic:
        return 1.0
    b = erlang_b(n, traffic)
    return n * b / (n - traffic * (1 - b))


def service_level(n: int, traffic: float, aht_s: float, within_s: float) -> float:
    if traffic <= 0:
        return 1.0
    if n <= traffic:
        return 0.0
    return 1 - erlang_c(n, traffic) * math.exp(-(n - traffic) * within_s / aht_s)


def agents_needed(
    rate_per_hour: float,
    aht_s: float,
    *,
    target: float,
    within_s: float,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> Staffing:
    """The fewest agents answering ``target`` of contacts within ``within_s`` seconds."""
    traffic = rate_per_hour * aht_s / 3600
    if traffic <= 0:
        return Staffing(0, 0, 0.0, 0.0, 1.0, 0.0, 0.0)
    n = max(1, math.floor(traffic) + 1)
    while service_level(n, traffic, aht_s, within_s) < target:
        n += 1
    n = max(n, math.ceil(traffic / max_occupancy))
    c = erlang_c(n, traffic)
    return Staffing(
        agents=math.ceil(n / (1 - shrinkage) - 1e-9),
        productive=n,
        traffic=traffic,
        wait_probability=c,
        service_level=service_level(n, traffic, aht_s, within_s),
        asa_seconds=c * aht_s / (n - traffic),
        occupancy=traffic / n,
    )
