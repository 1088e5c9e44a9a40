"""The golden files: they load, match their JSON Schema, cover what they must, and every
reference SQL runs through the SQL guard on the demo workspace and returns a value."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml
from langgraph.checkpoint.memory import InMemorySaver

from servicelens.agent.analyst import Analyst
from servicelens.data.workspace import WorkspacePaths
from servicelens.evals.cases import (
    DEFAULT_GOLDEN,
    GOLDEN_DIR,
    SCHEMA_PATH,
    Case,
    GoldenError,
    expand_case,
    golden_paths,
    json_schema,
    load_cases,
    load_file,
    schema_text,
    select,
)
from servicelens.evals.reference import reference_values

GOLDEN_FILES = golden_paths([GOLDEN_DIR])
CATEGORIES = {
    "metric_compare", "ranking", "trend", "breakdown", "top_themes", "theme_evidence",
    "peak_times", "influencer", "product_quality", "channel_comparison", "remote_vs_onsite",
    "key_accounts", "what_changed", "gap_analysis", "business_design", "follow_up",
    "unanswerable", "out_of_scope", "prompt_injection",
}  # fmt: skip


def test_golden_folder_holds_the_demo_and_smoke_sets_only() -> None:
    names = {p.name for p in GOLDEN_FILES}
    assert {"demo.yaml", "smoke_scripted.yaml"} <= names
    assert "retrieval.yaml" not in names  # another kind of file lives beside them


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.name)
def test_golden_file_matches_the_json_schema(path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML dates become date objects; the schema sees the JSON form.
    jsonschema.validate(json.loads(json.dumps(raw, default=str)), json_schema())
    assert load_file(path).cases


def test_schema_file_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "Regenerate it: python -m servicelens.evals.cases > evals/golden/schema.json"
    )


def test_demo_set_size_languages_and_categories() -> None:
    cases = load_cases([DEFAULT_GOLDEN])
    assert len(cases) >= 80
    langs = Counter(c.language for c in cases)
    assert langs["zh"] / len(cases) >= 0.4
    assert {c.category for c in cases} >= CATEGORIES
    tags = {t for c in cases for t in c.tags}
    assert {f"fact{i}" for i in range(1, 11)} <= tags
    assert any(len(c.turns) > 1 for c in cases)
    assert {"template:gap_analysis", "template:business_design"} <= tags


def test_every_case_states_its_status() -> None:
    for case in load_cases([GOLDEN_DIR]):
        assert case.expect.statuses(), case.id


def test_malformed_files_are_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: golden_questions\nversion: 1\ncases:\n  - {id: x, language: fr}\n")
    with pytest.raises(GoldenError) as exc:
        load_file(bad)
    assert exc.value.exit_code == 2 and "bad.yaml" in str(exc.value)
    other = tmp_path / "other.yaml"
    other.write_text("version: 1\ncases: []\n")
    with pytest.raises(GoldenError, match="not a golden question file"):
        load_file(other)


def test_typos_in_expectations_are_rejected(tmp_path: Path) -> None:
    typo = tmp_path / "typo.yaml"
    typo.write_text(
        "kind: golden_questions\nversion: 1\ncases:\n"
        "  - {id: x, question: q, language: en, category: c, expect: {statu: answered}}\n"
    )
    with pytest.raises(GoldenError, match="statu"):
        load_file(typo)


def test_filters_select_by_id_category_tag_and_language() -> None:
    cases = load_cases([DEFAULT_GOLDEN])
    assert {c.id for c in select(cases, "mc-*-en")} >= {"mc-install-volume-en"}
    assert {c.category for c in select(cases, "category:influencer")} == {"influencer"}
    assert all("fact3" in c.tags for c in select(cases, "tag:fact3"))
    assert {c.language for c in select(cases, "lang:zh")} == {"zh"}
    both = select(cases, "category:trend,category:ranking")
    assert {c.category for c in both} == {"trend", "ranking"}


def test_placeholders_expand_from_facts() -> None:
    case = Case.model_validate({
        "id": "x", "question": "q", "language": "en", "category": "c",
        "expect": {
            "pii_must_not_appear": ["{pii_samples}", "extra"],
            "required_quote_sources": ["{fact:f1.parameters.ids}"],
            "required_entities": ["{fact:f1.parameters.model}|型号"],
            "numbers": [{"label": "n", "reference_sql":
                         "SELECT 1 FROM t WHERE m = {fact:f1.parameters.model} "
                         "AND id IN {fact:f1.parameters.ids}"}],
        },
    })  # fmt: skip
    facts = {
        "pii_samples": ["a@b.c", "123"],
        "facts": [{"id": "f1", "parameters": {"model": "AC-1", "ids": ["V1", "V2"]}}],
    }
    e = expand_case(case, facts).expect
    assert e.pii_must_not_appear == ["a@b.c", "123", "extra"]
    assert e.required_quote_sources == ["V1", "V2"]
    assert e.required_entities == ["AC-1|型号"]
    assert e.numbers[0].reference_sql.endswith("m = 'AC-1' AND id IN ('V1', 'V2')")
    with pytest.raises(GoldenError, match=r"no value at 'f1\.parameters"):
        expand_case(case, {"facts": []})


def test_every_reference_sql_runs_through_the_guard_and_returns_a_value(demo_home: Path) -> None:
    ws = WorkspacePaths(demo_home)
    facts = json.loads(ws.facts.read_text(encoding="utf-8"))
    with Analyst.open(demo_home, checkpointer=InMemorySaver()) as analyst:
        checked = 0
        for case in load_cases([GOLDEN_DIR]):
            values = reference_values(expand_case(case, facts), analyst)
            for label, value in values.items():
                assert value is not None, f"{case.id}: {label} returned no value"
                checked += 1
    assert checked >= 50


PARAPHRASE_SETS = {
    "held_out": "demo_held_out.yaml", "dev": "demo_dev.yaml", "dev2": "demo_dev2.yaml",
}  # fmt: skip


@pytest.mark.parametrize("tag", sorted(PARAPHRASE_SETS))
def test_paraphrase_sets_reask_every_demo_question_with_its_expectations(tag: str) -> None:
    base = {c.id: c for c in load_cases([DEFAULT_GOLDEN])}
    cases = load_cases([GOLDEN_DIR / PARAPHRASE_SETS[tag]])
    per_case = Counter(c.id.rsplit(".", 1)[0] for c in cases)
    if tag == "held_out":
        assert set(per_case) == set(base) and min(per_case.values()) >= 3
    for case in cases:
        original = base[case.id.rsplit(".", 1)[0]]
        assert tag in case.tags and case.id.rsplit(".", 1)[1].startswith(tag)
        assert case.expect == original.expect and case.category == original.category
        assert case.question != original.question or case.turns


def test_paraphrases_of_unknown_cases_or_with_missing_turns_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(DEFAULT_GOLDEN.read_text(encoding="utf-8"), "utf-8")
    multi = next(c for c in load_cases([DEFAULT_GOLDEN]) if c.turns)
    for body, wanted in (
        ({"no-such-case": ["x"]}, "no case 'no-such-case'"),
        ({multi.id: ["only one turn"]}, "one paraphrase per turn"),
    ):
        path = tmp_path / "base_dev.yaml"
        doc = {"kind": "golden_paraphrases", "version": 1, "base": "base.yaml", "paraphrases": body}
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        with pytest.raises(GoldenError, match=wanted):
            load_file(path)


BANKS = sorted((GOLDEN_DIR / "datasets").glob("*.yaml"))


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.stem)
def test_dataset_banks_say_how_to_build_their_workspace_and_hold_out_a_share(path: Path) -> None:
    bank = load_file(path)
    assert bank.workspace is not None and bank.workspace.ingest
    if bank.workspace.generate is not None:  # a synthetic export of evals/exports.py
        from servicelens.evals.exports import GENERATORS

        assert bank.workspace.generate.name in GENERATORS
    assert len(bank.cases) >= 15
    langs = {c.language for c in bank.cases}
    assert langs <= {"en", "zh"}
    held = [c for c in bank.cases if "held_out" in c.tags]
    # Fresh held-out questions are added over time, so a bank may hold out more than it tunes
    # (a bank written by an independent tester over a generated export is held out entirely).
    assert len(held) / len(bank.cases) >= 0.25
    for case in bank.cases:
        for turn in case.all_turns():
            for number in turn.expect.numbers if turn.expect else []:
                assert number.reference_sql, f"{case.id}: {number.label} has no reference SQL"
