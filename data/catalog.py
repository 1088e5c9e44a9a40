"""The semantic catalog: tables, joins, dimensions and named metrics (DESIGN §2.3).

A catalog is a YAML file per workspace (the demo ships ``data/demo/catalog.yaml``; a derived
catalog for arbitrary tables has the same shape). Loading validates it and qualifies every
column in metric and dimension SQL with its table once, so compiling a query later is plain
string assembly. Lookups accept canonical names and their English/Chinese aliases.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .catalog_model import (
    Catalog,
    CatalogSpec,
    ColumnSpec,
    Dimension,
    DimensionKind,
    DimensionSpec,
    Direction,
    JoinSpec,
    Metric,
    MetricSpec,
    TableSpec,
    UnknownNameError,
    closest,
    key,
)
from .catalog_sql import build_catalog
from .errors import DataError

__all__ = [
    "Catalog",
    "CatalogSpec",
    "ColumnSpec",
    "Dimension",
    "DimensionKind",
    "DimensionSpec",
    "Direction",
    "JoinSpec",
    "Metric",
    "MetricSpec",
    "TableSpec",
    "UnknownNameError",
    "closest",
    "demo_catalog",
    "demo_catalog_text",
    "key",
    "load_catalog",
    "parse_catalog",
]


def parse_catalog(data: Any, source: str = "catalog") -> Catalog:
    """Validate a catalog mapping; problems name the YAML path (``metrics.nps.unit``)."""
    if not isinstance(data, dict):
        raise DataError(f"{source}: the catalog must be a mapping with tables and metrics.")
    try:
        spec = CatalogSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise DataError(f"{source}: {where}: {first['msg']}{more}.") from None
    return build_catalog(spec, source)


def load_catalog(path: Path) -> Catalog:
    """Load a workspace catalog file."""
    if not Path(path).is_file():
        raise DataError("The workspace has no catalog.yaml; run `servicelens init` or ingest data.")
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"{Path(path).name} is not valid YAML: {exc}") from None
    return parse_catalog(data, Path(path).name)


def demo_catalog_text() -> str:
    """The packaged demo catalog, for the generator to copy into a workspace."""
    return resources.files("servicelens.data.demo").joinpath("catalog.yaml").read_text("utf-8")


def demo_catalog() -> Catalog:
    return parse_catalog(yaml.safe_load(demo_catalog_text()), "demo catalog.yaml")
