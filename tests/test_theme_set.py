"""The theme set API, k-means and theme terms: fast checks without the embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from servicelens.data.errors import WorkspaceError
from servicelens.data.kmeans import spherical_kmeans
from servicelens.data.theme_set import (
    ThemeInfo,
    ThemeSet,
    ThemeSource,
    load_theme_set,
    save_theme_set,
)
from servicelens.data.theme_terms import TermReader, cluster_terms
from servicelens.data.workspace import WorkspacePaths

OTHER = ThemeInfo("other", {"en": "Other", "zh": "其他"})


def _discovered() -> ThemeSet:
    themes = (
        ThemeInfo("battery · drain", {"en": "battery · drain"}, ("battery", "drain"), 40),
        ThemeInfo("refund · return", {"en": "refund · return"}, ("refund", "return"), 30),
        OTHER,
    )
    return ThemeSet(ThemeSource.discovered(), themes, content_hash="abc")


def test_a_workspace_without_a_theme_set_reads_as_the_demo_taxonomy(tmp_path: Path) -> None:
    themes = load_theme_set(WorkspacePaths(tmp_path))
    assert themes.source.kind == "taxonomy"
    assert themes.describe().startswith("themes from the demo taxonomy (")
    assert themes.resolve("噪音") == "noise" and themes.resolve("Parts wait") == "parts_wait"
    assert themes.find("客户对压缩机噪音怎么说？") == "noise"
    assert themes.name("noise", "zh") == "噪音异响"
    assert "engineer_praise" in themes.praise


def test_discovered_set_round_trips_and_resolves_names_and_terms(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path)
    save_theme_set(ws, _discovered())
    themes = load_theme_set(ws)
    assert themes == _discovered()
    assert themes.describe() == "themes discovered from the feedback: 2 clusters"
    assert themes.resolve("Battery - Drain") == "battery · drain"
    assert themes.find("What do customers say about refunds and the return window?") == (
        "refund · return"
    )
    assert themes.find("Is the battery draining?") == "battery · drain"
    assert themes.find("How is the weather?") is None
    assert themes.name("other", "zh") == "其他" and not themes.praise
    assert themes.cue_patterns("battery · drain") == ["battery", "drain"]


def test_column_source_says_which_column(tmp_path: Path) -> None:
    source = ThemeSource.from_column("cat", {"reviews": "cat"})
    themes = ThemeSet(source, (ThemeInfo("书籍", {"zh": "书籍"}, records=3), OTHER))
    ws = WorkspacePaths(tmp_path)
    save_theme_set(ws, themes)
    loaded = load_theme_set(ws)
    assert loaded.source == source
    assert loaded.describe() == "themes from the export's column cat (1 values)"
    assert loaded.summary()["kind"] == "column" and loaded.summary()["column"] == "cat"


def test_an_unreadable_theme_set_says_how_to_fix_it(tmp_path: Path) -> None:
    ws = WorkspacePaths(tmp_path)
    ws.themes.write_text("{not json", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="servicelens index --rebuild"):
        load_theme_set(ws)


def test_kmeans_is_seeded_and_finds_separated_groups() -> None:
    rng = np.random.default_rng(1)
    centres = np.eye(8, dtype=np.float32)[:3]
    points = np.repeat(centres, 30, axis=0) + 0.05 * rng.standard_normal((90, 8)).astype("f4")
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    first = spherical_kmeans(points, 3, seed=5)
    again = spherical_kmeans(points, 3, seed=5)
    assert np.array_equal(first.labels, again.labels)
    groups = {tuple(first.labels[i : i + 30]) for i in range(0, 90, 30)}
    assert len(groups) == 3 and all(len(set(g)) == 1 for g in groups)


def test_terms_in_each_language_without_stop_words() -> None:
    reader = TermReader()
    english = reader.terms("The battery drains so fast, @AppleSupport! https://t.co/x [phone]")
    assert {"battery", "drains", "battery drains"} <= english
    assert not english & {"the", "so", "@applesupport", "phone"}
    assert {"物流", "快递"} <= reader.terms("物流太慢了，快递三天才到")
    shipping = ["物流太慢", "物流三天不更新", "快递员态度差，物流慢", "物流一直没动"] * 2
    screen = ["屏幕有坏点", "屏幕发黄", "屏幕太暗，屏幕有划痕"] * 2
    terms = cluster_terms(shipping + screen, [0] * len(shipping) + [1] * len(screen))
    assert set(terms) == {0, 1} and set(terms[0]) == {"zh"}
    assert terms[0]["zh"][0] == "物流" and terms[1]["zh"][0] == "屏幕"


def test_a_discovered_theme_is_not_named_by_a_word_of_asking_alone() -> None:
    themes = ThemeSet(
        ThemeSource.discovered(),
        (ThemeInfo("tell · account · digital", {"en": "tell · account · digital"},
                   ("tell", "account", "digital"), 20), OTHER),
        content_hash="abc",
    )  # fmt: skip
    assert themes.find("Give me the top issues and tell me which is least common.") is None
    assert themes.find("What do they say about the digital account?") == "tell · account · digital"


def test_a_word_of_two_discovered_themes_names_the_one_it_leads() -> None:
    # Themes are listed largest first; the one led by the word is its theme, whatever its size.
    themes = ThemeSet(
        ThemeSource.discovered(),
        (ThemeInfo("韩泰 · 轮胎 · 变速箱", {"zh": "韩泰 · 轮胎 · 变速箱"},
                   ("韩泰", "轮胎", "变速箱"), 60),
         ThemeInfo("变速箱 · 顿挫", {"zh": "变速箱 · 顿挫"}, ("变速箱", "顿挫"), 46), OTHER),
        content_hash="abc",
    )  # fmt: skip
    assert themes.find("车主怎么说变速箱？") == "变速箱 · 顿挫"
    assert themes.find("韩泰轮胎和变速箱的问题") == "韩泰 · 轮胎 · 变速箱"  # more of its words


def test_a_chinese_word_of_asking_names_no_discovered_theme() -> None:
    themes = ThemeSet(
        ThemeSource.discovered(),
        (ThemeInfo("收到 · 客服 · 快递", {"zh": "收到 · 客服 · 快递"},
                   ("收到", "客服", "快递"), 60), OTHER),
        content_hash="abc",
    )  # fmt: skip
    assert themes.find("蒙牛一共收到了多少条差评？") is None
    assert themes.find("客服和快递的评价怎么样？") == "收到 · 客服 · 快递"
