"""Golden questions: the YAML format, its pydantic models, the loader and placeholder expansion.

A golden file holds ``kind: golden_questions``, ``version: 1`` and a list of cases. Each case is
a question (or several ``turns`` asked in one conversation thread) with expectations checked by
the deterministic scorers in ``scorers.py``. Numbers are never written into the file: each one
carries a ``reference_sql`` that is run against the workspace at eval time, so a golden set keeps
working when the data is regenerated or reloaded.

Placeholders, expanded by ``expand_case`` against the workspace's facts.json:
- ``{pii_samples}`` as an item of ``pii_must_not_appear`` becomes every seeded PII sample;
- ``{fact:<fact id>.<path>}`` becomes that value of the planted fact (in SQL: a quoted literal,
  a list becomes ``('a', 'b')``); as a whole list item, a list value becomes several items.

``python -m servicelens.evals.cases`` prints the JSON Schema editors use (``golden/schema.json``).
"""

from __future__ import annotations

import fnmatch
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..data.errors import ServiceLensError

GOLDEN_DIR = Path(__file__).parent / "golden"
DEFAULT_GOLDEN = GOLDEN_DIR / "demo.yaml"
SCHEMA_PATH = GOLDEN_DIR / "schema.json"
DEFAULT_AS_OF = date(2026, 11, 1)
KIND = "golden_questions"
PARAPHRASES = "golden_paraphrases"

ExpectedStatus = Literal["answered", "partial", "insufficient_data", "refused", "error"]
_FACT = re.compile(r"\{fact:([A-Za-z0-9_.\-]+)\}")
_PII = "{pii_samples}"


class GoldenError(ServiceLensError):
    """A golden file is missing, malformed, or refers to a fact the workspace does not have."""

    exit_code = 2  # a usage error: the command was pointed at something unusable


class _Strict(BaseModel):
    # Unknown keys are typos in a hand-written file; reject them instead of ignoring them.
    model_config = ConfigDict(extra="forbid")


class Tolerance(_Strict):
    abs: float | None = Field(default=None, ge=0, description="Allowed absolute difference.")
    rel: float | None = Field(
        default=None, ge=0, description="Allowed relative difference (0.01 = 1%)."
    )


class NumberExpectation(_Strict):
    label: str = Field(description="Short name of the number, shown in reports.")
    reference_sql: str = Field(
        description="A read-only SELECT over the workspace whose first cell is the true value; "
        "run through the SQL guard at eval time. May use {fact:...} placeholders."
    )
    kind: Literal["value", "percent", "fraction"] = Field(
        default="value",
        description="percent: the SQL returns 0..100; fraction: 0..1. Either matches a written "
        "percentage or a written ratio (63% = 0.63).",
    )
    tolerance: Tolerance = Field(default_factory=Tolerance)
    absolute: bool = Field(
        default=False,
        description="Compare magnitudes only (a change may be written as 'fell 12%').",
    )


class Expectations(_Strict):
    status: ExpectedStatus | list[ExpectedStatus] | None = Field(
        default=None, description="The answer status, or a list of acceptable ones."
    )
    numbers: list[NumberExpectation] = Field(default_factory=list)
    required_entities: list[str] = Field(
        default_factory=list,
        description="Each must appear in the text; 'East|华东' lists aliases (any one is enough).",
    )
    forbidden_entities: list[str] = Field(
        default_factory=list, description="None may appear; aliases with '|'."
    )
    required_tools: list[str] = Field(
        default_factory=list,
        description="Each must be called; 'query_metric|run_sql' accepts either.",
    )
    forbidden_tools: list[str] = Field(default_factory=list)
    max_tool_calls: int | None = Field(default=None, ge=0)
    min_valid_citations: int = Field(default=0, ge=0)
    required_quote_sources: list[str] = Field(
        default_factory=list,
        description="Each must be matched by a cited VOC record: a source (social, call, …) or "
        "a record id (V:v000123 or a {fact:...} placeholder); '*' is any record.",
    )
    safety: list[str] = Field(
        default_factory=list, description="Canary strings that must never appear in the answer."
    )
    pii_must_not_appear: list[str] = Field(
        default_factory=list, description="PII strings; '{pii_samples}' expands to the seeded ones."
    )
    script: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Scripted-provider steps for this turn: {tool: name, args: {...}}, "
        "{tools: [{name, args}]} or {text: '...'} ({ref:<label>} formats an expected number).",
    )

    def statuses(self) -> list[str]:
        if self.status is None:
            return []
        return [self.status] if isinstance(self.status, str) else list(self.status)


class Turn(_Strict):
    question: str
    expect: Expectations | None = None


class Case(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    question: str | None = Field(default=None, description="A single question; or use turns.")
    turns: list[Turn] = Field(
        default_factory=list, description="Several questions asked in one thread (follow-ups)."
    )
    language: Literal["en", "zh"]
    category: str
    tags: list[str] = Field(default_factory=list)
    as_of: date = DEFAULT_AS_OF
    expect: Expectations = Field(
        default_factory=Expectations, description="Expectations on the (last) answer."
    )
    notes: str = ""

    @model_validator(mode="after")
    def _one_shape(self) -> Case:
        if bool(self.question) == bool(self.turns):
            raise ValueError(f"case {self.id}: give either question or turns, not both or neither")
        return self

    def all_turns(self) -> list[Turn]:
        """Every turn; the case's own ``expect`` applies to the last one."""
        turns = list(self.turns) if self.turns else [Turn(question=self.question or "")]
        last = turns[-1].model_copy(update={"expect": self.expect})
        return [*turns[:-1], last]

    @property
    def first_question(self) -> str:
        return self.question or self.turns[0].question

    def has_script(self) -> bool:
        return any(t.expect and t.expect.script for t in self.all_turns())


class IngestStep(_Strict):
    files: list[str] = Field(description="Files (or globs) in the dataset's folder.")
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="`servicelens ingest` options by long name, underscores for hyphens.",
    )


class GeneratedExport(_Strict):
    """A synthetic export written by ``servicelens.evals.exports`` instead of a public one."""

    name: str = Field(description="The generator, e.g. consumer_complaints_en, citizen_hotline_zh.")
    rows: int | None = Field(
        default=None, ge=50, description="Rows to generate (default: the generator's own size)."
    )


class WorkspaceRecipe(_Strict):
    """How to build the workspace a golden file's cases run against from a public dataset."""

    dataset: str = Field(description="Folder name under the datasets directory.")
    ingest: list[IngestStep]
    as_of: date | None = None
    generate: GeneratedExport | None = Field(
        default=None,
        description="The dataset is synthetic: the bank runner generates it under the "
        "workspaces folder when absent, instead of reading it from the datasets directory.",
    )


class GoldenFile(_Strict):
    kind: Literal["golden_questions"] = "golden_questions"
    version: Literal[1] = 1
    name: str = ""
    description: str = ""
    workspace: WorkspaceRecipe | None = None
    cases: list[Case]

    @field_validator("cases")
    @classmethod
    def _unique_ids(cls, cases: list[Case]) -> list[Case]:
        seen: set[str] = set()
        for c in cases:
            if c.id in seen:
                raise ValueError(f"duplicate case id {c.id!r}")
            seen.add(c.id)
        return cases


def load_file(path: Path) -> GoldenFile:
    raw = _read(path)
    if isinstance(raw, dict) and raw.get("kind") == PARAPHRASES:
        return _paraphrased(Path(path), raw)
    if not isinstance(raw, dict) or raw.get("kind") != KIND:
        raise GoldenError(f"{path} is not a golden question file (it needs kind: {KIND}).")
    from pydantic import ValidationError

    try:
        return GoldenFile.model_validate(raw)
    except ValidationError as exc:
        raise GoldenError(f"Golden file {path} is invalid:\n{exc}") from None


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GoldenError(f"Golden file {path} does not exist.") from None
    except yaml.YAMLError as exc:
        raise GoldenError(f"Golden file {path} is not valid YAML: {exc}") from None


def _paraphrased(path: Path, raw: dict[str, Any]) -> GoldenFile:
    """Cases re-asked in other words: each paraphrase of a base case becomes a case with the
    base case's expectations, tagged with the set it belongs to (``held_out``, ``dev``, …)."""
    base_path = path.parent / str(raw.get("base") or "")
    base = load_file(base_path)
    tag = _subset_tag(path, base_path)
    cases: list[Case] = []
    by_id = {c.id: c for c in base.cases}
    for case_id, paraphrases in (raw.get("paraphrases") or {}).items():
        if case_id not in by_id:
            raise GoldenError(f"{path.name}: no case {case_id!r} in {base_path.name}.")
        for i, text in enumerate(paraphrases, 1):
            cases.append(_reworded(by_id[case_id], text, f"{case_id}.{tag}{i}", tag))
    return GoldenFile(name=f"{base.name}_{tag}", cases=cases, workspace=base.workspace)


def _subset_tag(path: Path, base: Path) -> str:
    if "held_out" in path.stem:
        return "held_out"
    return path.stem.removeprefix(base.stem + "_") or "paraphrase"


def _reworded(case: Case, text: str | list[str], case_id: str, tag: str) -> Case:
    data = case.model_dump()
    data.update(id=case_id, tags=[*case.tags, tag])
    if case.turns:
        if not isinstance(text, list) or len(text) != len(case.turns):
            raise GoldenError(f"{case_id}: give one paraphrase per turn ({len(case.turns)}).")
        data["turns"] = [{**t, "question": q} for t, q in zip(data["turns"], text, strict=True)]
    else:
        data["question"] = str(text)
    return Case.model_validate(data)


def recipe_as_of(paths: list[Path]) -> date | None:
    """The "today" the files' questions were written against, when they say (a bank's
    workspace recipe) and agree."""
    dates = set()
    for path in golden_paths(paths):
        recipe = load_file(path).workspace
        dates.add(recipe.as_of if recipe is not None else None)
    return dates.pop() if len(dates) == 1 else None


def golden_paths(paths: list[Path]) -> list[Path]:
    """Files to load: a directory means its golden files (other YAML there is skipped)."""
    out: list[Path] = []
    for p in paths or [DEFAULT_GOLDEN]:
        if p.is_dir():
            out.extend(f for f in sorted(p.glob("*.y*ml")) if _is_golden(f))
        else:
            out.append(p)
    return out


def _is_golden(path: Path) -> bool:
    # A folder means its question files; paraphrase sets are named explicitly.
    with path.open(encoding="utf-8") as fh:
        head = fh.read(4096)
    return re.search(rf"(?m)^kind:\s*{KIND}\s*$", head) is not None


def load_cases(paths: list[Path]) -> list[Case]:
    cases: list[Case] = []
    seen: set[str] = set()
    for path in golden_paths(paths):
        for case in load_file(path).cases:
            if case.id in seen:
                raise GoldenError(f"Case id {case.id!r} appears in more than one golden file.")
            seen.add(case.id)
            cases.append(case)
    return cases


def select(cases: list[Case], expr: str | None) -> list[Case]:
    """Cases matching a filter: comma-separated terms, any of which may match.

    A term is ``category:X``, ``tag:X``, ``lang:en|zh`` or an id glob (``fact1-*``).
    """
    if not expr:
        return cases
    terms = [t.strip() for t in expr.split(",") if t.strip()]
    return [c for c in cases if any(_matches(c, t) for t in terms)]


def _matches(case: Case, term: str) -> bool:
    key, _, value = term.partition(":")
    if value and key in ("category", "cat"):
        return fnmatch.fnmatch(case.category, value)
    if value and key == "tag":
        return any(fnmatch.fnmatch(t, value) for t in case.tags)
    if value and key in ("lang", "language"):
        return case.language == value
    return fnmatch.fnmatch(case.id, term)


def expand_case(case: Case, facts: dict[str, Any]) -> Case:
    """The case with ``{pii_samples}`` and ``{fact:...}`` placeholders filled from facts.json."""
    return Case.model_validate(_expand(case.model_dump(mode="json"), facts, key=""))


def _expand(node: Any, facts: dict[str, Any], key: str) -> Any:
    if isinstance(node, dict):
        return {k: _expand(v, facts, k) for k, v in node.items()}
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            if item == _PII:
                out.extend(str(s) for s in facts.get("pii_samples", []))
            elif isinstance(item, str) and (m := _FACT.fullmatch(item)):
                value = fact_value(facts, m.group(1))
                out.extend(str(v) for v in value) if isinstance(value, list) else out.append(value)
            else:
                out.append(_expand(item, facts, key))
        return out
    if isinstance(node, str) and "{fact:" in node:
        sql = key == "reference_sql"
        return _FACT.sub(lambda m: _render(fact_value(facts, m.group(1)), sql), node)
    return node


def fact_value(facts: dict[str, Any], path: str) -> Any:
    """``installation_surge.parameters.region`` → the value in facts.json."""
    head, *rest = path.split(".")
    by_id = {f["id"]: f for f in facts.get("facts", [])}
    node: Any = by_id.get(head, facts.get(head))
    for part in rest:
        node = node.get(part) if isinstance(node, dict) else None
    if node is None:
        raise GoldenError(f"facts.json has no value at {path!r}.")
    return node


def _render(value: Any, sql: bool) -> str:
    if not sql:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if isinstance(value, list):
        return "(" + ", ".join(_literal(v) for v in value) + ")"
    return _literal(value)


def _literal(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "'" + str(value).replace("'", "''") + "'"
    return repr(value)


def json_schema() -> dict[str, Any]:
    schema = GoldenFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ServiceLens golden questions"
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
