"""Digest delivery to incoming webhooks, against a real HTTP receiver on loopback: each
vendor's documented message shape, a failure then a successful retry, a clear error when every
retry fails, and no second post of the same period to the same place."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from servicelens.agent.digest_model import (
    Digest,
    DigestItem,
    DigestPeriod,
    DigestSection,
    ItemEvidence,
)
from servicelens.agent.webhooks import STATE_FILE, WebhookError, send_digest


class Receiver:
    """A threaded HTTP server that records every POST and answers from a script."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.script: list[tuple[int, str]] = []  # answers, first to last; then 200 "ok"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append(json.loads(body))
                receiver.headers.append(dict(self.headers))
                status, text = receiver.script.pop(0) if receiver.script else (200, "ok")
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook/SECRET-TOKEN"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _digest(audience: str | None = None) -> Digest:
    period = DigestPeriod(
        since="7d", as_of=date(2026, 7, 8), label="2026-07-01..2026-07-07",
        start=date(2026, 7, 1), end=date(2026, 7, 7), phrase="2026-07-01..2026-07-07",
        comparison_label="2026-06-24..2026-06-30", comparison_start=date(2026, 6, 24),
        comparison_end=date(2026, 6, 30),
    )  # fmt: skip
    item = DigestItem(
        id="C1", kind="change", label="Significant change",
        title="On-time rate · Region = East: 93.0% → 63.0%",
        text="On-time rate (Region = East) fell from 93.0% to 63.0% (120 → 140 records).",
        direction="worse", figures={"before": 93.0, "after": 63.0},
        method="two-proportion z-test: p = 1e-05", audiences=["service", "management"],
        evidence=ItemEvidence(sql="SELECT 1", link="https://sl.example/v1/digest/items/C1"),
    )  # fmt: skip
    sections = [
        DigestSection(key="changes", title="What changed", status="ok", items=[item]),
        DigestSection(key="forecast", title="Forecast", status="unavailable", note="No dates."),
    ]
    return Digest(
        title="Service digest: 2026-07-01..2026-07-07", lang="en", audience=audience,  # type: ignore[arg-type]
        period=period, sections=sections, dashboard_url="https://sl.example/dashboard",
    )  # fmt: skip


def _send(receiver: Receiver, fmt: str, state: Path, **kw: Any) -> Any:
    return send_digest(_digest(), receiver.url, fmt, state_dir=state, sleep=lambda s: None, **kw)


def test_feishu_interactive_card(receiver: Receiver, tmp_path: Path) -> None:
    receiver.script = [(200, '{"code":0,"msg":"success"}')]
    assert _send(receiver, "feishu", tmp_path).status == "sent"
    body = receiver.posts[0]
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"]["title"] == {"tag": "plain_text", "content": _digest().title}
    texts = [e["text"]["content"] for e in card["elements"] if e["tag"] == "div"]
    assert any("fell from 93.0% to 63.0%" in t for t in texts)
    button = next(e for e in card["elements"] if e["tag"] == "action")["actions"][0]
    assert button["url"] == "https://sl.example/dashboard"


def test_feishu_post(receiver: Receiver, tmp_path: Path) -> None:
    _send(receiver, "feishu-post", tmp_path)
    post = receiver.posts[0]["content"]["post"]["en_us"]
    assert receiver.posts[0]["msg_type"] == "post" and post["title"] == _digest().title
    assert {"tag": "a", "text": "Open the dashboard", "href": "https://sl.example/dashboard"} in [
        cell for row in post["content"] for cell in row
    ]


def test_dingtalk_action_card(receiver: Receiver, tmp_path: Path) -> None:
    receiver.script = [(200, '{"errcode":0,"errmsg":"ok"}')]
    _send(receiver, "dingtalk", tmp_path)
    body = receiver.posts[0]
    assert body["msgtype"] == "actionCard"
    card = body["actionCard"]
    assert card["singleURL"] == "https://sl.example/dashboard" and card["title"]
    assert "[C1] Significant change" in card["text"] and "No dates." in card["text"]


def test_wecom_markdown_within_its_size(receiver: Receiver, tmp_path: Path) -> None:
    _send(receiver, "wecom", tmp_path)
    body = receiver.posts[0]
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert "63.0%" in content and len(content.encode()) <= 4096


def test_slack_blocks_with_a_fallback_text(receiver: Receiver, tmp_path: Path) -> None:
    _send(receiver, "slack", tmp_path)
    body = receiver.posts[0]
    assert body["text"] == _digest().title
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds[0] == "header" and kinds[-1] == "actions" and "section" in kinds
    assert any("63.0%" in b["text"]["text"] for b in body["blocks"] if b["type"] == "section")


def test_json_tasks_for_a_tracker(receiver: Receiver, tmp_path: Path) -> None:
    send_digest(_digest("product"), receiver.url, "json", state_dir=tmp_path, sleep=lambda s: None)
    body = receiver.posts[0]
    task = body["tasks"][0]
    assert task["department"] == "product" and task["kind"] == "change"
    assert task["evidence"]["sql"] == "SELECT 1" and task["figures"]["after"] == 63.0
    assert task["id"] == "servicelens:2026-07-01..2026-07-07:C1"
    assert receiver.headers[0]["Idempotency-Key"]


def test_a_failure_is_retried_then_delivered(receiver: Receiver, tmp_path: Path) -> None:
    receiver.script = [(503, "busy"), (500, "oops")]
    waits: list[float] = []
    done = send_digest(
        _digest(), receiver.url, "slack", state_dir=tmp_path, sleep=waits.append, backoff_s=0.5
    )
    assert done.status == "sent" and done.attempts == 3
    assert waits == [0.5, 1.0]  # backoff doubles
    assert len(receiver.posts) == 3


def test_a_vendor_error_in_a_200_answer_is_not_success(receiver: Receiver, tmp_path: Path) -> None:
    refusal = '{"code":19001,"msg":"param invalid: incoming webhook access token invalid"}'
    receiver.script = [(200, refusal)]
    with pytest.raises(WebhookError, match="19001"):
        _send(receiver, "feishu", tmp_path)
    assert not (tmp_path / STATE_FILE).exists()


def test_every_retry_failing_is_a_clear_error_without_the_secret(
    receiver: Receiver, tmp_path: Path
) -> None:
    receiver.script = [(502, "bad gateway")] * 4
    with pytest.raises(WebhookError) as err:
        _send(receiver, "wecom", tmp_path, retries=3)
    message = str(err.value)
    assert "after 4 attempts" in message and "HTTP 502" in message
    assert "SECRET-TOKEN" not in message and "127.0.0.1" in message
    assert len(receiver.posts) == 4


def test_the_same_period_is_never_sent_twice(receiver: Receiver, tmp_path: Path) -> None:
    assert _send(receiver, "dingtalk", tmp_path).status == "sent"
    again = _send(receiver, "dingtalk", tmp_path)
    assert again.status == "already_sent" and len(receiver.posts) == 1
    # Another audience of the same period is another delivery.
    send_digest(
        _digest("management"), receiver.url, "dingtalk", state_dir=tmp_path, sleep=lambda s: None
    )
    assert len(receiver.posts) == 2
    state = json.loads((tmp_path / STATE_FILE).read_text())
    assert len(state) == 2 and "SECRET-TOKEN" not in json.dumps(state)


def test_an_unreachable_webhook_is_retried_then_reported(tmp_path: Path) -> None:
    receiver = Receiver()  # bound, never serving: connections are refused or time out
    url = receiver.url
    receiver.server.server_close()
    with pytest.raises(WebhookError, match="after 2 attempts"):
        send_digest(
            _digest(), url, "slack", state_dir=tmp_path, retries=1, timeout_s=2,
            sleep=lambda s: None,
        )  # fmt: skip


def _warning_digest(start: date, ref: str) -> Digest:
    """A digest of the period starting ``start`` carrying one R&D warning with id ``ref``."""
    digest = _digest()
    end = start + (digest.period.end - digest.period.start)
    period = digest.period.model_copy(update={"start": start, "end": end, "label": f"{start}"})
    warning = DigestItem(
        id="W1", kind="warning", label="Early warning · high",
        title="Model AC-1: compressor noise 0.5 a week → 3 a week worsened",
        text="Model AC-1: compressor noise 0.5 a week → 3 a week worsened.",
        direction="worse", figures={"before": 0.5, "after": 3}, method="Poisson rate test",
        audiences=["product", "management"], ref=ref, team="rd",
        evidence=ItemEvidence(sql="SELECT 2", ids=["V:1"]),
    )  # fmt: skip
    sections = [DigestSection(key="warnings", title="Early warnings", status="ok",
                              items=[warning, *digest.sections[0].items])]  # fmt: skip
    return digest.model_copy(update={"period": period, "sections": sections})


def test_a_warning_is_a_task_for_its_team_sent_once_across_periods(
    receiver: Receiver, tmp_path: Path
) -> None:
    first = _warning_digest(date(2026, 7, 1), "W-abc123")
    assert send_digest(first, receiver.url, "json", state_dir=tmp_path, sleep=lambda s: None)
    tasks = {t["id"]: t for t in receiver.posts[0]["tasks"]}
    warning = tasks["servicelens:warning:W-abc123"]
    assert warning["department"] == "rd" and warning["evidence"]["ids"] == ["V:1"]
    assert tasks["servicelens:2026-07-01..2026-07-07:C1"]["department"] == "service"
    # The next period's digest still carries the open warning: its task is not sent again, a
    # new warning's is.
    later = _warning_digest(date(2026, 7, 8), "W-abc123")
    later.sections[0].items.append(
        _warning_digest(date(2026, 7, 8), "W-def456").sections[0].items[0]
    )
    done = send_digest(later, receiver.url, "json", state_dir=tmp_path, sleep=lambda s: None)
    assert done.status == "sent" and len(receiver.posts) == 2
    ids = [t["id"] for t in receiver.posts[1]["tasks"]]
    assert "servicelens:warning:W-abc123" not in ids
    assert "servicelens:warning:W-def456" in ids
    # Another tracker has not had it: it gets every warning.
    other = receiver.url.replace("SECRET-TOKEN", "OTHER")
    send_digest(later, other, "json", state_dir=tmp_path, sleep=lambda s: None)
    assert "servicelens:warning:W-abc123" in [t["id"] for t in receiver.posts[2]["tasks"]]
