"""``OfflineProvider``: answers the common questions with playbooks instead of a language model.

It implements the provider contract, so it runs through the same graph, tools, citations and
verifier as a model. It keeps no state: each call reads the conversation, understands the
latest question (reusing the previous question's intent for a follow-up such as "and only for
the East?"), replays the playbook against the tool results already there, and either asks for
the next tool calls or — in the write phase, called without tools — writes the answer.
"""

from __future__ import annotations

import json
import logging
import re
from collections import OrderedDict
from datetime import date
from typing import Any

from ...data.catalog import Catalog
from ...data.embeddings import Embedder
from ...data.errors import ServiceLensError, WorkspaceError
from ...data.periods import PeriodReading, read_periods
from ...data.theme_set import ThemeSet
from ..answer import cited_ids
from ..conversation import language_of
from ..providers.base import Declined, ModelTurn, TextDelta, ToolCall, TurnContext, Usage
from ..reading import (
    Alternative,
    ReadingNotes,
    dimension_label,
    every_date_note,
    fallback_note,
    metric_label,
    value_label,
)
from ..workspace import Workspace
from .catalog_choice import Held, default_metric, nearest
from .coverage import Plan, plan
from .findings import Findings
from .grouping import GroupingIndex
from .mentions import rarer_than_ending
from .metric_change import pair_grain
from .narrative import Writer, asks_in_days
from .playbooks import Playbook
from .registry import PLAYBOOKS, out_of_scope_text, unavailable_text
from .slots import asks_to_act, groupable_dimensions
from .transcript import (
    Message,
    call_id,
    current_question,
    earlier_questions,
    turn_results,
    user_turns,
)
from .understand import (
    OUT_OF_SCOPE,
    REFUSED,
    UNAVAILABLE,
    Intent,
    Understander,
    families_where_split,
)
from .unread import unread_note, value_words_note

log = logging.getLogger(__name__)

_CACHE_SIZE = 64
_SENTENCE = re.compile(r"(?<=[.。！？!?])\s+|(?<=[。！？])")
# A follow-up is short; a long question stands on its own even if it starts with "and".
_FOLLOW_UP_MAX_CHARS = 60


class OfflineProvider:
    name = "offline"
    model = "offline-playbooks"

    def __init__(
        self,
        catalog: Catalog,
        embedder: Embedder,
        as_of: date,
        *,
        chunk_chars: int = 48,
        themes: ThemeSet | None = None,
        values: dict[str, list[str]] | None = None,
        quarters: dict[str, dict[str, int]] | None = None,
        held: dict[str, dict[str, list[str]]] | None = None,
        findings: Findings | None = None,
        last_days: dict[str, date] | None = None,
    ) -> None:
        self.catalog = catalog
        # Early warnings and customer health over the workspace, for the playbooks answering
        # from them (``proactive``); None when the provider runs without the warehouse.
        self.findings = findings
        self.as_of = as_of
        unavailable = frozenset(n for n, p in PLAYBOOKS.items() if not p.available(catalog))
        self.understander = Understander(
            catalog, embedder, as_of, themes, unavailable, values, quarters, held, last_days
        )
        self.chunk_chars = chunk_chars
        self._intents: OrderedDict[tuple[str, PeriodReading], Intent] = OrderedDict()

    def complete(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        *,
        on_delta: TextDelta | None = None,
        context: TurnContext | None = None,
    ) -> ModelTurn:
        if context is not None and context.unsupported:
            # The one revision: the draft is the last assistant message before the request.
            revised = _revise(messages, context.unsupported)
            if cited_ids(revised):
                return self._turn(revised, on_delta)
            # Nothing checked is left: said so, rather than an answer with no figures in it.
            w = Writer(lang=context.language, seed="", catalog=self.catalog)
            text = revised.rstrip() + "\n\n" + w.say("revise.nothing_left") + "\n"
            return self._turn(text, on_delta, "insufficient_data")
        try:
            return self._answer(messages, tools, on_delta, context)
        except ServiceLensError:
            raise
        except Exception:
            # A fault in reading one question must not end the conversation or an eval run:
            # the user hears that this question could not be read, and the trace is logged.
            log.exception("the offline analyst could not read a question")
            question, _ = current_question(messages)
            lang = context.language if context is not None else language_of(question)
            w = Writer(lang=lang, seed="", catalog=self.catalog)
            text = "\n\n".join([w.say("header"), w.say("fault.lead")]) + "\n"
            return self._turn(text, on_delta, "refused")

    def _answer(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None,
        on_delta: TextDelta | None,
        context: TurnContext | None,
    ) -> ModelTurn:
        _, start = current_question(messages)
        intent = self.intent_for(messages, context)
        results = turn_results(messages, start)
        playbook = PLAYBOOKS.get(intent.playbook)
        if tools is not None:
            calls = plan(playbook, intent, results).calls if playbook else {}
            if calls:
                return self._calls(calls, len(user_turns(messages)))
            return self._turn("Evidence gathered; writing the answer.", None)
        text, status = self.write(intent, results)
        missed, p = None, None
        if playbook is not None:
            p = plan(playbook, intent, results)
            missed = p.missed if not p.uncovered else None
        notes = reading_notes(
            intent, self.catalog, missed, self.understander.grouping, self.understander.held
        )
        if p is not None and intent.playbook == "mentions":
            notes = _ending_note(p.intent, p.results, notes)
        return self._turn(text, on_delta, status, notes)

    def intent_for(self, messages: list[Message], context: TurnContext | None = None) -> Intent:
        """The current question's intent; a follow-up carries the earlier question's over. The
        period is the graph's (``context``), resolved once per turn; without a context (a
        direct call) it is read from the question."""
        question, _ = current_question(messages)
        if context is not None:
            # Whether the span was said unit by unit is the question's wording, read here.
            listed = context.period is not None and context.period.kind == "span"
            listed = listed and read_periods(question, self.as_of).listed
            periods = PeriodReading(context.period, context.comparison, context.all_data, listed)
        else:
            periods = read_periods(question, self.as_of)
        intent = self.understand(question, periods)
        if _looks_like_follow_up(intent):
            for earlier in earlier_questions(messages):
                base = self.understand(earlier, PeriodReading())
                if base.playbook != OUT_OF_SCOPE and not _looks_like_follow_up(base):
                    intent = merge(base, intent)
                    break
        intent.findings = self.findings
        return intent

    def understand(self, question: str, periods: PeriodReading) -> Intent:
        """The intent of one question, cached: the graph asks several times per turn."""
        key = (question, periods)
        if key in self._intents:
            self._intents.move_to_end(key)
            return self._intents[key]
        intent = self.understander.understand(question, periods)
        families_where_split(intent)
        self._intents[key] = intent
        if len(self._intents) > _CACHE_SIZE:
            self._intents.popitem(last=False)
        return intent

    def write(self, intent: Intent, results: dict[str, Any]) -> tuple[str, Declined | None]:
        """The answer text, and whether it declines ("insufficient_data", "refused")."""
        writer = Writer(
            lang=intent.language,
            seed=intent.question,
            catalog=self.catalog,
            days=asks_in_days(intent.question),
        )
        playbook: Playbook | None = PLAYBOOKS.get(intent.playbook)
        if intent.playbook == UNAVAILABLE:
            return unavailable_text(writer, self.catalog, intent), "insufficient_data"
        if intent.playbook == REFUSED:
            return "\n\n".join([writer.say("header"), writer.say("refuse.lead")]) + "\n", "refused"
        if playbook is None:
            return out_of_scope_text(writer, self.catalog), "refused"
        for res in results.values():
            content = getattr(res, "content", None)
            if isinstance(content, dict) and isinstance(content.get("period"), str):
                # A metric over every record ("all data"): a period the writers can name.
                content["period"] = {"label": writer.say("period.all")}
        write_plan(plan(playbook, intent, results), playbook, writer)
        if asks_to_act(intent.question):
            writer.coverage.append(writer.say("ignored.instructions"))
        return writer.render(), writer.declined

    def _calls(self, calls: dict[str, tuple[str, dict[str, Any]]], turn: int) -> ModelTurn:
        tool_calls = [
            ToolCall(
                id=call_id(tag, turn),
                name=name,
                arguments=args,
                raw_arguments=json.dumps(args, ensure_ascii=False),
            )
            for tag, (name, args) in calls.items()
        ]
        return ModelTurn(
            tool_calls=tool_calls, usage=Usage(), model=self.model, finish_reason="tool_calls"
        )

    def _turn(
        self,
        text: str,
        on_delta: TextDelta | None,
        status: Declined | None = None,
        reading: ReadingNotes | None = None,
    ) -> ModelTurn:
        if on_delta:
            for i in range(0, len(text), self.chunk_chars):
                on_delta(text[i : i + self.chunk_chars])
        return ModelTurn(
            text=text,
            usage=Usage(),
            model=self.model,
            finish_reason="stop",
            status=status,
            reading=reading,
        )


def reading_notes(
    intent: Intent,
    catalog: Catalog,
    missed: str | None = None,
    grouping: GroupingIndex | None = None,
    held: Held | None = None,
) -> ReadingNotes | None:
    """Other readings worth one click: a metric the question's words fitted nearly as well, or,
    when it named none, the next headline metrics (as follow-ups the thread understands); and
    why the answer covers all the data when the default period held none."""
    note = fallback_note(missed, intent.language) if missed else ""
    if intent.thin_default:
        note = fallback_note(intent.thin_default, intent.language, thin=True)
    elif not note and intent.all_by_default and intent.period is None and not intent.follow_up:
        note = every_date_note(intent.language)
    doubt, by_dims = grouping_doubt(intent, catalog, grouping)
    aside = set_aside_note(intent, catalog)
    alone = one_group_note(intent, catalog, held or {})
    notes = (
        aside, alone, quotes_for_a_number(intent), uncued_note(intent, catalog),
        per_record_note(intent), doubt, unread_note(intent.unread, intent.language),
        value_words_note(intent.value_words, intent.language),
        year_note(intent), undated_note(intent, catalog),
    )  # fmt: skip
    sibling, retry = _sibling_note(intent, catalog)
    doubt = " ".join(d for d in (*notes, sibling) if d)
    pair = _compared_pair(intent)
    if not intent.alternatives and not doubt:
        if pair is not None:
            return ReadingNotes(period_note=note, compared=pair)
        return ReadingNotes(period_note=note) if note else None
    alternatives = []
    for name in intent.alternatives:
        label = metric_label(catalog, name, intent.language)
        question = f"那{label}呢？" if intent.language == "zh" else f"And for {label}?"
        alternatives.append(Alternative(question=question, reading=label))
    if retry is not None:
        alternatives.append(retry)
    for dim in by_dims:
        label = dimension_label(catalog, dim, intent.language)
        question = f"按{label}看呢？" if intent.language == "zh" else f"And by {label}?"
        alternatives.append(Alternative(question=question, reading=label))
    return ReadingNotes(
        alternatives=alternatives, period_note=note, doubt=doubt, unsure=bool(doubt),
        compared=pair,
    )  # fmt: skip


def _sibling_note(intent: Intent, catalog: Catalog) -> tuple[str, Alternative | None]:
    """What the answer says of words said beside a value read that name no value of its
    column, and the question asked again with the column's nearest value, when there is one."""
    if intent.sibling_unread is None:
        return "", None
    words, dim, near = intent.sibling_unread
    column = dimension_label(catalog, dim, intent.language)
    if intent.language == "zh":
        said = f"“{column}”中没有与“{words}”对应的取值，以下回答没有包括它。"
        if near:
            said += f"最接近的取值是“{near}”。"
    else:
        said = f"No value of {column} matches “{words}”; the answer below leaves it out."
        if near:
            said += f" The nearest value is “{near}”."
    if not near:
        return said, None
    question = intent.question.replace(words, near, 1)
    return said, Alternative(question=question, reading=f"{column}: {near}")


def _ending_note(intent: Intent, results: Any, notes: ReadingNotes | None) -> ReadingNotes | None:
    """ "车辆抖动" said word for word by few records, "抖动" by many: the count keeps the words
    asked, and the answer says so and offers the ending as the question asked again."""
    found = rarer_than_ending(intent, results)
    if found is None:
        return notes
    term, ending = found
    if intent.language == "zh":
        said = f"原文逐字写“{term}”的记录很少，写“{ending}”的多得多，可能是同一件事的简短说法。"
        reading = f"提到“{ending}”"
    else:
        said = (
            f"Few records say “{term}” word for word; many more say “{ending}”, which may be "
            "the same thing said shorter."
        )
        reading = f"mentioning “{ending}”"
    notes = notes or ReadingNotes()
    notes.alternatives.append(
        Alternative(question=intent.question.replace(term, ending, 1), reading=reading)
    )
    notes.doubt = " ".join(d for d in (notes.doubt, said) if d)
    notes.unsure = True
    return notes


def _compared_pair(intent: Intent) -> tuple[str, str] | None:
    """The two periods a change compares when they are read as rows of one query."""
    if intent.playbook != "metric_change" or intent.group_by or not intent.compare:
        return None
    if intent.whole_data or pair_grain(intent) is None:
        return None
    assert intent.period is not None and intent.comparison is not None
    return intent.period.label, intent.comparison.label


def year_note(intent: Intent) -> str:
    """A month or quarter named without a year, read in the latest year the data holds it."""
    if not intent.year_read:
        return ""
    if intent.language == "zh":
        return f"问题没有说明年份，这里按数据中最近有记录的{intent.year_read}年理解。"
    return f"No year was named; read as {intent.year_read}, the latest year the data holds it."


def quotes_for_a_number(intent: Intent) -> str:
    """Records quoted for a question that asks how many: nothing in the data measured what it
    asks, and the answer says so instead of passing the quotes off as the answer."""
    shape = intent.shape
    if intent.playbook != "voc_evidence" or shape.has("quotes"):
        return ""
    if not (shape.has("count") or shape.has("share") or _ASKS_A_FIGURE.search(intent.question)):
        return ""
    if intent.language == "zh":
        return "问题问的是数量，但数据中没有与其措辞相符的度量；以下只是最相关的原话，不是答案。"
    return (
        "The question asks for a number, but no measure in the data matched its words; the "
        "records below are the closest ones, not an answer."
    )


# Words that ask for a figure though no count or share is named: how often, which has more.
_ASKS_A_FIGURE = re.compile(
    r"(?i)\bhow (?:often|frequently)\b|\b(?:which|who|whose)\b.{0,60}\b(?:more|less|fewer)"
    r"\b(?! than)|多常|多频繁|(?:谁|哪个|哪家|哪一个).{0,20}更(?:多|少|高|低|常|频繁)"
)
# "Replies that carry more than one action": a count per record the reading did not make.
_PER_RECORD = re.compile(
    r"(?i)\b(?:more than one|two or more|2 or more|at least (?:two|2)|multiple|several)\s+"
    r"(?:[a-z-]+\s+){0,2}?([a-z-]+s|[a-z-]+)\b"
    r"|(?:两个或更多|两个以上|至少两个|多个)([\u4e00-\u9fff]{1,4})"
)


def per_record_note(intent: Intent) -> str:
    """A count per record asked ("more than one action") that the reading did not make: the
    figures are of all the records, and the answer says so rather than passing them off."""
    if intent.label_depth is not None or intent.playbook not in _COUNTED_PLAYBOOKS:
        return ""
    m = _PER_RECORD.search(intent.question)
    # "Multiple times" asks about repeats, which a catalog measures as such when it can.
    if m is None or (m.group(1) or m.group(2) or "").startswith(("time", "次")):
        return ""
    said = m.group(0).strip()
    if intent.threshold is not None and said.lower() in intent.threshold.said.lower():
        return ""  # "more than one reply": the number of items a list cell holds, compared
    if intent.language == "zh":
        return f"问题问的是“{said}”的记录，但数据中没有逐条统计这一点的字段；以下数字是全部记录的。"
    return (
        f"The question asks about records with “{said}”, but nothing in the data counts that "
        "per record; the figures below are of all the records."
    )


_EVENT_NOUNS = {
    "resolve": ("resolution", "解决"),
    "close": ("closing", "关闭"),
    "response": ("reply", "回复"),
}


def undated_note(intent: Intent, catalog: Catalog) -> str:
    """A count by an event the data does not date: the records of the period are counted by
    their own date, and the answer says so rather than passing them off as the events."""
    if intent.undated_event is None or not intent.metrics:
        return ""
    en, zh = _EVENT_NOUNS.get(intent.undated_event, (intent.undated_event, intent.undated_event))
    spec = catalog.tables.get(catalog.metrics[intent.metrics[0]].table)
    own = (spec.time_column or "") if spec is not None else ""
    if intent.language == "zh":
        return f"数据中没有记录{zh}的日期，以下按记录自身的日期（{own}）统计该时段的记录。"
    return (
        f"The data records no {en} date, so the records below are counted by their own date "
        f"({own.replace('_', ' ')}), not by when the {en} happened."
    )


_COUNTED_PLAYBOOKS = ("metric_change", "ranking", "breakdown", "trend", "share_of")


def uncued_note(intent: Intent, catalog: Catalog) -> str:
    """Labels ranked from one of several tables that fit equally, none of the question's words
    choosing (customers' tweets or agents' replies): said, and the other offered."""
    if not intent.uncued or not intent.metrics:
        return ""
    lang = intent.language
    used = metric_label(catalog, intent.metrics[0], lang)
    other = "、".join(metric_label(catalog, m, lang) for m in intent.uncued)
    if lang == "zh":
        return f"问题没有说明是哪类记录，这里用的是{used}；也可以看{other}。"
    return (
        f"The question does not say whose records these are; this uses {used}, and {other} is "
        "offered below."
    )


def one_group_note(intent: Intent, catalog: Catalog, held: Held) -> str:
    """A ranking or split by a dimension that has one value in the measured table, while other
    tables hold its other values (one export per company, each loaded as its own table): the
    groups cannot be compared from this table, and the answer says how to make them so."""
    dim = intent.group_by
    if intent.playbook not in ("ranking", "breakdown") or not dim or dim not in held:
        return ""
    if intent.parallel or intent.groups_unmeasured:
        # The other groups' tables are measured beside it, or said to lack the measure.
        return ""
    metric = intent.metrics[0] if intent.metrics else default_metric(catalog, dim, intent.filters)
    if metric not in catalog.metrics:
        return ""
    near = nearest(catalog, catalog.metrics[metric].table, held[dim])
    own = {v for t in near for v in held[dim][t]}
    others = sorted({v for vs in held[dim].values() for v in vs} - own)
    if len(own) != 1 or not others:
        return ""
    label = dimension_label(catalog, dim, intent.language)
    one = next(iter(own))
    if intent.language == "zh":
        return (
            f"{metric_label(catalog, metric, 'zh')}所在的表只有一个{label}（{one}），"
            f"{'、'.join(others[:5])}的记录在其他表里，无法在此比较；"
            f"用 `servicelens ingest --table 名称 文件…` 把这些文件载入同一张表后再比较。"
        )
    return (
        f"The table {metric_label(catalog, metric, 'en')} is measured on holds one {label} "
        f"({one}); the records of {', '.join(others[:5])} are in other tables, so they are not "
        f"compared here. Load the files into one table (`servicelens ingest --table NAME "
        f"FILES…`) to compare them."
    )


def set_aside_note(intent: Intent, catalog: Catalog) -> str:
    """What the answer says of values it could not filter by (another kind of record)."""
    if not intent.set_aside:
        return ""
    zh = intent.language == "zh"
    values = [value_label(catalog, d, v, intent.language) for d, v in intent.set_aside]
    measured = [metric_label(catalog, m, intent.language) for m in intent.metrics]
    if zh:
        return f"“{'、'.join(values)}”不适用于{'、'.join(measured)}，未按它筛选。"
    said = ", ".join(f"“{v}”" for v in values)
    return f"{said} does not apply to {' and '.join(measured)}, so it was not used as a filter."


def grouping_doubt(
    intent: Intent, catalog: Catalog, index: GroupingIndex | None
) -> tuple[str, list[str]]:
    """What the answer says when the grouping the question named was read by meaning only, or
    fits no dimension (the answer then groups by another, and offers the nearest ones)."""
    guess, zh = intent.grouping, intent.language == "zh"
    if intent.group_by is None:
        return _ungrouped_doubt(intent, index)
    used = dimension_label(catalog, intent.group_by, intent.language)
    named = intent.slots.dimensions or intent.slots.compared
    if guess is None and not named and intent.playbook in ("ranking", "breakdown"):
        # The question names no grouping at all: the catalog's first one is used, and said.
        others = [d for d in groupable_dimensions(catalog) if d != intent.group_by][:_NEAREST]
        if zh:
            return f"问题中没有指明分组，下面按“{used}”分组。", others
        return f"The question names no grouping, so this is by {used}.", others
    if guess is None or (guess.dimension is None and named):
        # Words that fit no grouping beside one the question names ("哪个工单最多" by 优先级).
        return "", []
    if guess.dimension is not None:
        if not guess.by_meaning or guess.dimension != intent.group_by:
            return "", []
        if zh:
            return f"把“{guess.phrase}”理解为“{used}”。", []
        return f"Read “{guess.phrase}” as {used}.", []
    if intent.playbook not in ("ranking", "breakdown"):
        return "", []
    near = [d for d, _ in index.nearest(guess.phrase)] if index is not None else []
    near = [d for d in near if d != intent.group_by][:_NEAREST]
    if zh:
        return f"数据中没有与“{guess.phrase}”对应的分组。", near
    return f"No grouping in this data matches “{guess.phrase}”.", near


_NEAREST = 3
# Words that name measures, not groups ("which metrics", "哪些指标").
_MEASURE_NOUN = re.compile(
    r"(?i)数据|指标|KPI|数字|\bmetrics?\b|\bmeasures?\b|\bnumbers?\b|\bfigures?\b"
)


def _ungrouped_doubt(intent: Intent, index: GroupingIndex | None) -> tuple[str, list[str]]:
    """ "How many mention a loan modification, and which servicer are most of them against",
    with nothing in the data called a servicer: the figure is given without the grouping, and
    the answer says so (with the nearest groupings to ask by) instead of leaving it out
    silently. Rankings say it themselves (``ranking._grouping_missing``)."""
    guess = intent.grouping
    if guess is None or guess.dimension is not None or not guess.phrase:
        return "", []
    if intent.playbook in ("ranking", "breakdown") or intent.slots.dimensions:
        return "", []
    if intent.slots.compared or intent.playbook == UNAVAILABLE:
        return "", []
    phrase = re.escape(guess.phrase)
    if not re.search(rf"(?i)\bwhich\s+{phrase}|哪[一个种类家位款]{{0,2}}{phrase}", intent.question):
        return "", []  # only a grouping asked for by "which"; "各要多少天" names none
    if _MEASURE_NOUN.search(guess.phrase):
        return "", []  # "哪些数据波动最大", "which KPIs moved": measures, not a grouping
    near = [d for d, _ in index.nearest(guess.phrase)][:_NEAREST] if index is not None else []
    if intent.language == "zh":
        return f"数据中没有与“{guess.phrase}”对应的分组，因此下面没有按它分开。", near
    said = f"No grouping in this data matches “{guess.phrase}”"
    return f"{said}, so the figure is not split by it.", near


def _revise(messages: list[Message], spans: tuple[str, ...]) -> str:
    """The draft without the sentences holding what the verifier could not support."""
    draft = str(messages[-2].get("content") or "")
    # A span is found as written, not inside a longer number ("2" is not in "62,773").
    found = [re.compile(rf"(?<![\w.,]){re.escape(sp)}(?!\w|[.,]\d)") for sp in spans]
    kept_lines = []
    for line in draft.split("\n"):
        parts = [s for s in _SENTENCE.split(line) if not any(f.search(s) for f in found)]
        if parts or not line.strip():
            kept_lines.append(" ".join(parts))
    return "\n".join(kept_lines)


def write_plan(p: Plan, playbook: Playbook, w: Writer) -> None:
    """The playbook's answer, or what the data covers when the question's period is outside it."""
    span = p.span or ("", "")
    if p.uncovered:
        w.lead.append(w.say("coverage.uncovered", missed=p.missed, start=span[0], end=span[1]))
        w.status = "insufficient_data"
        return
    playbook.write(p.intent, p.results, w)
    if p.intent.compare_missing and w.status == "answered":
        w.lead.insert(0, w.say("coverage.no_comparison", missed=p.intent.compare_missing))
        w.status = "partial"
    if p.intent.groups_unmeasured and w.status == "answered":
        # "Spotify's and Apple's tweets about their account": Apple's carry no such column.
        missed = p.intent.groups_unmeasured
        w.lead.insert(0, w.say("coverage.group_unmeasured", missed=missed))
        w.status = "partial"
    if p.missed:
        w.lead.insert(0, w.say("coverage.fallback", missed=p.missed, start=span[0], end=span[1]))


def _looks_like_follow_up(intent: Intent) -> bool:
    """A short question that leans on the one before: it says so ("and for…", "那…呢"), or it
    names a slice, a split or a period but nothing to measure."""
    if len(intent.question) > _FOLLOW_UP_MAX_CHARS:
        return False
    if intent.follow_up or intent.playbook == OUT_OF_SCOPE:
        return True
    if intent.metrics or intent.template or intent.playbook in ("unavailable", "refused"):
        return False
    named = intent.filters or intent.slots.dimensions or intent.slots.compared
    return bool(named or intent.period or intent.shape.shapes)


_METRIC_PLAYBOOKS = ("metric_change", "ranking", "breakdown", "trend")
# A follow-up that asks for one of these itself ("show me quotes on that") keeps its own ask.
_OWN_ASK = ("voc_evidence", "voc_themes", "trend", "ranking", "breakdown")


def merge(base: Intent, new: Intent) -> Intent:
    """The earlier question's intent with the follow-up's slots laid over it."""
    slots = base.slots.__class__(
        metrics=new.slots.metrics or base.slots.metrics,
        dimensions=new.slots.dimensions or base.slots.dimensions,
        filters={**base.slots.filters, **new.slots.filters},
        model=new.slots.model or base.slots.model,
    )
    period, comparison = new.period or base.period, new.comparison or base.comparison
    if _compares_back(base, new):
        # "华东呢？跟二季度比如何？": the earlier period is what to compare the thread's with.
        period, comparison = base.period, new.period
    own = bool(new.shape.shapes) and new.playbook in _OWN_ASK and new.playbook != base.playbook
    return Intent(
        playbook=new.playbook if own else base.playbook,
        language=new.language,
        confidence=base.confidence,
        question=new.question,
        slots=slots,
        period=period,
        comparison=comparison,
        all_data=new.all_data or (base.all_data and new.period is None),
        theme=new.theme or base.theme,
        order=base.order,
        compare=base.compare or new.compare,
        follow_up=True,
        as_of=base.as_of,
        catalog=base.catalog,
        themes=base.themes,
    )


def _compares_back(base: Intent, new: Intent) -> bool:
    """A follow-up naming only an earlier period to compare the thread's period with."""
    if base.period is None or new.period is None or new.comparison is not None:
        return False
    return new.compare and new.period.end <= base.period.start


def make_offline_provider(
    workspace: Workspace, findings: Findings | None = None
) -> OfflineProvider:
    """The offline provider over an opened workspace: its catalog, embedder and clock, and the
    early warnings and customer health the proactive playbooks answer from."""
    if workspace.catalog is None or workspace.embedder is None:
        raise WorkspaceError("The offline analyst needs a workspace with a catalog; run init.")
    return OfflineProvider(
        workspace.catalog,
        workspace.embedder,
        workspace.as_of,
        themes=workspace.themes,
        values=workspace.dimension_values(),
        quarters=workspace.quarter_counts(),
        held=workspace.values_by_table(),
        findings=findings,
        last_days=workspace.last_days(),
    )
