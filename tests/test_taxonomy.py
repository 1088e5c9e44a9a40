"""The shipped theme taxonomy: valid, bilingual, and resolvable by any of its names."""

from __future__ import annotations

import re

import pytest

from servicelens.data.errors import DataError
from servicelens.data.taxonomy import OTHER, Taxonomy, load_taxonomy
from servicelens.data.transcript import customer_turns
from servicelens.evals.theme_accuracy import TOPIC_THEMES


def test_shipped_taxonomy_is_bilingual_and_complete() -> None:
    tax = load_taxonomy()
    assert 18 <= len(tax) <= 25 and OTHER in tax
    for theme in tax.themes:
        assert theme.en and re.search(r"[\u4e00-\u9fff]", theme.zh)
        if theme.id != OTHER:
            assert len(theme.exemplars_en) >= 5 and len(theme.exemplars_zh) >= 5
    # Every demo topic maps to a theme that exists.
    assert set(TOPIC_THEMES.values()) <= set(tax.ids)


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("noise", "noise"),
        ("噪音", "noise"),
        ("Waiting for parts", "parts_wait"),
        ("parts-wait", "parts_wait"),
        ("等配件", "parts_wait"),
        ("  NOT COOLING  ", "performance"),
        ("远程", "remote_fix_praise"),
        ("其他", "other"),
        ("weather", None),
    ],
)
def test_resolve_by_id_name_or_alias(name: str, want: str | None) -> None:
    tax = load_taxonomy()
    assert tax.resolve(name) == want
    if want:
        assert tax.name(want, "zh") == tax.get(want).zh


def _theme(theme_id: str, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": theme_id,
        "en": theme_id.title(),
        "zh": "主题" + theme_id,
        "description": "d",
        "exemplars": {"en": ["a", "b"], "zh": ["甲", "乙"]},
    }
    return {**base, **extra}


@pytest.mark.parametrize(
    ("themes", "message"),
    [
        ([_theme("noise")], "other"),
        ([_theme("noise"), _theme("noise"), _theme("other")], "twice"),
        ([_theme("Bad Id"), _theme("other")], "snake"),
        ([_theme("noise", aliases=["x"]), _theme("leak", aliases=["x"]), _theme("other")], "both"),
        ([_theme("noise", cues=["(unclosed"]), _theme("other")], "invalid"),
        ([_theme("noise", requires_cue=True), _theme("other")], "requires a cue"),
        ([_theme("noise", exemplars={"en": ["a"]}), _theme("other")], "exemplars"),
    ],
)
def test_invalid_taxonomies_are_rejected(themes: list[dict[str, object]], message: str) -> None:
    with pytest.raises(DataError, match=message):
        Taxonomy.from_mapping({"themes": themes})


def test_customer_turns_drop_agent_lines_only() -> None:
    call = "Agent: Sorry to hear that, how can I help?\nCustomer: the unit leaks\nAgent: Thanks!"
    assert customer_turns(call) == "the unit leaks"
    one_line = "坐席：非常抱歉给您带来不便 用户：空调漏水 坐席：感谢您的耐心"
    assert customer_turns(one_line) == "空调漏水"
    plain = "Re: my fridge\nIt is noisy."
    assert customer_turns(plain) == plain
