"""``servicelens digest``: the period's significant changes and forecast, for people and cron."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.text import Text

from ..digest_render import FORMATS, render
from ..results import RequestError
from ..webhook_payloads import WEBHOOK_FORMATS
from ..webhooks import send_digest
from .common import HomeOption, err_console, open_analyst

if TYPE_CHECKING:
    from ..digest_model import Audience, Lang


def digest(
    since: Annotated[
        str, typer.Option("--since", help="7d, 2w, 3m (before --as-of) or 'last quarter'.")
    ] = "7d",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day the period ends before (YYYY-MM-DD).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",
    lang: Annotated[str, typer.Option("--lang", help="en or zh.")] = "en",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    audience: Annotated[
        str | None, typer.Option("--audience", help="service, product or management.")
    ] = None,
    send: Annotated[
        str | None, typer.Option("--send", help="Post to this incoming-webhook URL.")
    ] = None,
    webhook_format: Annotated[
        str,
        typer.Option(
            "--webhook-format", help="feishu, feishu-post, dingtalk, wecom, slack or json."
        ),
    ] = "json",
    min_n: Annotated[
        int, typer.Option("--min-n", min=1, help="Records a side needs for a change to be tested.")
    ] = 30,
    home: HomeOption = None,
) -> None:
    """What changed beyond noise and the forecast, as Markdown, HTML or JSON; --send posts it.

    A period's digest goes to a webhook once per audience; failed posts are retried."""
    day = _day(as_of)
    if fmt not in FORMATS:
        raise RequestError(f"Unknown --format {fmt!r}; use md, html or json.")
    if send is not None and webhook_format not in WEBHOOK_FORMATS:
        raise RequestError(
            f"Unknown --webhook-format {webhook_format!r}; use {', '.join(WEBHOOK_FORMATS)}."
        )
    with open_analyst(home) as analyst:
        report = analyst.digest(
            since,
            as_of=day,
            # Checked by the library, which names the accepted values.
            lang=cast("Lang", lang),
            audience=cast("Audience | None", audience),
            min_n=min_n,
        )
        state_dir = analyst.settings.home
    text = render(report, fmt)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    elif send is None:
        sys.stdout.write(text)
    if send is not None:
        done = send_digest(report, send, webhook_format, state_dir=state_dir)
        if done.status == "already_sent":
            message = f"Already sent this period's digest to {done.target}; not sent again."
        else:
            message = f"Sent to {done.target} as {done.format} ({done.attempts} attempt(s))."
        err_console.print(Text(message, style="green"))


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RequestError(f"--as-of {value!r} is not a date; use YYYY-MM-DD.") from None


def register(app: typer.Typer) -> None:
    app.command("digest")(digest)
