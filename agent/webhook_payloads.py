"""A digest as the message each incoming webhook takes, in its vendor's documented format.

- Feishu / Lark custom bot: an interactive card (``msg_type: interactive``: a header, ``div``
  blocks of ``lark_md`` text, a button linking back) or a rich-text post (``msg_type: post``).
- DingTalk custom robot: an ``actionCard`` with a single button when there is a link back,
  else ``markdown`` (both take a title and Markdown text).
- WeCom group robot: ``markdown`` (its content is capped at 4,096 bytes).
- Slack incoming webhook: Block Kit ``blocks`` (a header, one section per item, a context line,
  a button) with ``text`` as the notification fallback.
- Generic JSON: the digest's period and each item as a task for another team's tracker, routed
  to a department (a warning's owning team, else the digest's audience or the item's first
  one); a warning is keyed by its stable id, so a tracker gets it once across periods.

Customer text never reaches these messages: items are templates filled with figures.
"""

from __future__ import annotations

from typing import Any, Literal

from .digest_model import Digest, DigestItem
from .digest_text import words

WebhookFormat = Literal["feishu", "feishu-post", "dingtalk", "wecom", "slack", "json"]
WEBHOOK_FORMATS: tuple[WebhookFormat, ...] = (
    "feishu", "feishu-post", "dingtalk", "wecom", "slack", "json"
)  # fmt: skip
WECOM_MAX_BYTES = 4096
SLACK_MAX_BLOCKS = 50


def payload(digest: Digest, fmt: str) -> dict[str, Any]:
    builders = {
        "feishu": feishu_card, "feishu-post": feishu_post, "dingtalk": dingtalk,
        "wecom": wecom, "slack": slack, "json": tasks,
    }  # fmt: skip
    if fmt not in builders:
        raise ValueError(f"Unknown webhook format {fmt!r}; use {', '.join(WEBHOOK_FORMATS)}.")
    return builders[fmt](digest)


def _lines(digest: Digest) -> list[str]:
    """One Markdown line per section heading and item, shared by the Markdown formats."""
    w = words(digest.lang)
    out = []
    for section in digest.sections:
        out.append(f"**{section.title}**")
        if section.status == "unavailable":
            out.append(f"{w.unavailable}: {section.note}")
        for item in section.items:
            link = f" [{w.evidence}]({item.evidence.link})" if item.evidence.link else ""
            out.append(f"- [{item.id}] {item.label}: {item.text}{link}")
        if section.status == "empty":
            out.append(w.no_items)
    return out


def _period(digest: Digest) -> str:
    p = digest.period
    w = words(digest.lang)
    before = f"{p.comparison_start} – {p.comparison_end}"
    return f"{w.period}: {p.start} – {p.end} ({w.compared} {before})"


def feishu_card(digest: Digest) -> dict[str, Any]:
    elements: list[dict[str, Any]] = [_lark_md(_period(digest))]
    for section in digest.sections:
        elements += [{"tag": "hr"}, _lark_md("\n".join(_lines(_only(digest, section.key))))]
    if digest.dashboard_url:
        button = {
            "tag": "button",
            "text": {"tag": "plain_text", "content": _open(digest)},
            "url": digest.dashboard_url,
            "type": "primary",
        }
        elements.append({"tag": "action", "actions": [button]})
    header = {"title": {"tag": "plain_text", "content": digest.title}, "template": "blue"}
    return {"msg_type": "interactive", "card": {"header": header, "elements": elements}}


def _lark_md(text: str) -> dict[str, Any]:
    return {"tag": "div", "text": {"tag": "lark_md", "content": text}}


def _only(digest: Digest, key: str) -> Digest:
    return digest.model_copy(update={"sections": [s for s in digest.sections if s.key == key]})


def _open(digest: Digest) -> str:
    return "Open the dashboard" if digest.lang == "en" else "打开看板"


def feishu_post(digest: Digest) -> dict[str, Any]:
    rows: list[list[dict[str, Any]]] = [[{"tag": "text", "text": _period(digest)}]]
    for line in _lines(digest):
        rows.append([{"tag": "text", "text": line.replace("**", "")}])
    if digest.dashboard_url:
        rows.append([{"tag": "a", "text": _open(digest), "href": digest.dashboard_url}])
    locale = "zh_cn" if digest.lang == "zh" else "en_us"
    post = {locale: {"title": digest.title, "content": rows}}
    return {"msg_type": "post", "content": {"post": post}}


def _markdown(digest: Digest) -> str:
    head = [f"### {digest.title}", _period(digest), ""]
    return "\n".join(head + _lines(digest))


def dingtalk(digest: Digest) -> dict[str, Any]:
    text = _markdown(digest)
    if digest.dashboard_url:
        card = {
            "title": digest.title,
            "text": text,
            "btnOrientation": "0",
            "singleTitle": _open(digest),
            "singleURL": digest.dashboard_url,
        }
        return {"msgtype": "actionCard", "actionCard": card}
    return {"msgtype": "markdown", "markdown": {"title": digest.title, "text": text}}


def wecom(digest: Digest) -> dict[str, Any]:
    text = _markdown(digest)
    if digest.dashboard_url:
        text += f"\n[{_open(digest)}]({digest.dashboard_url})"
    return {"msgtype": "markdown", "markdown": {"content": _clip_bytes(text, WECOM_MAX_BYTES)}}


def _clip_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[: limit - len("\n…".encode())].decode("utf-8", errors="ignore")
    return cut + "\n…"


def slack(digest: Digest) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": digest.title[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _slack(_period(digest))}]},
    ]
    for section in digest.sections:
        blocks.append(_slack_section(f"*{_slack(section.title)}*"))
        if section.status == "unavailable":
            blocks.append(_slack_section(_slack(section.note)))
        for item in section.items:
            blocks.append(_slack_section(_slack_item(item)))
    blocks = blocks[: SLACK_MAX_BLOCKS - 1]
    if digest.dashboard_url:
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": _open(digest)},
            "url": digest.dashboard_url,
        }
        blocks.append({"type": "actions", "elements": [button]})
    return {"text": digest.title, "blocks": blocks}


def _slack_section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _slack_item(item: DigestItem) -> str:
    link = f" <{item.evidence.link}|evidence>" if item.evidence.link else ""
    return f"*[{item.id}] {_slack(item.label)}* {_slack(item.text)}{link}\n_{_slack(item.method)}_"


def _slack(text: str) -> str:
    # Slack reads &, < and > as markup (<!channel> notifies everyone): escape them.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def tasks(digest: Digest, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Each item as a task for another team's tracker, with its department and evidence.

    An early warning is keyed by its stable id (``servicelens:warning:W-…``) and goes to the
    team that owns it (``rd``, ``supply``, ``social``…); ``skip`` holds the keys a tracker has
    been sent already, which are left out. Other items are keyed by the period."""
    p = digest.period
    out = []
    for item in digest.items():
        key = task_key(digest, item)
        if key in skip:
            continue
        department = item.team or digest.audience or item.audiences[0]
        out.append(
            {
                "id": key,
                "department": department,
                "kind": item.kind,
                "label": item.label,
                "title": item.title,
                "description": item.text,
                "method": item.method,
                "direction": item.direction,
                "figures": item.figures,
                "evidence": item.evidence.model_dump(),
            }
        )
    period = {"start": str(p.start), "end": str(p.end), "label": p.label}
    return {
        "source": "servicelens",
        "title": digest.title,
        "period": period,
        "audience": digest.audience,
        "dashboard_url": digest.dashboard_url,
        "tasks": out,
    }


def task_key(digest: Digest, item: DigestItem) -> str:
    if item.kind == "warning" and item.ref:
        return f"servicelens:warning:{item.ref}"
    return f"servicelens:{digest.period.key}:{item.id}"


def warning_keys(digest: Digest) -> list[str]:
    """The keys of the digest's warnings, which a tracker is sent once whatever the period."""
    return [task_key(digest, i) for i in digest.items() if i.kind == "warning" and i.ref]
