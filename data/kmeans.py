"""Spherical k-means in numpy: seeded, restartable, and quick on a few thousand vectors.

The vectors are L2-normalised, so similarity is a dot product and each centroid is the
normalised mean of its members. Initial centroids are picked k-means++ style from a seeded
generator, so the same vectors and seed always give the same clusters. (scikit-learn's KMeans
would add a large dependency for these few lines, and is Euclidean rather than spherical.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # (n,) cluster index of each vector
    centroids: np.ndarray  # (k, dim), L2-normalised
    score: float  # total similarity of the vectors to their centroids (higher is tighter)


def spherical_kmeans(
    vectors: np.ndarray, k: int, seed: int, *, restarts: int = 3, iterations: int = 40
) -> Clustering:
    """The tightest of ``restarts`` runs from seeded k-means++ starts."""
    if not 1 <= k <= len(vectors):
        raise ValueError(f"k must be between 1 and the number of vectors ({len(vectors)})")
    rng = np.random.default_rng(seed)
    runs = [_run(vectors, _seeds(vectors, k, rng), iterations) for _ in range(restarts)]
    return max(runs, key=lambda c: c.score)


def _seeds(vectors: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++: each next centroid drawn with weight growing with its distance to the chosen."""
    chosen = [int(rng.integers(len(vectors)))]
    distance = np.maximum(1.0 - vectors @ vectors[chosen[0]], 0.0)
    for _ in range(k - 1):
        weights = distance**2
        total = float(weights.sum())
        pick = int(rng.choice(len(vectors), p=weights / total)) if total > 0 else len(chosen)
        chosen.append(pick)
        distance = np.minimum(distance, np.maximum(1.0 - vectors @ vectors[pick], 0.0))
    return vectors[chosen].copy()


def _run(vectors: np.ndarray, centroids: np.ndarray, iterations: int) -> Clustering:
    labels = np.full(len(vectors), -1)
    for _ in range(iterations):
        new_labels = (vectors @ centroids.T).argmax(axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        centroids = _means(vectors, labels, centroids)
    score = float((vectors * centroids[labels]).sum())
    return Clustering(labels, centroids, score)


def _means(vectors: np.ndarray, labels: np.ndarray, previous: np.ndarray) -> np.ndarray:
    members = np.zeros((len(previous), len(vectors)), dtype=vectors.dtype)
    members[labels, np.arange(len(vectors))] = 1.0
    sums = members @ vectors
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    # A cluster that lost every member keeps its old centroid rather than becoming zero.
    return np.where(norms > 0, sums / np.maximum(norms, 1e-12), previous)
