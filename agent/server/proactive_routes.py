"""The proactive routes: the digest (``/v1/digest``), an item's evidence, and the dashboard page
(``/`` and ``/dashboard``) with its tiles as JSON. All sit behind the same auth as the API."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ..analyst import Analyst
from ..dashboard import SINCE, TILE_KEYS, Dashboard, Tile, build_dashboard
from ..digest import Digest, item_rows
from ..digest_render import render
from .auth import Auth
from .dashboard_page import CONTENT_SECURITY_POLICY, page
from .errors import HttpError
from .routes import AnalystDep

# A dashboard is recomputed at most this often per day and language (tiles run several queries).
CACHE_S = 300.0
LangQuery = Annotated[Literal["en", "zh"], Query(description="en or zh.")]
SinceQuery = Annotated[str, Query(max_length=40, description="7d, 2w, 3m or a period phrase.")]
AsOfQuery = Annotated[date | None, Query(description="The day the period ends before.")]
AudienceQuery = Annotated[
    Literal["service", "product", "management"] | None, Query(description="A department.")
]
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def router(auth: Auth) -> APIRouter:
    api = APIRouter(dependencies=[Depends(auth.require)])
    api.add_api_route("/v1/digest", digest, methods=["GET"], response_model=None)
    api.add_api_route("/v1/digest/items/{item_id}", digest_item, methods=["GET"])
    api.add_api_route("/", root, methods=["GET"], include_in_schema=False)
    api.add_api_route("/dashboard", dashboard, methods=["GET"], response_class=HTMLResponse)
    api.add_api_route("/dashboard/tiles/{key}.json", tile, methods=["GET"])
    return api


def digest(
    analyst: AnalystDep,
    since: SinceQuery = "7d",
    as_of: AsOfQuery = None,
    lang: LangQuery = "en",
    audience: AudienceQuery = None,
    format: Annotated[Literal["json", "md", "html"], Query()] = "json",
) -> Any:
    """The period's digest: significant changes and the forecast, each item with its evidence."""
    report = analyst.digest(since, as_of=as_of, lang=lang, audience=audience)
    if format == "json":
        return report
    if format == "md":
        return PlainTextResponse(render(report, "md"), media_type="text/markdown; charset=utf-8")
    return HTMLResponse(render(report, "html"))


def digest_item(
    item_id: str,
    analyst: AnalystDep,
    since: SinceQuery = "7d",
    as_of: AsOfQuery = None,
    lang: LangQuery = "en",
) -> dict[str, Any]:
    """One digest item with the rows of its query, run again through the SQL guard."""
    _item_id(item_id)
    report: Digest = analyst.digest(since, as_of=as_of, lang=lang)
    item = report.item(item_id)
    if item is None:
        missing = f"The digest for {report.period.label} has no item {item_id}."
        raise HttpError(404, missing, "not_found")
    rows = item_rows(analyst, item)
    return {"item": item, "sql": rows.sql, "columns": rows.columns, "rows": rows.rows}


def _item_id(item_id: str) -> str:
    if not (item_id[:1].isalpha() and item_id[1:].isdigit() and len(item_id) <= 8):
        raise HttpError(400, "An item id is a letter and a number, such as C1.", "bad_request")
    return item_id


def root() -> RedirectResponse:
    return RedirectResponse("/dashboard", status_code=307)


def dashboard(
    request: Request,
    analyst: AnalystDep,
    lang: LangQuery = "en",
    as_of: AsOfQuery = None,
    since: SinceQuery = SINCE,
) -> Response:
    """The managers' dashboard: emotion index, rising themes, changes, forecast vs actuals."""
    board = _cached(request, analyst, lang, as_of, since)
    query = urlencode({"since": since} | ({"as_of": as_of.isoformat()} if as_of else {}))
    return HTMLResponse(page(board, query), headers=_HEADERS)


def tile(
    key: str,
    request: Request,
    analyst: AnalystDep,
    lang: LangQuery = "en",
    as_of: AsOfQuery = None,
    since: SinceQuery = SINCE,
) -> Tile:
    """One tile with its evidence: the SQL, the rows and the quotes behind it."""
    if key not in TILE_KEYS:
        raise HttpError(404, f"No tile {key!r}; tiles: {', '.join(TILE_KEYS)}.", "not_found")
    found = _cached(request, analyst, lang, as_of, since).tile(key)
    assert found is not None
    return found


class _Boards:
    """Dashboards computed lately, per day and language, kept in the app's state."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.boards: dict[tuple[str, date | None, str], tuple[float, Dashboard]] = {}


def _cached(
    request: Request,
    analyst: Analyst,
    lang: Literal["en", "zh"],
    as_of: date | None,
    since: str,
) -> Dashboard:
    state = request.app.state
    boards: _Boards | None = getattr(state, "dashboards", None)
    if boards is None:
        boards = state.dashboards = _Boards()
    with boards.lock:
        hit = boards.boards.get((lang, as_of, since))
        if hit is not None and time.monotonic() - hit[0] < CACHE_S:
            return hit[1]
    dated = analyst if as_of is None else analyst.at(as_of)
    board = build_dashboard(dated, lang, since)
    with boards.lock:
        boards.boards[(lang, as_of, since)] = (time.monotonic(), board)
    return board
