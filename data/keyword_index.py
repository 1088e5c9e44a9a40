"""The BM25 side of the VOC index, plus the per-record arrays both retrievers filter on.

Chinese is segmented with jieba (search mode, so "压缩机" also yields "压缩"); English and codes
are lower-cased word tokens. Model numbers and error codes (AC-X200, E4, KFR-35GW) are kept whole,
joined without separators and split into parts, so "KFR35GW", "kfr-35gw" and "35GW" all match.

On disk (``WorkspacePaths.keyword_index``): the bm25s index, ``records.json`` (voc_ids, texts and
filter metadata as columns) and ``vectors.npy`` (the same passage vectors Chroma holds, so that
small filtered subsets can be searched exactly; see ``voc_index``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .segment import segmenter

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:[-_/.][a-z0-9]+)*")
_HAS_DIGIT = re.compile(r"\d")
# One string reads better than fifty quoted words.
_EN_STOP = frozenset(
    (  # noqa: SIM905
        "a an and are as at be but by for from has have i if in is it its me my of on or our so "
        "that the their them then there this to was we were will with you your he she they do "
        "does did not no been am can just very"
    ).split(" ")
)
_ZH_STOP = frozenset("的了是我你他她它们吗呢吧啊呀哦嗯就都也还和在有这那很")
_MMAP_BYTES = 512 * 2**20
_FEW_CODES = 8
# Categorical columns the filters use; dates and reach are numeric columns beside them.
CATEGORICAL = (
    "region",
    "product_line",
    "model",
    "product_id",
    "source",
    "lang",
    "sentiment",
    "theme",
    "urgency",
    "segment",
)


class Tokenizer:
    """Bilingual tokens for BM25; jieba is loaded on the first Chinese text."""

    def _segmenter(self) -> Any:
        return segmenter()

    def tokens(self, text: str) -> list[str]:
        text = text.lower()
        out: list[str] = []
        for match in _ASCII_WORD.finditer(text):
            out.extend(_word_tokens(match.group()))
        for run in _CJK_RUN.findall(text):
            out.extend(w for w in self._segmenter().cut_for_search(run) if w not in _ZH_STOP)
        return out


def _word_tokens(word: str) -> list[str]:
    parts = [p for p in re.split(r"[-_/.]", word) if p]
    if len(parts) == 1 and not _HAS_DIGIT.search(word):
        return [] if word in _EN_STOP else [_stem(word)]
    # A code: keep it whole, joined, and in parts; drop only parts that say nothing on their own.
    joined = "".join(parts)
    tokens = [word, joined] if joined != word else [word]
    tokens.extend(_stem(p) for p in parts if p not in _EN_STOP and p != joined)
    return tokens


def _stem(word: str) -> str:
    """Fold English inflections so "leaking", "leaks" and "leaked" meet "leak".

    A deliberately small suffix folder, applied to documents and queries alike: it only has to
    be consistent, and the vector side already covers paraphrase. (No stemmer package is a
    dependency, and bm25s's optional PyStemmer support is not installed.)
    """
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


class Categorical:
    """A text column as sorted distinct values and one small integer code per record.

    Filtering compares integers, so a filter over a million records costs a few milliseconds.
    """

    def __init__(self, values: Sequence[Any]) -> None:
        cleaned = np.array(["" if v is None else str(v) for v in values], dtype=object)
        categories, codes = np.unique(cleaned, return_inverse=True)
        self.categories: list[str] = categories.tolist()
        self.codes = codes.astype(np.int32)

    def __getitem__(self, row: int) -> str:
        return self.categories[self.codes[row]]

    def distinct(self) -> list[str]:
        return [c for c in self.categories if c]

    def isin(self, values: Sequence[str]) -> np.ndarray:
        wanted = set(values)
        table = np.array([c in wanted for c in self.categories], dtype=bool)
        codes = np.flatnonzero(table)
        if codes.size > _FEW_CODES:
            return table[self.codes]
        # A few codes compare faster one by one than any lookup (0.05 ms per code at 1M
        # records against 6 ms for ``np.isin``).
        out = np.zeros(self.codes.size, dtype=bool)
        for code in codes.tolist():
            out |= self.codes == code
        return out

    def tolist(self) -> list[str]:
        return [self.categories[c] for c in self.codes.tolist()]


class KeywordIndex:
    """BM25 scores over every record, and the columns filters are evaluated on."""

    def __init__(
        self,
        bm25: Any,
        voc_ids: list[str],
        texts: list[str],
        columns: Mapping[str, Categorical | np.ndarray],
        vectors: np.ndarray,
    ) -> None:
        self.bm25 = bm25
        self.voc_ids = voc_ids
        self.texts = texts
        # Categorical columns (region, theme, ...) and numeric ones (date, ts, author_reach).
        self.categorical = {k: v for k, v in columns.items() if isinstance(v, Categorical)}
        self.numeric = {k: v for k, v in columns.items() if isinstance(v, np.ndarray)}
        self.vectors = vectors
        self.tokenizer = Tokenizer()

    def __len__(self) -> int:
        return len(self.voc_ids)

    @classmethod
    def build(
        cls,
        voc_ids: list[str],
        texts: list[str],
        meta: Sequence[Mapping[str, Any]],
        vectors: np.ndarray,
    ) -> KeywordIndex:
        import bm25s

        tokenizer = Tokenizer()
        corpus = [tokenizer.tokens(t) or [""] for t in texts]
        bm25 = bm25s.BM25()
        bm25.index(corpus, show_progress=False)
        index = cls(bm25, voc_ids, texts, _columns(meta), vectors.astype(np.float32))
        index.tokenizer = tokenizer
        return index

    def scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """BM25 score of every record and whether it holds any query term."""
        tokens = self.tokenizer.tokens(query)
        ids = self.bm25.get_tokens_ids(tokens)
        n = len(self.voc_ids)
        if not ids:
            return np.zeros(n, dtype=np.float32), np.zeros(n, dtype=bool)
        scores = np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)
        return scores, scores > 0

    def meta(self, row: int) -> dict[str, Any]:
        out: dict[str, Any] = {name: col[row] for name, col in self.categorical.items()}
        out.update((name, int(col[row])) for name, col in self.numeric.items())
        return out

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(directory / "bm25"), show_progress=False)
        columns: dict[str, list[Any]] = {k: v.tolist() for k, v in self.categorical.items()}
        columns.update((k, v.tolist()) for k, v in self.numeric.items())
        records = {"voc_ids": self.voc_ids, "texts": self.texts, "columns": columns}
        (directory / "records.json").write_text(json.dumps(records, ensure_ascii=False))
        np.save(directory / "vectors.npy", self.vectors)

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex:
        import bm25s

        bm25 = bm25s.BM25.load(str(directory / "bm25"), show_progress=False)
        records = json.loads((directory / "records.json").read_text())
        columns = {k: _array(k, v) for k, v in records["columns"].items()}
        # Held in memory up to a size (8k records take 12 MB); larger files are memory-mapped,
        # so a filtered search only pages in the rows it touches.
        path = directory / "vectors.npy"
        big = path.stat().st_size > _MMAP_BYTES
        vectors = np.load(path, mmap_mode="r") if big else np.load(path)
        return cls(bm25, records["voc_ids"], records["texts"], columns, vectors)


def _columns(meta: Sequence[Mapping[str, Any]]) -> dict[str, Categorical | np.ndarray]:
    names = [*CATEGORICAL, "date", "ts", "author_reach"]
    return {name: _array(name, [m.get(name) for m in meta]) for name in names}


def _array(name: str, values: list[Any]) -> Categorical | np.ndarray:
    if name in ("date", "ts", "author_reach"):
        return np.array([v or 0 for v in values], dtype=np.int64)
    return Categorical(values)
