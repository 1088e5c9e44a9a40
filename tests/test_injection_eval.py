"""Prompt injection with a model that obeys customer text: every case is defended by the
system's own checks (evals/injection.py says what each one tries and what counts)."""

from __future__ import annotations

from pathlib import Path

from servicelens.agent.inert import InertStream, inert
from servicelens.evals.injection import CASES, run_all, table


def test_every_injection_case_is_defended(demo_home: Path) -> None:
    outcomes = run_all(demo_home)
    failed = {o.case: o.problems for o in outcomes if not o.defended}
    assert not failed
    kinds = [o.kind for o in outcomes]
    assert (kinds.count("exfiltrate"), kinds.count("tool"), kinds.count("redirect")) == (6, 8, 6)
    assert len(outcomes) == len(CASES) + 3
    assert "| all | 20 | 20 |" in table(outcomes)


def test_streamed_pieces_come_out_as_inert_as_the_whole() -> None:
    text = (
        "Up 12% [Q1]. ![x](https://c.example/?d=1) [a] (u) <img src=x> <https://c.example>\n"
        "[1]: https://c.example/p.png\n  [Q2]: 3 < 4 and 5 <6"
    )
    for size in range(1, 12):
        stream = InertStream()
        pieces = [text[i : i + size] for i in range(0, len(text), size)]
        assert "".join(stream.feed(p) for p in pieces) + stream.flush() == inert(text)
    assert "](" not in inert(text) and "<img" not in inert(text) and "[1]:" not in inert(text)
    assert "3 < 4" in inert(text) and "[Q1]" in inert(text)
