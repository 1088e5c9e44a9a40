"""Prompts, tool descriptions, offline phrase banks and strategy templates: package data files.

One way in: ``load_text`` / ``load_yaml`` read a file under ``prompts/`` with importlib.resources;
``fill`` renders a text with ``$name`` (or ``${name}``) placeholders and raises on a missing
variable; ``render`` is both. No other placeholder syntax is used.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Iterator
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml


class PromptError(Exception):
    """A prompt file is missing or was rendered without one of its variables."""


def _node(name: str) -> Traversable:
    node = resources.files(__name__)
    for part in name.split("/"):
        node = node.joinpath(part)
    if not node.is_file():
        raise PromptError(f"prompt file {name!r} is missing from the package")
    return node


def load_text(name: str) -> str:
    """The text of a file under ``prompts/``, e.g. ``tools/run_sql.md``."""
    return _node(name).read_text(encoding="utf-8")


@cache
def load_yaml(name: str) -> Any:
    """A YAML file under ``prompts/``, parsed once per process (treat it as read-only)."""
    return yaml.safe_load(load_text(name))


def fill(text: str, /, **variables: object) -> str:
    """``text`` with its ``$name`` placeholders filled; a missing variable raises."""
    try:
        return string.Template(text).substitute(variables)
    except KeyError as exc:
        raise PromptError(f"prompt text needs variable {exc.args[0]!r}: {text[:60]!r}") from None


def render(name: str, **variables: object) -> str:
    """Render a prompt file with ``$name`` placeholders; a missing variable raises."""
    try:
        return string.Template(load_text(name)).substitute(variables)
    except KeyError as exc:
        raise PromptError(f"prompt {name!r} needs variable {exc.args[0]!r}") from None


def _files(folder: str = "") -> Iterator[tuple[str, Traversable]]:
    root = resources.files(__name__)
    node = root.joinpath(folder) if folder else root
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        path = f"{folder}/{child.name}" if folder else child.name
        if child.is_dir():
            yield from _files(path)
        elif child.name.endswith((".md", ".yaml")):
            yield path, child


def digest(names: tuple[str, ...] = ("system.md", "writer.md", "tools")) -> str:
    """A hash of the prompt files whose path starts with one of ``names``."""
    h = hashlib.sha256()
    for path, node in _files():
        if path.startswith(names):
            h.update(path.encode())
            h.update(node.read_bytes())
    return h.hexdigest()
