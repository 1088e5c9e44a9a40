"""Redaction measured on a labelled sample of 420 snippets in Chinese and English.

The sample (``evals/pii_sample.py``) is generated from a fixed seed, so the figures below are
exact and the bars sit just under them: a change that loses recall or precision anywhere fails
here. ``python -m servicelens.evals.redaction_scores`` prints the per-kind table.
"""

from __future__ import annotations

import pytest

from servicelens.data.redact import KINDS, cn_id_valid, luhn_valid
from servicelens.evals.pii_sample import build_sample
from servicelens.evals.redaction_scores import RedactionScores, main, score

# Measured on the sample (recall, precision); SECURITY.md has the table. Card precision is the
# weak one: an all-digit order number or millisecond timestamp passes Luhn one time in ten and
# cannot be told from a card, so it is redacted too (over-redaction, not a leak).
BARS = {
    "phone": (0.99, 0.98),
    "email": (0.98, 0.99),
    "id_number": (0.99, 0.99),
    "card_number": (0.99, 0.92),
    "all": (0.99, 0.97),
}


@pytest.fixture(scope="module")
def scores() -> RedactionScores:
    return score(build_sample())


def test_the_sample_covers_every_kind_form_and_language() -> None:
    sample = build_sample()
    assert len(sample) >= 300
    assert {s.lang for s in sample} == {"zh", "en"}
    forms = {(kind, form) for s in sample for kind, form, _ in s.pii}
    assert {kind for kind, _ in forms} == set(KINDS)
    for needed in ("+86", "0086", "86 prefix", "landline", "full-width mobile", "+44"):
        assert ("phone", needed) in forms
    assert {
        ("email", "international"),
        ("email", "full-width"),
        ("id_number", "full-width"),
    } <= forms
    looks = {category for s in sample for category, _, _ in s.keep}
    for needed in ("order number", "amount", "date", "model code", "tracking number", "timestamp"):
        assert needed in looks
    assert sum(not s.pii for s in sample) >= 50  # snippets with nothing to redact


def test_the_labels_hold_by_the_redactors_own_checksums() -> None:
    # The sample computes its checksums independently; both must agree on every item.
    for snippet in build_sample():
        for kind, form, text in snippet.pii:
            digits = "".join(c for c in text.upper() if c.isalnum())
            if kind == "id_number" and form != "15-digit legacy":
                assert cn_id_valid(digits.translate(_FULL_TO_HALF)), text
            if kind == "card_number":
                assert luhn_valid(digits), text


_FULL_TO_HALF = {0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF38: ord("X")}


@pytest.mark.parametrize("kind", [*KINDS, "all"])
def test_recall_and_precision_per_kind(scores: RedactionScores, kind: str) -> None:
    result = scores.overall if kind == "all" else scores.kinds[kind]
    recall_bar, precision_bar = BARS[kind]
    assert result.items >= 90
    assert result.recall >= recall_bar, scores.misses
    assert result.precision >= precision_bar, scores.misses


def test_look_alikes_mostly_survive(scores: RedactionScores) -> None:
    kept = sum(k for k, _ in scores.kept.values())
    items = sum(n for _, n in scores.kept.values())
    assert items >= 300 and kept / items >= 0.97
    for category in ("amount", "date", "model code", "tracking number", "timestamp"):
        assert scores.kept[category][0] == scores.kept[category][1], category


def test_the_command_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    main([])
    out = capsys.readouterr().out
    assert "420 snippets" in out
    for kind in (*KINDS, "all"):
        assert any(line.startswith(kind) for line in out.splitlines())
