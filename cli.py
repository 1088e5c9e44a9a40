"""The ``servicelens`` program: the product's commands plus ``eval`` and ``bench``.

The evals drive the product from outside, so they are composed here rather than imported by it.
"""

from __future__ import annotations

import typer

from .agent.cli import build_app as product_app
from .agent.cli import main as run
from .evals import bench_cli, eval_cli


def build_app() -> typer.Typer:
    return product_app(extra=(bench_cli.register, eval_cli.register))


def main(argv: list[str] | None = None) -> None:
    run(argv, build_app())
