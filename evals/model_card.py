"""The model card: how one model at one endpoint did on a golden set, for comparing models.

``servicelens eval --provider openai`` writes it beside the report as ``model_card.md`` and
``model_card.json``: the model and endpoint family, pass rate and pass^k overall and per subset
and category, the silent-wrong rate, latency, tokens and cost, per case too, and which vendor
quirks the replies showed (counted by the provider as it read them).
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from ..agent.providers.quirks import QUIRKS
from .report import subset, summarize
from .runner import CaseResult, EvalRun


def build(run: EvalRun, summary: dict[str, Any] | None = None) -> dict[str, Any]:
    """The card as plain JSON-able data."""
    s = summary or summarize(run)
    return {
        "model": run.model or "unknown",
        "provider": run.provider,
        "endpoint": run.endpoint,
        "golden": run.golden,
        "filter": run.filter,
        "started_at": run.started_at,
        "repeat": run.repeat,
        "cases": s["cases"],
        "runs": s["runs"],
        "errors": s["errors"],
        "pass_rate": s["pass_rate"],
        "pass_hat_k": s["pass_hat_k"],
        "by_subset": {k: _rates(v) for k, v in s["by_subset"].items()},
        "by_category": {k: _rates(v) for k, v in s["by_category"].items()},
        "silent_wrong_rate": s["silent_wrong"]["rate"],
        "silent_wrong_cases": s["silent_wrong"]["cases"],
        "latency_ms": s["latency_ms"],
        "tokens": s["tokens"],
        "cost_usd": s["cost_usd"],
        "quirks": {k: {"count": n, "means": QUIRKS.get(k, k)} for k, n in run.quirks.items()},
        "per_case": [_case(c) for c in run.results if not c.skipped],
        "prompt_version": run.prompt_version,
        "data_version": run.data_version,
    }


def _rates(group: dict[str, Any]) -> dict[str, Any]:
    return {k: group[k] for k in ("cases", "runs", "pass_rate", "pass_hat_k")}


def _case(c: CaseResult) -> dict[str, Any]:
    runs = c.runs
    costs = [r.cost_usd for r in runs]
    return {
        "id": c.id,
        "subset": subset(c),
        "passed": f"{sum(r.passed for r in runs)}/{len(runs)}",
        "median_ms": round(statistics.median(r.ms for r in runs), 1) if runs else None,
        "tokens": sum(r.prompt_tokens + r.completion_tokens for r in runs),
        "cost_usd": None if any(x is None for x in costs) else round(sum(x or 0 for x in costs), 6),
        "errors": [r.error for r in runs if r.error],
    }


def markdown(card: dict[str, Any]) -> str:
    endpoint = card["endpoint"] or {}
    k = card["repeat"]
    lines = [
        f"# Model card: {card['model']}",
        "",
        f"- Endpoint: {endpoint.get('host', '—')} (family {endpoint.get('family', 'unknown')}),"
        f" provider {card['provider']}",
        f"- Golden set: {', '.join(card['golden']) or 'the demo set'}"
        + (f", filter `{card['filter']}`" if card["filter"] else ""),
        f"- Cases: {card['cases']}, runs: {card['runs']} ({k} per case), errors: {card['errors']}",
        f"- Pass rate: {_pct(card['pass_rate'])}; pass^{k}: {_pct(card['pass_hat_k'])}",
        f"- Silent wrong (answered, not flagged, wrong number or entity): "
        f"{_pct(card['silent_wrong_rate'])}",
        f"- Latency: median {_ms(card['latency_ms']['median'])}, p95 "
        f"{_ms(card['latency_ms']['p95'])} per case",
        f"- Tokens: {card['tokens']['prompt']:,} prompt + {card['tokens']['completion']:,} "
        f"completion; est. cost {_usd(card['cost_usd'])}",
        "",
        "## Pass rate per set",
        "",
        *_table(["set", "cases", "pass rate", f"pass^{k}"], _rows(card["by_subset"])),
        "",
        "## Pass rate per category",
        "",
        *_table(["category", "cases", "pass rate", f"pass^{k}"], _rows(card["by_category"])),
        "",
        "## Quirks seen",
        "",
        *(_table(["quirk", "replies"], [[q["means"], q["count"]] for q in card["quirks"].values()])
          if card["quirks"] else ["None: every reply was a plain OpenAI-shaped one."]),
        "",
        "## Per case",
        "",
        *_table(
            ["case", "set", "passed", "median", "tokens", "cost"],
            [[c["id"], c["subset"], c["passed"], _ms(c["median_ms"]), f"{c['tokens']:,}",
              _usd(c["cost_usd"])] for c in card["per_case"]],
        ),
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def write(run: EvalRun, folder: Path, summary: dict[str, Any] | None = None) -> tuple[Path, Path]:
    """Write ``model_card.json`` and ``model_card.md`` into ``folder``; return their paths."""
    card = build(run, summary)
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path = folder / "model_card.json", folder / "model_card.md"
    json_path.write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    md_path.write_text(markdown(card), encoding="utf-8")
    return json_path, md_path


def _rows(groups: dict[str, Any]) -> list[list[Any]]:
    return [[name, g["cases"], _pct(g["pass_rate"]), _pct(g["pass_hat_k"])]
            for name, g in groups.items()]  # fmt: skip


def _table(head: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    return out + ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value / 1000:.1f} s"


def _usd(value: float | None) -> str:
    return "n/a" if value is None else f"${value:.4f}"
