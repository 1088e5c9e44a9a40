"""Run golden cases against any provider and score every answer.

One ``Workspace`` (warehouse, catalog, VOC index) is opened once and shared: the warehouse runs
each query on its own cursor and the VOC index locks its engines, so they are safe across
threads (see ``data/warehouse.py``). Each case run gets its own ``Analyst`` with an in-memory
checkpointer, so runs never share a thread or write into the workspace's conversation history.
Providers are made once per worker thread (``offline``, ``openai``) or once per case run from the
case's own script (``scripted``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel, Field

from ..agent.analyst import Analyst
from ..agent.answer import Answer
from ..agent.provider_choice import resolve_provider
from ..agent.providers.base import Provider
from ..agent.providers.scripted import ScriptedProvider, ScriptExhaustedError
from ..agent.settings import Settings, load_settings
from ..agent.workspace import Workspace
from ..data.errors import ServiceLensError
from .cases import Case, GoldenError, expand_case
from .costs import PriceTable, estimate_cost
from .reference import reference_values
from .scorers import Score, ScoreContext, passed, score_answer
from .scripts import script_steps

log = logging.getLogger(__name__)


class TurnResult(BaseModel):
    question: str
    status: str = "error"
    text: str = ""
    tools: list[str] = Field(default_factory=list)
    citations: int = 0
    # The verifier flagged something left unfixed / the answer offered other readings or said
    # nothing fitted well: either way the user was warned, so a miss is not a silent one.
    flagged: bool = False
    hedged: bool = False
    reading: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ms: float = 0.0
    scored: bool = False
    scores: list[Score] = Field(default_factory=list)


class CaseRun(BaseModel):
    case_id: str
    attempt: int
    passed: bool
    skipped: str | None = None
    error: str | None = None
    turns: list[TurnResult] = Field(default_factory=list)
    ms: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = 0.0
    model: str = ""

    def hard_failures(self) -> list[Score]:
        return [s for t in self.turns for s in t.scores if s.hard and not s.passed]


class CaseResult(BaseModel):
    id: str
    category: str
    language: str
    tags: list[str] = Field(default_factory=list)
    question: str
    expected: dict[str, float | None] = Field(default_factory=dict)
    runs: list[CaseRun] = Field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return bool(self.runs) and all(r.skipped for r in self.runs)

    @property
    def passed_all(self) -> bool:
        """pass^k: every repeat passed."""
        return bool(self.runs) and all(r.passed for r in self.runs)


class EvalRun(BaseModel):
    provider: str
    model: str = ""
    golden: list[str] = Field(default_factory=list)
    home: str = ""
    repeat: int = 1
    jobs: int = 1
    filter: str | None = None
    started_at: str = ""
    duration_s: float = 0.0
    prompt_version: str = ""
    data_version: dict[str, str] = Field(default_factory=dict)
    results: list[CaseResult] = Field(default_factory=list)
    # For a language-model endpoint: where it is (host, family) and the quirks its replies
    # showed, counted over the whole run (the model card reads both).
    endpoint: dict[str, str] = Field(default_factory=dict)
    quirks: dict[str, int] = Field(default_factory=dict)


@dataclass
class RunOptions:
    home: Path | None = None
    provider: str = "offline"
    repeat: int = 1
    jobs: int = 1
    prices: PriceTable | None = None
    golden: list[str] = field(default_factory=list)
    filter: str | None = None
    # Extra settings overrides (e.g. openai_base_url for a local endpoint).
    overrides: dict[str, Any] = field(default_factory=dict)


OnRun = Callable[[CaseRun], None]


def run_eval(cases: list[Case], options: RunOptions, on_run: OnRun | None = None) -> EvalRun:
    """Run every case ``options.repeat`` times with ``options.jobs`` threads; score each answer."""
    settings = load_settings(options.home, **options.overrides)
    started = time.time()
    with _shared_workspace(settings, options.provider) as workspace:
        facts = _facts(settings)
        expanded = [expand_case(c, facts) for c in cases]
        reference = Analyst(workspace, ScriptedProvider([]))
        results = [_result(c, reference_values(c, reference)) for c in expanded]
        jobs = [(c, r, k) for c, r in zip(expanded, results, strict=True)
                for k in range(1, options.repeat + 1)]  # fmt: skip
        worker = _Worker(workspace, options)
        with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
            for run, result in pool.map(lambda j: (worker.run(j[0], j[1], j[2]), j[1]), jobs):
                result.runs.append(run)
                if on_run:
                    on_run(run)
        versions = _versions(settings)
    endpoint = _endpoint(settings) if options.provider == "openai" else {}
    for r in results:
        r.runs.sort(key=lambda run: run.attempt)
    models = sorted({run.model for r in results for run in r.runs if run.model})
    return EvalRun(
        provider=options.provider,
        model=", ".join(models),
        golden=options.golden,
        home=str(settings.paths.home),
        repeat=options.repeat,
        jobs=options.jobs,
        filter=options.filter,
        started_at=time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        duration_s=round(time.time() - started, 3),
        results=results,
        endpoint=endpoint,
        quirks=dict(sorted(worker.quirks().items())),
        **versions,
    )


def _endpoint(settings: Settings) -> dict[str, str]:
    from urllib.parse import urlsplit

    from ..agent.providers.probe import endpoint_family

    base = settings.openai_base_url
    return {
        "host": urlsplit(base).netloc if base else "api.openai.com",
        "family": endpoint_family(settings),
    }


def _result(case: Case, expected: dict[str, float | None]) -> CaseResult:
    return CaseResult(
        id=case.id,
        category=case.category,
        language=case.language,
        tags=case.tags,
        question=case.all_turns()[-1].question,
        expected=expected,
    )


@contextmanager
def _shared_workspace(settings: Settings, provider: str) -> Iterator[Workspace]:
    # Runs keep their conversations in memory, never in the workspace's checkpoint file.
    with Workspace.open(settings, checkpointer=InMemorySaver()) as workspace:
        if provider != "scripted":
            resolve_provider(provider, workspace)  # fails early when not configured
        yield workspace


def _facts(settings: Settings) -> dict[str, Any]:
    path = settings.paths.facts
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _versions(settings: Settings) -> dict[str, Any]:
    from ..agent.versions import data_version, prompt_version

    return {
        "prompt_version": prompt_version(),
        "data_version": data_version(settings.paths).model_dump(),
    }


class _Worker:
    def __init__(self, workspace: Workspace, options: RunOptions) -> None:
        self.workspace = workspace
        self.options = options
        self._local = threading.local()
        self._made: list[Provider] = []
        self._lock = threading.Lock()

    def provider(self, case: Case, expected: dict[str, float | None]) -> Provider:
        if self.options.provider == "scripted":
            return ScriptedProvider(script_steps(case, expected))
        if not hasattr(self._local, "provider"):
            self._local.provider = resolve_provider(self.options.provider, self.workspace)
            with self._lock:
                self._made.append(self._local.provider)
        provider: Provider = self._local.provider
        return provider

    def quirks(self) -> Counter[str]:
        """The quirks every provider this worker made has counted (openai only)."""
        total: Counter[str] = Counter()
        for provider in self._made:
            total.update(getattr(provider, "quirks", None) or {})
        return total

    def run(self, case: Case, result: CaseResult, attempt: int) -> CaseRun:
        if self.options.provider == "scripted" and not case.has_script():
            return CaseRun(case_id=case.id, attempt=attempt, passed=False, skipped="no script")
        provider = self.provider(case, result.expected)
        analyst = Analyst(self.workspace, provider, checkpointer=InMemorySaver())
        run = CaseRun(case_id=case.id, attempt=attempt, passed=False)
        started = time.perf_counter()
        try:
            self._turns(analyst, case, result.expected, run)
            if isinstance(provider, ScriptedProvider) and provider.remaining:
                run.error = f"the script has {provider.remaining} unused step(s)"
        except (ServiceLensError, ScriptExhaustedError) as exc:
            # A run that cannot finish is a failed case, not a crashed eval.
            run.error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:
            # Nor is a fault in the code under test: the case fails with it, the others run.
            log.exception("case %s raised", case.id)
            run.error = f"{type(exc).__name__}: {exc}"
        run.ms = round((time.perf_counter() - started) * 1000, 3)
        run.passed = run.error is None and all(passed(t.scores) for t in run.turns)
        run.cost_usd = _cost(self.options, provider, run)
        return run

    def _turns(
        self, analyst: Analyst, case: Case, expected: dict[str, float | None], run: CaseRun
    ) -> None:
        thread = uuid.uuid4().hex
        for turn in case.all_turns():
            answer = analyst.ask(turn.question, thread_id=thread)
            result = _turn_result(turn.question, answer)
            if turn.expect is not None:
                ctx = ScoreContext(
                    expected=expected, ledger=analyst.ledger(thread), language=case.language
                )
                result.scores = score_answer(turn.expect, answer, ctx)
                result.scored = True
            run.turns.append(result)
            run.prompt_tokens += answer.usage.prompt_tokens
            run.completion_tokens += answer.usage.completion_tokens
            run.model = answer.model or run.model


def _turn_result(question: str, answer: Answer) -> TurnResult:
    return TurnResult(
        question=question,
        status=answer.status,
        text=answer.text,
        tools=[t.name for t in answer.trace],
        citations=len(answer.citations),
        flagged=answer.flagged,
        hedged=bool(answer.reading and (answer.reading.alternatives or answer.reading.unsure)),
        reading=answer.reading.line if answer.reading else "",
        prompt_tokens=answer.usage.prompt_tokens,
        completion_tokens=answer.usage.completion_tokens,
        ms=answer.timings.total_ms,
    )


def _cost(options: RunOptions, provider: Provider, run: CaseRun) -> float | None:
    if provider.name in ("offline", "scripted"):
        return 0.0
    return estimate_cost(options.prices, run.model, run.prompt_tokens, run.completion_tokens)


def raise_for_empty(cases: list[Case], expr: str | None) -> None:
    if not cases:
        raise GoldenError(f"No golden case matches the filter {expr!r}.")
