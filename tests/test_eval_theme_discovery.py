"""The theme-discovery eval's scores and dataset loaders (the embedding run itself is README's)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from servicelens.evals.theme_datasets import DEFAULT_ROOT, DatasetMissing, exports
from servicelens.evals.theme_discovery import nmi, purity


def test_nmi_and_purity_on_known_labelings() -> None:
    truth = ["a", "a", "b", "b", "c", "c"]
    assert nmi(["x", "x", "y", "y", "z", "z"], truth) == pytest.approx(1.0)
    assert purity(["x", "x", "y", "y", "z", "z"], truth) == 1.0
    # One cluster for everything says nothing about the labels.
    assert nmi(["x"] * 6, truth) == pytest.approx(0.0)
    assert purity(["x"] * 6, truth) == pytest.approx(2 / 6)
    assert 0.0 < nmi(["x", "x", "x", "y", "y", "y"], truth) < 1.0


def test_a_missing_dataset_folder_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(DatasetMissing, match="--datasets DIR"):
        exports("online_shopping_10_cats_zh", tmp_path, tmp_path, 100, 7)


def test_twcs_labels_are_the_single_or_first_topic_flag(tmp_path: Path) -> None:
    if not (DEFAULT_ROOT / "twcs_support_topics_xlsx").is_dir():
        pytest.skip("twcs_support_topics_xlsx is not in ../shared/datasets")
    single = exports("twcs_support_topics_xlsx", DEFAULT_ROOT, tmp_path, 0, 7)
    first = exports("twcs_support_topics_xlsx", DEFAULT_ROOT, tmp_path, 0, 7, first_flag=True)
    # SOURCE.txt: untagged tweets are 67, 80 and 53 of 200; 36, 53 and 44 carry two or more.
    assert [len(e.labels) for e in single] == [200 - 67 - 36, 200 - 80 - 53, 200 - 53 - 44]
    assert [len(e.labels) for e in first] == [200 - 67, 200 - 80, 200 - 53]
    assert "Delivery" in set(single[0].labels.values())


def test_shopping_sample_is_stratified_and_seeded(tmp_path: Path) -> None:
    if not (DEFAULT_ROOT / "online_shopping_10_cats_zh").is_dir():
        pytest.skip("online_shopping_10_cats_zh is not in ../shared/datasets")
    [one] = exports("online_shopping_10_cats_zh", DEFAULT_ROOT, tmp_path, 200, 7)
    [two] = exports("online_shopping_10_cats_zh", DEFAULT_ROOT, tmp_path / "..", 200, 7)
    assert one.labels == two.labels and len(one.labels) == 200
    assert set(Counter(one.labels.values()).values()) == {20}
