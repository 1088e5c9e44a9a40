"""Question banks over public exports: build each bank's workspace from its recipe, run it.

A bank is a golden file with a ``workspace`` recipe: which dataset folder, which files, which
``servicelens ingest`` options, and the date the questions were written against. Workspaces are
built once into a folder of their own (keyed by the recipe, so a changed recipe builds anew),
atomically: a build that fails leaves nothing that looks finished. The datasets themselves stay
where they are (``$SERVICELENS_DATASETS``, else ``../shared/datasets`` beside the project). A
recipe with ``generate:`` names a synthetic export of ``evals/exports.py`` instead; it is
generated once under ``<workspaces>/generated/`` and needs no datasets folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..data.errors import ServiceLensError
from .cases import GOLDEN_DIR, GoldenFile, WorkspaceRecipe, load_file

BANKS_DIR = GOLDEN_DIR / "datasets"
DATASETS_ENV = "SERVICELENS_DATASETS"
_READY = ".bank-ready.json"


class BankError(ServiceLensError):
    """A bank that cannot run: its dataset is missing or its workspace would not build."""


def default_datasets() -> Path | None:
    """Where the public exports are: ``$SERVICELENS_DATASETS``, else ``../shared/datasets``
    beside the project; None when neither exists."""
    env = os.environ.get(DATASETS_ENV)
    if env:
        return Path(env)
    beside = Path(__file__).resolve().parents[2] / "shared" / "datasets"
    return beside if beside.is_dir() else None


def bank_files(names: list[str] | None = None) -> list[Path]:
    files = sorted(BANKS_DIR.glob("*.yaml"))
    if names:
        files = [f for f in files if f.stem in names]
        unknown = set(names) - {f.stem for f in files}
        if unknown:
            known = ", ".join(f.stem for f in sorted(BANKS_DIR.glob("*.yaml")))
            raise BankError(f"No bank named {sorted(unknown)[0]!r}; the banks are: {known}.")
    return files


def recipe_key(recipe: WorkspaceRecipe) -> str:
    data = recipe.model_dump(mode="json")
    if recipe.generate is None:
        data.pop("generate", None)  # recipes over public exports keep the keys they had
    else:
        from .exports import VERSIONS

        # An export whose generated data changed builds anew.
        data["generate"]["version"] = VERSIONS.get(recipe.generate.name)
    text = json.dumps(data, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def dataset_folder(bank: GoldenFile, datasets: Path | None, root: Path) -> Path:
    """Where the bank's export is: the public dataset's folder, or for a synthetic export the
    folder it is generated into under ``root`` (written now, atomically, when absent)."""
    recipe = bank.workspace
    assert recipe is not None
    if recipe.generate is None:
        if datasets is None:
            raise BankError(f"{bank.name}: no datasets folder given; set ${DATASETS_ENV}.")
        return datasets / recipe.dataset
    from .exports import ExportError, generate

    folder = root / "generated" / f"{recipe.dataset}-{recipe_key(recipe)}"
    if folder.is_dir():
        return folder
    partial = folder.with_name(f".{folder.name}.writing")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        generate(recipe.generate.name, partial, recipe.generate.rows)
        partial.rename(folder)
    except ExportError as exc:
        raise BankError(f"{bank.name}: {exc}") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def ingest_argv(files: list[Path], options: dict[str, Any], home: Path) -> list[str]:
    """``servicelens ingest`` arguments for one step of a recipe."""
    argv = ["ingest", *map(str, files), "--home", str(home)]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            argv.append(flag)
        elif isinstance(value, list):
            for item in value:
                argv += [flag, str(item)]
        elif value is not None and value is not False:
            argv += [flag, str(value)]
    return argv


Runner = Callable[[list[str]], None]


def ensure_workspace(
    bank: GoldenFile, datasets: Path | None, root: Path, run_cli: Runner, *, rebuild: bool = False
) -> Path:
    """The bank's workspace under ``root``, built from its recipe unless already built."""
    recipe = bank.workspace
    if recipe is None:
        raise BankError(f"{bank.name}: the golden file has no workspace recipe.")
    home = root / f"{recipe.dataset}-{recipe_key(recipe)}"
    if (home / _READY).is_file() and not rebuild:
        return home
    source = dataset_folder(bank, datasets, root)
    if not source.is_dir():
        raise BankError(f"{bank.name}: no dataset folder {source}; set ${DATASETS_ENV}.")
    building = root / f".{home.name}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    try:
        for step in recipe.ingest:
            files = [f for pattern in step.files for f in sorted(source.glob(pattern))]
            if not files:
                raise BankError(f"{bank.name}: no file matches {step.files} in {source}.")
            try:
                run_cli(ingest_argv(files, step.options, building))
            except SystemExit as exc:
                if exc.code not in (0, None):
                    raise BankError(
                        f"{bank.name}: ingest failed (exit {exc.code}); see the message above."
                    ) from None
        (building / _READY).write_text(json.dumps(recipe.model_dump(mode="json")), "utf-8")
        shutil.rmtree(home, ignore_errors=True)
        building.rename(home)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return home


@dataclass
class BankOutcome:
    name: str
    home: Path | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    report: Path | None = None
    error: str | None = None

    @property
    def pass_rate(self) -> float | None:
        return self.summary.get("pass_rate")

    def row(self) -> dict[str, Any]:
        subsets = self.summary.get("by_subset") or {}
        silent = self.summary.get("silent_wrong") or {}
        return {
            "bank": self.name,
            "error": self.error,
            "cases": self.summary.get("cases"),
            "pass_rate": self.pass_rate,
            "tuned": (subsets.get("tuned") or {}).get("pass_rate"),
            "held_out": (subsets.get("held_out") or {}).get("pass_rate"),
            "silent_wrong": silent.get("count"),
            "runs": silent.get("runs"),
            "report": str(self.report) if self.report else None,
            "workspace": str(self.home) if self.home else None,
        }


def run_banks(
    files: list[Path],
    datasets: Path | None,
    root: Path,
    reports: Path,
    *,
    provider: str = "offline",
    jobs: int = 1,
    rebuild: bool = False,
) -> list[BankOutcome]:
    """Build (or reuse) each bank's workspace, run its questions, write a report per bank. A
    bank that cannot build is reported and the others still run."""
    from ..agent.cli import main as run_cli
    from . import report as reports_mod
    from .runner import RunOptions, run_eval

    outcomes = []
    for path in files:
        bank = load_file(path)
        outcome = BankOutcome(name=path.stem)
        try:
            outcome.home = ensure_workspace(bank, datasets, root, run_cli, rebuild=rebuild)
            recipe = bank.workspace
            as_of = recipe.as_of if recipe is not None else None
            options = RunOptions(
                home=outcome.home, provider=provider, jobs=jobs, golden=[str(path)],
                overrides={"as_of": as_of} if as_of else {},
            )  # fmt: skip
            run = run_eval(bank.cases, options)
            outcome.report, _ = reports_mod.write(run, reports / path.stem)
            outcome.summary = reports_mod.summarize(run)
        except ServiceLensError as exc:
            outcome.error = str(exc)
        outcomes.append(outcome)
    return outcomes


def is_generated(path: Path) -> bool:
    """True when the bank at ``path`` runs over a synthetic export (no datasets folder needed)."""
    recipe = load_file(path).workspace
    return recipe is not None and recipe.generate is not None
