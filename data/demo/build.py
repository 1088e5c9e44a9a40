"""Build the seeded demo workspace: ``build_demo(home, scale=..., seed=...)``.

The build writes into a sibling temporary directory and moves it into place only when every
table, file and (optionally) the VOC index is complete, so an interrupted or failed build never
leaves a half-written workspace and never harms the one it would replace.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from .. import duck
from ..errors import WorkspaceError
from ..schema import TABLES, create_statements
from ..workspace import WorkspacePaths
from . import workspace_files as files
from .contracts import contracts
from .entities import REGIONS, Entities, build_entities
from .facts import facts_document
from .influencers import influencer_records
from .outcomes import outcomes
from .scales import Scale, resolve_scale
from .surveys import draw_surveys
from .ticket_rows import INSERT_SQL, ticket_table
from .tickets import place
from .voc_rows import LINKED, UNLINKED, VocState, linked_records, unlinked_records
from .voc_table import emit
from .volume import batches, grid

Progress = Callable[[str, int, int], None]
# Kept from a workspace that is rebuilt with --force: the embedding cache (so re-indexing
# unchanged text is free), conversation checkpoints and exports belong to the user.
PRESERVED = ("cache", "checkpoints.sqlite", "exports")


@dataclass(frozen=True)
class BuildReport:
    home: Path
    scale: str
    seed: int
    counts: dict[str, int]
    seconds: float
    paths: dict[str, Path]
    redactions: dict[str, int] = field(default_factory=dict)
    indexed: bool = False
    catalog_copied: bool = False


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    con.register("batch", rows)
    try:
        con.execute(f"INSERT INTO {table} {INSERT_SQL[table]}")
    finally:
        con.unregister("batch")


def _tickets(
    con: duckdb.DuckDBPyConnection,
    rng: np.random.Generator,
    sc: Scale,
    ents: Entities,
    state: VocState,
    progress: Progress,
    labels_path: Path,
) -> None:
    regions = np.array(REGIONS)
    survey_seq = 1
    progress("tickets", 0, sc.tickets)
    for batch in batches(rng, grid(rng, sc.tickets), sc.batch_size):
        p = place(rng, batch, ents)
        o = outcomes(rng, p, ents)
        _insert(con, "tickets", ticket_table(p, o, regions))
        s = draw_surveys(rng, p, o, survey_seq)
        survey_seq += s.rows.num_rows
        _insert(con, "surveys", s.rows)
        share = len(p) / sc.tickets * sc.voc
        records = linked_records(rng, p, o, s, ents, round(share * LINKED), state.rnd)
        records += unlinked_records(p, ents, round(share * UNLINKED), state.rnd)
        _insert(con, "voc", emit(records, ents, state))
        files.flush_labels(labels_path, state.labels)
        progress("tickets", int(p.seq[-1]), sc.tickets)


def _influencers(
    con: duckdb.DuckDBPyConnection, ents: Entities, state: VocState
) -> dict[str, list[str]]:
    unanswered, answered = influencer_records(con, ents, state.rnd)
    first = state.next_id
    _insert(con, "voc", emit(unanswered + answered, ents, state, duplicates=False))
    ids = [f"VOC-{first + i:07d}" for i in range(len(unanswered) + len(answered))]
    return {"unanswered": ids[: len(unanswered)], "answered": ids[len(unanswered) :]}


def _generate(
    ws: WorkspacePaths, sc: Scale, seed: int, progress: Progress
) -> tuple[dict[str, int], VocState]:
    rng = np.random.Generator(np.random.PCG64(seed))
    state = VocState(rnd=random.Random(seed))
    ents, entity_tables = build_entities(rng, sc.customers, sc.engineers)
    # A fixed memory budget: beyond it DuckDB spills to disk instead of caching the whole file,
    # so a 10M-ticket build needs no more memory than a 1M one.
    con = duck.connect(ws.warehouse, memory_limit="1GB")
    files.start_labels(ws.voc_labels)
    try:
        for statement in create_statements():
            con.execute(statement)
        for name, rows in entity_tables.items():
            _insert(con, name, rows)
        _tickets(con, rng, sc, ents, state, progress, ws.voc_labels)
        progress("contracts", 0, 1)
        _insert(con, "contracts", contracts(rng, ents.customer_segment, ents.customer_region))
        progress("contracts", 1, 1)
        planted: dict[str, object] = dict(_influencers(con, ents, state))
        planted["pii_samples"] = list(state.pii_samples)
        counts = {
            t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
            for t in TABLES
        }
        sums = files.checksums(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    files.flush_labels(ws.voc_labels, state.labels)
    files.write_json(ws.facts, facts_document(planted))
    files.write_json(ws.manifest, files.manifest(sc.name, sc.tickets, seed, counts, sums))
    files.write_config(ws)
    return counts, state


def _carry_over(old: Path, new: Path, names: tuple[str, ...], *, copy: bool) -> None:
    for name in names:
        src, dst = old / name, new / name
        if not src.exists() or dst.exists():
            continue
        if copy and src.is_dir():
            shutil.copytree(src, dst)
        elif copy:
            shutil.copy2(src, dst)
        else:
            src.rename(dst)


def _swap(tmp: Path, home: Path) -> None:
    """Move the finished build into place; the old workspace goes only after that succeeded."""
    if not home.exists():
        tmp.rename(home)
        return
    old = home.parent / f".{home.name}.old-{os.getpid()}"
    home.rename(old)
    try:
        tmp.rename(home)
    except OSError:
        old.rename(home)
        raise
    _carry_over(old, home, PRESERVED[1:], copy=False)
    shutil.rmtree(old, ignore_errors=True)


def build_demo(
    home: Path | str,
    *,
    scale: str | int = "default",
    seed: int = 42,
    force: bool = False,
    progress: Progress | None = None,
    index: bool = True,
    chroma_url: str | None = None,
) -> BuildReport:
    """Generate the demo service history into ``home`` (atomically) and return what was built."""
    home = Path(home)
    if WorkspacePaths(home).exists() and not force:
        raise WorkspaceError(f"A workspace already exists at {home}; pass --force to rebuild it.")
    sc = resolve_scale(scale)
    report = progress or _noop
    started = time.perf_counter()
    home.parent.mkdir(parents=True, exist_ok=True)
    tmp = home.parent / f".{home.name}.building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        # The embedding cache comes first, before ensure() creates an empty cache folder that
        # the carry-over would not overwrite (a warm re-init must not embed anything again).
        _carry_over(home, tmp, PRESERVED[:1], copy=True)
        ws = WorkspacePaths(tmp).ensure()
        counts, state = _generate(ws, sc, seed, report)
        catalog_copied = files.copy_catalog(ws)
        if index:
            from ..theme_set import ThemeSource
            from ..voc_pipeline import index_voc

            # The demo is the appliance maker the bundled taxonomy was written for.
            index_voc(ws, progress=report, themes=ThemeSource.taxonomy(), chroma_url=chroma_url)
        _swap(tmp, home)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    final = WorkspacePaths(home)
    return BuildReport(
        home=home,
        scale=sc.name,
        seed=seed,
        counts=counts,
        seconds=round(time.perf_counter() - started, 2),
        paths={
            "warehouse": final.warehouse,
            "facts": final.facts,
            "manifest": final.manifest,
            "voc_labels": final.voc_labels,
            "config": final.config,
            "catalog": final.catalog,
        },
        redactions=dict(state.redactions),
        indexed=index,
        catalog_copied=catalog_copied,
    )
