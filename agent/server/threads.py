"""Thread views for the HTTP routes: the analyst's, with a 404 for what does not exist or is
not the caller's, and a 400 for an id that no thread or evidence can have.

With API tokens configured a thread belongs to the token that started it: every question is
asked with the caller's principal as its ``owner`` (``token:`` and a hash prefix of the token,
never the token), which the thread's checkpoints record, and another token gets the same 404
as for an unknown thread, so ids are not confirmed. Threads started without a token (the CLI,
or the server before tokens were set) belong to no token. Without tokens every caller is the
one loopback user and may use every thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Request

from ...tools.ledger import Evidence
from ..analyst import Analyst
from ..results import Report
from ..threads import ThreadView
from .errors import HttpError

# Thread ids: the server's own are 32 hex digits; a client may name a new thread too.
THREAD_ID_PATTERN = r"^[A-Za-z0-9_.:\-]{1,128}$"
# Evidence ids as the ledger makes them: Q<n>, T<n>, C<n>, or V:<the feedback record's id>.
EVIDENCE_ID_PATTERN = r"^(?:[QTC][0-9]{1,9}|V:[^\x00-\x1f\x7f]{1,120})$"
_THREAD_ID = re.compile(THREAD_ID_PATTERN)
_EVIDENCE_ID = re.compile(EVIDENCE_ID_PATTERN)
_INVALID = "invalid_id"


@dataclass(frozen=True)
class Caller:
    """Who is asking: the auth principal, and whether threads are private to their owner."""

    principal: str
    # API tokens are configured: a thread answers only to the principal that started it.
    scoped: bool


def caller_of(request: Request) -> Caller:
    principal: str = request.state.principal
    return Caller(principal, bool(request.app.state.auth_enabled))


def valid_thread_id(thread_id: str) -> str:
    if not _THREAD_ID.match(thread_id):
        message = "Invalid thread id: one is 1 to 128 letters, digits, '_', '.', ':' or '-'."
        raise HttpError(400, message, _INVALID)
    return thread_id


def valid_evidence_id(evidence_id: str) -> str:
    if not _EVIDENCE_ID.match(evidence_id):
        message = "Invalid evidence id: one looks like Q1, C2, T1 or V:<record id>."
        raise HttpError(400, message, _INVALID)
    return evidence_id


def not_found(thread_id: str) -> HttpError:
    return HttpError(404, f"No thread {thread_id!r} on this server.", "not_found")


def may_continue(analyst: Analyst, caller: Caller, thread_id: str) -> None:
    """Before asking on ``thread_id``: a 404 when it exists and another caller started it (a
    thread that does not exist yet is the caller's to start)."""
    if caller.scoped and analyst.thread_owner(thread_id) not in (None, caller.principal):
        raise not_found(thread_id)


def _may_read(analyst: Analyst, caller: Caller, thread_id: str) -> None:
    if caller.scoped and analyst.thread_owner(thread_id) != caller.principal:
        raise not_found(thread_id)


def view(analyst: Analyst, caller: Caller, thread_id: str) -> ThreadView:
    _may_read(analyst, caller, thread_id)
    found = analyst.thread(thread_id)
    if found is None:
        raise not_found(thread_id)
    return found


def evidence(analyst: Analyst, caller: Caller, thread_id: str, evidence_id: str) -> Evidence:
    _may_read(analyst, caller, thread_id)
    if analyst.ledger(thread_id) is None:
        raise not_found(thread_id)
    found = analyst.evidence(thread_id, evidence_id)
    if found is None:
        raise HttpError(404, f"No evidence {evidence_id!r} in thread {thread_id!r}.", "not_found")
    return found


def report(analyst: Analyst, caller: Caller, thread_id: str) -> Report:
    """The thread's latest answer as a report, for exports."""
    _may_read(analyst, caller, thread_id)
    if analyst.ledger(thread_id) is None:
        raise not_found(thread_id)
    found = analyst.report(thread_id)
    if found is None:
        raise HttpError(404, f"Thread {thread_id!r} has no finished answer yet.", "not_found")
    return found
