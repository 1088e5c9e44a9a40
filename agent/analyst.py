"""``Analyst``: the library API, and the whole of it. The CLI, the REPL, the HTTP server and the
eval runner call only this and format what it returns.

One analyst holds one opened ``Workspace`` (warehouse, catalog, embedder, VOC index, clock,
checkpointer), one model provider and one compiled graph; it keeps no global state, so several
can live in one process. Questions go through the agent (``ask``, ``stream`` and their async
twins); direct operations (``describe``, ``metric``, ``sql``, ``search``, ``themes``) run the same
tool functions and the same SQL guard the agent uses; conversations are threads read back from
the checkpointer (``threads``, ``thread``, ``ledger``, ``evidence``, ``report``, ``export``,
``delete_thread``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.errors import GraphRecursionError
from langgraph.types import StreamMode

from ..data.errors import ServiceLensError
from ..tools.base import Tool, ToolError
from ..tools.ledger import Evidence, Ledger
from . import threads as thread_views
from .answer import Answer, answer_from_state, cited_ids
from .deps import Deps
from .events import AnswerEvent, ErrorEvent, Event, StatusEvent
from .providers.base import Provider
from .results import (
    DataDescription,
    Report,
    RequestError,
    SearchHit,
    SearchOutput,
    TableResult,
    ThemesOutput,
)
from .settings import Settings, load_settings
from .threads import ThreadSummary, ThreadView
from .toolset import Toolset
from .versions import data_version, prompt_version
from .workspace import Workspace

if TYPE_CHECKING:
    from langgraph.graph.state import CompiledStateGraph

    from ..data.catalog import Catalog
    from ..data.scope import Scope
    from ..data.voc_index import Mode
    from ..tools.chart_spec import ChartSpec
    from .changes import ChangeReport
    from .digest import Audience, Digest, Lang
    from .forecast import ForecastReport
    from .health import HealthReport
    from .retention import PruneReport, Retention
    from .staffing import StaffingReport
    from .warnings import WarningReport

ProviderSpec = Provider | str | None
log = logging.getLogger("servicelens.analyst")
CANCELLED_REASON = "The client went away before the answer was ready; the run was stopped."
STOPPED_REASON = "The run was stopped before the answer was ready."
FAILED_REASON = "The run failed with an internal error before an answer was ready."


class RunCancelled(ServiceLensError):
    """The run was cancelled (its client disconnected) before it finished."""


# Custom events as they happen, and the state after each step (the last one builds the answer).
_STREAM_MODES: list[StreamMode] = ["custom", "values"]


class Analyst:
    def __init__(
        self,
        workspace: Workspace,
        provider: ProviderSpec = None,
        *,
        toolset: Toolset | None = None,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        owns_workspace: bool = False,
    ) -> None:
        from langgraph.checkpoint.memory import InMemorySaver

        self.workspace = workspace
        self.settings = workspace.settings
        self.toolset = toolset or Toolset.default()
        # Without a checkpointer follow-ups could not see earlier turns, so keep them in memory.
        self.checkpointer = checkpointer or workspace.checkpointer or InMemorySaver()
        self._provider_spec = provider
        self._deps: Deps | None = None
        self._graph: CompiledStateGraph[Any, Any, Any, Any] | None = None
        self._lock = threading.Lock()
        self._owned_workspace: Workspace | None = workspace if owns_workspace else None
        self._versions: dict[str, Any] = {
            "prompt_version": prompt_version(),
            "data_version": data_version(workspace.paths),
        }

    @classmethod
    def open(
        cls,
        home: str | Path | None = None,
        *,
        provider: ProviderSpec = None,
        settings: Settings | None = None,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        scope: Scope | None = None,
        **overrides: Any,
    ) -> Analyst:
        """An analyst over the workspace at ``home`` (default from settings).

        The model provider is resolved when the first question is asked, so direct operations
        work whatever model is (or is not) configured. With ``scope`` every question and
        operation sees only the scope's tables and rows (see ``scoped``)."""
        settings = settings or load_settings(home, **overrides)
        workspace = Workspace.open(settings, checkpointer=checkpointer)
        try:
            scoped = workspace.scoped(scope)
        except BaseException:
            workspace.close()
            raise
        analyst = cls(scoped, provider, checkpointer=workspace.checkpointer)
        analyst._owned_workspace = workspace
        return analyst

    def scoped(self, scope: Scope | None) -> Analyst:
        """This analyst as a caller limited to ``scope`` sees it: the same stores, threads and
        model, with the scope (tables, and rows by catalog dimension) compiled into every query
        the caller's questions and operations run, in the data layer, never left to the model.
        Raises ``ScopeError`` when the scope does not fit the catalog."""
        if scope is None or scope.is_empty:
            return self
        workspace = self.workspace.scoped(scope)
        return Analyst(
            workspace, self._provider_spec, toolset=self.toolset, checkpointer=self.checkpointer
        )

    @property
    def scope(self) -> Scope | None:
        """The data scope this analyst answers within; None when it sees everything."""
        compiled = self.workspace.scope
        return compiled.scope if compiled is not None else None

    # --- The agent --------------------------------------------------------------------------------

    @property
    def deps(self) -> Deps:
        """The graph's dependencies; resolving them picks the model provider."""
        with self._lock:
            if self._deps is None:
                from .provider_choice import resolve_provider

                provider = resolve_provider(self._provider_spec, self.workspace)
                self._deps = Deps(self.workspace, provider, self.toolset)
            return self._deps

    @property
    def provider(self) -> Provider:
        return self.deps.provider

    @property
    def graph(self) -> CompiledStateGraph[Any, Any, Any, Any]:
        deps = self.deps
        with self._lock:
            if self._graph is None:
                from .graph import build_graph

                self._graph = build_graph(deps, self.checkpointer)
            return self._graph

    def ask(
        self,
        question: str,
        thread_id: str | None = None,
        *,
        owner: str | None = None,
        cancel: threading.Event | None = None,
    ) -> Answer:
        """Answer one question; raises a ``ServiceLensError`` when the run cannot finish.

        ``owner`` labels who asked (the HTTP server's caller, never a secret); the thread
        records it when it starts, for ``thread_owner``. Setting ``cancel`` (from another
        thread) stops the run at its next step and raises ``RunCancelled``; the thread's turn
        is then "cancelled", as a run that raises leaves it "failed", never "running"."""
        for event in self._events(question, thread_id, owner, cancel):
            if isinstance(event, AnswerEvent):
                return event.answer
        raise AssertionError("the graph finished without an answer")  # a bug, not a user error

    def stream(
        self,
        question: str,
        thread_id: str | None = None,
        *,
        owner: str | None = None,
        cancel: threading.Event | None = None,
    ) -> Generator[Event, None, None]:
        """Events as they happen, ending with an ``AnswerEvent`` or an ``ErrorEvent``."""
        try:
            yield from self._events(question, thread_id, owner, cancel)
        except ServiceLensError as exc:
            yield ErrorEvent(message=str(exc), error_type=type(exc).__name__)

    async def aask(
        self,
        question: str,
        thread_id: str | None = None,
        *,
        owner: str | None = None,
        cancel: threading.Event | None = None,
    ) -> Answer:
        """``ask`` in a worker thread. Cancelling the awaiting task (a client that went away)
        stops the run too: its next step sees ``cancel`` set and ends the turn as cancelled."""
        cancel = cancel or threading.Event()
        run = asyncio.ensure_future(
            asyncio.to_thread(lambda: self.ask(question, thread_id, owner=owner, cancel=cancel))
        )
        try:
            return await asyncio.shield(run)
        except asyncio.CancelledError:
            cancel.set()
            # The worker thread cannot be interrupted; wait for it to record the cancellation.
            with contextlib.suppress(RunCancelled):
                await run
            raise

    async def astream(
        self,
        question: str,
        thread_id: str | None = None,
        *,
        owner: str | None = None,
        cancel: threading.Event | None = None,
        on_end: Callable[[], None] | None = None,
    ) -> AsyncIterator[Event]:
        """``stream`` run in a worker thread, so the event loop is never blocked.

        Closing the iterator early, or setting ``cancel`` (a client that went away; it needs no
        await, so it works inside a cancelled task too), stops the run at its next step.
        ``on_end`` is called from the worker thread once the run has really ended — answered,
        failed or stopped, its turn recorded — however the consuming side ended: the HTTP
        server frees the thread's busy mark there, not when the client goes."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = cancel or threading.Event()
        done = object()

        def work() -> None:
            try:
                events = self.stream(question, thread_id, owner=owner, cancel=stop)
                with contextlib.closing(events):  # a stopped run records why before on_end
                    for event in events:
                        loop.call_soon_threadsafe(queue.put_nowait, event)
                        if stop.is_set():
                            break
            except BaseException as exc:  # handed to the awaiting side, which re-raises it
                loop.call_soon_threadsafe(queue.put_nowait, _Failure(exc))
            finally:
                if on_end is not None:
                    try:
                        on_end()
                    except Exception:
                        log.exception("on_end failed after a run")
                loop.call_soon_threadsafe(queue.put_nowait, done)

        worker = loop.run_in_executor(None, work)
        try:
            while (item := await queue.get()) is not done:
                if isinstance(item, _Failure):
                    raise item.exc
                yield item
        finally:
            stop.set()
            await worker

    def _events(
        self,
        question: str,
        thread_id: str | None,
        owner: str | None,
        cancel: threading.Event | None = None,
    ) -> Iterator[Event]:
        if not question.strip():
            raise ServiceLensError("The question is empty; ask something about your service data.")
        graph, provider = self.graph, self.provider
        thread = thread_id or uuid.uuid4().hex
        started = time.perf_counter()
        yield StatusEvent(stage="started", message=thread)
        values: dict[str, Any] = {}
        from .graph import run_config

        config = run_config(thread, self.settings.recursion_limit, owner)
        try:
            for mode, chunk in graph.stream(
                {"question": question}, config, stream_mode=_STREAM_MODES
            ):
                if mode == "values":
                    values = cast(dict[str, Any], chunk)
                else:
                    yield cast(Event, chunk)
                if cancel is not None and cancel.is_set():
                    raise RunCancelled(CANCELLED_REASON)
        except GraphRecursionError:
            # The nodes stop on their own before the limit; this is the backstop.
            values = {**values, "status": "partial", "limited": "the step limit was reached"}
        except (RunCancelled, GeneratorExit, KeyboardInterrupt) as exc:
            # Stopped on purpose: a client that went away, a consumer that stopped reading,
            # Ctrl-C in the REPL.
            reason = str(exc) if isinstance(exc, RunCancelled) else STOPPED_REASON
            self._end_turn(config, "cancelled", reason)
            raise
        except BaseException as exc:
            # The turn must not read "running" forever: it failed, and says how (no details
            # of a bug reach the thread; the error itself still propagates).
            reason = str(exc) if isinstance(exc, ServiceLensError) else FAILED_REASON
            self._end_turn(config, "failed", reason)
            raise
        answer = answer_from_state(
            values,
            thread_id=thread,
            total_ms=(time.perf_counter() - started) * 1000,
            provider=provider.name,
            as_of=self.workspace.as_of.isoformat(),
            **self._versions,
        )
        yield AnswerEvent(answer=answer)

    def _end_turn(self, config: Any, status: str, reason: str) -> None:
        """Record on the thread that its current turn ended without an answer, and why."""
        update = {"status": status, "ended": reason, "answer_text": ""}
        try:
            self.graph.update_state(config, update, as_node="verify")
        except ServiceLensError as exc:
            # A store that cannot be written says why in a sentence; it must not hide the
            # error that ended the run (often the same one).
            log.warning("could not record the end of a turn: %s", exc)
        except Exception:
            # A thread whose run failed before its first checkpoint has nothing to mark.
            log.warning("could not record the end of a turn", exc_info=True)

    # --- Direct operations: the agent's own tools, without a model --------------------------------

    @property
    def catalog(self) -> Catalog | None:
        return self.workspace.catalog

    @property
    def as_of(self) -> date:
        """This workspace's "today": what "last quarter" and "next month" are counted from."""
        return self.workspace.as_of

    def changes(
        self,
        *,
        period: str = "last quarter",
        metrics: list[str] | None = None,
        by: list[str] | None = None,
        min_n: int = 30,
        fdr: float = 0.05,
    ) -> ChangeReport:
        """The metric moves of ``period`` against the period before that are larger than noise:
        each segment tested (two proportions for rates, Poisson for counts), segments with
        fewer than ``min_n`` records left out, p-values adjusted together (Benjamini–Hochberg)
        and kept at a false discovery rate of ``fdr``."""
        from .changes import detect_changes

        try:
            return detect_changes(self, period=period, metrics=metrics, by=by, min_n=min_n, fdr=fdr)
        except ValueError as exc:
            raise RequestError(str(exc)) from None

    def forecast(
        self,
        metric: str,
        *,
        by: str | None = None,
        where: Mapping[str, Any] | None = None,
        horizon: int | None = None,
        until: str | None = None,
        grain: str = "week",
        backtest: bool = False,
        folds: int = 8,
        top: int = 5,
    ) -> ForecastReport:
        """A forecast of ``metric`` per week or month for ``horizon`` periods, or through
        ``until`` ("next quarter", "下个月", "next 4 weeks"), with 80% and 95% prediction
        intervals; split ``by`` a dimension, one forecast per top value. With ``backtest``, the
        model's error at each step ahead over ``folds`` rolling origins, against the naive and
        seasonal-naive forecasts."""
        from .forecast import forecast_metric

        try:
            return forecast_metric(
                self, metric, by=by, where=where, horizon=horizon, until=until, grain=grain,
                backtest=backtest, folds=folds, top=top,
            )  # fmt: skip
        except ValueError as exc:
            raise RequestError(str(exc)) from None

    def digest(
        self,
        since: str = "7d",
        as_of: date | None = None,
        lang: Lang = "en",
        audience: Audience | None = None,
        *,
        min_n: int = 30,
        fdr: float = 0.05,
    ) -> Digest:
        """What a manager should know about the ``since`` days, weeks or months before
        ``as_of`` (``7d``, ``2w``, ``3m`` or "last quarter"): the significant changes against
        the period before, the forecast, … one section each, every item with its figures, its
        test and its evidence; ``audience`` keeps what that department receives."""
        from .digest import build_digest

        try:
            return build_digest(
                self, since=since, as_of=as_of, lang=lang, audience=audience, min_n=min_n, fdr=fdr
            )
        except ValueError as exc:
            raise RequestError(str(exc)) from None

    def warnings(
        self, as_of: date | str | None = None, *, kinds: list[str] | None = None
    ) -> WarningReport:
        """Early warnings as of ``as_of`` (default: this workspace's today): unanswered
        high-reach or urgent feedback, repeat contacts, rising product problems and SLA misses
        clustering at a time of day, each with who should act, by when, and its evidence. Kinds
        the data cannot support are listed as skipped, with what they need."""
        from .warnings import early_warnings

        try:
            return early_warnings(
                self, as_of=self._day(as_of), rules=self.settings.warnings, kinds=kinds
            )
        except ValueError as exc:
            raise RequestError(str(exc)) from None

    def at(self, as_of: date) -> Analyst:
        """This analyst as of another day: the same open workspace, model and threads, with
        "today" (what periods are counted from) set to ``as_of``."""
        from dataclasses import replace

        view = replace(self.workspace, as_of=as_of, _owned=[])
        return Analyst(
            view, self._provider_spec, toolset=self.toolset, checkpointer=self.checkpointer
        )

    def customer_health(
        self, as_of: date | str | None = None, *, top: int = 10, limit: int = 200
    ) -> HealthReport:
        """A transparent health score per customer (key accounts first) from satisfaction
        trend, NPS, repeat contacts, SLA misses, sentiment and contract renewal, every
        component with its value and weight; ``top`` at-risk customers with their reasons."""
        from .health import customer_health

        try:
            return customer_health(
                self, as_of=self._day(as_of), rules=self.settings.health,
                within_days=self.settings.warnings.repeat.within_days, top=top, limit=limit,
            )  # fmt: skip
        except ValueError as exc:
            raise RequestError(str(exc)) from None

    def staffing(
        self,
        as_of: date | str | None = None,
        *,
        metric: str | None = None,
        where: Mapping[str, Any] | None = None,
        target: float | None = None,
        within_seconds: float | None = None,
        handle_minutes: float | None = None,
        staffed: int | None = None,
    ) -> StaffingReport:
        """Agents needed each hour of next week (Erlang C) to answer ``target`` of contacts
        within ``within_seconds``, from the forecast arrivals, and where to add them."""
        from .staffing import staffing_plan

        changes = {"target": target, "within_seconds": within_seconds,
                   "handle_minutes": handle_minutes}  # fmt: skip
        try:
            rules = self.settings.staffing.model_validate(
                {**self.settings.staffing.model_dump(),
                 **{k: v for k, v in changes.items() if v is not None}}
            )  # fmt: skip
            return staffing_plan(
                self, as_of=self._day(as_of), rules=rules, metric=metric, where=where,
                staffed=staffed,
            )  # fmt: skip
        except ValueError as exc:
            raise RequestError(str(exc)) from None

    def _day(self, value: date | str | None) -> date:
        if value is None:
            return self.as_of
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise RequestError(f"{value!r} is not a date; use YYYY-MM-DD.") from None

    def describe(self) -> DataDescription:
        """The workspace's tables, date coverage, metrics and dimensions."""
        from ..tools.describe_data import TOOL

        content = self._run(TOOL, {}).content
        described = DataDescription.model_validate(content)
        described.examples = self._examples(described)
        return described

    def metric(
        self,
        metrics: str | list[str],
        *,
        by: str | list[str] | None = None,
        where: Mapping[str, Any] | None = None,
        period: str | None = None,
        compare: str | None = None,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> TableResult:
        """Catalog metrics, grouped ``by`` dimensions, filtered, over a period, optionally
        compared with the previous period (``compare="previous"`` or ``"year_ago"``)."""
        from ..tools.query_metric import TOOL

        args = {
            "metrics": [metrics] if isinstance(metrics, str) else list(metrics),
            "group_by": [by] if isinstance(by, str) else list(by or []),
            "filters": dict(where or {}),
            "period": period,
            "compare": compare,
            "order_by": order_by,
            "limit": limit,
        }
        ledger = Ledger()
        result = self._run(TOOL, args, ledger)
        ev = ledger.items[result.evidence_ids[0]]
        return TableResult(
            sql=ev.sql or "", columns=ev.columns, rows=ev.rows, truncated=ev.truncated, meta=ev.meta
        )

    def sql(self, query: str, *, max_rows: int | None = None) -> TableResult:
        """One read-only SELECT through the same guard as the agent's ``run_sql``; a refused
        query raises ``SqlRejected`` with the reason."""
        from ..data.warehouse import plain_value
        from ..tools.run_sql import guarded_query

        warehouse = self._require_warehouse()
        safe_sql, result = guarded_query(warehouse, self.catalog, query, row_cap=max_rows)
        return TableResult(
            sql=safe_sql,
            columns=result.columns,
            rows=[[plain_value(v) for v in row] for row in result.rows],
            truncated=result.truncated,
            row_cap=max_rows or warehouse.limits.row_cap,
            elapsed_ms=round(result.elapsed_ms, 1),
        )

    def search(
        self,
        query: str,
        *,
        where: Mapping[str, Any] | None = None,
        period: str | None = None,
        k: int = 8,
        mode: str = "hybrid",
    ) -> SearchOutput:
        """Hybrid search over customer feedback (``mode``: hybrid, vector or keyword)."""
        from ..tools.search_voc import voc_filters

        modes: dict[str, Mode] = {"hybrid": "hybrid", "vector": "vector", "keyword": "keyword"}
        if mode not in modes:
            raise RequestError(f"Unknown search mode {mode!r}; use hybrid, vector or keyword.")
        index = self.workspace.voc
        if index is None:
            raise RequestError("Customer feedback is not indexed in this workspace.")
        ctx = self.workspace.tool_context(Ledger())
        try:
            filters, _ = voc_filters(ctx, index, dict(where or {}), period)
        except ToolError as exc:
            raise RequestError(str(exc)) from None
        result = index.search(query, filters=filters, k=k, mode=modes[mode])
        hits = [
            SearchHit(id=f"V:{h.voc_id}", score=h.score, text=h.text, meta=h.meta)
            for h in result.hits
        ]
        return SearchOutput(
            query=query,
            mode=result.mode,
            total_matching=result.total_matching,
            keyword_matches=result.keyword_matches,
            hits=hits,
        )

    def themes(
        self,
        *,
        period: str | None = None,
        where: Mapping[str, Any] | None = None,
        top: int = 10,
        quotes: int = 2,
        compare: bool = True,
    ) -> ThemesOutput:
        """Top feedback themes of a slice, with change against the previous period and quotes."""
        from ..tools.voc_themes import TOOL, VocThemesInput

        args: dict[str, Any] = {
            "period": period, "top": top, "quotes_per_theme": quotes, "compare": compare
        }  # fmt: skip
        # The feedback's own columns by name; any other key is a grouping of its source records.
        own = {k: v for k, v in (where or {}).items() if k in VocThemesInput.model_fields}
        records = {k: v for k, v in (where or {}).items() if k not in own}
        content = self._run(TOOL, {**args, **own, "filters": records or None}).content
        return ThemesOutput.model_validate(content)

    def check_catalog(self) -> list[str]:
        """Run every metric and dimension of the catalog; the problems found (empty: sound)."""
        from ..data.ingest.catalog_check import check_catalog

        if self.catalog is None:
            raise RequestError("The workspace has no catalog.yaml yet; ingest data first.")
        return check_catalog(self.catalog, self._require_warehouse())

    def chart(self, thread_id: str, evidence_id: str) -> ChartSpec:
        """A chart of a thread's evidence: a ``C<n>`` chart as made, or a ``Q<n>`` result with
        axes inferred (for the reader only; the thread's evidence is not changed)."""
        from ..tools.chart_spec import spec_of
        from ..tools.make_chart import add_chart

        ledger = self.ledger(thread_id)
        if ledger is None:
            raise RequestError(f"No thread {thread_id!r} in this workspace.")
        ev = ledger.get(evidence_id)
        if ev is not None and ev.kind == "chart" and "spec" in ev.meta:
            return spec_of(ev)
        try:
            return spec_of(add_chart(ledger, evidence_id))
        except ToolError as exc:
            raise RequestError(str(exc)) from None

    # --- Threads ----------------------------------------------------------------------------------

    def threads(self, limit: int = 20) -> list[ThreadSummary]:
        """The most recently used conversation threads, newest first."""
        return thread_views.summaries(self.checkpointer, limit)

    def thread(self, thread_id: str) -> ThreadView | None:
        """A thread's turns (question, answer, status, times, citations); None if unknown."""
        return thread_views.view(self.checkpointer, thread_id)

    def thread_owner(self, thread_id: str) -> str | None:
        """Who started the thread (the ``owner`` it was first asked with): "" when nobody was
        named, None for an unknown thread."""
        return thread_views.owner(self.checkpointer, thread_id)

    def delete_thread(self, thread_id: str) -> bool:
        """Forget a thread: its turns, answers and evidence; False if there was no such thread."""
        return thread_views.delete(self.checkpointer, thread_id)

    def prune_threads(self, retention: Retention | None = None) -> PruneReport:
        """Apply the checkpoint retention (the settings' unless given) to every stored thread:
        old and surplus threads deleted, finished turns compacted to the checkpoints their
        history is read from."""
        from datetime import UTC, datetime

        from .retention import Retention, prune

        retention = retention or Retention.from_settings(self.settings)
        return prune(self.checkpointer, retention, datetime.now(UTC))

    def ledger(self, thread_id: str) -> Ledger | None:
        """The evidence gathered so far in a thread, or None for an unknown thread."""
        return thread_views.ledger(self.checkpointer, thread_id)

    def evidence(self, thread_id: str, evidence_id: str) -> Evidence | None:
        ledger = self.ledger(thread_id)
        return ledger.get(evidence_id) if ledger is not None else None

    def report(self, thread_id: str, *, whole_thread: bool = False) -> Report | None:
        """The thread's latest answer (or every turn) as a Markdown report with its sources;
        None when the thread has no finished answer."""
        from .render.report import answer_document, with_sources

        view, ledger = self.thread(thread_id), self.ledger(thread_id)
        answered = [t for t in view.turns if t.answer] if view is not None else []
        if not answered or ledger is None:
            return None
        last = answered[-1]
        if whole_thread:
            body = "\n".join(f"## {t.question}\n\n{t.answer.strip()}\n" for t in answered)
            markdown = with_sources(body, cited_ids(body), ledger, last.language or "en")
            return Report(markdown=markdown, title=answered[0].question, language=last.language)
        markdown = answer_document(last.question, last.answer, ledger, last.language or "en")
        return Report(markdown=markdown, title=last.question, language=last.language or "en")

    def export(self, answer: Answer | str, path: str | Path, *, whole_thread: bool = False) -> Path:
        """Write an answer (or its thread id) as Markdown or standalone HTML, by the file's
        suffix, with a sources appendix; template documents it cites are included in full."""
        from .render.report import check_report_path, write_report

        check_report_path(Path(path))
        thread_id = answer.thread_id if isinstance(answer, Answer) else answer
        report = self.report(thread_id, whole_thread=whole_thread)
        if report is None:
            raise RequestError(f"Thread {thread_id!r} has no finished answer to export.")
        return write_report(Path(path), report.markdown, title=report.title, lang=report.language)

    # --- Lifecycle --------------------------------------------------------------------------------

    def close(self) -> None:
        if self._owned_workspace is not None:
            self._owned_workspace.close()
            self._owned_workspace = None

    def __enter__(self) -> Analyst:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- Helpers ----------------------------------------------------------------------------------

    def _run(self, tool: Tool[Any], arguments: dict[str, Any], ledger: Ledger | None = None) -> Any:
        ctx = self.workspace.tool_context(ledger if ledger is not None else Ledger())
        try:
            return tool.run(ctx, arguments)
        except ToolError as exc:
            raise RequestError(str(exc)) from None

    def _require_warehouse(self) -> Any:
        if self.workspace.warehouse is None:
            raise RequestError("No warehouse is open in this workspace.")
        return self.workspace.warehouse

    def _examples(self, described: DataDescription) -> list[str]:
        from .examples import metric_examples

        if self.catalog is None:
            return []
        last = {t: d for t, c in described.coverage.items() if (d := _day(c.end)) is not None}
        return metric_examples(self.catalog, last, self.workspace.as_of)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
