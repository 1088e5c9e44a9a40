"""Tool-call argument repair on a labelled set of malformed arguments: how many are read
exactly, and that none is read as something other than what it says."""

from __future__ import annotations

from typing import Any

import pytest
from tool_argument_samples import SAMPLES

from servicelens.agent.providers.tool_arguments import ArgumentsError, parse_arguments

# The one malformed sample neither the normaliser nor the library reads.
UNREAD = {"full-width colon"}


def _read(raw: str) -> dict[str, Any] | None:
    try:
        return parse_arguments(raw)
    except ArgumentsError:
        return None


def test_23_of_24_malformed_samples_are_read_exactly() -> None:
    malformed = [(n, raw, want) for n, raw, want in SAMPLES if want is not None]
    read = [n for n, raw, want in malformed if _read(raw) == want]
    assert len(malformed) == 24
    assert len(read) == 23
    assert {n for n, _, _ in malformed} - set(read) == UNREAD


@pytest.mark.parametrize(("name", "raw", "want"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_a_sample_is_read_as_written_or_sent_back(
    name: str, raw: str, want: dict[str, Any] | None
) -> None:
    # A wrong repair is worse than asking the model again: whatever is read must be right.
    got = _read(raw)
    assert got == want or (got is None and name in UNREAD)
