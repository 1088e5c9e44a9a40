"""``servicelens chat``: the terminal REPL over one workspace (see ``agent/repl.py``)."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from prompt_toolkit.completion import Completer
from rich.text import Text

from ..analyst import Analyst
from ..repl import ReplCompleter, prompt_session, run
from ..settings import Settings
from .chat_commands import COMMANDS, arguments, dispatch
from .chat_session import ChatSession, catalog_words
from .common import HomeOption, console, settings_for


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)


def chat(
    home: HomeOption = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="Model provider: openai or offline.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model name to use.")] = None,
    thread: Annotated[
        str | None, typer.Option("--thread", help="Continue this conversation thread.")
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Interface language for labels: en or zh.")
    ] = "en",
) -> None:
    """Chat with your service data: streamed, cited answers; /help lists the commands."""
    settings = settings_for(home, provider=provider, model=model)
    session = open_session(settings, thread_id=thread, lang=lang)
    try:
        console.print(_banner(session))
        prompt = prompt_session(
            history_file=settings.paths.home / "history.txt",
            completer=completer_for(session),
            toolbar=session.toolbar,
        )
        run(prompt, session)
    finally:
        abandoned = session.close()
    if abandoned:
        # A cancelled answer is still waiting on the model in a worker thread that cannot be
        # interrupted, and Python would wait for it at exit. Nothing of it is kept: leave now.
        sys.stdout.flush()
        os._exit(0)


def open_session(
    settings: Settings, *, thread_id: str | None = None, lang: str = "en"
) -> ChatSession:
    def open_analyst(model_name: str | None) -> Analyst:
        chosen = (
            settings if model_name is None else settings.model_copy(update={"model": model_name})
        )
        return Analyst.open(settings=chosen)

    return ChatSession(
        open_analyst,
        dispatch=dispatch,
        console=console,
        exports_dir=settings.paths.exports_dir,
        thread_id=thread_id,
        lang="zh" if lang == "zh" else "en",
    )


def completer_for(session: ChatSession) -> Completer:
    catalog = session.analyst.catalog
    words = catalog_words(catalog) if catalog is not None else []
    return ReplCompleter(
        commands=lambda: {name: c.help for name, c in COMMANDS.items()},
        arguments=lambda name: arguments(name, session),
        words=lambda: words,
    )


def _banner(session: ChatSession) -> Text:
    provider = session.analyst.provider
    text = Text("ServiceLens chat", style="bold")
    text.append(f" · model {provider.model} ({provider.name}) · thread {session.thread_id[:12]}\n")
    text.append("Ask about your service data in English or Chinese. /help lists commands; ", "dim")
    text.append("Ctrl-C cancels an answer; Ctrl-D quits.", "dim")
    return text
