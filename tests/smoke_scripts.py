"""The smoke golden cases' scripts, replayed by a scripted model (model card and config tests)."""

from __future__ import annotations

import json
from pathlib import Path

from servicelens.agent.analyst import Analyst
from servicelens.agent.providers.scripted import ScriptedProvider
from servicelens.evals.cases import GOLDEN_DIR, expand_case, load_cases, select
from servicelens.evals.reference import reference_values
from servicelens.evals.scripts import script_steps

SMOKE = GOLDEN_DIR / "smoke_scripted.yaml"


def scripted_smoke(home: Path, pick: str) -> ScriptedProvider:
    """The picked smoke cases' scripts back to back, with their expected numbers filled in."""
    with Analyst.open(home, provider=ScriptedProvider([])) as reference:
        facts_path = reference.workspace.paths.facts
        facts = json.loads(facts_path.read_text(encoding="utf-8")) if facts_path.is_file() else {}
        steps = []
        for case in select(load_cases([SMOKE]), pick):
            case = expand_case(case, facts)
            steps += script_steps(case, reference_values(case, reference))
    return ScriptedProvider(steps)
