"""Phrase banks for the demo's customer feedback, loaded once per language from package YAML.

Every string in a bank is a template such as ``"{model} 又报{code}了"``. Templates are split into
literal and slot parts when the bank is loaded, so rendering a text is a join over tuples rather
than a format call; this is what keeps the generator fast enough for benchmark scale.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any, TypeVar

import yaml

_SLOT = re.compile(r"\{(\w+)\}")

# A template is its text split on slots: even positions are literal text, odd ones slot names.
Template = tuple[str, ...]
Choices = tuple[Template, ...]


def compile_template(text: str) -> Template:
    return tuple(_SLOT.split(text))


def _compile(node: Any) -> Any:
    if isinstance(node, str):
        return compile_template(node)
    if isinstance(node, list):
        return tuple(_compile(item) for item in node)
    if isinstance(node, dict):
        return {str(key): _compile(value) for key, value in node.items()}
    return node


class Bank:
    """One language's phrase bank. Leaves are looked up by their path, flattened at load time
    because nested lookups dominated the generator's profile."""

    def __init__(self, lang: str, tree: Mapping[str, Any]) -> None:
        self.lang = lang
        self._flat: dict[tuple[str, ...], Any] = {}
        self._flatten(tree, ())
        self._words: dict[tuple[str, ...], tuple[str, ...]] = {}

    def _flatten(self, node: Any, path: tuple[str, ...]) -> None:
        self._flat[path] = node
        if isinstance(node, dict):
            for key, value in node.items():
                self._flatten(value, (*path, key))

    def has(self, *path: str) -> bool:
        return path in self._flat

    def choices(self, *path: str) -> Choices:
        node = self._flat.get(path, ())
        if not isinstance(node, tuple):
            raise TypeError(f"phrase bank {self.lang}: {'/'.join(path)} is not a list")
        return node

    def groups(self, *path: str) -> tuple[Choices, ...]:
        """A list of lists of templates, e.g. an agent's question with the answers that fit it."""
        node = self._flat.get(path, ())
        if not isinstance(node, tuple) or not all(isinstance(g, tuple) for g in node):
            raise TypeError(f"phrase bank {self.lang}: {'/'.join(path)} is not a list of lists")
        return node

    def words(self, *path: str) -> tuple[str, ...]:
        """A list of plain strings (no slots), e.g. hashtags or emoji."""
        found = self._words.get(path)
        if found is None:
            found = self._words[path] = tuple("".join(t) for t in self.choices(*path))
        return found


@lru_cache(maxsize=4)
def load_bank(lang: str) -> Bank:
    name = f"voc_phrases_{lang}.yaml"
    text = resources.files("servicelens.data.demo").joinpath(name).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return Bank(lang, _compile(yaml.load(text, Loader=loader)))


T = TypeVar("T")


def choose(rng: random.Random, seq: Sequence[T]) -> T:
    """``rng.choice`` without its per-call overhead (the generator's hottest call)."""
    return seq[int(rng.random() * len(seq))]


SlotFunc = Callable[["Slots"], str]


class Slots(dict[str, str]):
    """Slot values for one text, computed on first use so that a text stays self-consistent
    (the same model number and engineer name wherever the slot appears)."""

    def __init__(self, funcs: Mapping[str, SlotFunc], rng: random.Random, bank: Bank, ctx: Any):
        super().__init__()
        self.funcs = funcs
        self.rng = rng
        self.bank = bank
        self.ctx = ctx
        # Per-text style decisions shared by the noise and framing steps (e.g. "lower").
        self.flags: set[str] = set()

    def __missing__(self, key: str) -> str:
        func = self.funcs.get(key)
        if func is None:
            raise KeyError(f"phrase bank {self.bank.lang}: unknown slot {{{key}}}")
        value = func(self)
        self[key] = value
        return value

    def fill(self, template: Template) -> str:
        if len(template) == 1:
            return template[0]
        return "".join(part if i % 2 == 0 else self[part] for i, part in enumerate(template))

    def pick(self, choices: Choices) -> str:
        return self.fill(choose(self.rng, choices)) if choices else ""

    def pick_word(self, *path: str) -> str:
        return self.pick(self.bank.choices(*path))
