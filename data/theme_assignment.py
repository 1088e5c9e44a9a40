"""Which theme each feedback record gets, from the workspace's theme source (DESIGN §2.4).

The VOC index pipeline calls this between embedding and enrichment. The source is what the
caller asked for (``ingest --theme-column``, ``index --themes``), else what the workspace last
used (``themes.json``), else the demo's taxonomy for a demo workspace and discovery for any
other. Taxonomy themes are given by the enricher's zero-shot classifier; discovered and column
themes are given here, and the enricher keeps them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import duckdb
import numpy as np

from .duck import q
from .taxonomy import OTHER, default_taxonomy
from .theme_discovery import DiscoverySettings, discover_themes
from .theme_set import ThemeInfo, ThemeSet, ThemeSource, from_taxonomy, stored_source
from .theme_terms import cluster_terms, language
from .transcript import customer_turns
from .workspace import WorkspacePaths

_DEMO_GENERATOR = "servicelens.data.demo"


@dataclass(frozen=True)
class ThemeAssignment:
    themes: ThemeSet
    ids: list[str] | None  # one per record; None when the taxonomy classifier decides


def choose_source(paths: WorkspacePaths, asked: ThemeSource | None) -> ThemeSource:
    if asked is not None:
        return asked
    stored = stored_source(paths)
    if stored is not None:
        return stored
    return ThemeSource.taxonomy() if _is_demo(paths) else ThemeSource.discovered()


def _is_demo(paths: WorkspacePaths) -> bool:
    # A demo built before theme sets existed has no themes.json, but its manifest says what it is.
    if not paths.manifest.is_file():
        return False
    manifest = json.loads(paths.manifest.read_text(encoding="utf-8"))
    return bool(manifest.get("generator") == _DEMO_GENERATOR)


def column_themes(
    con: duckdb.DuckDBPyConnection, source: ThemeSource, voc_ids: Sequence[str]
) -> list[str]:
    """Each record's value of the theme column; "other" where it has none."""
    found: dict[str, str] = {}
    for table, column in source.tables:
        rows = con.execute(
            f"SELECT CAST(voc_id AS VARCHAR), NULLIF(trim(CAST({q(column)} AS VARCHAR)), '') "
            f"FROM {q(table)} WHERE voc_id IS NOT NULL"
        ).fetchall()
        found.update({str(v): str(theme) for v, theme in rows if theme is not None})
    return [found.get(v, OTHER) for v in voc_ids]


def assign(
    source: ThemeSource,
    texts: Sequence[str],
    vectors: np.ndarray,
    column: Sequence[str] | None = None,
    settings: DiscoverySettings | None = None,
    names: frozenset[str] = frozenset(),
) -> ThemeAssignment:
    """Themes for ``texts`` (with their passage ``vectors``) from ``source``."""
    # A transcript's agent lines are not what the customer raised (as for the embeddings).
    texts = [customer_turns(t) or t for t in texts]
    if source.kind == "taxonomy":
        return ThemeAssignment(from_taxonomy(default_taxonomy()), None)
    if source.kind == "column":
        if column is None:
            raise ValueError("column themes need the column's values")
        return ThemeAssignment(_column_set(source, texts, column), list(column))
    found = discover_themes(texts, vectors, settings, names)
    return ThemeAssignment(ThemeSet(source, found.themes, found.notes), found.assignments)


def _column_set(source: ThemeSource, texts: Sequence[str], values: Sequence[str]) -> ThemeSet:
    counts = Counter(values)
    ranked = sorted((v for v in counts if v != OTHER), key=lambda v: (-counts[v], v))
    index = {v: i for i, v in enumerate(ranked)}
    terms = cluster_terms(texts, [index.get(v, -1) for v in values])
    themes = [
        ThemeInfo(v, {language(v): v}, _flat(terms.get(index[v], {})), counts[v]) for v in ranked
    ]
    other = ThemeInfo(OTHER, {"en": "Other", "zh": "其他"}, records=counts.get(OTHER, 0))
    return ThemeSet(source, (*themes, other))


def _flat(terms: dict[str, list[str]]) -> tuple[str, ...]:
    return tuple(t for lang in sorted(terms) for t in terms[lang])


def counted(themes: ThemeSet, ids: Sequence[str], content_hash: str) -> ThemeSet:
    """The theme set with each theme's record count as enrichment assigned them."""
    counts = Counter(ids)
    updated = tuple(replace(t, records=counts.get(t.id, 0)) for t in themes.themes)
    return ThemeSet(themes.source, updated, themes.notes, content_hash)
