"""``servicelens serve --workers N``: uvicorn's own worker processes, each running this app.

uvicorn listens once and hands the socket to N worker processes (restarting any that dies), so
one port serves them all and the kernel spreads connections between them; nothing of ours sits
in between. Workers hold nothing another worker needs: threads and checkpoints are in
PostgreSQL (``checkpoint_url``), busy threads and chat transcripts beside them
(``shared_state``), the feedback vectors on a Chroma server (``chroma_url``), and the warehouse
is read-only, replaced whole by an ingest (``generations``).

uvicorn starts each worker by importing ``app`` here. The serving command hands down what its
own options chose (the workspace, the provider, the address it binds) in ``HANDOFF``, an
environment variable only its worker processes read; everything else comes from the same
settings the command read.
"""

from __future__ import annotations

import json
import os
import secrets
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...data.errors import ServiceLensError
from ..settings import Settings, load_settings

HANDOFF = "SERVICELENS_SERVE_WORKER"
WORKER_HEADER = "x-servicelens-worker"
APP = "servicelens.agent.server.worker:app"


def requirements(settings: Settings) -> None:
    """Several workers need the shared stores; a clear error says which setting is missing."""
    needed = {
        "SERVICELENS_CHECKPOINT_URL (PostgreSQL, for threads)": settings.checkpoint_url,
        "SERVICELENS_CHROMA_URL (a Chroma server, for the feedback index)": settings.chroma_url,
    }
    missing = [name for name, value in needed.items() if value is None]
    if missing:
        raise ServiceLensError(
            "Several server workers share their threads and the feedback index, so they need "
            f"{' and '.join(missing)}; set it, or serve with one worker."
        )


def handoff(home: str, provider: str | None, bind_host: str) -> dict[str, str]:
    """The environment entry that tells each worker what the command chose."""
    return {HANDOFF: json.dumps({"home": home, "provider": provider, "bind_host": bind_host})}


def app() -> FastAPI:
    """The app of one worker process (uvicorn calls this factory in each)."""
    from .app import create_app
    from .logs import configure

    chosen: dict[str, Any] = json.loads(os.environ[HANDOFF])
    settings = load_settings(chosen["home"], provider=chosen["provider"])
    configure()
    served = create_app(settings, bind_host=chosen["bind_host"])
    served.add_middleware(WorkerId, worker=f"w-{secrets.token_hex(4)}")
    return served


class WorkerId:
    """Names the answering worker in a response header (a random id per process, no pid), so
    operators and the load test can tell the workers apart behind the one port."""

    def __init__(self, app: ASGIApp, worker: str) -> None:
        self.app = app
        self.header = (WORKER_HEADER.encode(), worker.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), self.header]}
            await send(message)

        await self.app(scope, receive, named)
