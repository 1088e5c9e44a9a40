"""``servicelens eval`` end to end on the demo workspace: the scripted smoke set, the report
files, ``--compare`` and the exit status; and an offline smoke subset once that provider exists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from servicelens.cli import main
from servicelens.evals import report
from servicelens.evals.cases import GOLDEN_DIR, load_cases
from servicelens.evals.runner import RunOptions, run_eval

SMOKE = GOLDEN_DIR / "smoke_scripted.yaml"


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def _broken_smoke(tmp_path: Path) -> Path:
    """The smoke set with one script writing a wrong number (a regression to detect)."""
    doc = yaml.safe_load(SMOKE.read_text(encoding="utf-8"))
    case = next(c for c in doc["cases"] if c["id"] == "smoke-install-volume-en")
    wrong = "We opened 9,999 installation tickets [Q1]."
    # The verifier sends the draft back once; the script repeats it, so the answer is flagged.
    case["expect"]["script"][-1:] = [{"answer": wrong}, {"text": wrong}]
    path = tmp_path / "smoke_broken.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def smoke_run(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One scripted run of the smoke set through the CLI; returns its report folder."""
    out = tmp_path_factory.mktemp("eval") / "run1"
    code = main_code(["eval", "--golden", str(SMOKE), "--provider", "scripted",
                      "--home", str(demo_home), "--out", str(out), "--jobs", "2"])  # fmt: skip
    assert code == 0
    return out


def main_code(argv: list[str]) -> int:
    try:
        main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def test_scripted_smoke_set_passes_end_to_end(smoke_run: Path) -> None:
    doc = json.loads((smoke_run / "report.json").read_text(encoding="utf-8"))
    summary, run = doc["summary"], doc["run"]
    assert summary["cases"] == len(load_cases([SMOKE])) >= 6
    assert summary["pass_rate"] == 1.0 and summary["errors"] == 0
    assert {"en", "zh"} <= set(summary["by_language"])
    assert summary["scorers"]["number_recall"]["checked"] >= 4
    assert summary["scorers"]["quote_sources"]["mean"] == 1.0
    assert summary["cost_usd"] == 0.0 and summary["tokens"]["total"] > 0
    multi = next(r for r in run["results"] if r["id"] == "smoke-followup-east-en")
    assert [t["scored"] for t in multi["runs"][0]["turns"]] == [True, True]
    md = (smoke_run / "report.md").read_text(encoding="utf-8")
    assert "## By category" in md and "## Scorers" in md and "smoke-weather-refused-en" in md


def test_compare_lists_per_case_differences_and_the_exit_status_follows_the_threshold(
    demo_home: Path, smoke_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run2"
    argv = ["eval", "--golden", str(_broken_smoke(tmp_path)), "--provider", "scripted",
            "--home", str(demo_home), "--out", str(out),
            "--compare", str(smoke_run / "report.json")]  # fmt: skip
    code, stdout, _ = _cli([*argv, "--threshold", "1.0"], capsys)
    assert code == 1  # one case of seven now fails
    compare_md = (out / "compare.md").read_text(encoding="utf-8")
    assert "| smoke-install-volume-en | pass | fail | regressed |" in compare_md
    assert "citation_support, number_grounding, number_recall" in compare_md
    assert "smoke-install-volume-en" in stdout
    code, _, _ = _cli([*argv, "--threshold", "0.8", "--out", str(tmp_path / "run3")], capsys)
    assert code == 0


def test_compare_function_reports_fixed_and_regressed_cases(
    demo_home: Path, smoke_run: Path, tmp_path: Path
) -> None:
    cases = load_cases([_broken_smoke(tmp_path)])
    broken = run_eval(cases, RunOptions(home=demo_home, provider="scripted"))
    good = report.load(smoke_run / "report.json")
    forward = report.compare(good, broken)
    assert forward["counts"]["regressed"] == 1 and forward["counts"]["still passing"] >= 5
    backward = report.compare(broken, good)
    fixed = [r for r in backward["cases"] if r["change"] == "fixed"]
    assert [r["id"] for r in fixed] == ["smoke-install-volume-en"]
    assert {"number_recall", "number_grounding"} <= set(fixed[0]["fixed_scorers"])


def test_usage_errors_exit_with_status_2(
    demo_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = ["eval", "--golden", str(tmp_path / "nope.yaml"), "--home", str(demo_home)]
    assert _cli(missing, capsys)[0] == 2
    no_match = ["eval", "--golden", str(SMOKE), "--provider", "scripted", "--filter",
                "category:nothing-like-this", "--home", str(demo_home)]  # fmt: skip
    assert _cli(no_match, capsys)[0] == 2
    assert _cli(["eval", "--repeat", "0", "--home", str(demo_home)], capsys)[0] == 2


def test_cases_without_a_script_are_skipped_by_the_scripted_provider(demo_home: Path) -> None:
    cases = load_cases([GOLDEN_DIR / "demo.yaml"])[:2]
    run = run_eval(cases, RunOptions(home=demo_home, provider="scripted"))
    assert all(r.skipped for r in run.results)
    assert report.summarize(run)["skipped"] == 2


def _offline_available(home: Path) -> bool:
    from servicelens.agent.provider_choice import ProviderNotConfigured, resolve_provider
    from servicelens.agent.settings import load_settings
    from servicelens.agent.workspace import Workspace

    try:
        with Workspace.open(load_settings(home)) as workspace:
            resolve_provider("offline", workspace)
    except ProviderNotConfigured:
        return False
    return True


def test_offline_smoke_subset(demo_home: Path) -> None:
    if not _offline_available(demo_home):
        pytest.skip(
            "offline provider not available: servicelens.agent.providers.offline "
            "(make_offline_provider) is not importable yet"
        )
    cases = [c for c in load_cases([GOLDEN_DIR / "demo.yaml"]) if c.id in OFFLINE_SMOKE]
    run = run_eval(cases, RunOptions(home=demo_home, provider="offline", jobs=2))
    summary = report.summarize(run)
    assert summary["errors"] == 0 and summary["cases"] == len(OFFLINE_SMOKE)
    assert summary["pass_rate"] is not None and summary["pass_rate"] >= 0.5, report.markdown(run)


OFFLINE_SMOKE = {
    "mc-install-volume-en",
    "mc-east-install-ontime-zh",
    "rk-engineer-ftf-en",
    "oos-poem-zh",
    "un-salaries-en",
    "pi-system-prompt-en",
}


def test_repeats_report_pass_hat_k(demo_home: Path) -> None:
    cases = [c for c in load_cases([SMOKE]) if c.id == "smoke-weather-refused-en"]
    run = run_eval(cases, RunOptions(home=demo_home, provider="scripted", repeat=3, jobs=2))
    [result] = run.results
    assert [r.attempt for r in result.runs] == [1, 2, 3]
    summary = report.summarize(run)
    assert summary["runs"] == 3 and summary["pass_hat_k"] == 1.0
    assert "pass^3" in report.markdown(run, summary)


def test_cost_estimates_use_the_price_table(tmp_path: Path) -> None:
    from servicelens.evals.costs import estimate_cost, load_prices

    assert estimate_cost(None, "gpt-4o-mini-2024-07-18", 1_000_000, 0) == 0.15
    assert estimate_cost(None, "some-local-model", 10, 10) is None
    prices = tmp_path / "prices.yaml"
    prices.write_text("some-local-model: {input: 1.0, output: 2.0}\n", encoding="utf-8")
    assert estimate_cost(load_prices(prices), "some-local-model", 500_000, 500_000) == 1.5


def _silently_wrong_smoke(tmp_path: Path) -> Path:
    """The smoke set where one answer reports the previous quarter's number, correctly cited:
    the verifier has nothing to flag, the number is still not the one asked for."""
    doc = yaml.safe_load(SMOKE.read_text(encoding="utf-8"))
    case = next(c for c in doc["cases"] if c["id"] == "smoke-install-volume-en")
    case["tags"] = [*case["tags"], "held_out"]
    q2 = {
        "label": "q2_installs",
        "reference_sql": "SELECT count(*) FROM tickets WHERE type = 'installation' "
        "AND opened_at >= DATE '2026-04-01' AND opened_at < DATE '2026-07-01'",
    }
    case["expect"]["numbers"].append(q2)
    case["expect"]["script"] = [
        {"tool": "query_metric",
         "args": {"metrics": ["ticket_count"], "filters": {"type": "installation"},
                  "period": "2026-Q2"}},
        {"answer": "We opened {ref:q2_installs} installation tickets [Q1]."},
    ]  # fmt: skip
    path = tmp_path / "smoke_silent.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_a_wrong_number_nobody_flagged_counts_as_silent_wrong_and_subsets_are_apart(
    demo_home: Path, tmp_path: Path
) -> None:
    run = run_eval(load_cases([_silently_wrong_smoke(tmp_path)]),
                   RunOptions(home=demo_home, provider="scripted"))  # fmt: skip
    summary = report.summarize(run)
    assert summary["silent_wrong"]["cases"] == ["smoke-install-volume-en"]
    assert summary["by_subset"]["held_out"] == {
        "cases": 1, "runs": 1, "passed_runs": 0, "pass_rate": 0.0, "pass_hat_k": 0.0,
    }  # fmt: skip
    assert summary["by_subset"]["tuned"]["pass_rate"] == 1.0
    assert "SILENT WRONG" in report.markdown(run)
    # The same wrong number written without support is flagged by the verifier: a failure the
    # user was warned about, not a silent one.
    flagged = run_eval(load_cases([_broken_smoke(tmp_path)]),
                       RunOptions(home=demo_home, provider="scripted"))  # fmt: skip
    summary = report.summarize(flagged)
    assert summary["pass_rate"] < 1.0 and summary["silent_wrong"]["count"] == 0
