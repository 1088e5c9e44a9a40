"""The dashboard (``servicelens serve`` at ``/dashboard``), opened in headless Chromium on the
demo: it renders without console errors, every tile has data (the warnings, the health
distribution and the customers at risk included), a tile's evidence link and a warning's own
evidence link resolve to rows, and it follows the server's auth."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import Page, chromium
from server_support import LiveServer, serving

from servicelens.agent.analyst import Analyst
from servicelens.agent.server.app import create_app

DATA_TILES = ("warnings", "health", "emotion", "themes", "changes", "forecast")
SCREENSHOT = Path("/tmp/servicelens-dashboard.png")


def _quarter_end(home: Path) -> str:
    # The quarter the demo's installation story happens in; the dashboard is not told.
    facts = json.loads((home / "facts.json").read_text(encoding="utf-8"))["facts"]
    surge = next(f for f in facts if f["id"] == "installation_surge")
    return str(surge["date_ranges"]["quarter"]["end"])


@pytest.fixture(scope="module")
def server(demo_home: Path) -> Iterator[LiveServer]:
    app = create_app(lambda: Analyst.open(demo_home, provider="offline"), tokens=[])
    with serving(app) as live:
        yield live


@pytest.fixture(scope="module")
def url(server: LiveServer, demo_home: Path) -> str:
    return f"{server.url}/dashboard?since=3m&as_of={_quarter_end(demo_home)}"


def _tiles(page: Page) -> list[dict[str, Any]]:
    return list(
        page.evaluate(
            "[...document.querySelectorAll('section.tile')].map(s => ({"
            "key: s.id.replace('tile-', ''), status: s.dataset.status,"
            "charts: s.querySelectorAll('svg circle, svg rect').length,"
            "lines: s.querySelectorAll('ul.lines li').length,"
            "rows: s.querySelectorAll('details table tr').length,"
            "text: s.innerText, link: (s.querySelector('a.evidence-link') || {}).href,"
            "items: [...s.querySelectorAll('a.item-link')].map(a => a.href)}))"
        )
    )


def test_the_dashboard_renders_in_chromium_with_every_tile_filled(url: str) -> None:
    binary = chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    page = Page(binary)
    try:
        page.open(url)
        tiles = {t["key"]: t for t in _tiles(page)}
        page.screenshot(SCREENSHOT)
        errors = list(page.errors)
    finally:
        page.close()
    assert errors == []
    assert list(tiles) == list(DATA_TILES)
    for key in DATA_TILES:
        assert tiles[key]["status"] == "ok", (key, tiles[key]["text"])
        assert tiles[key]["charts"] + tiles[key]["lines"] > 0, key
        assert tiles[key]["rows"] > 1, key  # the evidence table has a header and rows
    assert tiles["health"]["charts"] == 10 and tiles["health"]["lines"] > 0  # bands, customers
    assert (
        "key account" in tiles["health"]["text"]
        and "Early warning · high" in tiles["warnings"]["text"]
    )
    # The tile's evidence link resolves: its SQL's rows, as JSON.
    evidence = httpx.get(tiles["emotion"]["link"], timeout=60)
    assert evidence.status_code == 200
    body = evidence.json()
    assert body["evidence"]["rows"] and "FROM voc" in body["evidence"]["sql"]
    # A warning's own link: its digest item, with the rows of its query run again.
    first = tiles["warnings"]["items"][0]
    assert "/v1/digest/items/W1?" in first
    item = httpx.get(first, timeout=120)
    assert item.status_code == 200 and item.json()["rows"]
    assert item.json()["item"]["kind"] == "warning"
    assert SCREENSHOT.stat().st_size > 10_000


def test_the_page_loads_nothing_and_reads_in_chinese(server: LiveServer, url: str) -> None:
    response = httpx.get(url + "&lang=zh", timeout=120)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "'unsafe-inline'" not in policy
    html = response.text
    assert '<html lang="zh-CN">' in html and "智能管理看板" in html and "客户情绪指数" in html
    assert (
        "预警 · 高" in html and "客户健康度" in html and "风险客户" not in html.split("<main>")[0]
    )
    assert "<script" not in html and "<img" not in html and "<link" not in html
    assert not re.search(r'(?:src|href)="(?:[a-z]+:)?//', html)  # nothing from another host


def test_the_dashboard_follows_the_servers_tokens(demo_home: Path) -> None:
    app = create_app(lambda: Analyst.open(demo_home, provider="offline"), tokens=["s3cret"])
    with serving(app) as live:
        tile = f"{live.url}/dashboard/tiles/warnings.json"
        assert httpx.get(f"{live.url}/dashboard").status_code == 401
        assert httpx.get(tile).status_code == 401
        ok = httpx.get(tile, headers={"Authorization": "Bearer s3cret"}, timeout=120)
        assert ok.status_code == 200 and ok.json()["key"] == "warnings"


def test_a_foreign_host_is_refused_without_tokens(server: LiveServer) -> None:
    response = httpx.get(f"{server.url}/dashboard", headers={"Host": "evil.example"})
    assert response.status_code == 403
