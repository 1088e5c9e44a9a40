"""The shape of the package: an explicit tool registry and the layer contracts of DESIGN §1.

The contracts are import-linter's (``[tool.importlinter]`` in pyproject.toml). Besides checking
the tree as it is, each is shown to fail on a copy of the package with a violation put in.
"""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import servicelens.tools as tools_package
from servicelens.prompts import load_text
from servicelens.tools.base import Tool
from servicelens.tools.registry import TOOLS

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def test_every_tool_module_is_registered_and_described() -> None:
    defined = []
    for info in pkgutil.iter_modules(tools_package.__path__):
        module = importlib.import_module(f"servicelens.tools.{info.name}")
        tool = getattr(module, "TOOL", None)
        if isinstance(tool, Tool):
            defined.append(tool.name)
    registered = [t.name for t in TOOLS]
    assert sorted(defined) == sorted(registered) and len(set(registered)) == len(registered)
    for name in registered:
        assert load_text(f"tools/{name}.md").strip()


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    # The copy is imported under the name servicelens from a folder of its own.
    pkg = root / "pkg"
    return subprocess.run(
        [str(LINT), "--no-cache", str(pkg / "servicelens" / "pyproject.toml")],
        cwd=pkg,
        env={"PYTHONPATH": str(pkg), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _copy(tmp: Path) -> Path:
    target = tmp / "pkg" / "servicelens"
    shutil.copytree(
        ROOT,
        target,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", ".servicelens", "tests", "__pycache__", "*.egg-info", ".*cache"
        ),
    )
    return target


@pytest.fixture(scope="module")
def lint_available() -> None:
    if not LINT.exists():
        pytest.skip("lint-imports is not installed (pip install -e '.[dev]')")


def test_the_tree_keeps_every_contract(lint_available: None, tmp_path: Path) -> None:
    _copy(tmp_path)
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("path", "line", "contract"),
    [
        # A face doing what the Analyst offers, straight on the warehouse.
        ("agent/cli/sql_cmd.py", "from ...data.warehouse import Warehouse", "Faces go through"),
        # The data layer reaching up into the tools.
        ("data/catalog_sql.py", "from ..tools.ledger import Ledger", "Data flows one way"),
        # A cycle between two sibling modules of the data layer.
        ("data/period_types.py", "from . import periods", "No import cycles"),
    ],
)
def test_a_violation_breaks_its_contract(
    lint_available: None, tmp_path: Path, path: str, line: str, contract: str
) -> None:
    target = _copy(tmp_path) / path
    source = target.read_text(encoding="utf-8")
    head, sep, rest = source.partition("\nfrom __future__ import annotations\n")
    target.write_text(f"{head}{sep}\n{line}  # noqa\n{rest}", encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts")[-1]
    assert contract in broken, result.stdout
