"""The retrieval eval: its metrics, its golden set, and a run end to end on the sample workspace."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from voc_sample import VOC, build_sample

from servicelens.data.voc_pipeline import index_voc
from servicelens.evals.retrieval import load_cases, ndcg, recall, run_retrieval_eval

DEMO_TOPICS = {
    *("compressor_noise", "noise_other", "leak", "not_cooling_heating", "installation_delay"),
    *("parts_wait", "repeat_visit", "engineer_attitude", "engineer_praise", "no_answer"),
    *("slow_response", "billing_dispute", "remote_fix_praise", "app_problem", "contract_renewal"),
    *("delivery_damage", "safety_hazard", "usage_question", "praise_general", "off_topic"),
    *("hostile", "prompt_injection"),
}


def test_metrics() -> None:
    grades = np.array([2, 1, 0, 0, 2])
    assert ndcg([2, 2, 1], grades, 10) == pytest.approx(1.0)
    assert ndcg([0, 0, 0], grades, 10) == 0.0
    assert 0 < ndcg([1, 2, 2], grades, 10) < 1
    assert recall([2, 0, 1], grades, 10) == pytest.approx(2 / 3)
    assert recall([2, 1], grades, 1) == 1.0  # capped: one slot, one relevant found


def test_golden_set_is_broad_and_uses_true_topics() -> None:
    cases, k = load_cases()
    assert len(cases) >= 40 and k == 10
    assert {c.category for c in cases} >= {"english", "chinese", "cross_language", "code"}
    assert all(set(c.topics) <= DEMO_TOPICS and (c.topics or c.contains) for c in cases)
    assert len({c.id for c in cases}) == len(cases)


def test_runs_end_to_end(tmp_path: Path) -> None:
    ws = build_sample(tmp_path / "ws")
    with ws.voc_labels.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["voc_id", "topic", "lang"])
        writer.writerows((v[0], v[-1], v[6]) for v in VOC)
    index_voc(ws)
    golden = tmp_path / "golden.yaml"
    golden.write_text(
        "k: 10\ncases:\n"
        "  - {id: a, category: code, query: KFR-35GW, contains: {KFR-35GW: 2}}\n"
        "  - {id: b, category: cross, query: 漏水, filters: {lang: en}, topics: {leak: 2}}\n"
        "  - {id: c, category: en, query: volcano, topics: {safety_hazard: 2}}\n",
        encoding="utf-8",
    )
    result = run_retrieval_eval(ws.home, path=golden)
    assert result["queries"] == 2 and result["skipped_no_relevant"] == ["c"]
    assert result["overall"]["hybrid"]["ndcg@10"] == pytest.approx(1.0)
    assert result["overall"]["keyword"]["recall@10"] == pytest.approx(0.5)  # no cross-language
