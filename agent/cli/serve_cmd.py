"""``servicelens serve``: the HTTP API (JSON, Server-Sent Events, OpenAI-compatible chat).

One process serves many concurrent requests from its threads. ``--workers N`` runs N uvicorn
worker processes behind the one port (``server.worker``); they need the shared stores, a Chroma
server and PostgreSQL checkpoints, since the workspace's embedded ones are not safe across
processes (DESIGN §8).
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.text import Text

from .common import HomeOption, console, err_console, settings_for

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = DEFAULT_PORT,
    provider: Annotated[
        str | None, typer.Option("--provider", help="Model provider: openai or offline.")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Server processes behind the one port; more than 1 needs a Chroma server and "
            "PostgreSQL checkpoints.",
        ),
    ] = 1,
    home: HomeOption = None,
) -> None:
    """Serve the HTTP API: /v1/ask, /v1/ask/stream, /v1/chat/completions and more."""
    import uvicorn

    from ..analyst import Analyst
    from ..server.app import create_app, uvicorn_options
    from ..server.logs import configure
    from ..server.worker import APP, handoff, requirements

    settings = settings_for(home, provider=provider)
    if workers > 1:
        requirements(settings)
    # Opened once here, not only at server start, so a missing workspace, database or model
    # configuration is a one-line error at the command line rather than a failed startup
    # inside uvicorn (or inside each of its workers).
    Analyst.open(settings=settings).close()
    configure()
    options = uvicorn_options(settings.trusted_proxies)
    common: dict[str, Any] = {"host": host, "port": port, "log_config": None, "access_log": False}
    _announce(host, port, bool(settings.api_tokens), workers)
    if workers == 1:
        app = create_app(settings, bind_host=host)
        uvicorn.run(app, workers=1, **common, **options)
        return
    home_dir = str(settings.home.resolve())
    os.environ.update(handoff(home_dir, provider, host))
    uvicorn.run(APP, factory=True, workers=workers, **common, **options)


def _announce(host: str, port: int, auth: bool, workers: int) -> None:
    shown = f"[{host}]" if ":" in host else host
    url = Text(f"http://{shown}:{port}", style="bold")
    processes = f", {workers} workers" if workers > 1 else ""
    console.print(Text.assemble("ServiceLens API on ", url, f" (OpenAI base URL /v1{processes})"))
    if auth:
        console.print("Auth: bearer token required.")
    else:
        err_console.print(
            Text.assemble(
                ("Auth: no API token configured", "yellow"),
                ", so only clients on this machine are answered; set api_tokens in "
                "servicelens.toml to allow others.",
            )
        )
