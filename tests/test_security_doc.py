"""SECURITY.md is kept true: every test it cites exists, and its redaction table is measured."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from servicelens.evals.pii_sample import build_sample
from servicelens.evals.redaction_scores import score

ROOT = Path(__file__).resolve().parent.parent
_CITATION = re.compile(r"`(?:tests/)?(test_\w+\.py)?::\s*(test_\w+)`")


def _security_text() -> str:
    return (ROOT / "SECURITY.md").read_text(encoding="utf-8")


def _test_names(file: str) -> set[str]:
    tree = ast.parse((ROOT / "tests" / file).read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_cited_test_exists() -> None:
    cited: list[tuple[str, str]] = []
    current = ""
    for file, name in _CITATION.findall(_security_text()):
        current = file or current  # "::name" continues the file named last
        cited.append((current, name))
    assert len(cited) >= 40
    missing = [f"{file}::{name}" for file, name in cited if name not in _test_names(file)]
    assert not missing, f"SECURITY.md cites tests that do not exist: {missing}"


def test_the_redaction_table_is_what_the_sample_measures() -> None:
    scores = score(build_sample())
    text = _security_text()
    for kind, s in [*scores.kinds.items(), ("all", scores.overall)]:
        row = (
            f"| {kind} | {s.items} | {s.found} | {s.false_positives} | "
            f"{s.recall:.3f} | {s.precision:.3f} |"
        )
        assert row in text, f"SECURITY.md's redaction table is out of date: {row}"
    assert f"labelled sample of {scores.snippets} snippets" in text
