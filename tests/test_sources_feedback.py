"""Feedback text in a live PostgreSQL table, indexed incrementally: a run reads and embeds only
the rows new or changed since the last one (counted in the embedding cache itself, not only in
the report), search finds the new text, and a full run drops the records of deleted rows.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from cli_support import run_cli
from sources_support import READER, LiveServer

from servicelens import Analyst, Scope
from servicelens.agent.settings import load_settings
from servicelens.agent.sources import open_source
from servicelens.agent.workspace import embedder_for
from servicelens.data.sources.feedback import FeedbackTable, sync_feedback

pytestmark = pytest.mark.slow

TEXTS = [f"Order {i}: the courier left parcel number {i} at the wrong gate" for i in range(20)]


@pytest.fixture
def feedback_table(live: LiveServer) -> Any:
    con = live.admin()
    con.execute(
        "CREATE TABLE feedback_live (fid integer PRIMARY KEY, body text, region text, "
        "created_at timestamp, updated_at timestamp)"
    )
    with con.cursor() as cur:
        cur.executemany(
            "INSERT INTO feedback_live VALUES (%s, %s, 'East', now(), now() - interval '1 day')",
            [(i + 1, text) for i, text in enumerate(TEXTS)],
        )
    con.execute(f"GRANT SELECT ON feedback_live TO {READER}")
    yield con
    con.execute("DROP TABLE feedback_live")
    con.close()


def _cached_vectors(home: Path) -> int:
    with sqlite3.connect(home / "cache" / "embeddings.sqlite") as db:
        return int(db.execute("SELECT count(*) FROM embeddings").fetchone()[0])


def _index(capsys: pytest.CaptureFixture[str], home: Path, *more: str) -> dict[str, Any]:
    import json

    code, out, err = run_cli(capsys, "index", "--source", "live", *more, "--home", str(home),
                             "--json")  # fmt: skip
    assert code == 0, out + err
    return dict(json.loads(out))


@pytest.mark.parametrize("live", ["postgres"], indirect=True)
def test_only_new_and_changed_rows_are_embedded_and_found(
    live: LiveServer,
    feedback_table: Any,
    demo_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "ws"
    shutil.copytree(demo_home, home)
    with open(home / "servicelens.toml", "a", encoding="utf-8") as f:
        f.write(
            f'\n[servicelens.sources.live]\nurl = "{live.reader_url}"\n'
            'feedback_table = "feedback_live"\nfeedback_id = "fid"\n'
            'feedback_updated_at = "updated_at"\nfeedback_text = "body"\n'
            'feedback_created_at = "created_at"\n'
        )
    settings = load_settings(home)
    with Analyst.open(home) as analyst:
        before = len(analyst.workspace.voc.get())  # type: ignore[union-attr]

    # The first run reads every row, a page of 7 at a time, and embeds each text once.
    vectors = _cached_vectors(home)
    spec = FeedbackTable("feedback_live", "fid", "updated_at", "body", "created_at")
    with open_source(settings, "live") as source:
        first = sync_feedback(settings.paths, source, spec, embedder=embedder_for(settings),
                              page=7)  # fmt: skip
    assert (first.read, first.added, first.embedded) == (20, 20, 20)
    assert _cached_vectors(home) - vectors == 20
    assert first.records == before + 20

    # Two rows added, one changed: the next run reads and embeds those three only.
    feedback_table.execute(
        "INSERT INTO feedback_live VALUES (101, 'The zebra-striped thermostat panel cracked', "
        "'East', now(), now()), (102, 'Refund for the quokka blender never arrived', 'North', "
        "now(), now())"
    )
    feedback_table.execute(
        "UPDATE feedback_live SET body = 'The walrus-shaped fan is far too loud at night', "
        "updated_at = now() WHERE fid = 5"
    )
    vectors = _cached_vectors(home)
    second = _index(capsys, home)
    assert (second["read"], second["added"], second["updated"]) == (3, 2, 1)
    assert second["embedded"] == 3 and _cached_vectors(home) - vectors == 3
    assert second["records"] == before + 22
    # Nothing changed: nothing read, nothing embedded.
    third = _index(capsys, home)
    assert (third["read"], third["embedded"]) == (0, 0)

    with Analyst.open(home) as analyst:
        assert analyst.search("zebra thermostat", k=3).hits[0].id == "V:live:101"
        fan = analyst.search("walrus fan loud", k=3).hits[0]
        assert fan.id == "V:live:5" and "walrus" in fan.text
        # The old text of the changed row is gone from the index.
        old = analyst.search("parcel number 4 wrong gate", mode="keyword", k=50).hits
        assert "V:live:4" in {h.id for h in old} and "V:live:5" not in {h.id for h in old}
        # A table other than voc is not one a data scope filters: scoped callers never see it.
        east = analyst.scoped(Scope(rows={"region": ["East"]}))
        assert not [h for h in east.search("zebra thermostat", k=20).hits if "live:" in h.id]

    # A deleted row stays until a full run, which drops it and embeds nothing again.
    feedback_table.execute("DELETE FROM feedback_live WHERE fid = 102")
    assert _index(capsys, home)["records"] == before + 22
    full = _index(capsys, home, "--full")
    assert (full["read"], full["removed"], full["embedded"]) == (21, 1, 0)
    assert full["records"] == before + 21
    with Analyst.open(home) as analyst:
        hits = analyst.search("quokka blender refund", mode="keyword", k=5).hits
        assert hits and "V:live:102" not in {h.id for h in hits}
