"""The eval report: a summary of a run, as JSON, Markdown and a terminal table; and comparisons.

The JSON document is ``{"summary": …, "run": …}``; ``compare`` reads two of them (or two
``EvalRun`` objects) and says, case by case, what got better or worse.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .runner import CaseResult, CaseRun, EvalRun
from .scorers import scorer_names

_TEXT_SHOWN = 400


def _rate(good: int, total: int) -> float | None:
    return round(good / total, 4) if total else None


def _group(results: list[CaseResult]) -> dict[str, Any]:
    runs = [r for c in results for r in c.runs]
    return {
        "cases": len(results),
        "runs": len(runs),
        "passed_runs": sum(r.passed for r in runs),
        "pass_rate": _rate(sum(r.passed for r in runs), len(runs)),
        "pass_hat_k": _rate(sum(c.passed_all for c in results), len(results)),
    }


def _by(results: list[CaseResult], key: str) -> dict[str, Any]:
    keys = sorted({getattr(c, key) for c in results})
    return {k: _group([c for c in results if getattr(c, key) == k]) for k in keys}


# Subsets a case can be tagged with; a case with none of them is one the project tuned on.
SUBSETS = ("held_out", "dev2", "dev")


def subset(case: CaseResult) -> str:
    return next((t for t in SUBSETS if t in case.tags), "tuned")


def _by_subset(results: list[CaseResult]) -> dict[str, Any]:
    keys = sorted({subset(c) for c in results}, key=lambda k: (k != "tuned", k))
    return {k: _group([c for c in results if subset(c) == k]) for k in keys}


# A wrong number or entity; the other scorers judge form (citations, language, tools used).
_CORRECTNESS = ("number_recall", "entities")


def silent_wrong(run: CaseRun) -> bool:
    """Answered with a wrong number or entity, and nothing told the user to doubt it: no
    verifier flag, no other reading offered, no "nothing fitted well"."""
    for turn in run.turns:
        if not turn.scored or turn.status != "answered" or turn.flagged or turn.hedged:
            continue
        if any(s.name in _CORRECTNESS and not s.passed for s in turn.scores):
            return True
    return False


def _silent(results: list[CaseResult]) -> dict[str, Any]:
    runs = [r for c in results for r in c.runs if not r.skipped]
    bad = [r.case_id for r in runs if silent_wrong(r)]
    return {"runs": len(runs), "count": len(bad), "rate": _rate(len(bad), len(runs)), "cases": bad}


def _scorer_means(runs: list[CaseRun]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in scorer_names():
        scores = [s for r in runs for t in r.turns for s in t.scores if s.name == name]
        values = [s.value for s in scores if s.value is not None]
        out[name] = {
            "mean": round(statistics.fmean(values), 4) if values else None,
            "checked": len(values),
            "failed": sum(not s.passed for s in scores),
        }
    return out


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index], 1)


def summarize(run: EvalRun) -> dict[str, Any]:
    results = [c for c in run.results if not c.skipped]
    runs = [r for c in results for r in c.runs]
    latencies = [r.ms for r in runs]
    costs = [r.cost_usd for r in runs]
    prompt = sum(r.prompt_tokens for r in runs)
    completion = sum(r.completion_tokens for r in runs)
    return {
        **_group(results),
        "skipped": len(run.results) - len(results),
        "errors": sum(r.error is not None for r in runs),
        "by_subset": _by_subset(results),
        "by_category": _by(results, "category"),
        "by_language": _by(results, "language"),
        "silent_wrong": _silent(results),
        "scorers": _scorer_means(runs),
        "latency_ms": {
            "median": round(statistics.median(latencies), 1) if latencies else None,
            "p95": _percentile(latencies, 0.95),
        },
        "tokens": {"prompt": prompt, "completion": completion, "total": prompt + completion},
        "cost_usd": None if any(c is None for c in costs) else round(sum(c or 0 for c in costs), 6),
    }


def gate_rate(summary: dict[str, Any]) -> float:
    """What the threshold is checked against: pass^k (the plain pass rate when k = 1)."""
    return float(summary.get("pass_hat_k") or 0.0)


def to_json(run: EvalRun) -> dict[str, Any]:
    return {"summary": summarize(run), "run": run.model_dump(mode="json")}


def write(run: EvalRun, out_dir: Path) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.md`` into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = to_json(run)
    json_path, md_path = out_dir / "report.json", out_dir / "report.md"
    json_path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    md_path.write_text(markdown(run, doc["summary"]), encoding="utf-8")
    return json_path, md_path


def load(path: Path) -> EvalRun:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return EvalRun.model_validate(doc.get("run", doc))


# Markdown ------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _table(head: list[str], rows: Iterable[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return [*lines, ""]


def group_rows(groups: dict[str, Any]) -> list[list[Any]]:
    return [
        [k, g["cases"], f"{g['passed_runs']}/{g['runs']}", _pct(g["pass_rate"]),
         _pct(g["pass_hat_k"])]
        for k, g in groups.items()
    ]  # fmt: skip


def markdown(run: EvalRun, summary: dict[str, Any] | None = None) -> str:
    s = summary or summarize(run)
    cost = "—" if s["cost_usd"] is None else f"${s['cost_usd']:.4f}"
    out = [
        f"# ServiceLens eval — {run.provider}",
        "",
        f"- Golden: {', '.join(run.golden) or 'default'}"
        + (f" (filter `{run.filter}`)" if run.filter else ""),
        f"- Provider / model: {run.provider} / {run.model or '—'}; repeat {run.repeat}, "
        f"jobs {run.jobs}",
        f"- Started {run.started_at}, took {run.duration_s:.1f} s; prompt version "
        f"{run.prompt_version}; data {run.data_version.get('warehouse', '')[:12]}",
        "",
        f"**Pass rate {_pct(s['pass_rate'])}** ({s['passed_runs']}/{s['runs']} runs of "
        f"{s['cases']} cases) · pass^{run.repeat} {_pct(s['pass_hat_k'])} · skipped "
        f"{s['skipped']} · errors {s['errors']}",
        "",
        f"Silent wrong (answered, not flagged or hedged, wrong number or entity): "
        f"{s['silent_wrong']['count']}/{s['silent_wrong']['runs']} runs "
        f"({_pct(s['silent_wrong']['rate'])})" + _listed(s["silent_wrong"]["cases"]),
        "",
        "## By subset (tuned vs held out)",
        "",
        *_table(["subset", "cases", "passed runs", "pass rate", "pass^k"],
                group_rows(s["by_subset"])),
        "## By category",
        "",
        *_table(["category", "cases", "passed runs", "pass rate", "pass^k"],
                group_rows(s["by_category"])),
        "## By language",
        "",
        *_table(["language", "cases", "passed runs", "pass rate", "pass^k"],
                group_rows(s["by_language"])),
        "## Scorers",
        "",
        *_table(["scorer", "mean", "checked", "failed"],
                [[k, "—" if v["mean"] is None else f"{v['mean']:.3f}", v["checked"], v["failed"]]
                 for k, v in s["scorers"].items()]),
        "## Latency, tokens, cost",
        "",
        *_table(["latency median", "latency p95", "prompt tokens", "completion tokens",
                 "est. cost"],
                [[f"{s['latency_ms']['median']} ms", f"{s['latency_ms']['p95']} ms",
                  s["tokens"]["prompt"], s["tokens"]["completion"], cost]]),
    ]  # fmt: skip
    out += _failures(run)
    out += _all_cases(run)
    return "\n".join(out).rstrip() + "\n"


def _listed(ids: list[str], most: int = 12) -> str:
    if not ids:
        return "."
    more = f", and {len(ids) - most} more" if len(ids) > most else ""
    return ": " + ", ".join(ids[:most]) + more + "."


def _failures(run: EvalRun) -> list[str]:
    failed = [(c, r) for c in run.results for r in c.runs if not r.passed and not r.skipped]
    if not failed:
        return ["## Failures", "", "None.", ""]
    out = ["## Failures", ""]
    for case, r in failed:
        out.append(f"### {case.id} ({case.category}, {case.language}, run {r.attempt})")
        out.append("")
        out.append(f"> {case.question}")
        out.append("")
        if r.error:
            out.append(f"- error: {r.error}")
        for s in r.hard_failures():
            out.append(f"- **{s.name}**: {s.detail}")
        last = r.turns[-1] if r.turns else None
        if last:
            text = " ".join(last.text.split())
            clipped = text[:_TEXT_SHOWN] + ("…" if len(text) > _TEXT_SHOWN else "")
            marks = [m for m, on in (("flagged", last.flagged), ("hedged", last.hedged),
                                     ("SILENT WRONG", silent_wrong(r))) if on]  # fmt: skip
            out.append(f"- status {last.status}; tools {', '.join(last.tools) or 'none'}"
                       + (f"; {', '.join(marks)}" if marks else ""))  # fmt: skip
            if last.reading:
                out.append(f"- {last.reading}")
            out.append(f"- answer: {clipped}")
        out.append("")
    return out


def _all_cases(run: EvalRun) -> list[str]:
    rows = []
    for c in run.results:
        for r in c.runs:
            last = r.turns[-1] if r.turns else None
            verdict = "skip" if r.skipped else ("pass" if r.passed else "FAIL")
            rows.append([c.id, c.category, c.language, r.attempt, verdict,
                         last.status if last else "—", ", ".join(last.tools) if last else "",
                         f"{r.ms:.0f}"])  # fmt: skip
    head = ["case", "category", "lang", "run", "result", "status", "tools", "ms"]
    return ["## All cases", "", *_table(head, rows)]


# Comparison ----------------------------------------------------------------------------------


def _verdict(c: CaseResult | None) -> str:
    if c is None:
        return "missing"
    if c.skipped:
        return "skipped"
    return "pass" if c.passed_all else "fail"


def _failing(c: CaseResult | None) -> set[str]:
    if c is None:
        return set()
    return {s.name for r in c.runs for s in r.hard_failures()} | (
        {"error"} if any(r.error for r in c.runs) else set()
    )


def compare(old: EvalRun, new: EvalRun) -> dict[str, Any]:
    """Per-case differences between two runs, and how the summary numbers moved."""
    before = {c.id: c for c in old.results}
    after = {c.id: c for c in new.results}
    rows = []
    for cid in sorted(before.keys() | after.keys()):
        o, n = before.get(cid), after.get(cid)
        ov, nv = _verdict(o), _verdict(n)
        change = _change(ov, nv)
        rows.append({
            "id": cid, "old": ov, "new": nv, "change": change,
            "fixed_scorers": sorted(_failing(o) - _failing(n)),
            "broken_scorers": sorted(_failing(n) - _failing(o)),
        })  # fmt: skip
    so, sn = summarize(old), summarize(new)
    return {
        "old": {"provider": old.provider, "model": old.model, "started_at": old.started_at},
        "new": {"provider": new.provider, "model": new.model, "started_at": new.started_at},
        "pass_rate": {"old": so["pass_rate"], "new": sn["pass_rate"]},
        "scorers": {
            k: {"old": so["scorers"][k]["mean"], "new": sn["scorers"][k]["mean"]}
            for k in sn["scorers"]
        },
        "latency_ms": {"old": so["latency_ms"], "new": sn["latency_ms"]},
        "cases": rows,
        "counts": {k: sum(r["change"] == k for r in rows) for k in _CHANGES},
    }


_CHANGES = ("fixed", "regressed", "still failing", "still passing", "added", "removed", "other")


def _change(old: str, new: str) -> str:
    table = {
        ("fail", "pass"): "fixed", ("pass", "fail"): "regressed",
        ("fail", "fail"): "still failing", ("pass", "pass"): "still passing",
    }  # fmt: skip
    if old == "missing":
        return "added"
    if new == "missing":
        return "removed"
    return table.get((old, new), "other")


def compare_markdown(diff: dict[str, Any], *, show_unchanged: bool = False) -> str:
    o, n = diff["old"], diff["new"]
    counts = ", ".join(f"{v} {k}" for k, v in diff["counts"].items() if v)
    out = [
        f"# Compare: {o['provider']} ({o['started_at']}) → {n['provider']} ({n['started_at']})",
        "",
        f"Pass rate {_pct(diff['pass_rate']['old'])} → {_pct(diff['pass_rate']['new'])}; {counts}.",
        "",
    ]
    rows = [
        [r["id"], r["old"], r["new"], r["change"], ", ".join(r["fixed_scorers"]) or "",
         ", ".join(r["broken_scorers"]) or ""]
        for r in diff["cases"]
        if show_unchanged or _changed(r)
    ]  # fmt: skip
    out += _table(["case", "old", "new", "change", "now passing", "now failing"], rows)
    score_rows = [
        [k, _num(v["old"]), _num(v["new"]), _delta(v["old"], v["new"])]
        for k, v in diff["scorers"].items()
    ]
    out += ["## Scorer means", "", *_table(["scorer", "old", "new", "Δ"], score_rows)]
    return "\n".join(out).rstrip() + "\n"


def _changed(row: dict[str, Any]) -> bool:
    """Worth a line: the verdict moved, or a failing case fails on other scorers now."""
    if row["change"] == "still passing":
        return False
    if row["change"] == "still failing":
        return bool(row["fixed_scorers"] or row["broken_scorers"])
    return True


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def _delta(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None else f"{b - a:+.3f}"
