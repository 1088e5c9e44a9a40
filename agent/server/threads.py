"""Thread views for the HTTP routes: the analyst's, with a 404 for what does not exist."""

from __future__ import annotations

from ...tools.ledger import Evidence
from ..analyst import Analyst
from ..results import Report
from ..threads import ThreadView
from .errors import HttpError


def view(analyst: Analyst, thread_id: str) -> ThreadView:
    found = analyst.thread(thread_id)
    if found is None:
        raise HttpError(404, f"No thread {thread_id!r} on this server.", "not_found")
    return found


def evidence(analyst: Analyst, thread_id: str, evidence_id: str) -> Evidence:
    if analyst.ledger(thread_id) is None:
        raise HttpError(404, f"No thread {thread_id!r} on this server.", "not_found")
    found = analyst.evidence(thread_id, evidence_id)
    if found is None:
        raise HttpError(404, f"No evidence {evidence_id!r} in thread {thread_id!r}.", "not_found")
    return found


def report(analyst: Analyst, thread_id: str) -> Report:
    """The thread's latest answer as a report, for exports."""
    if analyst.ledger(thread_id) is None:
        raise HttpError(404, f"No thread {thread_id!r} on this server.", "not_found")
    found = analyst.report(thread_id)
    if found is None:
        raise HttpError(404, f"Thread {thread_id!r} has no finished answer yet.", "not_found")
    return found
