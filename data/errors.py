"""Errors that end an operation and are shown to a person (or an HTTP client) as they are.

Messages are one or two sentences: what happened and what to do. No paths beyond the
workspace's own, no stack traces, no secrets. Bugs are not wrapped in these; they raise.
"""

from __future__ import annotations


class ServiceLensError(Exception):
    """Base for failures a user can act on."""

    exit_code = 1


class WorkspaceError(ServiceLensError):
    """The workspace is missing, half-built, or from an incompatible version."""


class DataError(ServiceLensError):
    """Input data is malformed; the message names file, line and column where known."""


class IndexMismatchError(ServiceLensError):
    """The VOC index was built with another embedding model or dimension."""
