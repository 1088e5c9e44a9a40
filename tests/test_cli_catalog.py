"""``servicelens ingest`` and ``servicelens catalog show|validate`` from the command line."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from servicelens.cli import build_app

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    data = tmp_path / "tickets.csv"
    lines = ["工单号,区域,打开时间,费用,已解决"]
    lines += [
        f'T{i},{"华东" if i % 2 else "华南"},2020/6/{1 + i % 9},"1,{i:03d}",是' for i in range(30)
    ]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    home = tmp_path / "ws"
    result = runner.invoke(build_app(), ["ingest", str(data), "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["tables"][0]["rows"] == 30
    assert report["tables"][0]["types"]["费用"] == "BIGINT"
    return home


def test_catalog_show_and_validate(home: Path) -> None:
    shown = runner.invoke(build_app(), ["catalog", "show", "--home", str(home), "--json"])
    assert shown.exit_code == 0, shown.output
    described = json.loads(shown.output)
    names = {m["name"] for m in described["metrics"]}
    assert {"tickets_count", "avg_费用", "已解决_rate"} <= names
    assert described["dimensions"]["区域"]["values"] == ["华东", "华南"]
    ok = runner.invoke(build_app(), ["catalog", "validate", "--home", str(home), "--json"])
    assert ok.exit_code == 0 and json.loads(ok.output)["ok"]


def test_catalog_validate_reports_broken_metric(home: Path) -> None:
    catalog = home / "catalog.yaml"
    text = catalog.read_text(encoding="utf-8").replace("SUM(", "no_such_function(", 1)
    catalog.write_text(text, encoding="utf-8")
    bad = runner.invoke(build_app(), ["catalog", "validate", "--home", str(home), "--json"])
    assert bad.exit_code == 1
    problems = json.loads(bad.output)["problems"]
    assert problems and problems[0].startswith("metrics.total_")


def test_ingest_usage_errors(home: Path, tmp_path: Path) -> None:
    missing = runner.invoke(
        build_app(), ["ingest", str(tmp_path / "nope.csv"), "--home", str(home)]
    )
    assert missing.exit_code != 0
    bad_meta = runner.invoke(
        build_app(), ["ingest", str(tmp_path / "x.csv"), "--meta", "region", "--home", str(home)]
    )
    assert bad_meta.exit_code != 0


def test_examples_after_ingest_name_this_workspaces_own_metrics(tmp_path: Path) -> None:
    data = tmp_path / "complaints.csv"
    rows = [f"C{i},{'Acme' if i % 3 else 'Zeta'},2020/6/{1 + i % 9}" for i in range(24)]
    data.write_text("编号,品牌,日期\n" + "\n".join(rows) + "\n", encoding="utf-8")
    home = tmp_path / "ws"
    loaded = runner.invoke(build_app(), ["ingest", str(data), "--home", str(home)])
    assert loaded.exit_code == 0, loaded.output
    tried = [line for line in loaded.output.splitlines() if line.startswith("Try: ")]
    described = runner.invoke(build_app(), ["describe", "--home", str(home), "--json"])
    examples = json.loads(described.output)["examples"]
    assert tried and examples and "sla_attainment" not in loaded.output + described.output
    # The suggested command runs as printed, on this workspace.
    argv = [*shlex.split(examples[0])[1:], "--home", str(home), "--json"]
    ran = runner.invoke(build_app(), argv)
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.output)["rows"]


def test_ingest_output_says_what_was_loaded_set_aside_and_derived(tmp_path: Path) -> None:
    data = tmp_path / "log.csv"
    lines = ["number,seq,opened_at,resolved_at,note"]
    lines += [
        f"INC{i % 25},{i},2016/2/{1 + i % 25} 08:00,2016/2/{1 + i % 25} 10:00,n{i}"
        for i in range(50)
    ]
    lines += ["INC3,49,2016/3/1 08:00,?,again"]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    argv = ["ingest", str(data), "--latest-per", "number", "--latest-by", "seq", "--id", "number"]
    result = runner.invoke(build_app(), [*argv, "--home", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "log: Time column: opened_at (when each row was opened); others: resolved_at" in out
    assert "log: one row per number (the latest by seq): 25 of 51 rows" in out
    assert "Catalog entries added:" in out and "avg_hours_opened_at_to_resolved_at" in out
    assert "Left out of the catalog" in out and "log: ids: number (25 distinct of 25 values)" in out


def test_ingest_duplicate_ids_set_aside_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "dup.csv"
    data.write_text("id,what\n1,a\n2,b\n1,c\n", encoding="utf-8")
    home = str(tmp_path / "ws")
    refused = runner.invoke(build_app(), ["ingest", str(data), "--id", "id", "--home", home])
    assert refused.exit_code != 0
    assert "1 id appears more than once: '1' on lines 2 and 4" in str(refused.exception)
    argv = ["ingest", str(data), "--id", "id", "--skip-bad-rows", "--home", home]
    loaded = runner.invoke(build_app(), argv)
    assert loaded.exit_code == 0, loaded.output
    out = " ".join(loaded.output.split())
    assert "dup: set aside 1 row whose id repeats an earlier row's" in out
    assert "dup: 1 row set aside, each with its line and reason" in out
