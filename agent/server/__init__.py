"""The HTTP face: a FastAPI app over one shared ``Analyst`` (``servicelens serve``).

``create_app`` is a factory; nothing is opened until the app starts. Routes call the library and
format its results: JSON answers, Server-Sent Events of the typed stream events, an
OpenAI-compatible ``/v1/chat/completions`` for existing chat front-ends, and read-only views of
threads, evidence, charts and exports.
"""

from __future__ import annotations

from .app import create_app
from .auth import Auth
from .limits import Limits

__all__ = ["Auth", "Limits", "create_app"]
