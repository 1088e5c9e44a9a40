"""Live sources in a workspace: opening them from the settings, ``connect``, and their doctor
checks.

A source is configured in ``servicelens.toml`` as ``[servicelens.sources.NAME]`` with a ``url``
whose password is an ``${ENV}`` reference (or ``password_env`` / ``password_file``); the catalog
records which tables live there (``tables.<t>.source``). ``federate`` gives the workspace one
warehouse over the DuckDB file and its sources; ``connect`` checks a new source and registers it;
``source_checks`` are the doctor's. Nothing here prints or stores a password.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..data.errors import ServiceLensError
from .check import Check
from .settings import Settings, SettingsError, SourceSettings, _resolve_source

if TYPE_CHECKING:
    from ..data.catalog import Catalog
    from ..data.sources import Federation, Source
    from ..data.sources.probe import Probe
    from ..data.warehouse import Warehouse


def open_source(settings: Settings, name: str, spec: SourceSettings | None = None) -> Source:
    """The source ``name`` of the settings (or ``spec``), not yet connected."""
    from ..data.sources import Source, parse_source_url
    from ..data.warehouse import SqlLimits

    spec = spec or settings.sources.get(name)
    if spec is None:
        raise ServiceLensError(f"No source named {name} in servicelens.toml.")
    raw = spec.resolved_url.get_secret_value() if spec.resolved_url else spec.url
    url = parse_source_url(raw)
    if spec.password is not None:
        url = url.with_password(spec.password.get_secret_value())
    limits = SqlLimits(
        row_cap=settings.sql_row_cap,
        byte_cap=settings.sql_byte_cap,
        timeout_s=spec.timeout_s or settings.sql_timeout_s,
    )
    # A server that does not even accept the login within the statement timeout (or 5 s) is
    # reported as slow rather than waited on.
    return Source(name, url, limits, connect_timeout_s=min(5.0, max(1.0, limits.timeout_s)))


def federate(
    settings: Settings, warehouse: Warehouse | None, catalog: Catalog | None
) -> Federation:
    """One warehouse over the DuckDB file and every configured source (connected on use)."""
    from ..data.sources import Federation

    sources = {name: open_source(settings, name) for name in settings.sources}
    placement = {}
    if catalog is not None:
        placement = {t: spec.source for t, spec in catalog.tables.items() if spec.source}
    unknown = sorted({s for s in placement.values() if s not in sources})
    if unknown:
        raise SettingsError(
            f"The catalog places tables in the source {unknown[0]}, which servicelens.toml "
            f"does not configure; run `servicelens connect {unknown[0]} URL`."
        )
    return Federation(warehouse, sources, placement)


# ---------------------------------------------------------------- connect


@dataclass
class ConnectReport:
    name: str
    where: str
    flavour: str
    tables: dict[str, int]  # table -> rows on the server
    write_grants: list[str] = field(default_factory=list)
    revoke: str = ""
    timeout_stop_s: float | None = None
    timeout_error: str = ""
    catalog_tables: list[str] = field(default_factory=list)
    metrics_added: int = 0
    config: str = ""  # the servicelens.toml written

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "where": self.where, "server": self.flavour,
            "read_only": not self.write_grants, "write_grants": self.write_grants,
            "revoke": self.revoke, "timeout_stop_s": self.timeout_stop_s,
            "timeout_error": self.timeout_error, "tables": self.tables,
            "catalog_tables": self.catalog_tables, "metrics_added": self.metrics_added,
        }  # fmt: skip


def connect(
    settings: Settings,
    name: str,
    url: str,
    *,
    password_env: str | None = None,
    password_file: Path | None = None,
    tables: list[str] | None = None,
    feedback: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ConnectReport:
    """Check the source at ``url`` and register it as ``name``: the settings file gains it, the
    catalog its tables (derived from bounded samples). A source that cannot be reached, or
    whose login fails, is not registered; one that may write is, with a warning to act on.
    ``feedback`` names a table of feedback text to index incrementally (``feedback_table``,
    ``feedback_id``, ``feedback_updated_at``, optionally ``feedback_text``)."""
    from ..data.catalog import parse_catalog
    from ..data.sources.derive import derive_source_catalog
    from ..data.sources.probe import probe

    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {"url": url}
    if password_env:
        raw["password_env"] = password_env
    if password_file:
        raw["password_file"] = str(password_file)
    # feedback_table, feedback_id, feedback_updated_at, feedback_text (checked with the rest).
    raw.update({k: v for k, v in (feedback or {}).items() if v})
    probe_settings = settings.model_copy(update={"sources": {}})
    try:
        spec = _resolve_source(name, raw, env)
    except SettingsError as exc:
        raise ServiceLensError(str(exc)) from None
    Settings.model_validate({"home": settings.home, "sources": {name: spec}})  # the name
    source = open_source(probe_settings, name, spec)
    if tables:
        source.allowed = {t.lower() for t in tables}
    try:
        found: Probe = probe(
            source, tables=tables, deadline_s=max(20.0, 3 * settings.sql_timeout_s)
        )
        if not found.reachable:
            raise ServiceLensError(found.error or f"The source {name} could not be reached.")
        missing = sorted(set(tables or []) - {t.lower() for t in found.tables})
        if missing:
            raise ServiceLensError(f"The source {name} has no table {missing[0]}.")
        paths = settings.paths.ensure()
        if not paths.warehouse.exists():
            _empty_warehouse(paths.warehouse)
        existing = (
            yaml.safe_load(paths.catalog.read_text("utf-8")) if paths.catalog.is_file() else None
        )
        before = len((existing or {}).get("metrics", {}))
        derived = derive_source_catalog(source, existing)
    finally:
        source.close()
    parse_catalog(derived.data, "catalog.yaml")
    _write_text(paths.catalog, yaml.safe_dump(derived.data, allow_unicode=True, sort_keys=False))
    config = _write_source_config(paths.config, name, raw)
    return ConnectReport(
        name=name, where=found.where, flavour=found.flavour, tables=found.tables,
        write_grants=found.write_grants, revoke=found.revoke,
        timeout_stop_s=found.timeout_stop_s, timeout_error=found.timeout_error,
        catalog_tables=derived.tables,
        metrics_added=len(derived.data.get("metrics", {})) - before, config=str(config),
    )  # fmt: skip


def _empty_warehouse(path: Path) -> None:
    # The embedded DuckDB stays the workspace's home (ingested files, the feedback index's
    # source); a workspace made by `connect` starts with an empty one.
    import duckdb

    duckdb.connect(str(path)).close()


def _write_text(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)


def _write_source_config(path: Path, name: str, raw: dict[str, Any]) -> Path:
    """``servicelens.toml`` with the source's section added or replaced; other text kept."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    data = tomllib.loads(text) if text.strip() else {}
    prefix = "servicelens.sources" if ("servicelens" in data or not data) else "sources"
    header = f"[{prefix}.{name}]"
    body = "".join(f"{k} = {json.dumps(v)}\n" for k, v in raw.items())
    lines = text.splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            skipping = stripped == header
        if not skipping:
            out.append(line)
    new = "".join(out).rstrip("\n")
    new = (new + "\n\n" if new else "") + f"{header}\n{body}"
    tomllib.loads(new)  # what is written must read back
    _write_text(path, new)
    return path


# ---------------------------------------------------------------- doctor


def source_checks(settings: Settings, catalog: Catalog | None) -> list[Check]:
    """One check per configured source: reachable, read-only, timeout honoured, row counts."""
    from ..data.sources.probe import probe

    checks = []
    for name in settings.sources:
        label = f"source {name}"
        try:
            source = open_source(settings, name)
        except ServiceLensError as exc:
            checks.append(Check(label, "fail", str(exc), "Fix its url in servicelens.toml."))
            continue
        mine = [t for t, s in (catalog.tables.items() if catalog else []) if s.source == name]
        deadline = max(10.0, 2 * source.limits.timeout_s)
        try:
            found = probe(source, tables=mine or None, deadline_s=deadline)
        finally:
            source.close()
        checks.append(_source_check(label, found, mine))
    return checks


def _source_check(label: str, found: Probe, mine: list[str]) -> Check:
    if found.slow:
        return Check(
            label, "warn", f"{found.where}: slow: {found.error}",
            "Check the server's load and the network; queries stop at the statement timeout.",
        )  # fmt: skip
    if not found.reachable:
        return Check(label, "fail", found.error, "Check the URL, the password and the server.")
    counts = ", ".join(
        f"{t} {n:,} rows" if n >= 0 else f"{t} (unreadable)" for t, n in found.tables.items()
    )
    missing = sorted(set(mine) - set(found.tables))
    detail = f"{found.flavour} at {found.where}; {counts or 'no tables'}"
    if found.timeout_stop_s is not None:
        took = f"{found.timeout_stop_s:.2f} s"
        detail += f"; statement timeout honoured (a 0.3 s limit stopped a query in {took})"
    if missing:
        return Check(
            label, "fail", f"{detail}; missing: {', '.join(missing)}",
            "Grant SELECT on them, or `servicelens connect` again to refresh the catalog.",
        )  # fmt: skip
    if found.write_grants:
        return Check(
            label, "warn", f"{detail}; the login may write: {'; '.join(found.write_grants)}",
            f"Revoke: {found.revoke}",
        )  # fmt: skip
    if found.timeout_error:
        return Check(label, "warn", f"{detail}; {found.timeout_error}", "Set a statement timeout.")
    if any(n < 0 for n in found.tables.values()):
        return Check(label, "warn", detail, "Grant SELECT on the unreadable tables.")
    return Check(label, "ok", f"{detail}; read-only")
