"""Running the real command line in-process, as a test reads it: exit code, stdout, stderr."""

from __future__ import annotations

import pytest

from servicelens.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``servicelens ARGV…`` through its own entry point; the exit code a shell would see."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
