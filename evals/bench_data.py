"""Synthetic benchmark data at any size: a demo-shaped warehouse and a feedback index.

The demo generator plants facts and writes realistic feedback, which takes minutes per million
tickets in Python; a benchmark at 10M tickets needs the same tables and columns, filled in
seconds. Here every table is one ``INSERT ... SELECT`` over DuckDB's ``range()``, each column a
function of the row number through ``h(i, k)``, a hash (so a size and seed always give the same
rows), with the demo catalog's values (regions, product lines, channels, types, themes), so the
catalog's metrics compile to the real SQL over the real schema.

The feedback index is the real one (a Chroma collection with HNSW and metadata, and the BM25
keyword index beside it, built by the same code ``servicelens index`` uses), but over synthetic
vectors: DESIGN §9 allows that for latency at scale, and embedding a million texts with the
model would take hours on two cores. Vectors cluster by theme and product line like real
feedback embeddings do, and ``SyntheticEmbedder`` maps a query to its theme's neighbourhood, so
filtered and unfiltered searches, HNSW recall and brute force behave as they would on real
vectors. Retrieval quality is measured on the demo with the real model (``bench retrieval``).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from ..data.catalog import demo_catalog
from ..data.keyword_index import KeywordIndex
from ..data.schema import create_statements
from ..data.voc_index import FINGERPRINT, VocIndex

# The index builder's own steps, so the benchmark times exactly what `servicelens index` runs.
from ..data.voc_pipeline import _build_chroma, _Clock, _metadata, _read, swap_in
from ..data.workspace import WorkspacePaths

DIM = 384
# The demo's calendar: 24 months of history, "today" the day after.
START = date(2024, 11, 1)
AS_OF = date(2026, 11, 1)
_SECONDS = (AS_OF - START).days * 86_400
PRODUCTS = 40

# Feedback phrases per theme (English, Chinese): enough words for BM25 to tell themes apart.
PHRASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "noise": (
        ("compressor noise at night", "loud rattling from the outdoor unit", "buzzing noise"),
        ("空调压缩机噪音很大", "外机晚上异响", "嗡嗡响吵得睡不着"),
    ),
    "leak": (
        ("water leaking from the indoor unit", "leak under the washer", "dripping pipe"),
        ("室内机漏水", "洗衣机底部漏水", "管子滴水"),
    ),
    "performance": (
        ("not cooling at all", "heating is weak", "room never gets cold"),
        ("空调不制冷", "制热效果差", "温度降不下来"),
    ),
    "installation_delay": (
        ("installation delayed again", "installer never came", "waited a week for install"),
        ("安装一直延期", "约好的安装师傅没来", "等安装等了一周"),
    ),
    "parts_wait": (
        ("waiting for spare parts", "part out of stock for weeks", "no replacement board"),
        ("等配件等了半个月", "配件缺货", "主板一直没到货"),
    ),
    "repeat_visit": (
        ("third visit and still broken", "not fixed the first time", "engineer came back twice"),
        ("修了三次还是坏", "第一次没修好", "师傅来了两次"),
    ),
    "no_response": (
        ("nobody answers the hotline", "no reply to my email", "ticket ignored for days"),
        ("客服电话没人接", "邮件没人回复", "工单好几天没人理"),
    ),
    "billing": (
        ("charged twice for the repair", "unexpected call-out fee", "invoice is wrong"),
        ("维修收费重复", "上门费不合理", "发票开错了"),
    ),
    "engineer_praise": (
        ("the engineer was polite and quick", "great technician", "fixed it in ten minutes"),
        ("师傅很专业很耐心", "工程师态度好", "十分钟就修好了"),
    ),
    "app_digital": (
        ("the app keeps crashing", "cannot book a visit online", "login code never arrives"),
        ("App一直闪退", "小程序预约不了", "验证码收不到"),
    ),
    "contract_renewal": (
        ("maintenance contract renewal price", "renew the service plan", "contract expired"),
        ("维保合同续约价格", "续签服务合同", "合同到期了"),
    ),
    "praise": (
        ("very happy with the service", "thank you for the quick help", "works perfectly now"),
        ("服务很满意", "谢谢快速处理", "现在用得很好"),
    ),
}
THEMES = tuple(PHRASES)
_FILLERS_EN = ("please help", "order {n}", "model AC-X{m}", "error E{e}", "since last week", "")
_FILLERS_ZH = ("请尽快处理", "订单号{n}", "型号AC-X{m}", "故障码E{e}", "从上周开始", "")


@dataclass(frozen=True)
class Size:
    tickets: int
    feedback: int

    @property
    def customers(self) -> int:
        return max(800, self.tickets // 20)  # as the demo: ~20 tickets per customer

    @property
    def engineers(self) -> int:
        return max(24, self.tickets // 400)


@functools.cache
def _values(dimension: str) -> list[str]:
    values = demo_catalog().dimension(dimension).values
    assert values, f"the demo catalog lists the values of {dimension}"
    return values


def _lit(values: Sequence[Any]) -> str:
    """A DuckDB list literal of strings (or of lists of strings)."""
    items = []
    for v in values:
        items.append(
            _lit(v) if isinstance(v, list | tuple) else "'" + str(v).replace("'", "''") + "'"
        )
    return "[" + ", ".join(items) + "]"


def _pick(values: Sequence[Any], k: int, i: str = "i") -> str:
    return f"{_lit(values)}[1 + (h({i}, {k}) % {len(values)})::INTEGER]"


def _u(k: int, i: str = "i") -> str:
    # Uniform in [0, 1), a different stream per k.
    return f"((h({i}, {k}) % 1000003)::DOUBLE / 1000003.0)"


def build_warehouse(path: Path, size: Size, *, seed: int = 0) -> dict[str, Any]:
    """Write the seven canonical tables at ``size``; returns row counts and seconds."""
    started = time.perf_counter()
    con = duckdb.connect(str(path))
    try:
        con.execute("SET preserve_insertion_order = false")
        # Independent streams: DuckDB's two-argument hash(i, k) correlates across k modulo small
        # numbers (region and product line came out tied), so k is mixed in by XOR and hashed.
        con.execute("CREATE TEMP MACRO h(x, k) AS hash(xor(hash(x), hash(k)))")
        for statement in create_statements():
            con.execute(statement)
        for table, sql in _inserts(size, seed).items():
            con.execute(f"INSERT INTO {table} {sql}")
        counts = {
            t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
            for t in (
                "customers",
                "products",
                "engineers",
                "tickets",
                "surveys",
                "voc",
                "contracts",
            )
        }
        con.execute("CHECKPOINT")
    finally:
        con.close()
    seconds = time.perf_counter() - started
    rows = sum(counts.values())
    return {
        "counts": counts,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "file_mb": round(path.stat().st_size / 1e6, 1),
    }


def _inserts(size: Size, seed: int) -> dict[str, str]:
    s = seed * 1_000_003  # every stream moves with the seed
    regions, lines = _values("region"), _values("product_line")
    channels, types = _values("channel"), _values("type")
    return {
        "customers": f"""SELECT printf('CU-%07d', i), 'Customer ' || i,
            {_pick(["key account", "SMB", "SMB", "consumer", "consumer", "consumer"], s + 1)},
            {_pick(["household", "retail", "healthcare", "manufacturing", "logistics"], s + 2)},
            {_pick(regions, s + 3)}, 'City ' || (h(i, {s + 4}) % 60),
            {_pick(["standard", "standard", "silver", "gold", "platinum"], s + 5)},
            DATE '2015-01-01' + (h(i, {s + 6}) % 3650)::INTEGER
            FROM range({size.customers}) t(i)""",
        "products": f"""SELECT printf('PR-%03d', i + 1), {_lit(lines)}[1 + i % {len(lines)}],
            'AC-X' || (100 + i * 17), {_pick(["residential", "commercial"], s + 7)},
            DATE '2020-01-01' + (i * 45)::INTEGER FROM range({PRODUCTS}) t(i)""",
        "engineers": f"""SELECT printf('EN-%06d', i), 'Engineer ' || i, {_pick(regions, s + 8)},
            {_pick(["junior", "intermediate", "intermediate", "senior"], s + 9)},
            DATE '2012-01-01' + (h(i, {s + 10}) % 4000)::INTEGER
            FROM range({size.engineers}) t(i)""",
        "tickets": _tickets_sql(size, s, regions, channels, types),
        "surveys": f"""SELECT 'SV' || substr(ticket_id, 3), ticket_id, customer_id,
            closed_at + to_seconds((h(ticket_id, {s + 40}) % 259200)::BIGINT),
            1 + (h(ticket_id, {s + 41}) % 5)::DOUBLE, (h(ticket_id, {s + 42}) % 11)::INTEGER,
            1 + (h(ticket_id, {s + 43}) % 7)::DOUBLE
            FROM tickets WHERE closed_at IS NOT NULL AND h(ticket_id, {s + 44}) % 10 < 3""",
        "voc": _voc_sql(size, s, regions),
        "contracts": f"""SELECT printf('CT-%07d', i),
            printf('CU-%07d', h(i, {s + 50}) % {size.customers}), {_pick(lines, s + 51)},
            {_pick(["maintenance", "maintenance", "extended warranty"], s + 52)},
            d, d + 364, round(2000 + {_u(s + 53)} * 60000, 2), {_u(s + 54)} < 0.8
            FROM (SELECT i, DATE '2023-11-01' + (h(i, {s + 55}) % 1095)::INTEGER AS d
                  FROM range({max(100, size.customers * 2 // 3)}) t(i))""",
    }


def _tickets_sql(
    size: Size, s: int, regions: list[str], channels: list[str], types: list[str]
) -> str:
    causes = ["compressor", "control_board", "motor", "sensor", "water_leak", "wear", "billing"]
    # Two stages: the inner one draws the base values, the outer one derives the rest (SLA met
    # from the resolution time, engineers only for onsite work).
    return f"""SELECT printf('TK-%09d', i), printf('CU-%07d', h(i, {s + 11}) % {size.customers}),
        printf('PR-%03d', 1 + h(i, {s + 12}) % {PRODUCTS}),
        CASE WHEN onsite THEN printf('EN-%06d', h(i, {s + 13}) % {size.engineers}) END,
        channel, type, {_pick(["low", "medium", "medium", "high", "urgent"], s + 14)}, region,
        o, o + to_seconds(60 + (h(i, {s + 15}) % 14400)::BIGINT),
        CASE WHEN resolved THEN o + to_seconds(res) END,
        CASE WHEN resolved THEN o + to_seconds(res + (h(i, {s + 16}) % 172800)::BIGINT) END,
        CASE WHEN resolved THEN 'closed' WHEN {_u(s + 17)} < 0.5 THEN 'open' ELSE 'in_progress' END,
        sla, resolved AND res <= sla * 3600, onsite,
        CASE WHEN onsite THEN 1 + (h(i, {s + 18}) % 10 < 2)::INTEGER ELSE 0 END,
        {_u(s + 19)} < 0.78, NOT onsite AND {_u(s + 20)} < 0.5,
        CASE WHEN {_u(s + 21)} < 0.15 THEN round({_u(s + 22)} * 12, 1) ELSE 0 END,
        round(30 + {_u(s + 23)} * 800, 2),
        CASE WHEN {_u(s + 24)} < 0.3 THEN round({_u(s + 25)} * 600, 2) ELSE 0 END,
        {_u(s + 26)} < 0.05, CASE WHEN {_u(s + 27)} < 0.5 THEN {_pick(causes, s + 28)} END
        FROM (
            SELECT i, {_pick(channels, s + 29)} AS channel, {_pick(types, s + 30)} AS type,
                {_pick(regions, s + 31)} AS region,
                TIMESTAMP '{START}' + to_seconds((h(i, {s + 32}) % {_SECONDS})::BIGINT) AS o,
                {_u(s + 33)} < 0.97 AS resolved,
                (1800 + h(i, {s + 34}) % 432000)::BIGINT AS res,
                {_pick([4.0, 8.0, 24.0, 48.0, 72.0], s + 35)}::DOUBLE AS sla,
                {_u(s + 36)} < 0.45 AS onsite
            FROM range({size.tickets}) t(i))"""


def _voc_sql(size: Size, s: int, regions: list[str]) -> str:
    en = [list(PHRASES[t][0]) for t in THEMES]
    zh = [list(PHRASES[t][1]) for t in THEMES]
    filler = (
        "replace(replace(replace({f}, '{{n}}', (h(i, {a}) % 9000000 + 1000000)::VARCHAR), "
        "'{{m}}', (100 + h(i, {b}) % 40 * 17)::VARCHAR), '{{e}}', (h(i, {c}) % 9)::VARCHAR)"
    )
    fill_en = filler.format(f=_pick(_FILLERS_EN, s + 60), a=s + 61, b=s + 12, c=s + 62)
    fill_zh = filler.format(f=_pick(_FILLERS_ZH, s + 60), a=s + 61, b=s + 12, c=s + 62)
    return f"""SELECT printf('VOC-%08d', i), source,
        printf('CU-%07d', h(i, {s + 63}) % {size.customers}),
        CASE WHEN {_u(s + 64)} < 0.6 THEN printf('TK-%09d', h(i, {s + 65}) % {size.tickets}) END,
        printf('PR-%03d', 1 + h(i, {s + 12}) % {PRODUCTS}), {_pick(regions, s + 66)},
        TIMESTAMP '{START}' + to_seconds((h(i, {s + 67}) % {_SECONDS})::BIGINT), lang,
        CASE WHEN source = 'social' THEN (h(i, {s + 68}) % 200000)::INTEGER END,
        CASE WHEN lang = 'zh'
             THEN {_lit(zh)}[t + 1][1 + (h(i, {s + 69}) % 3)::INTEGER] || '，' || {fill_zh}
             ELSE {_lit(en)}[t + 1][1 + (h(i, {s + 69}) % 3)::INTEGER] || ', ' || {fill_en}
        END,
        CASE WHEN t >= {len(THEMES) - 2} THEN 'positive' WHEN {_u(s + 70)} < 0.2 THEN 'neutral'
             ELSE 'negative' END,
        {_lit(list(THEMES))}[t + 1], {_pick(["low", "medium", "high"], s + 71)}
        FROM (SELECT i, (h(i, {s + 72}) % {len(THEMES)})::INTEGER AS t,
                     {_pick(_values("source"), s + 73)} AS source,
                     CASE WHEN {_u(s + 74)} < 0.6 THEN 'zh' ELSE 'en' END AS lang
              FROM range({size.feedback}) t(i))"""


SUBTOPICS = 64  # per theme: what a complaint is about within its theme
_SUB_WEIGHT, _LINE_WEIGHT, _NOISE = 0.6, 0.5, 0.02


class SyntheticEmbedder:
    """Unit vectors built like feedback embeddings: theme, product line, sub-topic and noise.

    A record's vector is its theme's centroid, plus half its product line's, plus one of the
    theme's sub-topics, plus a little noise of its own, so every query has a well-defined
    neighbourhood (its cell) and recall@10 against exact search means what it does on real
    vectors. Passages are drawn in bulk (``feedback_vectors``); a query is drawn the same way,
    its theme from the words it shares with the themes' phrases and the rest from its hash, so a
    query about compressor noise lands among the noise feedback as with a real model.
    """

    name = "synthetic-clustered-384"
    dim = DIM

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.themes = _unit(rng.standard_normal((len(THEMES), DIM)))
        self.lines = _unit(rng.standard_normal((len(_values("product_line")), DIM)))
        subs = rng.standard_normal((len(THEMES) * SUBTOPICS, DIM))
        self.subs = _unit(subs).reshape(len(THEMES), SUBTOPICS, DIM)
        self._words = [_words(" ".join(en + zh)) for en, zh in PHRASES.values()]

    def theme_of(self, text: str) -> int:
        words = _words(text)
        overlap = [len(words & w) for w in self._words]
        best = int(np.argmax(overlap))
        return best if overlap[best] else int(_digest(text) % len(THEMES))

    def compose(
        self, themes: np.ndarray, lines: np.ndarray, subs: np.ndarray, noise: np.ndarray
    ) -> np.ndarray:
        v = self.themes[themes] + _LINE_WEIGHT * self.lines[lines]
        v += _SUB_WEIGHT * self.subs[themes, subs] + _NOISE * noise
        return _unit(v)

    def embed_query(self, text: str) -> np.ndarray:
        digest = _digest(text)
        rng = np.random.default_rng(digest)
        one = np.ones(1, dtype=np.int64)
        return self.compose(
            one * self.theme_of(text),
            one * (digest % len(self.lines)),
            one * ((digest >> 16) % SUBTOPICS),
            rng.standard_normal((1, DIM)),
        )[0]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self.embed_query(t) for t in texts]) if texts else np.zeros((0, DIM))


def feedback_vectors(
    embedder: SyntheticEmbedder, themes: np.ndarray, lines: np.ndarray, seed: int = 0
) -> np.ndarray:
    """One unit vector per record (see ``SyntheticEmbedder``), drawn in chunks."""
    out = np.empty((len(themes), DIM), dtype=np.float32)
    rng = np.random.default_rng(seed + 1)
    for start in range(0, len(themes), 100_000):
        end = min(start + 100_000, len(themes))
        subs = rng.integers(0, SUBTOPICS, end - start)
        noise = rng.standard_normal((end - start, DIM))
        out[start:end] = embedder.compose(themes[start:end], lines[start:end], subs, noise)
    return out


def build_index(
    ws: WorkspacePaths, *, seed: int = 0, chroma_max: int | None = None
) -> dict[str, Any]:
    """Build the real VOC index (Chroma + keyword) over the warehouse's feedback.

    ``chroma_max`` bounds the records put in Chroma (the first ones by id): on two shared
    cores Chroma takes ~400-500 records/s, so a million would take most of an hour. The keyword
    index and the exact-search vectors always hold every record."""
    clock = _Clock()
    con = duckdb.connect(str(ws.warehouse), read_only=True)
    try:
        rows = _read(con)  # the same read ``servicelens index`` does
    finally:
        con.close()
    read_s = clock.lap()
    embedder = SyntheticEmbedder(seed)
    lines = _values("product_line")
    theme_ids = np.array([THEMES.index(r["theme"]) for r in rows], dtype=np.int64)
    line_ids = np.array([lines.index(r["product_line"]) for r in rows], dtype=np.int64)
    vectors = feedback_vectors(embedder, theme_ids, line_ids, seed)
    vectors_s = clock.lap()
    in_chroma = len(rows) if chroma_max is None else min(chroma_max, len(rows))
    metas = [_metadata(r) for r in rows]
    fingerprint = {
        "records": len(rows),
        "model": embedder.name,
        "dim": embedder.dim,
        "content_hash": f"synthetic-{seed}-{len(rows)}",
        "collection": "voc_bench",
        "generation": "bench",
    }
    ws.ensure()
    staging = {"chroma": ws.home / ".chroma.bench", "keyword": ws.home / ".keyword_index.bench"}
    try:
        _build_chroma(
            ws, staging["chroma"], None, "voc_bench", fingerprint, rows[:in_chroma],
            metas[:in_chroma], vectors[:in_chroma], lambda *_: None,
        )  # fmt: skip
        chroma_s = clock.lap()
        keyword = KeywordIndex.build([r["voc_id"] for r in rows], [r["text"] for r in rows],
                                     metas, vectors)  # fmt: skip
        keyword.save(staging["keyword"])
        (staging["keyword"] / FINGERPRINT).write_text(json.dumps(fingerprint))
        keyword_s = clock.lap()
        swap_in(ws, staging, None)
    finally:
        for path in staging.values():
            shutil.rmtree(path, ignore_errors=True)
    return {
        "records": len(rows),
        "in_chroma": in_chroma,
        "read_s": read_s,
        "vectors_s": vectors_s,
        "chroma_s": chroma_s,
        "chroma_records_per_s": round(in_chroma / chroma_s) if chroma_s else 0,
        "keyword_s": keyword_s,
        "keyword_records_per_s": round(len(rows) / keyword_s) if keyword_s else 0,
        "chroma_mb": round(_du(ws.chroma_dir) / 1e6, 1),
        "keyword_mb": round(_du(ws.keyword_index) / 1e6, 1),
    }


def open_index(ws: WorkspacePaths, *, seed: int = 0) -> VocIndex:
    return VocIndex.open(ws, SyntheticEmbedder(seed))


def release_chroma() -> None:
    """Chroma caches one system per path; drop it so a later index (or process) starts clean."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def _words(text: str) -> set[str]:
    # English words and Chinese bigrams: enough to tell the themes' phrases apart.
    lowered = text.lower()
    words = {w for w in "".join(c if c.isalnum() else " " for c in lowered).split() if w.isascii()}
    han = [c for c in lowered if "\u4e00" <= c <= "\u9fff"]
    return words | {a + b for a, b in itertools.pairwise(han)}


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


__all__ = [
    "AS_OF",
    "Size",
    "SyntheticEmbedder",
    "build_index",
    "build_warehouse",
    "open_index",
    "release_chroma",
]
