"""Live, read-only sources beside the embedded warehouse: PostgreSQL and the MySQL family.

``Source`` runs guarded DuckDB SQL on one database, transpiled through the parsed tree;
``Federation`` routes each query to the engine holding its tables; ``probe`` checks a source
(reachable, read-only, timeout honoured, tables and rows); ``derive_source_catalog`` derives the
catalog entries of its tables from bounded samples; ``feedback.sync_feedback`` indexes a table of
feedback text incrementally (only rows new or changed since the last run).
"""

from .engine import Source, SourceError
from .federation import Federation
from .url import SourceUrl, SourceUrlError, parse_source_url

__all__ = [
    "Federation",
    "Source",
    "SourceError",
    "SourceUrl",
    "SourceUrlError",
    "parse_source_url",
]
