"""Prompts, tool descriptions and strategy templates, loaded with importlib.resources."""

from __future__ import annotations

import string
from importlib import resources


class PromptError(Exception):
    """A prompt file is missing or was rendered without one of its variables."""


def load_text(name: str) -> str:
    """The text of a file under ``prompts/``, e.g. ``tools/run_sql.md``."""
    node = resources.files(__name__)
    for part in name.split("/"):
        node = node.joinpath(part)
    if not node.is_file():
        raise PromptError(f"prompt file {name!r} is missing from the package")
    return node.read_text(encoding="utf-8")


def render(name: str, **variables: object) -> str:
    """Render a prompt with ``$name`` placeholders; a missing variable raises."""
    try:
        return string.Template(load_text(name)).substitute(variables)
    except KeyError as exc:
        raise PromptError(f"prompt {name!r} needs variable {exc.args[0]!r}") from None
