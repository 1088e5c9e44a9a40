"""A workspace's feedback themes: where they come from, their ids, names and terms.

Every workspace has one theme set, kept in ``themes.json`` beside the catalog and written by the
VOC index pipeline together with ``voc.theme``. Its source is one of:

- ``taxonomy``: the demo's bundled bilingual appliance taxonomy (``taxonomy.yaml``);
- ``discovered``: clusters of the feedback's own embeddings, named by their distinctive words;
- ``column``: the values of a category column the export already has (``--theme-column``).

A workspace without ``themes.json`` was enriched before theme sets existed, with the taxonomy,
so that is what it reads as. Lookups accept a theme's id, any of its names, or a taxonomy alias.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .enrich import POSITIVE_THEMES
from .errors import WorkspaceError
from .taxonomy import OTHER, Taxonomy, default_taxonomy
from .workspace import WorkspacePaths

SourceKind = Literal["taxonomy", "discovered", "column"]
_KINDS: tuple[SourceKind, ...] = ("taxonomy", "discovered", "column")
_OTHER_NAMES = {"en": "Other", "zh": "其他"}


@dataclass(frozen=True)
class ThemeSource:
    kind: SourceKind
    column: str | None = None  # the category column, as the user named it
    tables: tuple[tuple[str, str], ...] = ()  # (table, the column's name in it) to read it from

    def __post_init__(self) -> None:
        if self.kind not in _KINDS or (self.kind == "column") != bool(self.column):
            raise ValueError(f"invalid theme source {self.kind!r} / {self.column!r}")

    @classmethod
    def taxonomy(cls) -> ThemeSource:
        return cls("taxonomy")

    @classmethod
    def discovered(cls) -> ThemeSource:
        return cls("discovered")

    @classmethod
    def from_column(cls, column: str, tables: Mapping[str, str]) -> ThemeSource:
        return cls("column", column, tuple(sorted(tables.items())))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "column": self.column, "tables": dict(self.tables)}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ThemeSource:
        tables = tuple(sorted((str(k), str(v)) for k, v in (raw.get("tables") or {}).items()))
        return cls(raw["kind"], raw.get("column"), tables)


@dataclass(frozen=True)
class ThemeInfo:
    id: str
    names: Mapping[str, str]  # language ("en", "zh") -> name; one entry for one-language data
    terms: tuple[str, ...] = ()  # the most distinctive words of the theme's feedback
    records: int = 0
    aliases: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()  # case-insensitive regular expressions (taxonomy only)

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or next(iter(self.names.values()), self.id)


@dataclass(frozen=True)
class ThemeSet:
    source: ThemeSource
    themes: tuple[ThemeInfo, ...]
    notes: tuple[str, ...] = ()  # what a reader should know (e.g. too few records to cluster)
    content_hash: str = ""
    _by_id: dict[str, ThemeInfo] = field(init=False, repr=False, compare=False)
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {t.id: t for t in self.themes})
        object.__setattr__(self, "_lookup", _lookup(self.themes))

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    @property
    def praise(self) -> frozenset[str]:
        """Themes whose growth is good news (only the taxonomy knows which)."""
        return POSITIVE_THEMES if self.source.kind == "taxonomy" else frozenset()

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._by_id

    def get(self, theme_id: str) -> ThemeInfo | None:
        return self._by_id.get(theme_id)

    def name(self, theme_id: str, lang: str = "en") -> str:
        theme = self._by_id.get(theme_id)
        if theme is None:
            return _OTHER_NAMES.get(lang, OTHER) if theme_id == OTHER else theme_id
        return theme.name(lang)

    def resolve(self, name: str) -> str | None:
        """The theme id for an id, a name or an alias in either language; None when unknown."""
        return self._lookup.get(_normalise(name))

    def find(self, question: str) -> str | None:
        """The theme a question mentions: by name, alias or cue first, else by its terms."""
        text = question.lower()
        for theme in self.themes:
            if theme.id != OTHER and _named(theme, text, question):
                return theme.id
        # Of themes said by as many words, the one whose name leads with them: a discovered
        # theme's words come most distinctive first ("变速箱" is 变速箱 · 顿挫 before it is
        # 韩泰 · 轮胎 · 变速箱).
        scored = [
            (_term_hits(theme, text), -_first_hit(theme, text), -i)
            for i, theme in enumerate(self.themes)
        ]
        best = max(scored, default=(0, 0, 0))
        if best[0] == 0:
            return None
        theme = self.themes[-best[2]]
        if self.source.kind == "discovered" and best[0] == 1:
            # A theme discovered in the feedback is named by its distinctive words; one of them
            # alone that is an ordinary word of questions ("tell me which …") names nothing.
            hit = next(t for t in theme.terms if len(t) >= 2 and _mentions(text, t.lower()))
            if hit.lower() in _ASKING_WORDS:
                return None
        return theme.id

    def cue_patterns(self, theme_id: str) -> list[str]:
        """Expressions for texts that show a theme plainly: its cues, else its terms."""
        theme = self._by_id.get(theme_id)
        if theme is None:
            return []
        return list(theme.cues) or [re.escape(t) for t in theme.terms]

    def describe(self) -> str:
        """One sentence saying where the themes come from, for every themes answer."""
        count = sum(1 for t in self.themes if t.id != OTHER)
        if self.source.kind == "discovered":
            return f"themes discovered from the feedback: {count} clusters"
        if self.source.kind == "column":
            return f"themes from the export's column {self.source.column} ({count} values)"
        return f"themes from the demo taxonomy ({count} themes)"

    def summary(self) -> dict[str, Any]:
        """The source as data, for tool results and the faces."""
        return {
            "kind": self.source.kind,
            "column": self.source.column,
            "themes": sum(1 for t in self.themes if t.id != OTHER),
            "text": self.describe(),
            "notes": list(self.notes),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "source": self.source.to_dict(),
            "description": self.describe(),
            "content_hash": self.content_hash,
            "notes": list(self.notes),
            "themes": [_theme_dict(t) for t in self.themes],
        }


def _theme_dict(theme: ThemeInfo) -> dict[str, Any]:
    return {
        "id": theme.id,
        "names": dict(theme.names),
        "terms": list(theme.terms),
        "records": theme.records,
    }


def from_taxonomy(taxonomy: Taxonomy, counts: Mapping[str, int] | None = None) -> ThemeSet:
    counts = counts or {}
    themes = tuple(
        ThemeInfo(
            id=t.id,
            names={"en": t.en, "zh": t.zh},
            records=counts.get(t.id, 0),
            aliases=t.aliases,
            cues=t.cues,
        )
        for t in taxonomy.themes
    )
    return ThemeSet(ThemeSource.taxonomy(), themes)


def from_dict(raw: Mapping[str, Any]) -> ThemeSet:
    source = ThemeSource.from_dict(raw["source"])
    counts = {str(t["id"]): int(t.get("records", 0)) for t in raw["themes"]}
    notes = tuple(str(n) for n in raw.get("notes", ()))
    content_hash = str(raw.get("content_hash", ""))
    if source.kind == "taxonomy":
        # Names, aliases and cues come from the bundled taxonomy; the file keeps the counts.
        base = from_taxonomy(default_taxonomy(), counts)
        return ThemeSet(base.source, base.themes, notes, content_hash)
    themes = tuple(_theme_info(t) for t in raw["themes"])
    return ThemeSet(source, themes, notes, content_hash)


def _theme_info(raw: Mapping[str, Any]) -> ThemeInfo:
    names = {str(k): str(v) for k, v in (raw.get("names") or {}).items()}
    return ThemeInfo(
        id=str(raw["id"]),
        names=names or {"en": str(raw["id"])},
        terms=tuple(str(t) for t in raw.get("terms", ())),
        records=int(raw.get("records", 0)),
    )


def load_theme_set(paths: WorkspacePaths) -> ThemeSet:
    """The workspace's theme set; the demo taxonomy when it has none (enriched before)."""
    if not paths.themes.is_file():
        return from_taxonomy(default_taxonomy())
    try:
        return from_dict(json.loads(paths.themes.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise WorkspaceError(
            f"{paths.themes.name} in the workspace is unreadable; run `servicelens index "
            "--rebuild` to write it again."
        ) from None


def stored_source(paths: WorkspacePaths) -> ThemeSource | None:
    """The source the workspace's themes were last built from; None when never recorded."""
    return load_theme_set(paths).source if paths.themes.is_file() else None


def save_theme_set(paths: WorkspacePaths, themes: ThemeSet) -> None:
    """Write ``themes.json`` atomically: readers see the old file or the new one."""
    temp = paths.themes.with_name(f".{paths.themes.name}.tmp")
    text = json.dumps(themes.to_dict(), ensure_ascii=False, indent=2)
    temp.write_text(text + "\n", encoding="utf-8")
    os.replace(temp, paths.themes)


def _normalise(name: str) -> str:
    # Case, surrounding space and the separators people type interchangeably do not matter.
    return re.sub(r"[\s_\-/·・,，]+", " ", name.strip().lower()).strip()


def _lookup(themes: Iterable[ThemeInfo]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for theme in themes:
        for key in (theme.id, *theme.names.values(), *theme.aliases):
            lookup.setdefault(_normalise(key), theme.id)
    return lookup


def _named(theme: ThemeInfo, text: str, question: str) -> bool:
    names = [*theme.names.values(), *theme.aliases]
    if any(_mentions(text, n.lower()) for n in names if len(n) >= 2):
        return True
    return any(re.search(c, question, re.IGNORECASE) for c in theme.cues)


def _term_hits(theme: ThemeInfo, text: str) -> int:
    if theme.id == OTHER:
        return 0
    return sum(1 for term in theme.terms if len(term) >= 2 and _mentions(text, term.lower()))


def _first_hit(theme: ThemeInfo, text: str) -> int:
    """Where in the theme's words the first one the text says stands (0: its leading word)."""
    said = (k for k, t in enumerate(theme.terms) if len(t) >= 2 and _mentions(text, t.lower()))
    return next(said, len(theme.terms))


def _mentions(text: str, term: str) -> bool:
    if not term.isascii():
        return term in text
    # "refunds", "draining": a word of five letters or more in its other forms too.
    ending = r"(?:s|es|ed|ing)?" if len(term) >= 5 and " " not in term else ""
    return re.search(rf"(?<![a-z0-9]){re.escape(term)}{ending}(?![a-z0-9])", text) is not None


# Words of asking, not of what customers say: never a discovered theme's name on their own.
_ASKING_WORDS = frozenset(
    re.findall(
        r"\w+",
        "tell give show list let know want need see look find get make take say ask help please "
        "use also still many much more most least compare break top received receive got",
    )
) | frozenset(
    # "蒙牛一共收到了多少条差评": the words a question in Chinese asks with, which reviews also say
    # ("收到货了").
    ("收到", "提到", "反映", "说到", "谈到", "告诉", "看看", "比较", "多少", "哪些", "什么",
     "一共", "总共")
)  # fmt: skip
