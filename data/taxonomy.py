"""The bilingual after-sales theme taxonomy: loading, validation and lookups.

The taxonomy ships as package data (``taxonomy.yaml`` beside this module). Each theme has a
stable id (what ``voc.theme`` stores), English and Chinese names, aliases in both languages and
exemplar phrases for zero-shot classification. Lookups accept any of these spellings, so a filter
such as ``theme=噪音`` or ``theme=Parts wait`` resolves to the stored id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError

OTHER = "other"
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Theme:
    id: str
    en: str
    zh: str
    description: str
    aliases: tuple[str, ...]
    exemplars_en: tuple[str, ...]
    exemplars_zh: tuple[str, ...]
    # High-precision regular expressions (case-insensitive) that nudge classification.
    cues: tuple[str, ...] = ()
    # The theme is only given when a cue matches (for themes embeddings confuse with their
    # neighbours, e.g. remote-fix praise with any praise that mentions the hotline).
    requires_cue: bool = False
    # Expressions that assign this theme outright (e.g. attempts to instruct the system).
    overrides: tuple[str, ...] = ()

    @property
    def exemplars(self) -> tuple[str, ...]:
        return self.exemplars_en + self.exemplars_zh

    def name(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


class Taxonomy:
    """An ordered set of themes with lookups by id, name or alias in either language."""

    def __init__(self, themes: list[Theme], version: int = 1) -> None:
        self.themes = tuple(themes)
        self.version = version
        self._by_id = {t.id: t for t in self.themes}
        self._lookup = _build_lookup(self.themes)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._by_id

    def __len__(self) -> int:
        return len(self.themes)

    def get(self, theme_id: str) -> Theme:
        return self._by_id[theme_id]

    def resolve(self, name: str) -> str | None:
        """The theme id for an id, name or alias in either language; None when unknown."""
        return self._lookup.get(_normalise(name))

    def name(self, theme_id: str, lang: str = "en") -> str:
        theme = self._by_id.get(theme_id)
        return theme.name(lang) if theme else theme_id

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> Taxonomy:
        if not isinstance(raw, dict) or not isinstance(raw.get("themes"), list):
            raise DataError("The theme taxonomy must be a mapping with a 'themes' list.")
        themes = [_parse_theme(item, i) for i, item in enumerate(raw["themes"])]
        _validate(themes)
        return cls(themes, version=int(raw.get("version", 1)))

    @classmethod
    def from_file(cls, path: Path) -> Taxonomy:
        return cls.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded once per process (it is immutable)."""
    return load_taxonomy()


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy from ``path``, or the one shipped with the package."""
    if path is not None:
        return Taxonomy.from_file(path)
    text = resources.files(__package__).joinpath("taxonomy.yaml").read_text(encoding="utf-8")
    return Taxonomy.from_mapping(yaml.safe_load(text))


def _normalise(name: str) -> str:
    # Case, surrounding space and the separators people type interchangeably do not matter.
    return re.sub(r"[\s_\-/]+", " ", name.strip().lower())


def _build_lookup(themes: tuple[Theme, ...]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for theme in themes:
        for key in (theme.id, theme.en, theme.zh, *theme.aliases):
            owner = lookup.setdefault(_normalise(key), theme.id)
            if owner != theme.id:
                raise DataError(
                    f"Taxonomy name {key!r} belongs to both {owner!r} and {theme.id!r}."
                )
    return lookup


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DataError(f"Taxonomy field {what} must be a list of non-empty strings.")
    return tuple(v.strip() for v in value)


def _parse_theme(item: Any, index: int) -> Theme:
    if not isinstance(item, dict):
        raise DataError(f"Taxonomy theme #{index + 1} must be a mapping.")
    missing = [k for k in ("id", "en", "zh", "description") if not item.get(k)]
    if missing:
        raise DataError(f"Taxonomy theme #{index + 1} lacks {', '.join(missing)}.")
    exemplars = item.get("exemplars") or {}
    theme_id = str(item["id"])
    return Theme(
        id=theme_id,
        en=str(item["en"]),
        zh=str(item["zh"]),
        description=str(item["description"]),
        aliases=_strings(item.get("aliases"), f"{theme_id}.aliases"),
        exemplars_en=_strings(exemplars.get("en"), f"{theme_id}.exemplars.en"),
        exemplars_zh=_strings(exemplars.get("zh"), f"{theme_id}.exemplars.zh"),
        cues=_cues(item.get("cues"), theme_id),
        requires_cue=bool(item.get("requires_cue", False)),
        overrides=_cues(item.get("overrides"), theme_id),
    )


def _cues(value: Any, theme_id: str) -> tuple[str, ...]:
    cues = _strings(value, f"{theme_id}.cues")
    for cue in cues:
        try:
            re.compile(cue)
        except re.error as exc:
            raise DataError(f"Taxonomy cue {cue!r} of {theme_id!r} is invalid: {exc}.") from None
    return cues


def _validate(themes: list[Theme]) -> None:
    seen: set[str] = set()
    for theme in themes:
        if not _ID_RE.match(theme.id):
            raise DataError(f"Taxonomy id {theme.id!r} must be lower_snake_case.")
        if theme.id in seen:
            raise DataError(f"Taxonomy id {theme.id!r} appears twice.")
        seen.add(theme.id)
        if theme.id != OTHER and (len(theme.exemplars_en) < 2 or len(theme.exemplars_zh) < 2):
            raise DataError(f"Taxonomy theme {theme.id!r} needs 2+ exemplars in each language.")
        if theme.requires_cue and not theme.cues:
            raise DataError(f"Taxonomy theme {theme.id!r} requires a cue but has none.")
    if OTHER not in seen:
        raise DataError("The taxonomy must contain an 'other' theme.")
