"""``servicelens serve``: the HTTP API (JSON, Server-Sent Events, OpenAI-compatible chat).

One process only: the workspace's embedded Chroma index and DuckDB file are not safe to share
across processes (DESIGN §8); one process serves many concurrent requests from its threads.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from ...data.errors import ServiceLensError
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
        int, typer.Option("--workers", help="Server processes; only 1 is supported.")
    ] = 1,
    home: HomeOption = None,
) -> None:
    """Serve the HTTP API: /v1/ask, /v1/ask/stream, /v1/chat/completions and more."""
    if workers != 1:
        raise ServiceLensError(
            "Only one server process is supported: the workspace's embedded vector index and "
            "DuckDB file cannot be shared across processes. One process already serves many "
            "requests at once; to scale out, see DESIGN §8 (a Chroma server and stateless workers)."
        )
    import uvicorn

    from ..analyst import Analyst
    from ..server.app import create_app, limits_from, tokens_from, uvicorn_options
    from ..server.logs import configure

    settings = settings_for(home, provider=provider)
    # Opened here, not at server start, so a missing workspace or model configuration is a
    # one-line error at the command line rather than a failed startup inside uvicorn.
    analyst = Analyst.open(settings=settings)
    app = create_app(
        lambda: analyst,
        tokens=tokens_from(settings),
        limits=limits_from(settings),
        allowed_hosts=settings.allowed_hosts,
        bind_host=host,
    )
    _announce(host, port, bool(app.state.auth_enabled))
    configure()
    options = uvicorn_options(settings.trusted_proxies)
    uvicorn.run(app, host=host, port=port, workers=1, log_config=None, access_log=False, **options)


def _announce(host: str, port: int, auth: bool) -> None:
    shown = f"[{host}]" if ":" in host else host
    url = Text(f"http://{shown}:{port}", style="bold")
    console.print(Text.assemble("ServiceLens API on ", url, " (OpenAI base URL /v1)"))
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
