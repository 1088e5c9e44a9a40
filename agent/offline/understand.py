"""Question → ``Intent`` without a language model.

The playbook is chosen by similarity to bilingual exemplar questions (the local embedder, the
exemplars embedded once per ``Understander``), nudged by cue patterns and by what the catalog
finds in the question; slots (metrics, dimensions, filter values, a product model, a feedback
theme) come from catalog matching, and the date phrase is resolved in code with ``find_period``.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

import numpy as np

from ...data.catalog import Catalog
from ...data.duck import q as quoted
from ...data.glossary import same_thing
from ...data.ingest.labels import LABEL
from ...data.ingest.labels import SUFFIX as LABELS_SUFFIX
from ...data.period_phrases import fix_time_words, fix_typos
from ...data.period_types import explicit_range
from ...data.periods import Period, PeriodError, PeriodReading, parse_period
from ...data.taxonomy import default_taxonomy
from ...data.theme_set import ThemeSet, from_taxonomy
from ...prompts import load_yaml
from ...tools.templates import load_template, named_template
from ..conversation import language_of
from ..reading import dimension_label, metric_label, shared_measure, value_label
from .catalog_choice import (
    Held,
    default_dimension,
    default_metric,
    flow_filter,
    headline_metrics,
    holds_all,
    label_sets,
    nearest,
    parallel_metrics,
    plain_count,
    reaches,
    table_cue,
)
from .codes import codes_said
from .column_measures import column_measure, same_word
from .cross_values import CrossFlags, CrossValues
from .durations import (
    AVERAGE,
    done_column,
    duration_between,
    end_event,
    event_date_column,
    event_of,
    said_events,
    undated_event,
    unset_time_column,
)
from .group_tests import (
    GroupTest,
    PercentTest,
    every_or_none,
    percent_test,
    share_metric,
    value_test,
)
from .grouping import GroupGuess, GroupingIndex, grouping_phrase, words_after, zh_noun
from .happened import (
    Condition,
    at_least_once_columns,
    condition_of,
    event_measures,
    feedback_link,
)
from .hours import hour_threshold
from .label_depth_words import AVERAGE_DEPTH, ONLY_CUE, ONLY_DEPTH, asked_depth, none_said
from .label_meaning import LabelMeaning, glossed
from .meaning import STOP_WORDS, MeaningIndex, words_of
from .mention_words import (
    ASIDE_REST,
    LIST_JOIN,
    asks_text,
    base_terms,
    mention_terms,
    words_as_written,
)
from .negation import listed_between, negated, negated_items, negated_list
from .percentiles import (
    ONE_RECORD,
    extreme_said,
    percentile_expr,
    percentile_said,
    record_extreme_said,
)
from .shape import ORDER as SHAPE_ORDER
from .shape import Shape, ShapeReading, read_shape
from .slice_sql import reach
from .slots import (
    GROUP_DIMENSIONS,
    CatalogMatcher,
    Either,
    Excluded,
    Slots,
    coded_name,
    fixed,
    groupable_dimensions,
    normal_text,
    unmatched_text,
    without_instructions,
)
from .text_columns import text_column_said
from .thresholds import (
    EVERY,
    ITEMS,
    Threshold,
    age_of,
    items_named,
    items_on,
    items_ranked,
    other_side,
    records_per_group,
    text_length,
    threshold_of,
    values_per_group,
)
from .unread import PERSON_COLUMN, UnreadWords, used_phrases
from .value_parts import Holding, Lacking, ValueParts, families_said, negated_part

if TYPE_CHECKING:
    from .findings import Findings

OUT_OF_SCOPE = "out_of_scope"
# A request the analyst declines: changing its rules, or handing out personal data.
REFUSED = "refused"
# A question about something service records do not hold (salaries, competitors, sales…).
UNAVAILABLE = "unavailable"
CUE_BONUS = 0.06
# Below this similarity, with no cue and nothing from the catalog, the question is not ours.
MIN_SIMILARITY = 0.84
_WORST = re.compile(
    r"(?i)worst|lowest|bottom|poorest|weakest|least|slowest|最差|最低|垫底|最少|最慢"
)
_BEST = re.compile(
    r"(?i)\bbest|highest|\btop\b|most|strongest|fastest|quickest|最好|最高|最多|最快"
)
# A question that asks how something moved ("how did it change", "变化", "vs before"), with
# common typos ("chnage"), so a ranking or a breakdown also brings the previous period.
_CHANGE = re.compile(
    r"(?i)\bch(?:an|na)ge|\bchnge|\bchang|\bmove[ds]?\b|\bcompared?\b|\bvs\.?\b|versus"
    r"|\bprevious|\bprior\b|\bbefore\b|\bimprov|\bworsen|\bdeteriorat|\bdrop|\bfell\b"
    r"|\brose\b|\brise|\bdecline|\bincrease|\bdecrease|went (?:up|down)|go(?:ne)? (?:up|down)"
    r"|变化|变动|变了|对比|相比|比之前|比上|环比|同比|涨|降|上升|下滑|改善|恶化|增加|减少"
)
# Dimensions a change question may be split by ("by region", "哪个区域", "per channel"): the
# grouping dimensions except the time-of-week ones, which belong to the peak-times playbook.
_CHANGE_GROUPS = tuple(d for d in GROUP_DIMENSIONS if d not in ("weekday", "hour"))
# A request to write a document lists what the data lacks as a gap instead of refusing.
_DOCUMENT = re.compile(r"(?i)\b(?:write|draft|propose|prepare)\b|起草|撰写|写一份|写一个")
_FOLLOW_UP = re.compile(
    r"(?i)^\s*(?:and|what about|how about|only|just|same for|now for|and for|also)\b"
    # A question that points back at the previous answer ("break that down", "把它按渠道拆分").
    r"|\b(?:that|those|these|it)\b(?: down| up| again)?(?: by| per| for| over)\b"
    r"|\bthe same\b|^\s*(?:show|split|break|plot|rank)\b.{0,20}\b(?:that|this|it|them)\b"
    r"|^\s*(?:那|只看|只要|换成|再看|改成|如果只看|那么|单看|光看|仅看)|^\s*(?:把)?(?:它|这个|这些|那个)"
    # "By channel?" leans on the question before; "By company, how many …" is a question.
    r"|^\s*(?:by|per|split by|broken down by)\s+[\w-]+(?:\s+[\w-]+){0,2}\s*[?？.]?\s*$"
    r"|呢[？?]?\s*$"
    r"|^\s*(?:ok(?:ay)?|alright|right|now)\b[, ]*(?:now )?(?:just|only|what about|and|for)\b"
    r"|\b(?:only|alone|on its own|by itself)\s*[?？.!,，]*\s*(?:please|pls)?[?？.!]*\s*$"
)


@dataclass
class Intent:
    playbook: str
    language: str
    confidence: float
    question: str
    slots: Slots = field(default_factory=Slots)
    period: Period | None = None
    # A second period the question names to compare with ("Q3 … compared with Q2").
    comparison: Period | None = None
    # The question asks about the whole history ("overall", "至今"): no default period.
    all_data: bool = False
    theme: str | None = None
    order: str = "worst"  # rankings: which end the manager asked about
    compare: bool = False  # the question asks how the figures moved against before
    follow_up: bool = False
    # The question named no period and the default one held no data: the playbook runs over
    # every date in the data (``coverage.plan``), with no comparison period.
    whole_data: bool = False
    as_of: date = date(2000, 1, 1)
    # The catalog the slots refer to (for units and labels when building tool arguments).
    catalog: Catalog | None = None
    # The workspace's feedback themes, which ``theme`` is one of (for its name in answers).
    themes: ThemeSet | None = None

    # What the question asks about that the data does not hold ("salaries"), for UNAVAILABLE.
    missing: str | None = None
    # What kind of answer the question's own words ask for.
    shape: ShapeReading = field(default_factory=ShapeReading)
    # The strategy template a document request names ("roadmap", "差距分析").
    template: str | None = None
    # Other metrics the question may have meant (a close second reading of its words, or the
    # next headline metrics when it named none), offered as follow-ups.
    alternatives: list[str] = field(default_factory=list)
    # The metric was the analyst's choice, not the question's: say so.
    defaulted: bool = False
    # Words whose mentions in the feedback the question counts ("提到异响的投诉有多少").
    mentions: list[str] = field(default_factory=list)
    # The records counted are those that do NOT mention the words ("没提到“安装”的有几条").
    mentions_not: bool = False
    # Every word, not any of them ("同时说到物流和包装的", "mention both refund and delay").
    mentions_all: bool = False
    # Words the feedback's text never says but a column of the records' own words does (a
    # subject line: "诊所无证行医"): the SQL expression of that column, by word.
    mention_columns: dict[str, str] = field(default_factory=dict)
    # Dimensions whose number of different values is asked ("涉及多少个品牌", "how many brands").
    distinct: list[str] = field(default_factory=list)
    # Groups ranked by how many different values of this dimension they hold ("which brand has
    # the most different car models").
    distinct_of: str | None = None
    # The default period (its label) held too little of the data, so all of it is used.
    thin_default: str | None = None
    # The grouping named in the question's own words, and the dimension it was read as.
    grouping: GroupGuess | None = None
    # The comparison the question asked for, when the data holds no records in it (its label).
    compare_missing: str | None = None
    # Groups named side by side that the measure cannot be taken of (their own table has no
    # column for it): "<measure> for <groups> (only <others>' records carry it)".
    groups_unmeasured: str | None = None
    # A dimension whose value the question counts as missing ("never got an assignment group").
    unset: str | None = None
    # Dimensions whose records with no value the question leaves out ("skip tickets with no
    # group"): no part of "the others" when a value is set against the rest.
    unset_left: list[str] = field(default_factory=list)
    # Words said side by side with a value read ("公司不给交社保的留言和公司拖欠工资的留言") that
    # name no value of its column: the words, the column, and its value nearest them (or None).
    sibling_unread: tuple[str, str, str | None] | None = None
    # A value set aside only in a later part of the question ("…平均每款几条？把星越刨掉的话，
    # 其余…", "how many did Geely get, and how many without the Xingyue"): its dimension; the
    # figure is given for the whole slice too.
    aside_later: str | None = None
    # Two groupings asked together ("哪个区县的哪一类留言最多", "which district and category
    # combination"): the pairs of their values are ranked.
    pair: tuple[str, str] | None = None
    # No period named, and all the data is the default (records counted or ranked): said.
    all_by_default: bool = False
    # The year a month or quarter named without one was read as (the latest the data holds).
    year_read: str | None = None
    # Content words of the question the reading used nowhere, that match nothing in the data.
    unread: list[str] = field(default_factory=list)
    # A date column said missing ("closed without a resolution time"): (table, column).
    unset_column: tuple[str, str] | None = None
    # The values said after "of those" that part of the records past a threshold holds.
    threshold_part: dict[str, Any] = field(default_factory=dict)
    # Values compared by a name several of them share ("奔驰" for 北京奔驰 and 奔驰（进口）):
    # each name said and the values holding it.
    families: dict[str, list[str]] = field(default_factory=dict)
    # A percentile of a measure asked ("within how many hours do 90% get resolved"): 0.9.
    percentile: float | None = None
    # The measure of a list column whose items are ranked ("which defect code … most").
    items_ranked: str | None = None
    # How long ago the records with no end came in, compared ("超过一个月"): (op, hours, words).
    aged: tuple[str, float, str] | None = None
    # A threshold on a measure of each record ("resolved within 24 hours", "转派3次以上").
    threshold: Threshold | None = None
    # "平均要等几天？7天之内就答复了的有几条？": a count past a threshold asked after an average,
    # answered beside it.
    threshold_beside: Threshold | None = None
    # Columns shown beside the one record asked about ("the single longest ticket … its
    # category"), not a split; see ``metric_change``.
    shown: list[str] = field(default_factory=list)
    # Both sides of a threshold asked, a part's share on each ("7天以内答复的和超过7天的，不满意
    # 各占多少"): the threshold and the other side's words; see ``shares``.
    threshold_split: tuple[Threshold, str] | None = None
    # Values the question names that the measured records cannot be filtered by ("维修" for a
    # contract amount): set aside, and said, rather than failing the query.
    set_aside: list[tuple[str, str]] = field(default_factory=list)
    # The export's own categories (flags) the question names, counted (``label_shares``).
    labels: list[str] = field(default_factory=list)
    # The export's categories the question sets aside ("After iPhone, what … most").
    labels_aside: list[str] = field(default_factory=list)
    # Other tables' label counts that fit the question as well, none of its words choosing.
    uncued: list[str] = field(default_factory=list)
    # The measure on the other groups' tables, when each group's records are a table of their
    # own (``catalog_choice.parallel_metrics``): ranked side by side with the first.
    parallel: list[str] = field(default_factory=list)
    # Records counted by how many of the export's categories they carry: 0 (none), 2 (two or
    # more); see ``label_depth``.
    label_depth: int | None = None
    # Groups kept by a condition on each group ("categories with a negative share below 50%",
    # "companies with at least 100 complaints"); see ``group_filter``.
    group_test: GroupTest | None = None
    # A measure split by whether an event happened to the records ("SLA rate of reopened
    # tickets and of the others"); see ``conditions``.
    condition: Condition | None = None
    # The records counted by the date of the event the question names ("resolved in May": the
    # resolution date column), not by their own time column; see ``event_counts``.
    event_column: str | None = None
    # The date column the units of time said as filters are read on ("resolved on a Saturday",
    # "replies sent at the weekend": the resolution or reply date), when it is not the records'
    # own time column; the whole is then the records that have that date. See ``shares``.
    event_time: str | None = None
    # The date column the whole is limited to having ("已经答复的留言里": the answered ones), for
    # the shares and mentions taken over it.
    among_done: str | None = None
    # The event the question counts by its verb (resolve, close, reply) when no date column
    # records it: the records are counted by their own date, and the answer says so.
    undated_event: str | None = None
    # Two categories named, the second asked of the first's records ("of the iPhone tweets,
    # what share also mention the battery").
    labels_within: bool = False
    # "哪个品牌最多？其中星越占了几条": the groups ranked by all their records, a value's part of
    # each beside it.
    whole_ranked: bool = False
    # Filters that belong to the part of a share with the last one ("both ask to DM and include
    # a link": the records with both, among all the company's replies).
    part_with: list[str] = field(default_factory=list)
    # The grouping whose biggest groups the question sets aside ("leaving aside our three
    # biggest categories, how many tickets are in the others").
    aside_biggest: str | None = None
    # Words the records counted for ``mentions`` must mention first ("提到物流的差评里").
    mentions_within: list[str] = field(default_factory=list)
    # The measure and filters a feedback theme's count replaced (``_count_of_theme``), for the
    # export's own categories to take back when the question names one of them.
    before_theme: tuple[list[str], dict[str, Any]] | None = None
    # English words of the data's values the reading used none of ("credit or prepaid cards").
    value_words: str = ""
    # ``unset`` said the other way: the records whose value IS recorded ("linked to a problem").
    unset_set: bool = False
    # A count over one export per group: the groups' tables added up as well as side by side.
    parallel_total: bool = False
    # "On average, how many … does each brand get": the records per value of ``distinct``.
    per_group: bool = False
    # Mentions: the table whose records are counted, when the feedback comes from several
    # (the customers' tweets of the company named, not the agents' replies).
    counted_table: str | None = None
    # The workspace's early warnings and customer health (``findings``), for the playbooks that
    # answer from them; set by the provider, never by the reading of the question.
    findings: Findings | None = None

    @property
    def metrics(self) -> list[str]:
        return self.slots.metrics

    @property
    def filters(self) -> dict[str, str]:
        return self.slots.filters

    def describe(self) -> dict[str, Any]:
        """The intent as plain data, for tests and traces."""
        return {
            "playbook": self.playbook,
            "language": self.language,
            "metrics": self.metrics,
            "dimensions": self.slots.dimensions,
            "filters": self.filters,
            "model": self.slots.model,
            "theme": self.theme,
            "period": self.period.label if self.period else None,
            "order": self.order,
            "compare": self.compare,
            "group_by": self.group_by,
        }

    @property
    def group_by(self) -> str | None:
        """The dimension a change or ranking question splits by, if it names one."""
        if self.playbook in ("ranking", "breakdown"):
            # A value set aside leaves the others of its dimension to rank ("剩下的品牌里谁"),
            # as do the values holding a word ("which banks"); a dimension with no filter on it
            # comes first ("公交线路调整建议…哪个区县最多": the districts).
            ranked = [d for d in self.slots.dimensions if d not in self.filters] or [
                d for d in self.slots.dimensions if not fixed(self.filters, d)
            ]
            metric = self.metrics[0] if self.metrics else None
            return ranked[0] if ranked else default_dimension(self.catalog, metric)
        dims = [d for d in self.slots.dimensions if d not in self.filters]
        split = [d for d in dims if d in _CHANGE_GROUPS or d not in GROUP_DIMENSIONS]
        return split[0] if split and self.playbook == "metric_change" else None


def _exemplar_file() -> dict[str, Any]:
    raw: dict[str, Any] = load_yaml("offline_exemplars.yaml")
    return raw


def exemplars() -> dict[str, dict[str, Any]]:
    return dict(_exemplar_file()["playbooks"])


def unavailable_subjects() -> list[dict[str, str]]:
    return list(_exemplar_file().get("unavailable") or [])


def _refusals() -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in _exemplar_file().get("refuse") or []]


_PERSONAL = re.compile(
    r"(?i)phone numbers?|e-?mail addresses|contact details|home addresses|id numbers"
    r"|手机号|电话号码|邮箱|联系方式|身份证|住址"
)


def _declined(question: str, intent: Intent) -> bool:
    """An attempt to override the analyst's rules with nothing else to answer, or a request
    for customers' personal contact data. A service question that merely carries an injected
    instruction is answered (the instruction is ignored, never followed)."""
    if not any(p.search(question) for p in _refusals()):
        return False
    return bool(_PERSONAL.search(question)) or not _has_slots(intent)


class Understander:
    """Maps questions to intents for one catalog; embeds the exemplars on first use."""

    def __init__(
        self,
        catalog: Catalog,
        embedder: Any,
        as_of: date,
        themes: ThemeSet | None = None,
        unavailable: frozenset[str] = frozenset(),
        values: dict[str, list[str]] | None = None,
        quarters: dict[str, dict[str, int]] | None = None,
        held: Held | None = None,
        last_days: dict[str, date] | None = None,
    ) -> None:
        # The last day each timed table holds: where "the last 30 days of the data" end.
        self.last_days = last_days or {}
        # Which values each table holds of a dimension found in several tables.
        self.held = held or {}
        # Records per quarter of each timed table: whether a default period represents the data.
        self.quarters = quarters or {}
        # Whether the quarters were read from the workspace (not merely left out).
        self.dated_known = quarters is not None
        # Playbooks written for another kind of data than this catalog holds: never chosen.
        self.unavailable = unavailable
        # Values of dimensions the catalog does not list, looked up in the data.
        self.matcher = CatalogMatcher(catalog, values)
        self.values = values or {}
        # Parts of the export's own values: not of the themes the feedback was grouped into.
        self.parts = ValueParts(
            {
                d: found
                for d, found in {**self._listed_values(), **self.values}.items()
                if set(catalog.dimensions[d].sources) != {"voc"}
            }
        )
        self.meaning = MeaningIndex(catalog, embedder)
        self.cross = CrossValues(catalog, embedder, values)
        self.cross_flags = CrossFlags(catalog, embedder)
        self.label_meaning = LabelMeaning(embedder)
        self.unread_words = UnreadWords(catalog, embedder, values or {})
        self.grouping = GroupingIndex(catalog, embedder, groupable_dimensions(catalog))
        self.themes = themes or from_taxonomy(default_taxonomy())
        self.embedder = embedder
        self.as_of = as_of
        self._labels: list[str] = []
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()
        self._cues = {
            name: [re.compile(c, re.IGNORECASE) for c in spec.get("cues", [])]
            for name, spec in exemplars().items()
        }

    def understand(self, question: str, periods: PeriodReading) -> Intent:
        """The intent of ``question``, whose dates the caller resolved to ``periods``."""
        question = fix_time_words(question)  # "each quater": a quarter, mistyped
        question = fix_typos(question, _MISTYPED_MEASURES)  # "on avarage"
        asked = question
        question = without_instructions(question)  # statements to run are not the question
        slots = self.matcher.match(question)
        _generic_records(question, slots, self.matcher.catalog)
        _hours_as_unit(question, slots, self.matcher.catalog)
        _not_groupings(question, slots, self.matcher.catalog)
        _value_of_column_named(question, slots, self.matcher.catalog)
        _one_character_groupings(question, slots, self.matcher.catalog)
        _kind_of_value(question, slots, self.matcher.catalog)
        _weekday_of_a_date(question, slots, self.matcher.catalog)
        _weekday_asked(question, slots, self.matcher.catalog)
        known = {**self._listed_values(), **self.values}
        said_shape = read_shape(question)
        codes_said(question, slots, known)
        _names_holding(question, slots, self.matcher, known)
        self._kind_of_values(question, slots, known, said_shape)
        self.parts.said(question, slots, self.matcher.names_of)
        self.parts.inside(question, slots)
        _numbered_parts_up_to(question, slots, self.values)
        _plain_siblings(question, slots, self.matcher.catalog)
        crossed = self._values_in_other_language(question, slots)
        self._negated_values(question, slots, crossed)
        _day_kinds(question, slots, self.matcher.catalog)
        _weekend(question, slots, self.matcher.catalog, periods.period)
        _day_abbreviated(question, slots, self.matcher.catalog)
        shape = self._by_a_value(question, said_shape)
        _either_values(question, shape, slots)
        self._values_in_rate_names(question, slots)
        self._metrics_by_meaning(question, slots)
        self._speed_of_event(question, slots)
        _column_measure(question, slots, self.matcher.catalog)
        _text_length_said(question, slots, self.matcher.catalog)
        _wait_is_a_time(question, slots, self.matcher.catalog)
        _handoffs_measured(question, slots, self.matcher.catalog)
        self._whose_files(question, slots)
        _statistic_said(question, slots, self.matcher.catalog)
        _flag_beside_time(question, slots, self.matcher.catalog)
        _split_by_flag(question, slots, self.matcher.catalog)
        crossed_flags = self._flags_in_other_language(question, shape, slots)
        _flag_share_of_groups(question, slots, self.matcher.catalog)
        _flag_conditions(question, shape, slots, self.matcher.catalog, crossed_flags)
        _flag_rate(question, slots, self.matcher.catalog, crossed_flags)
        _event_rate_compared(question, slots, self.matcher.catalog)
        said_as = {d: [sp] for d, sp in crossed.items()} | crossed_flags
        _off_side_flags(question, slots, self.matcher.catalog, said_as)
        # The words that named a yes/no column in the other language ("附上了链接" for Provide
        # URL; ``_flag_conditions`` marked them read) are not words to find in the text too.
        for name, where in crossed_flags.items():
            if name in slots.filters:
                slots.read_as_columns += where
        _duration_between(question, slots, self.matcher.catalog)
        _event_state_of_duration(slots, self.matcher.catalog)
        _count_and_its_share(question, shape, slots, self.matcher.catalog)
        self._negated_metrics(question, slots)
        _flag_measured(slots, self.matcher.catalog)
        _code_filter(self.matcher.catalog, slots)
        if slots.compared and not shape.has("ranking") and _WHICH_MORE.search(question):
            # "Who gets more refund requests, Amazon or Apple": groups of this data named side
            # by side, and which of them has more, is a ranking of them.
            shape = replace(shape, shapes=(*shape.shapes, "ranking"))
        scores = self._scores(question, slots)
        best = max(scores, key=lambda name: scores[name])
        off_topic = any(c.search(question) for c in self._cues.get(OUT_OF_SCOPE, []))
        # "Which month of 2023 had the most messages": the periods of the data ranked by its
        # records, whatever the records are called.
        peak = self._peak_of_records(question)
        about_data = slots.compared or ((_names_catalog(slots) or peak) and not off_topic)
        if best == OUT_OF_SCOPE and about_data and any(shape.has(s) for s in _ASKED_OF_DATA):
            # Such a question is about the data, however its words resemble an off-topic one:
            # it names the data's measures or groups, asks a figure of them, and says none of
            # the off-topic words (weather, stocks, a poem).
            best = max((n for n in scores if n != OUT_OF_SCOPE), key=lambda n: scores[n])
        figures = shape.has("count") or shape.has("share")
        grain = any(words.search(question) for _, words in _GRAIN_WORDS)
        if best == "trend" and not shape.has("trend") and figures and not grain:
            # "Over the last three months, how many … and what share …": one figure for the
            # span, asked with no word of a trend; the months are where, not a series.
            best = max((n for n in scores if n != "trend"), key=lambda n: scores[n])
        intent = Intent(
            playbook=best,
            language=language_of(question),
            confidence=round(scores[best], 4),
            question=asked,
            slots=slots,
            period=periods.period,
            comparison=periods.comparison,
            all_data=periods.all_data,
            theme=find_theme(question, self.themes),
            order="best" if _BEST.search(question) and not _WORST.search(question) else "worst",
            follow_up=bool(_FOLLOW_UP.search(question)),
            compare=bool(_CHANGE.search(question)) or periods.comparison is not None,
            as_of=self.as_of,
            catalog=self.matcher.catalog,
            themes=self.themes,
        )
        _drop_implied_filters(intent)
        intent.theme = _theme_not_named_by_a_value(intent)
        intent.shape = shape
        _records_then_their_share(intent)
        # Themes and quotes are what customers say, not a grouping; but "投诉最多的是哪一款车型"
        # names one in the catalog's own words, and is a ranking.
        words_said = any(shape.has(s) for s in ("themes", "quotes", "document"))
        intent.grouping = self._grouping(question, slots, exact_only=words_said)
        intent.grouping = _grouping_by_kind(intent.grouping, slots.filters)
        readable = _has_slots(intent) or (peak and not off_topic)
        if best != OUT_OF_SCOPE and scores[best] < MIN_SIMILARITY and not readable:
            intent.playbook = OUT_OF_SCOPE
        ranks = shape.has("ranking") or shape.has("breakdown")
        split = any(
            d not in slots.filters or (ranks and not fixed(slots.filters, d))
            for d in slots.dimensions
        ) or bool(slots.compared)
        # The records' own noun ("complaints") names no measure: themes of complaints are themes.
        # What customers raise ("主要反映了哪些问题", "负面反馈主要是哪些方面") is themes, though
        # its words resemble a metric's name: only a metric named by its name asks for a value.
        guessed = {m for m, _, _ in slots.by_meaning}
        named = bool(slots.metrics) and not (shape.has("themes") and set(slots.metrics) <= guessed)
        intent.playbook = _by_shape(
            intent.playbook,
            shape,
            named,
            split,
            noun_only=slots.noun_only,
            filtered=bool(slots.filters),
            compared=bool(slots.compared)
            and bool(
                _EACH.search(question) or _VERSUS.search(question) or _WHICH_MORE.search(question)
            ),
            figure_named=self._measured_not_quoted(question, slots),
            value_asked=named
            and not set(slots.metrics) <= guessed
            and _VALUE_ASKED.search(question) is not None,
        )
        words = shape.has("quotes") or shape.has("themes")
        if (
            intent.playbook in ("voc_themes", "voc_evidence")
            and periods.comparison is not None
            and shape.has("count")
            and not split
            and not words
        ):
            # "去年上半年和下半年，Referral 渠道的投诉各有多少条": "each" said of two periods,
            # no grouping to split by: the records counted in each, not what they say.
            intent.playbook = "metric_change"
        document_named = named_template(question) is not None
        if (
            intent.playbook in _DOCUMENTS
            and self._uncued(question, intent.playbook)
            and (not document_named)
        ):
            # "Top 5 categories by number of incidents": a ranking, however much its words
            # resemble a document's; a document is asked for by name ("gap analysis").
            intent.playbook = _counted_shape(shape, split, named) or intent.playbook
        near_tie = scores.get("trend", 0.0) - scores.get("metric_change", 0.0) < _TREND_MARGIN
        uncued = self._uncued(question, "trend")
        if intent.playbook == "trend" and not shape.has("trend") and (near_tie or uncued):
            # Nothing asks for a trend ("over time", "每月"): a near-tie of the exemplars is not
            # reason enough to answer one value with a monthly series; a ranking or split asked
            # ("which region comes second") is that.
            ranks = split and (shape.first in ("ranking", "breakdown"))
            intent.playbook = (_counted_shape(shape, split, named) if ranks else None) or (
                "metric_change"
            )
        if intent.playbook == "what_changed" and self._uncued(question, "what_changed"):
            # "Did Apple get more tweets than the month before": one value compared, not a
            # review of everything that moved.
            intent.playbook = "metric_change"
        if intent.playbook == "metric_change" and _long_direction(question, periods):
            # "这24个月是涨是跌", "up or down over the past year": which way it went, by month.
            intent.playbook = "trend"
        if shape.first == "count" and self._uncued(question, intent.playbook):
            # "How many complaints came in", "投诉有多少条": a count, unless the words of a
            # specialised playbook (influencers, peaks…) are there to ask for it.
            intent.playbook = "metric_change"
        elif (shape.has("count") or slots.metrics) and self._uncued_near_tie(
            question, intent.playbook, scores
        ):
            # "How many complaints came in through social media": a count, unless the words of
            # a specialised playbook (influencers, peaks…) are there to ask for it.
            intent.playbook = "metric_change"
        each = _EACH.search(question) or periods.listed  # "in October, in November, and …"
        if intent.playbook == "metric_change" and _units_listed(periods) and each:
            # "2016年3月、4月、5月各开了多少张", "in Q1, Q2 and Q3 respectively": each unit listed.
            intent.playbook = "trend"
        unmatched = intent.grouping is not None and intent.grouping.dimension is None
        themes_asked = (
            shape.has("themes")
            or shape.has("quotes")
            or bool(
                unmatched
                and intent.grouping is not None
                and _TOPIC_NOUN.search(intent.grouping.phrase)
            )
        )
        if unmatched and shape.has("ranking") and intent.playbook == "voc_themes":
            # "Through which channel do the fewest complaints reach us": a ranking of a
            # grouping, said as missing when the data lacks it, not what customers say.
            intent.playbook = "metric_change" if not themes_asked else intent.playbook
        if unmatched and shape.has("ranking") and intent.playbook == "metric_change":
            # "Which team handles the most tickets" with no "team" in the data: a ranking by
            # another grouping that says so, never one total that looks like the answer.
            intent.playbook = "ranking"
        if words_said and intent.playbook == "voc_themes" and self._asks_which_group(question):
            # "Which car model is complained about most": a ranking of the named grouping.
            intent.playbook = "ranking"
        named_split = [d for d in slots.dimensions if d not in slots.filters]
        if intent.playbook == "voc_themes" and named_split and _MOST_OFTEN.search(question):
            # "What do users report as the symptom most often": the named grouping's values
            # ranked, not themes of the text.
            intent.playbook = "ranking"
        by = _counted_by(question, slots, self.matcher.catalog)
        if by is not None and intent.playbook == "voc_themes":
            # "反映最多的具体问题是什么？按留言主题算，不按一级分类": the column named after 按
            # ranked, not themes of the text; the one set aside is no split.
            kept = [d for d in slots.dimensions if d in slots.filters]
            slots.dimensions[:] = [by, *kept]
            intent.playbook = "ranking"
        frequent = self._most_common_column(question, slots)
        if frequent is not None and frequent.dimension and intent.playbook in _FREQUENT_OF:
            # "What's the number one issue people raise about cards": the records' own column
            # of that name ranked, not themes found in the text nor one total.
            kept = [d for d in slots.dimensions if d in slots.filters]
            slots.dimensions[:] = [frequent.dimension, *kept]
            intent.grouping, intent.playbook = frequent, "ranking"
        template = named_template(question) if shape.has("document") else None
        if template is not None and intent.playbook not in (OUT_OF_SCOPE, UNAVAILABLE):
            intent.template = template
            intent.playbook = _TEMPLATE_PLAYBOOKS.get(template, "strategy_template")
            _drop_template_words(slots, template)
        _set_aside_compared(intent)
        if slots.compared and intent.playbook in _SPLITTABLE:
            # "Social vs phone": the named groups side by side.
            intent.playbook = "breakdown"
            slots.dimensions = list(dict.fromkeys([*slots.compared, *slots.dimensions]))
        intent.compare = intent.compare or shape.has("change")
        against_rest = VS_REST.search(question) is not None and periods.comparison is None
        if (
            (slots.compared or against_rest)
            and periods.period is None
            and not _OVER_PERIODS.search(question)
        ):
            # "临江县和高新区比", "Amazon vs Apple", "Group 8 vs all other groups": the groups
            # are compared, not two periods.
            intent.compare = False
            shape = replace(shape, shapes=tuple(x for x in shape.shapes if x != "change"))
            intent.shape = shape
        if shape.both_ends:
            intent.order = "both"
        missing = self._missing(question, measured=bool(slots.metrics) and not slots.noun_only)
        missing = missing or _untimed_hours(intent)
        document = (
            _DOCUMENT.search(question)
            or intent.template is not None
            or named_template(question) is not None
        )
        if missing and not document:
            intent.playbook, intent.missing = UNAVAILABLE, missing
        _items_averaged(intent)
        _measured_average_asked(intent)
        averaged = _averaged_unmeasured(intent)
        per_period = not document and intent.playbook in _FIGURES
        if per_period and self._average_per_period(intent):
            averaged = None  # "in an average month": the records over the months
        elif (
            (averaged or _records_counted(intent))
            and not document
            and self._average_per_group(intent)
        ):
            # "How many complaints does a company get on average": records over the groups.
            averaged = None
        if averaged and asked_depth(question) == AVERAGE_DEPTH and label_sets(intent.catalog):
            averaged = None  # "how many actions a reply contains on average": its categories
        if averaged and not document and intent.playbook != UNAVAILABLE:
            # "平均已经开了多少公里", "average followers": an average of something no measure
            # of the data holds; the records' count is not its answer.
            intent.playbook, intent.missing = UNAVAILABLE, averaged
        waited = _untimed_wait(intent) or _untracked_handoffs(intent)
        if waited and not document and intent.playbook not in (UNAVAILABLE, OUT_OF_SCOPE):
            # "Which company's customers waited longest for a reply" where no measure of the
            # data is a time: how long cannot be told, and a count is not its answer.
            intent.playbook, intent.missing = UNAVAILABLE, waited
        if _declined(question, intent):
            intent.playbook = REFUSED
        if intent.playbook in self.unavailable:
            intent.playbook = self._instead(intent, scores)
        elif intent.playbook == OUT_OF_SCOPE and self._asks_missing_text(intent):
            intent.playbook = UNAVAILABLE
        self._mentions(intent)
        self._theme_words_counted(intent)
        _distinct(intent, self._counted_groups(question))
        _distinct_over_time(intent)
        _step_change(intent)
        _distinct_by_group(intent)
        _biggest_aside(intent)
        self._periods_counted(intent)
        _value_rate(intent)
        _share_of_records(intent)
        _measure_over_feedback(intent)
        _families(intent)
        self._unset(intent)
        _event_rate(intent)
        _text_written(intent)
        self._happened(intent)
        _other_side(intent)
        _threshold(intent, self.held)
        _percentile(intent)
        _count_of_theme(intent)
        self._metric_by_default(intent)
        self._labels_as_themes(intent)
        self._labels_named(intent)
        self._count_of_slice(intent)
        self._label_depth(intent)
        self._parallel(intent)
        self._feedback_side(intent)
        self._over_time_undated(intent)
        self._thin_default(intent)
        self._on_the_table_holding(intent)
        self._year_of_the_data(intent)
        self._days_of_the_data(intent)
        self._uncovered_comparison(intent)
        _set_aside_unreachable(intent)
        _set_aside_later(intent)
        self._sibling_unread(intent)
        self._unset_left_out(intent)
        _items_ranking(intent)
        self._pair(intent)
        _feedback_of_any(intent)
        _group_test(intent)
        _groups_by_unset(intent)
        _values_against_rest(intent)
        _part_of_those(intent)
        _part_of_top(intent)
        _counted_by_event(intent)
        _weekend_glossed(intent)
        _units_of_event_time(intent)
        _among_done(intent)
        if len(slots.by_meaning) > 1 and intent.playbook in (*_SPLITTABLE, "trend"):
            # The other close reading: never the one already taken (a count asked for in place
            # of the rate its words resemble first).
            others = [m for m, _, _ in slots.by_meaning if m not in slots.metrics]
            intent.alternatives = others[:1]
        grouped = [d for d in slots.dimensions if d not in slots.filters]
        if intent.playbook in ("ranking", "breakdown") and intent.comparison and not grouped:
            # "Fewer tweets in November than in October": two periods, no grouping named.
            intent.playbook = "metric_change"
        _order_by_value(intent)
        if intent.playbook == "trend" and _WEEKDAY_ASKED.search(question):
            weekdays = set(_weekday_dimensions(self.matcher.catalog))
            if weekdays & set(intent.slots.dimensions):
                intent.playbook = "ranking"  # "一周里哪天最少": the weekdays ranked, not days
        figure = (
            any(shape.has(s) for s in ("count", "share"))
            or AVERAGE.search(question)
            or _AMOUNT.search(question)
        )
        themes_for_a_figure = intent.playbook in ("voc_themes", "voc_evidence") and bool(figure)
        if intent.playbook == OUT_OF_SCOPE and figure:
            # "How many were sent in on behalf of a company rather than by a resident": a
            # figure of something the data does not record is unavailable, said so, rather
            # than a question outside what is answered.
            subject = self.unread_words.missing_subject(question, used_phrases(intent), [])
            if subject is not None:
                intent.playbook, intent.missing = UNAVAILABLE, subject
                return intent
        if intent.playbook in _FIGURES or themes_for_a_figure:
            # Words of the question nothing in the reading used ("raised by VIP users"): said.
            used = used_phrases(intent)
            spans = intent.slots.spans
            subject = self.unread_words.missing_subject(question, used, spans)
            if subject is None and themes_for_a_figure:
                return intent
            if subject is not None:
                # "Raised by the finance department", "外包供应商收了多少费用": the records or
                # the amount asked cannot be told apart in this data; no other figure instead.
                intent.playbook, intent.missing = UNAVAILABLE, subject
                return intent
            intent.unread = self.unread_words.unread(question, used, spans)
            if _all_records(intent):
                # "有多少是跑网约车的营运车辆", "how many were withdrawn by the sender": words
                # that limit the records to some of them, which nothing in the data can tell;
                # the count of every record is not that figure.
                # The English reading's leftovers are kinds of people, names and events; the
                # Chinese question's are any content words, of which one stray word ("加起来")
                # is too little to refuse on.
                left, least = intent.unread, 1
                if intent.language == "zh" and not left:
                    left, least = self.unread_words.unread_zh(question, used, spans), 2
                if intent.language != "zh" and not left:
                    # "bought on a car loan rather than paid in full": a split nothing records.
                    left, least = self.unread_words.contrasted(question, used, spans), 2
                if len(left) >= least:
                    sep = "、" if intent.language == "zh" else ", "
                    intent.playbook, intent.missing = UNAVAILABLE, sep.join(left[:3])
                    return intent
            # The values the reading took count as used, however they were said.
            values = [str(v) for v in intent.filters.values()]
            values += [str(v) for vs in intent.slots.compared.values() for v in vs]
            values += [v for v in intent.labels]
            intent.value_words = self.unread_words.value_words(question, used + values, spans)
        return intent

    def _mentions(self, intent: Intent) -> None:
        """A count of the feedback that mentions the question's words, unless it asks for the
        words themselves (quotes, themes) or a document."""
        shape = intent.shape
        counted = shape.has("count") or shape.has("share") or shape.has("ranking")
        if "mentions" in self.unavailable or not counted or intent.playbook in _NOT_COUNTED:
            return
        if shape.has("quotes") or shape.has("document"):
            return
        # "抱怨什么" asks for themes; "抱怨“降价”的有多少条" counts the word, as does "which
        # district complains most about noise" (a grouping ranked by the words' records).
        named_split = shape.has("ranking") and bool(intent.slots.dimensions)
        themes = shape.has("themes") and not words_as_written(intent.question)
        if themes and not (named_split and mention_terms(intent.question)):
            return
        named = [m for m in intent.metrics if not intent.slots.noun_only]
        terms = mention_terms(unmatched_text(intent.question, intent.slots))
        # "品牌名里带“一汽”的": a word of the names of a column's values, read there.
        held = {
            v.word for v in intent.filters.values()
            if isinstance(v, (Holding, Lacking)) and getattr(v, "by_name", False)
        }  # fmt: skip
        terms = [t for t in terms if not _held_word(intent.question, t, held)]
        read = intent.slots.read_as_columns
        terms = [t for t in terms if not _read_already(intent.question, t, read)]
        terms = [t for t in terms if not _names_value_found(intent, t)]
        if terms and _QUOTED_WORD.search(intent.question) and intent.catalog is not None:
            # "带“刹车”两个字的", "没出现“好”这个字": the characters are the quoted word's, not
            # a text length asked for.
            lengths = {m for m in named if intent.catalog.metrics[m].unit == "characters"}
            named = [m for m in named if m not in lengths]
            intent.slots.metrics = [m for m in intent.metrics if m not in lengths]
        if not terms:
            # "complaints about noise": the records' noun, matched as the count, was the mention
            # verb's own object; the words after it still count, unless they name the catalog.
            said = [
                t for t in mention_terms(intent.question)
                if not _held_word(intent.question, t, held)
            ]  # fmt: skip
            # "use the word "playlist"": a word asked about as written counts as written,
            # whatever category is named alike.
            written = set(words_as_written(intent.question))
            named = [
                t for t in said
                if t.lower() not in written
                and (_names_catalog(self.matcher.match(t)) or self.cross.match(t, set()))
            ]  # fmt: skip
            # A word glossing a value in brackets ("吉利汽车 (Geely)") names it too.
            terms = [
                t for t in said
                if t not in named and not any(
                    re.search(rf"{re.escape(n)}\s*[（(]\s*{re.escape(t)}", intent.question)
                    for n in named
                ) and not _read_already(intent.question, t, read)
            ]  # fmt: skip
        if terms and named and intent.catalog is not None:
            # "提到“客服”的评论…其中差评比例", "差评里抱怨屏幕的": a measure that only counts the
            # records of one value (差评率 = label negative) is that value, filtering or parting
            # the records that mention the words.
            values = _measures_as_values(intent.catalog, named)
            if values is not None:
                for dim, value in values.items():
                    intent.slots.filters.setdefault(dim, value)
                intent.slots.metrics = [m for m in intent.metrics if m not in named]
                named = []
        if terms and named and self._unset_part(intent):
            # "提到油烟的有多少条？其中还没答复的有几条": the measure found in the words after
            # "其中" was the time said missing, a part of the records mentioning the words.
            intent.slots.metrics = [m for m in intent.metrics if m not in named]
            named = []
        # "反映小区停车位问题的留言": words every one of several values of a column ends with
        # name that family of values (…小区停车位问题), not words of the text.
        terms = self._families_read(intent, terms)
        if terms and not named:
            _words_not_flags(intent)
            intent.mentions = terms
            self._values_ending_terms(intent, terms)
            terms = intent.mentions = _terms_with_values(intent, terms)
            _values_inside_terms(intent, terms)
            # "提到医保的" is a word in the text, not the value whose name holds it
            # (灵活就业人员医保缴费), read there by part of its name.
            for dim, value in list(intent.filters.items()):
                part = f"{dim}={value}" in intent.slots.fuzzy
                if part and any(t in str(value) and t != str(value) for t in terms):
                    del intent.slots.filters[dim]
                elif isinstance(value, Holding) and any(
                    t in value.word or value.word in t for t in terms
                ):
                    # "写着“具体政策已在回复中说明”的答复": the words counted are in the text;
                    # the replies holding them, read as a filter too, would make every share
                    # of them 100%.
                    del intent.slots.filters[dim]
                    intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]
            # "提到物流的差评里，带“慢”字的有多少": counted among those mentioning 物流.
            intent.mentions_within = [
                t for t in base_terms(intent.question) if not self._names_catalog_words(intent, t)
            ]
            aside = ASIDE_REST.search(intent.question)
            if intent.mentions_within and (aside or not _QUOTED_WORD.search(intent.question)):
                # "提到轮胎的…？其中点名是韩泰轮胎的": the words after 其中 are counted among those
                # mentioning the words before it.
                after = [t for t in terms if t not in intent.mentions_within]
                # Among the 轮胎 mentions, "韩泰轮胎" is told apart by 韩泰.
                intent.mentions = [_less_base(t, intent.mentions_within) for t in after]
            self._count_records_of(intent)
            intent.playbook = "mentions"
            grain = _grain_said(intent)
            if grain and not any(d not in intent.filters for d in intent.slots.dimensions):
                # "每天各来了几条", "each day": the mentions counted per day (week, month).
                intent.slots.dimensions.append(grain)
            intent.mentions_not = _NOT_MENTIONED.search(intent.question) is not None
            if aside and intent.mentions_within and intent.mentions:
                # "…？除去轮胎开裂的，还剩几条": the words set aside, the rest counted.
                intent.mentions_not = True
            several = len(terms) > 1
            intent.mentions_all = several and _ALL_MENTIONED.search(intent.question) is not None

    def _names_catalog_words(self, intent: Intent, term: str) -> bool:
        """Whether words before "的评论里" name the data rather than its text: a value read
        ("衣服的评论里"), a dimension's name ("其他品类的评论里"), or values said together."""
        said = [str(v) for v in intent.filters.values()]
        said += [str(v) for vs in intent.slots.compared.values() for v in vs]
        if any(v and (v in term or term in v) for v in said):
            return True
        names = [d.spec.zh for d in self.matcher.catalog.dimensions.values() if d.spec.zh]
        return any(len(n) >= 2 and n in term for n in names)

    def _pair(self, intent: Intent) -> None:
        """ "哪个区县的哪一类留言最多", "Which district and category combination has the most
        messages": two groupings asked together, the pairs of their values ranked — the second
        named among the question's dimensions, or in the words after the first grouping."""
        first = intent.group_by
        if intent.playbook != "ranking" or first is None or intent.distinct_of:
            return
        if not _PAIR_CUE.search(intent.question):
            return
        others = [
            d for d in intent.slots.dimensions if d != first and not fixed(intent.filters, d)
        ]  # fmt: skip
        second = others[0] if others else None
        phrase = intent.grouping.phrase if intent.grouping is not None else ""
        q = intent.question
        for m in re.finditer(re.escape(phrase), q) if second is None and phrase else ():
            rest = q[m.end() :]
            joined = _PAIRED_WITH.match(rest)
            found = self.grouping.by_words(words_after(joined.group(1))) if joined else []
            if not found:
                guess = self.grouping.guess(rest)
                found = [guess.dimension] if guess and guess.dimension else []
            found = [d for d in found if d != first and not fixed(intent.filters, d)]
            if len(found) == 1:
                second = found[0]
                break
        if second is not None and second in self.matcher.catalog.dimensions:
            intent.pair = (first, second)

    def _sibling_unread(self, intent: Intent) -> None:
        """ "公司不给交社保的留言和公司拖欠工资的留言，平均各要多少天": two groups said side by
        side, one a value read (公司拖欠工资) and the other words no value of its column is
        named by. The answer covers the one read and says so, offering the column's value
        nearest the other words (公司未缴纳社保) to ask again with."""
        if intent.mentions or intent.slots.compared or intent.playbook == UNAVAILABLE:
            return
        for m in _SIDE_BY_SIDE_ZH.finditer(intent.question):
            sides = [_ZH_LEAD_VERB.sub("", m.group(1)), _ZH_LEAD_VERB.sub("", m.group(3))]
            for k, side in enumerate(sides):
                other = sides[1 - k]
                found = [
                    (d, str(v)) for d, v in intent.filters.items()
                    if type(v) is str and str(v) in side
                ]  # fmt: skip
                if len(found) != 1 or any(str(v) in other for v in intent.filters.values()):
                    continue
                dim, value = found[0]
                if len(other) < 3 or other in value:
                    continue
                spec = intent.catalog.dimensions.get(dim) if intent.catalog else None
                values = [str(v) for v in (spec.spec.values or {})] if spec else []
                values = values or [str(v) for v in self.values.get(dim, [])]
                scored = sorted(
                    ((SequenceMatcher(None, other, v).ratio(), v) for v in values if v != value),
                    reverse=True,
                )
                near = None
                if (
                    scored
                    and scored[0][0] >= 0.5
                    and (len(scored) < 2 or scored[1][0] < scored[0][0])
                ):
                    near = scored[0][1]
                intent.sibling_unread = (other, dim, near)
                return

    def _families_read(self, intent: Intent, terms: list[str]) -> list[str]:
        """The words left to find in the text once those naming a family of values are read
        as a filter of that family."""
        out = []
        for term in terms:
            family = self._family_ending(term)
            if family is not None and family[0] not in intent.filters:
                intent.slots.filters[family[0]] = Holding(term, *family[1])
            else:
                out.append(term)
        return out

    def _family_ending(self, term: str) -> tuple[str, list[str]] | None:
        """The column and its values that ``term`` (Chinese) ends ("小区停车位" of 城东区翠湖湾
        小区停车位问题, 高新区学府路小区停车位问题, …): the word names that family of values,
        not words of the text. None unless one column has two or more such values."""
        if not _CJK_TEXT.search(term) or len(term) < 3:
            return None
        end = re.compile(re.escape(term) + r"(?:问题|类|方面)?$")
        cat = self.matcher.catalog
        listed = {d: list(x.values or []) for d, x in cat.dimensions.items() if x.values}
        found = [
            (dim, held) for dim, values in {**listed, **self.values}.items()
            if len(held := [str(v) for v in values if end.search(str(v))]) >= 2
        ]  # fmt: skip
        return found[0] if len(found) == 1 else None

    def _values_ending_terms(self, intent: Intent, terms: list[str]) -> None:
        """ "提到自动语音催收电话（robocall）的": a value read in the other language (电话 for the
        Phone channel) said as the end of the words mentioned is part of those words, not a
        filter."""
        text = normal_text(intent.question)
        ends = {m.end() for t in terms for m in re.finditer(re.escape(t.lower()), text)}
        for dim, value in list(intent.filters.items()):
            if isinstance(value, (Either, Excluded)) or str(value).lower() in text:
                continue  # "吉利星越": the model named as written is the model
            span = self._value_span(text, dim, str(value), intent.slots.said)
            if span is not None and span[0] in ends:
                del intent.slots.filters[dim]

    def _theme_words_counted(self, intent: Intent) -> None:
        """ "异响问题最集中的是哪个品牌" over themes discovered in the feedback: records are
        counted by the theme's words the question says, in the text, not by one cluster of
        them (other clusters hold the same words: "异响 · 车身", "异响 · 异味")."""
        themes, theme, shape = intent.themes, intent.theme, intent.shape
        if themes is None or theme is None or themes.source.kind != "discovered":
            return
        if "mentions" in self.unavailable or intent.playbook not in _THEME_COUNTED:
            return
        if any(shape.has(s) for s in ("themes", "quotes", "document", "change", "trend")):
            return
        if intent.compare or (intent.metrics and not _records_counted(intent)):
            return
        grouping = intent.grouping
        if grouping is not None and grouping.dimension is None:
            return  # "哪种车身颜色的最多": a grouping the data lacks, said so elsewhere
        info = themes.get(theme)
        said = [
            t for t in (info.terms if info else ())
            if _term_said(intent.question, t) and not (grouping and t in grouping.phrase)
        ]  # fmt: skip
        if not said:
            return
        intent.mentions, intent.theme, intent.playbook = said[:1], None, "mentions"
        self._count_records_of(intent)

    def _count_records_of(self, intent: Intent) -> None:
        """The table whose records a count of mentions counts (the catalog's default measure's
        for the question's filters)."""
        if intent.catalog is not None:
            chosen = default_metric(
                intent.catalog, None, intent.filters, held=self.held, question=intent.question
            )
            metric = intent.catalog.metrics.get(chosen)
            intent.counted_table = metric.table if metric is not None else None

    def _unset_part(self, intent: Intent) -> bool:
        """Whether the question asks, after "其中"/"of which", for the records whose date column
        is still empty ("其中到现在还没答复的"); sets ``unset_column`` to it."""
        q, cat = intent.question, intent.catalog
        cue = _PART_CUE.search(q)
        if cue is None or cat is None:
            return False
        rest = q[cue.end() :]
        en, zh = _UNSET_EN.search(rest), _UNSET_ZH.search(rest)
        phrase = words_after(en.group(1)) if en else zh_noun(zh.group(1)) if zh else ""
        column = unset_time_column(phrase, cat) if phrase else None
        if column is None:
            return False
        intent.unset_column = column
        return True

    def _flags_in_other_language(
        self, question: str, shape: ShapeReading, slots: Slots
    ) -> dict[str, list[tuple[int, int]]]:
        """Where a Chinese question names a yes/no column written in English ("没有提供链接的"
        for Provide URL), when it counts records."""
        counted = shape.has("count") or shape.has("share") or _CONTRAST.search(question)
        if not _CJK_CHAR.search(question) or not counted:
            return {}
        said = normal_text(question)
        out: dict[str, list[tuple[int, int]]] = {}
        # The whole question: the flag's words may also have been read as a category's name.
        for dim, words in self.cross_flags.match(said):
            at = said.find(words)
            if at >= 0:
                out[dim] = [(at, at + len(words))]
        return out

    def _kind_of_values(
        self, question: str, slots: Slots, values: dict[str, list[str]], asked: ShapeReading
    ) -> None:
        """ "Complaints against credit unions, all of them lumped together": a kind said in the
        plural that the names of several values of one column hold ("… Federal Credit Union"),
        read as all of those values; not when a value or name of the data was read from those
        words, or the kind is most of the column."""
        if not any(asked.has(s) for s in ("count", "share", "ranking", "change", "breakdown")):
            return  # a figure of the data is asked, not verses about "units"
        text = normal_text(question)
        for m in re.finditer(r"\b((?:[a-z]+ )?[a-z]{3,}s)\b", text):
            if any(a < m.end() and m.start() < b for a, b in slots.spans):
                continue
            for phrase in (m.group(1), m.group(1).split(" ")[-1]):
                kind = re.sub(r"(?:(?<=[^s])s|es)$", "", phrase)
                if len(kind) < 4 or self.matcher.match(phrase).metrics:
                    continue
                pattern = re.compile(rf"(?<![a-z]){re.escape(kind)}(?![a-z])", re.IGNORECASE)
                found = [
                    (dim, held) for dim, known in values.items()
                    if len(known) >= _KIND_COLUMN and dim not in slots.filters
                    and dim not in slots.compared
                    and 2 <= len(held := [
                        v for v in known if kind in str(v).lower() and pattern.search(str(v))
                    ]) <= _NEARLY_ALL * len(known)
                ]  # fmt: skip
                if len(found) != 1:
                    continue
                dim, held = found[0]
                slots.filters[dim] = Holding(kind, *held)
                slots.spans.append(m.span())
                slots.read_as_columns.append(m.span())
                if dim not in slots.dimensions:
                    slots.dimensions.append(dim)
                return

    def _listed_values(self) -> dict[str, list[str]]:
        """The values the catalog lists, by dimension."""
        cat = self.matcher.catalog
        return {n: [str(v) for v in d.values or []] for n, d in cat.dimensions.items() if d.values}

    def _counted_groups(self, question: str) -> str | None:
        """The dimension named, in other words than the catalog's, right after "how many"
        ("有多少个团队" for a "team" column): not the records' own noun."""
        m = _HOW_MANY_NOUN.search(question)
        if m is None:
            return None
        if m.group("zh_staff"):
            # "名下工单超过100张的分析员有几位": the staff the records fall to are counted.
            found = self._staff_column(question)
            return found[0] if len(found) == 1 else None
        phrase = zh_noun(m.group("zh")) if m.group("zh") else words_after(m.group("en") or "")
        staff = _STAFF.match(phrase) if m.group("en") else None
        if staff is not None:
            phrase = staff.group(0)  # "analysts resolved incidents": the analysts are counted
        if not phrase or self.matcher.match(phrase).metrics:
            return None
        if m.group("en"):  # "how many calls" may be the records: English names it by its words
            if _RECORDS_SAID.fullmatch(phrase.split()[-1] if phrase.split() else ""):
                return None  # "how many such messages are there": the records themselves
            by_words = self.grouping.by_words(phrase)
            if not by_words and _STAFF.match(phrase):
                # "How many different analysts resolved incidents": the column of the staff
                # who did what the question says (resolved by), or the one staff column.
                by_words = self._staff_column(question)
            if not by_words and _PEOPLE.match(phrase):
                # "How many different people raised tickets": the column that says who the
                # person of each record is, when the data has one.
                cat = self.matcher.catalog
                by_words = [n for n in cat.dimensions if PERSON_COLUMN.match(n.replace("_", " "))]
            return by_words[0] if len(by_words) == 1 else None
        return self.grouping.for_phrase(phrase)

    def _staff_column(self, question: str) -> list[str]:
        """The columns that say which member of staff a record's work fell to: the one named
        for the verb the question says ("resolved" → resolved by), else the only one."""
        cat = self.matcher.catalog
        staff = [
            n for n, d in cat.dimensions.items()
            if d.kind == "category" and not d.from_time and _STAFF_COLUMN.search(n)
        ]  # fmt: skip
        said = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
        verbed = [n for n in staff if set(re.split(r"[\W_]+", n.lower())) & said]
        if len(verbed) == 1:
            return verbed
        # No verb said: the column of whom the work is assigned to, before those of events.
        owners = [n for n in staff if not re.search(r"(?i)_by$", n)]
        return owners if len(owners) == 1 else staff if len(staff) == 1 else []

    def _unset(self, intent: Intent) -> None:
        """ "How many tickets never got an assignment group", "没有填写处理组的工单": the share
        of records whose value of a dimension is missing, when the words name one."""
        shape = intent.shape
        if intent.playbook not in (*_METRIC_PLAYBOOKS, "share_of") or intent.mentions:
            return
        en, zh = _UNSET_EN.search(intent.question), _UNSET_ZH.search(intent.question)
        said_at = en.start() if en else zh.start() if zh else -1
        if said_at >= 0 and _LEFT_OUT.search(intent.question[max(0, said_at - 30) : said_at]):
            # "Leave out the ones that never got a group": those records are set aside from
            # what is counted, not what is counted.
            return
        # "What's the SLA rate for tickets with no assignment group", "没有分派到任何处理组的
        # 工单": a measure asked of the records without one (a noun said as the records' own,
        # before 的; not "有没有让问题…").
        measured_words = words_after(en.group(1)) if en else ""
        if zh is not None and en is None and not intent.question[: zh.start()].endswith("有"):
            noun = zh_noun(zh.group(1))
            measured_words = noun if noun and f"{noun}的" in intent.question[zh.start() :] else ""
        if not (shape.has("count") or shape.has("share") or shape.has("ranking")):
            if measured_words:
                self._measured_by_unset(intent, measured_words)
            return
        if en is None and zh is None:
            # "Linked to a problem record", "关联了问题单": the records whose value is set.
            en, zh = _SET_EN.search(intent.question), _SET_ZH.search(intent.question)
            intent.unset_set = en is not None or zh is not None
        phrase = words_after(en.group(1)) if en else zh_noun(zh.group(1)) if zh else ""
        verb = _EVENT_NOT_YET.match(en.group(1)) if en else None
        if en is not None and verb is not None and _NOT_YET_BEFORE.search(en.group(0)):
            phrase = verb.group(0)  # "unresolved incidents": the resolution, not the incidents
        if en is not None and not self.grouping.by_words(phrase):
            # "with no named analyst - no individual assignee at all": the words said again
            # that name a grouping.
            later = (words_after(m.group(1)) for m in _said_unset(intent.question, en.start()))
            phrase = next((p for p in later if self.grouping.by_words(p)), phrase)
        # "Closed without a resolution time": the time said missing is the unset part, though
        # its words resemble a duration.
        column = unset_time_column(phrase, intent.catalog) if phrase else None
        said = [m for m in intent.metrics if not intent.slots.noun_only]
        said_words = [(m, words.strip()) for m, _, words in intent.slots.by_meaning]
        # Found by meaning in the words said unset, or in words holding them ("没解决" for 解决).
        inside = {m for m, w in said_words if w and phrase and (w in phrase.lower() or phrase in w)}
        inside |= {m for m in said if _named_within(intent.catalog, m, phrase)}
        # Measures that came with one found there (its share beside its count) go with it.
        by_name = {m for m in said if m in intent.slots.metric_spans}
        if column is not None and (set(said) <= inside or (inside and by_name <= inside)):
            intent.slots.metrics, intent.slots.by_meaning = [], []
            intent.unset_column = column
            intent.playbook = "share_of"
            _drop_dimension_of_event(intent, phrase)
            # "还没答复的留言里，提交超过一个月的", "unanswered for more than 30 days": how long
            # ago the records came in, their end being missing.
            intent.aged = age_of(intent.question)
            grain = _grain_said(intent)
            if grain and not any(d not in intent.filters for d in intent.slots.dimensions):
                # "每个月收到的留言里，还没答复的各有几条": counted in each month.
                intent.slots.dimensions.append(grain)
            return
        if said and not intent.unset_set:
            if measured_words:
                self._measured_by_unset(intent, measured_words)
            return
        dims = self.grouping.by_words(phrase) if phrase else []
        if len(dims) != 1:
            intent.unset_set = False
            return
        intent.slots.metrics = [m for m in intent.slots.metrics if not intent.unset_set]
        intent.unset = dims[0]
        intent.filters.pop(dims[0], None)
        intent.playbook = "share_of"
        grain = _grain_said(intent)
        split = [d for d in intent.slots.dimensions if d not in intent.filters and d != dims[0]]
        if grain and not split:
            # "never got an assignment group, month by month": counted in each month.
            intent.slots.dimensions.append(grain)

    def _measured_by_unset(self, intent: Intent, phrase: str) -> None:
        """ "没有分派到任何处理组的工单，SLA达成率是多少？分派了的呢": a measure that is no count
        of records, for the records with no value of the grouping said and for those with one,
        side by side."""
        cat = intent.catalog
        dims = self.grouping.by_words(phrase) if phrase else []
        if cat is None or len(dims) != 1 or len(intent.metrics) != 1 or intent.condition:
            return
        metric, dim = intent.metrics[0], dims[0]
        if metric not in cat.metrics or plain_count(cat, metric) or fixed(intent.filters, dim):
            return
        if reach(cat, cat.metrics[metric].table, dim, {}) is None:
            return
        spec = cat.dimensions[dim].spec if dim in cat.dimensions else None
        name = (spec.zh if intent.language == "zh" else spec.en) if spec else None
        name = name.lower() if name and intent.language != "zh" and not name.isupper() else name
        intent.condition = Condition(
            "", cat.metrics[metric].table, name or dim.replace("_", " "), metric, values=(dim, ())
        )
        intent.playbook = "condition_split"
        intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]

    def _unset_left_out(self, intent: Intent) -> None:
        """ "Other than Group 70 … Leave out tickets that never got a group", "skip tickets that
        have no close code at all": the records with no value of a column set aside, where its
        values are set aside too, are no part of "the others"."""
        q = intent.question
        for m in _LEFT_OUT.finditer(q):
            said = _UNSET_EN.search(q, m.end(), m.end() + 60) or _UNSET_ZH.search(
                q, m.end(), m.end() + 20
            )
            if said is None:
                continue
            words = said.group(1)
            phrase = zh_noun(words) if _CJK_CHAR.search(words) else words_after(words)
            for dim in self.grouping.by_words(phrase) if phrase else []:
                intent.unset_left.append(dim)
                value = intent.filters.get(dim)
                if isinstance(value, Excluded):
                    value.unset = False

    def _uncued(self, question: str, playbook: str) -> bool:
        """A specialised playbook (or a trend) chosen on likeness alone, none of its cue words
        said."""
        if (playbook in _GENERIC and playbook not in _CUED) or not self._cues.get(playbook):
            return False
        return not any(c.search(question) for c in self._cues[playbook])

    def _uncued_near_tie(self, question: str, playbook: str, scores: dict[str, float]) -> bool:
        """A specialised playbook won by a hair on likeness alone, none of its cue words said."""
        if playbook in _GENERIC or not self._uncued(question, playbook):
            return False
        return scores.get(playbook, 0.0) - scores.get("metric_change", 0.0) < _TREND_MARGIN

    def _asks_which_group(self, question: str) -> bool:
        """Whether the question's "which …" names a grouping of the catalog by its words, one
        whose values say something (not codes such as "H15,H93,": "主要反映哪些问题" asks for
        what customers say, not a count of the codes)."""
        phrase = grouping_phrase(question) if WHICH.search(question) else ""
        dims = self.grouping.by_words(phrase) if phrase else []
        return any(not self._coded(d) for d in dims)

    def _coded(self, dim: str) -> bool:
        """Whether a dimension's values are codes rather than words."""
        d = self.matcher.catalog.dimensions.get(dim)
        values = [str(v) for v in (d.spec.values or {})] if d is not None else []
        values = values or [str(v) for v in self.values.get(dim, [])]
        sample = values[:_CODE_SAMPLE]
        coded = [v for v in sample if _CODE_VALUE.fullmatch(v.strip())]
        return bool(sample) and len(coded) >= _CODED_SHARE * len(sample)

    def _grouping(
        self, question: str, slots: Slots, *, exact_only: bool = False
    ) -> GroupGuess | None:
        """The grouping the question names in words no dimension name matched ("which support
        group"): read against the dimensions, and added to the slots when one fits (by shared
        words only, when ``exact_only``)."""
        if slots.compared:
            # "优先级为 Critical 或 High 的工单，哪三个处理组接得最多": values named side by side
            # are the records asked about, added up, when another grouping is asked by its words.
            named = self.grouping.guess(question)
            if named is None or named.dimension is None or named.by_meaning:
                return None
            if named.dimension in slots.compared or named.dimension in slots.filters:
                return None
            for dim, values in slots.compared.items():
                slots.filters[dim] = Either(*values)
            slots.compared = {}
            kept = [d for d in slots.dimensions if d in slots.filters]
            slots.dimensions[:] = [named.dimension, *kept]
            return named
        cat = self.matcher.catalog
        sides = [
            d
            for d in slots.dimensions
            if d in cat.dimensions and cat.dimensions[d].kind == "boolean"
        ]
        if sides and _EACH_SIDE.search(question):
            return None  # "… for each group": the two sides of the yes/no just named
        if any(d not in slots.filters for d in slots.dimensions):
            # "异响问题最集中的是哪个品牌": another dimension's name said in passing; the one
            # after "which" is the grouping, when its words name one.
            named = self.grouping.guess(question)
            if named is not None and named.dimension is not None and not named.by_meaning:
                rest = [d for d in slots.dimensions if d != named.dimension]
                slots.dimensions[:] = [named.dimension, *rest]
                return named
            return None
        guess = self.grouping.guess(question)
        if exact_only and (guess is None or guess.dimension is None or guess.by_meaning):
            return None
        if guess is not None and _ADDED_UP.search(question):
            return None  # "其余各类留言加起来有多少": the groups added up, not split
        by_value = (
            guess is not None
            and guess.by_meaning
            and re.search(rf"(?i)\bby\s+(?:the\s+)?{re.escape(guess.phrase)}", question)
        )
        if guess is not None and by_value and self.matcher.match(guess.phrase).filters:
            # "Came in by phone": "by" a value the question filters on, not a grouping.
            return None
        text = normal_text(question)
        if (
            guess is not None
            and by_value
            and any(
                guess.phrase.lower() in text[a:b] for a, b in (*slots.said.values(), *slots.spans)
            )
        ):
            return None  # "by phone" read as the value 电话 in the other language
        if guess is not None and guess.dimension is not None:
            slots.dimensions.append(guess.dimension)
        return guess

    def _most_common_column(self, question: str, slots: Slots) -> GroupGuess | None:
        """The column a "most common X" / "number one X" names by its words, when no grouping
        was read: X must share its words with exactly one groupable column."""
        m = _MOST_COMMON_NOUN.search(question)
        phrase = words_after(m.group(1)) if m else ""
        cat = self.matcher.catalog
        # Values counted by how often they come up: a column of kinds, not a yes/no one.
        kinds = [d for d in self.grouping.groupable if cat.dimensions[d].kind == "category"]
        dims = self.grouping.by_words(phrase, kinds) if phrase else []
        if len(dims) != 1 or dims[0] in slots.filters:
            return None
        # "How do companies respond … the most common response": the column after "most
        # common" is the grouping, unless a grouping cue names another ("which company").
        cued = grouping_phrase(question)
        if cued and any(d not in slots.filters for d in slots.dimensions):
            return None
        return GroupGuess(phrase, dims[0])

    def _on_the_table_holding(self, intent: Intent) -> None:
        """ "Spotify replies that provided a URL" where each company's replies are a table of
        their own: the measure on the table that holds the value filtered on, not the same
        measure on another company's table (which would count none)."""
        cat = intent.catalog
        if cat is None or not intent.filters or not self.held:
            return
        apart = self._filters_apart(intent) if intent.playbook in _FIGURES else ""
        if apart:
            # "How many Zen replies apologise" where only Nova's replies have an apology
            # column: Zen's records cannot be counted by it, and none is not zero.
            intent.playbook, intent.missing = UNAVAILABLE, apart
            return
        if not intent.metrics and intent.playbook == "share_of":
            # "What share of Apple customer tweets …": the records counted are those of the
            # table holding the value, not the first table's.
            q = intent.question
            chosen = default_metric(cat, None, intent.filters, held=self.held, question=q)
            if chosen != default_metric(cat, None, intent.filters, question=q):
                intent.slots.metrics = [chosen]
            return
        metrics = list(intent.metrics)
        for i, name in enumerate(metrics):
            if name not in cat.metrics or holds_all(cat, self.held, name, intent.filters):
                continue
            spec = cat.metrics[name].spec
            twins = [
                other for other, m in cat.metrics.items()
                if other != name and m.spec.expr == spec.expr and m.spec.filter == spec.filter
                and m.unit == spec.unit and holds_all(cat, self.held, other, intent.filters)
                and all(reaches(cat, other, d) for d in intent.slots.dimensions)
                and _same_kind(m.table, spec.table) and self._holds_labels(intent, m.table)
            ]  # fmt: skip
            if len(twins) > 1:
                # "Spotify customers' tweets": the twin on the table the words pick out.
                picked = table_cue(intent.question, [cat.metrics[t].table for t in twins])
                twins = [t for t in twins if cat.metrics[t].table in picked]
            if len(twins) == 1:
                metrics[i] = twins[0]
            elif not twins and intent.playbook in _FIGURES:
                subject = self._held_elsewhere(intent, name)
                if subject:
                    # "How many Spotify replies apologise": only Amazon's replies record it;
                    # the figure is not there for Spotify, which is not a zero.
                    intent.playbook, intent.missing = UNAVAILABLE, subject
                    return
        intent.slots.metrics = metrics

    def _filters_apart(self, intent: Intent) -> str:
        """A group filtered on (one export per company) whose tables carry no column of another
        filter: "<filter> for <group> (only <others>' records carry it)"; "" otherwise."""
        cat = intent.catalog
        assert cat is not None
        for dim, value in intent.filters.items():
            tables = self.held.get(dim) or {}
            wanted = {str(v).casefold() for v in (value if isinstance(value, list) else [value])}
            mine = [t for t, vs in tables.items() if wanted & {v.casefold() for v in vs}]
            if not mine or len(mine) == len(tables):
                continue
            for other in intent.filters:
                spec = cat.dimensions.get(other)
                if other == dim or spec is None or not spec.sources or other in self.held:
                    continue
                if any(cat.join_path(t, s) is not None for t in mine for s in spec.sources):
                    continue
                carry = sorted({v for s in spec.sources for t in nearest(cat, s, tables)
                                for v in tables[t]})  # fmt: skip
                if len(carry) != 1:
                    continue
                measure = dimension_label(cat, other, intent.language)
                return self._apart_subject(intent, dim, value, carry[0], measure)
        return ""

    def _apart_subject(
        self, intent: Intent, dim: str, value: object, own: str | list[str], measure: str
    ) -> str:
        cat, lang = intent.catalog, intent.language
        values = value if isinstance(value, list) else [value]
        said = (", " if lang == "en" else "、").join(
            value_label(cat, dim, str(v), lang) for v in values
        )
        owners = [value_label(cat, dim, o, lang) for o in ([own] if isinstance(own, str) else own)]
        if lang == "zh":
            return f"{said}的{measure}（只有{'、'.join(owners)}的记录有这一项）"
        whose = " and ".join(f"{o}'s" for o in owners)
        return f"{measure} for {said} (only {whose} records carry it)"

    def _holds_labels(self, intent: Intent, table: str) -> bool:
        """Whether ``table``'s records carry every category the question names (its labels);
        Spotify's replies have no "Apologize", so Amazon's count of it has no twin there."""
        held = {v.casefold() for v in (self.held.get(LABEL) or {}).get(table, [])}
        return not held or all(label.casefold() in held for label in intent.labels)

    def _held_elsewhere(self, intent: Intent, metric: str) -> str:
        """What the data lacks when a value filtered on is held only by tables the measure is
        not on, and the measure's table holds one other value of that dimension (one export
        per group): "<measure> for <value> (only <own>'s records carry it)"; "" otherwise."""
        cat, lang = intent.catalog, intent.language
        if cat is None:
            return ""
        table = cat.metrics[metric].table
        for dim, value in intent.filters.items():
            tables = self.held.get(dim) or {}
            near = nearest(cat, table, tables)
            own = {v for t in near for v in tables[t]}
            wanted = {str(v) for v in (value if isinstance(value, list) else [value])}
            elsewhere = {v for t, vs in tables.items() if t not in near for v in vs}
            if len(own) != 1 or wanted & own or not wanted <= elsewhere:
                continue
            measure = ", ".join(intent.labels) or metric_label(cat, metric, lang)
            return self._apart_subject(intent, dim, sorted(wanted), next(iter(own)), measure)
        return ""

    def _year_of_the_data(self, intent: Intent) -> None:
        """ "November than October" with no year, asked of an export whose records end years
        before today: the latest year the data holds those months, said in the reading notes,
        rather than an empty month of this year."""
        period = intent.period
        if period is None or _NAMES_YEAR.search(intent.question):
            return
        if _RELATIVE.search(period.phrase or "") or period.kind not in _CALENDAR_KINDS:
            return
        counts = self._counts_for(intent)
        if not counts or any(_records_in(c, period) for c in counts):
            return
        for back in range(1, _YEARS_BACK + 1):
            moved = _years_before(period, back)
            if moved is not None and any(_records_in(c, moved) for c in counts):
                intent.period = moved
                if intent.comparison is not None:
                    intent.comparison = _years_before(intent.comparison, back)
                intent.year_read = str(moved.start.year)
                return

    def _days_of_the_data(self, intent: Intent) -> None:
        """ "The last 30 days covered by the log", "数据最后一周": a rolling window counted back
        from the data's last day, not from today."""
        period = intent.period
        if period is None or not self.last_days or not _OF_THE_DATA.search(intent.question):
            return
        if not _RELATIVE.search(period.phrase or "") or period.end < self.as_of:
            return  # a window that does not end now ("the last 30 days of March")
        counts = [self.last_days[t] for t in self._tables_for(intent) if t in self.last_days]
        if not counts:
            return
        end = max(counts) + timedelta(days=1)
        if end >= period.end:
            return
        shift = period.end - end
        intent.period = explicit_range(period.start - shift, end - timedelta(days=1), period.phrase)
        intent.comparison = None

    def _tables_for(self, intent: Intent) -> list[str]:
        cat = intent.catalog
        if cat is None:
            return []
        tables = [cat.metrics[m].table for m in intent.metrics if m in cat.metrics]
        return tables or list(self.last_days)

    def _uncovered_comparison(self, intent: Intent) -> None:
        """ "2015 compared with 2016" where the data holds nothing before 2016: the answer gives
        the period it has and says the other is not in the data, rather than "rose from 0"."""
        if intent.period is None or not (intent.compare or intent.comparison):
            return
        other = intent.comparison
        if other is None:  # the previous period of the same length
            other = Period(
                intent.period.start - (intent.period.end - intent.period.start),
                intent.period.start, "", "",
            )  # fmt: skip
        counts = self._counts_for(intent)
        if counts and not any(_records_in(c, other) for c in counts):
            label = intent.comparison.label if intent.comparison else _span_label(other)
            intent.compare_missing = label
            intent.comparison = None
            intent.compare = False

    def _counts_for(self, intent: Intent) -> list[dict[str, int]]:
        """Records per quarter of the tables the question's metrics read (else the largest)."""
        cat = intent.catalog
        tables = [cat.metrics[m].table for m in intent.metrics if cat and m in cat.metrics]
        counts = [self.quarters[t] for t in tables if t in self.quarters]
        if not counts and self.quarters:
            counts = [max(self.quarters.values(), key=lambda c: sum(c.values()))]
        return counts

    def _over_time_undated(self, intent: Intent) -> None:
        """A period, a trend or a change over time asked of data with no dates at all (an
        export of reviews with no time column): it says the data cannot tell, rather than
        answering over every record as if the period had been read."""
        if not self.dated_known or any(self.quarters.values()):
            return
        if intent.playbook in _NOT_COUNTED or intent.shape.has("document"):
            return
        shape, slots = intent.shape, intent.slots
        grouped = bool(slots.compared) or any(d not in intent.filters for d in slots.dimensions)
        # "说“色差”的和说“掉色”的哪个更多": the words are compared, not two periods.
        grouped = grouped or len(intent.mentions) > 1
        over_time = shape.has("trend") or (shape.has("change") and not grouped)
        if intent.period is None and not over_time:
            return
        intent.playbook = UNAVAILABLE
        intent.missing = (
            "日期（导出的数据没有日期列，无法按时间段或时间变化回答）"
            if intent.language == "zh"
            else "dates (the data has no date column, so it cannot be read by period or over time)"
        )

    def _thin_default(self, intent: Intent) -> None:
        """No period named, and the latest full quarter (the default) holds only a thin tail of
        the data (an export whose records are mostly older): the answer covers all of it, and
        says why, rather than a quarter that stands for little."""
        if intent.period is not None or intent.all_data or intent.follow_up:
            return
        if self.dated_known and not any(self.quarters.values()):
            # No record of the workspace has a date: there is no quarter to default to.
            intent.all_data = True
            return
        everything = intent.catalog is not None and intent.catalog.spec.default_period == "all"
        if everything and _asks_no_change(intent):
            # An export looked back on: no period named is every date it holds (the catalog's
            # ``default_period``), for a measure's level as for records counted.
            intent.all_data = intent.all_by_default = True
            return
        if _counts_records(intent) or _compares_named_groups(intent):
            # "Which company has the most complaints", "城乡建设类的留言有多少条": records
            # counted or ranked with no period named are all of them; so are named groups set
            # side by side ("城东区和城西区，哪个答复更慢"); a quarter is the default only for
            # how a measure is doing (a rate, an average, a change).
            intent.all_data = intent.all_by_default = True
            return
        counts = self._counts_for(intent)
        if not counts:
            return
        label = parse_period("last quarter", self.as_of).label
        thin = []
        for per_quarter in counts:
            # Every quarter with records counts, the current one too: an export whose records
            # mostly sit in the current quarter is not represented by the one before.
            typical = sum(per_quarter.values()) / max(1, len(per_quarter))
            thin.append(per_quarter.get(label, 0) < _THIN * typical)
        if all(thin):
            intent.all_data = True
            intent.thin_default = label

    def _asks_missing_text(self, intent: Intent) -> bool:
        """Quotes or themes asked of a workspace that holds no customer text: it says so."""
        asks_words = intent.shape.has("quotes") or intent.shape.has("themes")
        if not asks_words or not {"voc_evidence", "voc_themes"} <= self.unavailable:
            return False
        intent.missing = "客户反馈原文" if intent.language == "zh" else "customer feedback text"
        return True

    def _instead(self, intent: Intent, scores: dict[str, float]) -> str:
        """The playbook for a question whose first choice needs data this catalog lacks: a
        named template is filled generically; anything else goes to the best generic fit."""
        if intent.template is not None:
            return "strategy_template"
        if self._asks_missing_text(intent):
            return UNAVAILABLE
        ranked = sorted(scores, key=lambda n: -scores[n])
        fit = next(n for n in ranked if n not in self.unavailable)
        split = bool(intent.slots.dimensions or intent.slots.compared)
        return _by_shape(fit, intent.shape, bool(intent.metrics), split)

    def _peak_of_records(self, question: str) -> bool:
        """ "Which month of 2023 had the most messages": a period ranked by records the data's
        names resemble (not "the most rain")."""
        if _PEAK_TIME.search(question) is None:
            return False
        m = _MOST_NOUN.search(question)
        noun = m.group(1).lower() if m else ""
        return bool(noun) and (noun in _SERVICE_RECORDS or not self.unread_words.unlike([noun]))

    def _values_in_other_language(self, question: str, slots: Slots) -> dict[str, tuple[int, int]]:
        """ "Hotel reviews" when the data says 酒店: a value named by its translation. Returns
        where each such value was said."""
        text = unmatched_text(question, slots)
        for a, b in self._listed_with_a_translation(question, text, slots):
            text = text[:a] + " " * (b - a) + text[b:]  # read: no other column's value
        # "The number of such tickets": a count asked, not a phone number (电话).
        text = _COUNT_PHRASE.sub(lambda m: " " * len(m.group(0)), text)
        # "poor-quality online purchases (网购商品质量问题)": the English words before a value
        # read in brackets gloss it; they name no value of their own.
        text = _GLOSSING.sub(lambda m: " " * len(m.group(0)), text)
        found = self.cross.match_at(text, set(slots.filters) | set(slots.compared))
        if not found:
            return {}
        spans: dict[str, tuple[int, int]] = {}
        said = normal_text(question)
        where = {d: self._said_at(said, d, v) for d, v in slots.filters.items()}
        per_dim: dict[str, list[str]] = {}
        for dim, value, words, at in found:
            where.setdefault(dim, at if at >= 0 else len(text))
            per_dim.setdefault(dim, []).append(value)
            slots.filters.setdefault(dim, value)
            if dim not in slots.dimensions:
                slots.dimensions.append(dim)
            if at >= 0:
                slots.spans.append((at, at + len(words)))
                spans.setdefault(dim, (at, at + len(words)))
                slots.said.setdefault(f"{dim}={value}", (at, at + len(words)))
        for dim, values in per_dim.items():
            if len(values) > 1 and dim not in slots.compared:
                # "Phones or computers": two values of one dimension named, side by side.
                slots.compared[dim] = values
                slots.filters.pop(dim, None)
                spans.pop(dim, None)
        # The filters in the order the question says them: a share's part is the one said last.
        slots.filters = dict(sorted(slots.filters.items(), key=lambda kv: where[kv[0]]))
        return spans

    def _listed_with_a_translation(
        self, question: str, text: str, slots: Slots
    ) -> list[tuple[int, int]]:
        """ "AcmeHelp 和苹果的客服": a value named as written listed beside another of its
        column named in Chinese word by word (苹果 for AppleSupport): the two side by side.
        Returns where the values read so were said."""
        said = normal_text(question)
        read: list[tuple[int, int]] = []
        prefer = frozenset(slots.filters)
        for dim, value, words, at in self.cross.glossed_values(text, set(slots.compared), prefer):
            first = slots.filters.get(dim)
            if first is None or isinstance(first, (Either, Excluded)) or first == value:
                continue
            where = self._said_at(said, dim, str(first))
            spans = [(where, where + len(str(first))), (at, at + len(words))]
            if where < 0 or not (_listed_together(said, spans) or _said_alike(said, *spans)):
                continue
            slots.compared[dim] = [str(first), value]
            slots.filters.pop(dim, None)
            slots.spans.append((at, at + len(words)))
            read.append((at, at + len(words)))
        return read

    def _by_a_value(self, question: str, shape: ShapeReading) -> ShapeReading:
        """ "Submitted by phone", "came in by email": "by" a value filtered on, which splits
        nothing; a split is asked only when "by" names a grouping."""
        if not shape.has("breakdown"):
            return shape
        said = [(m.group(1) or "", m.group(2)) for m in _BY_WORDS.finditer(question)]
        # "Disputed by the consumer", "submitted by phone": who or how, after a participle.
        splits = [
            w for before, w in said
            if not (_PARTICIPLE.search(before) and not _SPLIT_VERB.search(before))
            and not self.matcher.match(w).filters
        ]  # fmt: skip
        if not said or splits:
            return shape
        return replace(shape, shapes=tuple(s for s in shape.shapes if s != "breakdown"))

    def _negated_values(
        self, question: str, slots: Slots, crossed: dict[str, tuple[int, int]]
    ) -> None:
        """ "不算酒店", "not from the East": a value the records must not have."""
        text = normal_text(question)
        cat = self.matcher.catalog
        spans = {
            dim: crossed.get(dim) or self._value_span(text, dim, value, slots.said)
            for dim, value in slots.filters.items()
        }
        for dim, value in list(slots.filters.items()):
            span = spans[dim]
            if span is None or not _own_column(cat, dim):
                continue
            if _INCLUDED.match(text[span[1] :]) and dim not in slots.compared:
                # "How many states sent fewer than 10 each? Puerto Rico included": the value
                # is not to be left out of the records, not the only one kept.
                del slots.filters[dim]
                continue
            floor = max((s[1] for s in spans.values() if s and s[1] <= span[0]), default=0)
            if negated(text, *span, floor=floor) or _negated_when_said_again(text, value, span):
                slots.filters[dim] = negated_part(value)
        # "把吉利和马自达这两家放一边": values named together, set aside together.
        for dim, values in list(slots.compared.items()):
            # Values found by part of their name ("大众" for 一汽-大众, 上汽大众…): that part.
            found = [self._value_span(text, dim, v) or _part_span(text, v) for v in values]
            if not all(found) or not _own_column(cat, dim):
                continue
            first = min(f for f in found if f)
            last = max(f for f in found if f)
            spans_of = [f for f in found if f]
            said_first = values[found.index(first)] if first in found else None
            if said_first and negated(text, *first) and _glossed_after(question, spans_of):
                # "some way other than web - phone, mail, fax or email": the others listed
                # after a dash say what "other" holds; the one set aside is the filter.
                del slots.compared[dim]
                slots.filters[dim] = Excluded(said_first)
                continue
            if negated_list(text, first[0]):
                # "Leaving out the three big credit bureaus - Meridian, Keystone and
                # TransNation": the values listed after what they are, set aside together.
                del slots.compared[dim]
                slots.filters[dim] = Excluded(*values)
                continue
            if not _listed_together(text, spans_of):
                # "“满意”的占多少？（基本满意不算）": each value negated or not on its own.
                kept = [
                    v for v, f in zip(values, found, strict=True) if f and not negated(text, *f)
                ]
                if len(kept) == 1 and len(values) > 1:
                    del slots.compared[dim]
                    slots.filters[dim] = kept[0]
                elif 1 < len(kept) < len(values):
                    slots.compared[dim] = kept  # "by phone or fax, not web": those two
                elif not kept and all(found):
                    # "既不是二孩生育津贴申领、也不是医院挂号难的": each set aside on its own.
                    del slots.compared[dim]
                    slots.filters[dim] = Excluded(*values)
                continue
            if negated(text, first[0], first[1]) or negated(text, last[0], last[1]):
                del slots.compared[dim]
                slots.filters[dim] = Excluded(*values)

    def _negated_metrics(self, question: str, slots: Slots) -> None:
        """ "Did not get a timely response", "没有及时回复": a yes/no measure's other side, when
        the catalog measures it (``not_<flag>_rate``/``_count``)."""
        text = normal_text(question)
        cat = self.matcher.catalog
        if not any(f"not_{m}" in cat.metrics for m in slots.metrics):
            return
        # Where each measure is said: by its name, or in the words its meaning was found in.
        spans: dict[str, tuple[int, int]] = dict(slots.metric_spans)
        for found, _, words in slots.by_meaning:
            at = text.find(words)
            if at >= 0:
                spans.setdefault(found, (at, at + len(words)))
        own = {m: spans[m] for m in slots.metrics if m in spans}
        if not own:
            # Said nowhere on its own: the first words of any measure say it.
            said = list(spans.values())
            if not said or not negated(text, *min(said)):
                return
            own = dict.fromkeys(slots.metrics, min(said))
        # "The dispute rate for complaints that did not get a timely response": only the
        # measure said negated flips, not the one beside it.
        slots.metrics = [
            f"not_{m}" if f"not_{m}" in cat.metrics and m in own and negated(text, *own[m]) else m
            for m in slots.metrics
        ]

    def _value_span(
        self, text: str, dim: str, value: str, said: dict[str, tuple[int, int]] | None = None
    ) -> tuple[int, int] | None:
        """Where the question says the value (its longest name found), if it does."""
        target = f"{dim}={value}"
        if said and target in said:
            return said[target]  # named by its words in another order
        # A coded value ("3 - Moderate") is said by its name, even a plain one.
        named = coded_name(value)
        names = set(self.matcher.names_of(target)) | {value}
        names |= {named} if len(named) >= 3 else set()
        found = [(text.find(n.lower()), n) for n in names if n and n.lower() in text]
        if not found:
            return None
        at, name = max(found, key=lambda f: len(f[1]))
        return at, at + len(name)

    def _said_at(self, text: str, dim: str, value: str) -> int:
        """Where the question first says one of a value's names (its end when it does not)."""
        span = self._value_span(text, dim, value)
        if span is not None:
            return span[0]
        # A value found by its beginning ("Apple" for AppleSupport): where that is said.
        names = {n.lower() for n in self.matcher.names_of(f"{dim}={value}")} | {value.lower()}
        at = [_prefix_at(text, n) for n in names if n]
        return min((a for a in at if a >= 0), default=len(text))

    def _values_in_rate_names(self, question: str, slots: Slots) -> None:
        """ "首次修复率、多次上门率分别多少": a value's name said as part of a rate's name ("上门"
        of 多次上门率) names the rate, not records of that value."""
        text = normal_text(question)
        for dim, value in list(slots.filters.items()):
            if dim in slots.compared or not isinstance(value, str):
                continue
            span = self._value_span(text, dim, value, slots.said)
            rate = _IN_RATE_NAME.match(text[span[1] : span[1] + 3]) if span else None
            if span is None or rate is None:
                continue
            # Only a rate the catalog measures by that name ("多次上门率": repeat visits); "不满意
            # 率" is the share of the value, read later.
            said = text[max(0, span[0] - 2) : span[1] + rate.end()]
            guess = self.meaning.guess_metric(said, {})
            if guess is None or not guess.clear or guess.score < _RATE_NAMED:
                continue
            del slots.filters[dim]
            slots.dimensions = [d for d in slots.dimensions if d != dim]
            slots.spans = [sp for sp in slots.spans if sp[1] <= span[0] or sp[0] >= span[1]]

    def _metrics_by_meaning(self, question: str, slots: Slots) -> None:
        """Metrics named in other words ("on-time %", "按时率", "fixed first time"): when no
        metric was named by name, when only the table's noun was ("tickets"), or when the
        words next to a name say more than the name alone ("fixed-first-visit rate")."""
        text = self._without_values_begun(unmatched_text(question, slots), slots)
        guess = self.meaning.guess_metric(text, slots.filters)
        cat = self.matcher.catalog
        if guess is not None and _SIDE_RECORDS.search(question):
            tables = {m.table for m in cat.metrics.values()}
            cued = table_cue(question, tables)
            if cued and cat.metrics[guess.metric].table not in cued:
                # "How many customer tweets include a link": a measure of the agents' replies
                # (Provide URL) is not what the customers' messages are asked about.
                guess = None
        if guess is None:
            self._duration_of_event_value(question, slots)
            return
        durational = self.matcher.catalog.metrics[guess.metric].unit in _TIME_UNITS
        if not durational and self._duration_of_event_value(question, slots):
            # "For incidents that were reopened, how long did they take to close": the time to
            # the event the state names, not the measure "reopened how long" resembles.
            return
        if not _CJK_CHAR.search(guess.phrase) and not (
            set(re.findall(r"[a-z]+", guess.phrase.lower())) - _MEASURE_WORDS
        ):
            return  # "the number of such tweets": measure words alone name no measure
        core = _ZH_FILLER.sub("", guess.phrase).strip()
        if slots.noun_only and len(core) <= 1 and _CJK_CHAR.search(core or "x") is not None:
            # "几点开的事件最多": one character (开 of 重开) names no measure beside the records.
            return
        bare = " ".join(w for w in guess.phrase.split() if w not in STOP_WORDS | {"as"})
        if slots.filters and _BARE_SHARE.fullmatch(bare):
            # "所有差评里，酒店占了多大比例": a share of the records named by their values, not
            # whichever rate the bare word resembles.
            return
        if guess.metric in slots.metrics:
            # "一次修好率、二次上门比例分别多少": the first named, a second in other words.
            if _LISTED.search(question):
                self._second_metric(question, text, guess.phrase, slots)
            return
        timed = _ASKS_TIME.search(question) or _SPEED.search(question)
        if durational and not timed and {e for e, _ in said_events(guess.phrase)} <= {"open"}:
            # "每个月新开的工单里": the opening alone names no span of time, and no time is asked.
            return
        asked = _HOW_MANY.search(question) or _HOW_MANY_OF.search(question)
        asked_count = asked and not AVERAGE.search(question)
        # "其中还没答复的有几条": the time said missing is read later (``_unset_part``).
        asked_count = asked_count and not _NOT_YET.search(question)
        if slots.noun_only and durational and asked_count:
            return  # "5月关闭了多少张工单": how many records, not how long closing took
        # A superlative of how many ("the most", "最少"), not of how long ("最快", "longest").
        most_of = (_MOST_SAID.search(question) or _LEAST_SAID.search(question)) is not None
        most_of = durational and most_of and not _ASKS_TIME.search(question)
        if (
            (slots.noun_only or not slots.metrics)
            and most_of
            and not _ZH_TIME_SAID.search(question)
        ):
            return  # "哪个优先级的事件5月关闭得最多": the most closed, not the longest closing
        if not slots.metrics or slots.noun_only:
            slots.metrics = [guess.metric]
            slots.noun_only = False  # a measure named in other words, not the records' noun
            self._drop_values_inside(question, guess.phrase, slots)
            # A second metric named in other words elsewhere in the question ("… and the
            # share needing a second visit?").
            self._second_metric(question, text, guess.phrase, slots)
        else:
            replaced = self._adjacent_name(question, slots, guess.phrase, guess.metric)
            if replaced is None:
                if _EACH_LISTED.search(question) and guess.clear:
                    # "首次修复率、多次上门率分别多少": a second measure listed beside the one
                    # named, in other words.
                    slots.metrics.append(guess.metric)
                    self._drop_values_inside(question, guess.phrase, slots)
                return
            slots.metrics = [guess.metric if m == replaced else m for m in slots.metrics]
        slots.by_meaning = [(guess.metric, guess.score, guess.phrase)]
        if not guess.clear and guess.runner_up:
            slots.by_meaning.append((guess.runner_up, guess.runner_up_score, guess.phrase))
        # Its words are read: not words to find in the text ("include a link": Provide URL).
        at = normal_text(question).find(guess.phrase)
        if at >= 0:
            slots.read_as_columns.append((at, at + len(guess.phrase)))

    def _speed_of_event(self, question: str, slots: Slots) -> None:
        """ "Which team resolves tickets the fastest", "哪个组解决得最快": how fast an event
        happens is the time to it (the catalog's duration ending at that event), when no
        measure was named and no count is asked."""
        if (slots.metrics and not slots.noun_only) or not _SPEED.search(question):
            return
        if _HOW_MANY.search(question) or _HOW_MANY_OF.search(question):
            return
        events = {e for e, _ in said_events(question)} - {"open"}
        if len(events) != 1:
            return
        cat = self.matcher.catalog
        event = events.pop()
        ending = [
            name for name, m in cat.metrics.items()
            if m.unit == "hours" and end_event(m.spec.expr) == event
        ]  # fmt: skip
        if not ending:
            return
        # The average unless another statistic is named ("the median time …").
        ending.sort(key=lambda n: not n.startswith("avg_"))
        slots.metrics = self.meaning.order(normal_text(question), ending)[:1]
        slots.noun_only = False
        slots.filters = {d: v for d, v in slots.filters.items() if event_of(str(v)) != event}

    def _whose_files(self, question: str, slots: Slots) -> None:
        """ "Whose customers write the longest tweets on average" over one export per company:
        "whose" asks which of the groups the files belong to — the dimension each file of the
        measured records holds one value of — when the question names no grouping."""
        if not _WHOSE_WORD.search(question) or slots.dimensions or slots.compared:
            return
        cat = self.matcher.catalog
        if len(slots.metrics) != 1 or slots.noun_only or slots.metrics[0] not in cat.metrics:
            return
        metric = slots.metrics[0]
        table = cat.metrics[metric].table
        sources = [j.to_table for j in cat.spec.joins if j.from_table == table]
        split = [
            d for d, held in self.held.items()
            if d not in slots.filters and (
                parallel_metrics(cat, self.held, metric, d)
                or (table == "voc" and len(sources) > 1
                    and all(len(held.get(t, [])) == 1 for t in sources)
                    and len({v for t in sources for v in held[t]}) > 1)
            )
        ]  # fmt: skip
        if len(split) == 1:
            slots.dimensions = split

    def _without_values_begun(self, text: str, slots: Slots) -> str:
        """``text`` with the words that named a value by its beginning blanked ("Apple" of
        AppleSupport): they name the value read, not a measure ("share of Apple" is not the
        Apple Pay rate)."""
        for target in slots.fuzzy:
            if "=" not in target:
                continue
            names = {target.split("=", 1)[1], *self.matcher.names_of(target)}
            whole = {re.sub(r"[\W_]+", "", n.lower()) for n in names}
            for m in list(re.finditer(r"[a-z0-9]{4,}", text)):
                if any(n.startswith(m.group(0)) for n in whole):
                    text = text[: m.start()] + " " * len(m.group(0)) + text[m.end() :]
        # A value named again ("NovaSupport customers … NovaSupport customer tweets"): every
        # time it is said, it names the value, not a measure beginning alike ("Nova pay").
        said = [v for vs in slots.compared.values() for v in vs]
        said += [v for v in slots.filters.values() if isinstance(v, str)]
        for value in said:
            if len(value) < 4 or _CJK_CHAR.search(value):
                continue
            pattern = rf"(?<![a-z0-9]){re.escape(value.lower())}(?![a-z0-9])"
            text = re.sub(pattern, lambda m: " " * len(m.group(0)), text)
        return text

    def _duration_of_event_value(self, question: str, slots: Slots) -> bool:
        """ "Which category took the most hours to close": the verb was taken as the state
        Closed, leaving no words for a measure; read with the verb, the time to that event is
        the measure and the state no filter. Whether it was read so."""
        if (slots.metrics and not slots.noun_only) or not _ASKS_TIME.search(question):
            return False
        cat = self.matcher.catalog
        events = [event_of(value) for value in slots.filters.values() if isinstance(value, str)]
        events = [e for e in events if e]
        if len(events) != 1:
            return False
        ending = [
            name for name, m in cat.metrics.items()
            if m.unit == "hours" and end_event(m.spec.expr) == events[0]
        ]  # fmt: skip
        if not ending:
            return False
        guess = self.meaning.guess_metric(normal_text(question), {})
        if guess is not None and guess.clear and guess.metric in ending:
            slots.by_meaning = [(guess.metric, guess.score, guess.phrase)]
            picked = guess.metric
        elif guess is not None and guess.metric not in ending and AVERAGE.search(question):
            # "For incidents that were reopened, how long did they take to close on average":
            # the words resemble another measure more ("reopened"); of the times to the event,
            # the one the question's words resemble most.
            picked = self.meaning.order(normal_text(question), ending)[0]
            slots.by_meaning = []
        else:
            return False
        slots.metrics = [picked]  # the state's filter goes with the duration's end
        slots.noun_only = False
        return True

    def _second_metric(self, question: str, text: str, taken: str, slots: Slots) -> None:
        rest = text.replace(taken, " " * len(taken))
        more = self.meaning.guess_metric(rest, slots.filters)
        if more is not None and more.clear and more.metric not in slots.metrics:
            slots.metrics.append(more.metric)
            self._drop_values_inside(question, more.phrase, slots)

    def _drop_values_inside(self, question: str, phrase: str, slots: Slots) -> None:
        """A value the matcher took from inside a measure named in other words ("上门" of
        "二次上门比例") is part of that name, not a filter."""
        joiner = " " if " " in phrase.strip() else ""
        words = phrase.split() if joiner else list(phrase.strip())
        text = question.lower()
        for dim, value in list(slots.filters.items()):
            target = f"{dim}={value}"
            aliases = set(self.matcher.names_of(target))
            # The value said between two parts of the phrase: "二次" + "上门" + "比例".
            inside = (
                rf"{re.escape(joiner.join(words[:i]))}\s*{re.escape(alias)}\s*"
                rf"{re.escape(joiner.join(words[i:]))}"
                for alias in aliases
                for i in range(1, len(words))
            )
            if any(re.search(pattern, text) for pattern in inside):
                slots.filters.pop(dim, None)
                slots.dimensions = [d for d in slots.dimensions if d != dim]

    def _metric_by_default(self, intent: Intent) -> None:
        """A ranking that names nothing to rank by. "Most"/"fewest" count the records;
        "worst"/"best" need a measure the question does not name clearly: of the catalog's
        headline metrics that fit, the one its words resemble most, the next ones offered as
        other readings."""
        cat = intent.catalog
        # The records' noun alone ("the worst reviews") names nothing to rate them by.
        named = intent.metrics and not intent.slots.noun_only
        if cat is None or named or intent.playbook != "ranking":
            return
        q = intent.question
        if not _RATED.search(q) or _COUNTED.search(q):
            return
        dim = intent.group_by
        undated = self.dated_known and not any(self.quarters.values())
        fits = [
            m for m in headline_metrics(cat, timed=not undated)
            if cat.metrics[m].direction != "neutral" and reaches(cat, m, dim)
            and all(reaches(cat, m, d) for d in intent.filters)
        ]  # fmt: skip
        fits = self.meaning.order(unmatched_text(q, intent.slots), fits)
        if fits:
            intent.slots.metrics = [fits[0]]
            intent.alternatives = fits[1:3]
            intent.defaulted = True

    def _labels_as_themes(self, intent: Intent) -> None:
        """ "What do customers contact us about most": when the records carry the export's own
        categories as flags (``catalog_choice.label_sets``), those categories ranked by how
        many records carry each, rather than themes guessed from the text."""
        cat = intent.catalog
        sets = label_sets(cat)
        if not sets or intent.theme or intent.template:
            return
        if intent.shape.has("quotes") or intent.mentions:
            return
        dim = next(iter(sets.values()))
        # A category named for groups named side by side ("Amazon or Spotify: whose customers
        # tweet more about their account") is counted, whichever customer-voice reading won.
        versus = dim in intent.filters and bool(intent.slots.compared)
        # "What do agents do most and least often": the categories ranked, whichever customer-
        # voice reading won, when the question ranks and asks for no quotes.
        ranks = _MOST_SAID.search(intent.question) or _LEAST_SAID.search(intent.question)
        evidence = intent.playbook == "voc_evidence" and (versus or bool(ranks))
        # "What do Spotify's agents do least often, and in how many replies": what they do,
        # ranked, though the question also counts.
        asked_what = (
            intent.playbook == "metric_change"
            and bool(ranks)
            and bool(_WHAT_DO.search(intent.question))
        )
        if intent.playbook != "voc_themes" and not evidence and not asked_what:
            return
        grouped = [d for d in intent.slots.dimensions if d != dim and d not in intent.filters]
        if grouped and intent.shape.has("ranking") and not _WHAT_DO.search(intent.question):
            # "At what hour do customers tweet most": a grouping named by its name is ranked,
            # not what the records are about.
            if intent.playbook == "voc_evidence":
                intent.playbook = "ranking"
                intent.slots.metrics = intent.slots.metrics or [
                    default_metric(
                        cat, grouped[0], intent.filters, held=self.held, question=intent.question
                    )
                ]
            return
        metric = default_metric(cat, dim, intent.filters, held=self.held, question=intent.question)
        if metric not in sets:
            return
        intent.playbook = "ranking"
        intent.slots.metrics = [metric]
        if dim in intent.filters and intent.slots.compared:
            # "Who gets more refund requests, Amazon or Apple": the named category's records
            # counted for each group named, not the categories ranked.
            intent.playbook = "breakdown"
            intent.slots.dimensions = list(intent.slots.compared)
            return
        intent.slots.dimensions = [sets[metric]]
        self._other_label_tables(intent, metric)

    def _other_label_tables(self, intent: Intent, metric: str) -> None:
        """The other tables' label counts that fit the filters as well, offered; said in the
        reading when none of the question's words chose between them (customers' tweets or
        agents' replies)."""
        cat = intent.catalog
        sets = label_sets(cat)
        if cat is None or metric not in sets:
            return
        others = [m for m in sets if m != metric and holds_all(cat, self.held, m, intent.filters)]
        intent.alternatives = others[:1]
        tables = [cat.metrics[m].table for m in [metric, *others]]
        if others and not table_cue(intent.question, tables):
            intent.uncued = others

    def _labels_named(self, intent: Intent) -> None:
        """ "How many tweets are about Alexa or Echo", "what share … are about delivery": the
        records carrying the export's own categories the question names, counted and as a
        share of the records (``label_shares``), not text that mentions the words. A category
        named comes before a feedback theme the same words resemble ("iOS 版本")."""
        if intent.before_theme is None:
            self._labels_said(intent)
            return
        themed = (list(intent.slots.metrics), dict(intent.slots.filters), intent.playbook)
        intent.slots.metrics, intent.slots.filters = intent.before_theme
        before = (list(intent.slots.metrics), dict(intent.slots.filters), intent.playbook)
        self._labels_said(intent, counted=True)  # a theme's records were being counted
        if (list(intent.slots.metrics), dict(intent.slots.filters), intent.playbook) == before:
            intent.slots.metrics, intent.slots.filters, intent.playbook = themed
        else:
            intent.theme = None

    def _labels_said(self, intent: Intent, counted: bool = False) -> None:
        cat = intent.catalog
        rates = [m for m in intent.metrics if cat is not None and cat.metrics[m].unit == "%"]
        if intent.slots.compared and rates and len(rates) == len(intent.metrics):
            return  # a category's rate for each group named side by side ("各占多少比例")
        sets = label_sets(cat)
        if cat is None or not sets or intent.playbook in (OUT_OF_SCOPE, REFUSED, UNAVAILABLE):
            return
        if intent.template or intent.shape.has("quotes") or intent.shape.has("trend"):
            return
        timed = [
            d
            for d in intent.slots.dimensions
            if d in cat.dimensions and cat.dimensions[d].from_time
        ]
        flags = {
            cat.dimensions[f].spec.en.lower() for f in intent.filters
            if f in cat.dimensions and cat.dimensions[f].kind == "boolean"
        }  # fmt: skip
        if flags and intent.playbook == "trend" and not intent.shape.has("share"):
            return  # "in October, in November, and so far in December": the flag's count each
        if timed and flags and intent.shape.has("share") and intent.playbook == "mentions":
            intent.playbook, intent.mentions = "share_of", []  # the column, not the words
        if intent.playbook == "share_of" and timed:
            # "10月和11月各占多少": the share in each month, on the category's own yes/no column
            # (the category of the same name is that column, not a slice of the records too).
            for dim in set(sets.values()):
                said = intent.filters.get(dim)
                own = _flags_named(cat, said) if isinstance(said, str) else []
                if said is not None and str(said).lower() not in flags and len(own) == 1:
                    # "tweets tagged as delivery, weekend vs weekdays": of all the records,
                    # not of those carrying some category (the long table's rows).
                    intent.slots.filters[own[0]] = "true"
                    flags.add(str(said).lower())
                if str(intent.filters.get(dim, "")).lower() in flags:
                    intent.slots.filters.pop(dim, None)
                    intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]
            return
        counted = counted or intent.shape.has("count") or intent.shape.has("share")
        if not counted and _MOST_SAID.search(intent.question) is None:
            return
        dim = next(iter(sets.values()))
        denied = [
            cat.dimensions[f].spec.en.lower() for f in intent.slots.flags
            if intent.filters.get(f) == "false" and f in cat.dimensions
        ]  # fmt: skip
        said_label = str(intent.filters.get(dim, "")).lower()
        if denied and said_label in denied:
            # "没有道歉的回复": the records without the flag, counted on its own column; the
            # category of the same name is not also asked for.
            intent.slots.filters.pop(dim, None)
            intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]
            labelled = [m for m in intent.metrics if m in sets]
            if labelled:  # the count of the records the flag is a column of, not of the flags
                flag = next(f for f in intent.slots.flags if f in cat.dimensions)
                intent.slots.metrics = [default_metric(cat, flag, dict(intent.filters))]
            if intent.playbook in ("ranking", "breakdown") and not intent.slots.dimensions:
                intent.playbook = "metric_change"
            return
        text = normal_text(intent.question)
        found: list[tuple[int, str]] = []
        aside: list[str] = []
        hits: list[tuple[int, int, str]] = []
        # The words counted as written (where first said) are no category named ("提到
        # “delivered”的"; "the word "playlist" … not tagged with the playlist topic").
        free = text
        for t in intent.mentions if asks_text(intent.question) else []:
            at = free.find(t.lower())
            free = free[:at] + " " * len(t) + free[at + len(t) :] if at >= 0 else free
        label_values = cat.dimensions[dim].values or self.values.get(dim, [])
        for value in label_values:
            name = value.lower()
            at = free.find(name) if _CJK_TEXT.search(name) else _word_at(free, name)
            end = at + len(name)
            if at < 0 and not _CJK_TEXT.search(name):
                at = _word_at(free, name + "s")  # "playlists"
                end = at + len(name) + 1
            if at < 0 and not _CJK_TEXT.search(name):
                at = _words_in_order(free, name)  # "Student or the Family subscription"
                end = at + len(name)
            if at < 0 and not _CJK_TEXT.search(name):
                at, end = _said_short(free, name)  # "ads" for Advertisement
            if at >= 0:
                hits.append((at, end, value))
        hits = _listed_by_first_word(free, list(label_values), hits)
        if _CJK_TEXT.search(text):
            # "设备卡死、没反应", "退货": English categories named word by word in Chinese.
            values, skip = self._label_values(intent, dim, sets)
            known = {v.lower() for *_, v in hits}
            for start, end, value in glossed(free, values, skip):
                if value.lower() not in known:
                    hits.append((start, end, value))
                    intent.slots.spans.append((start, end))  # its words are read
        # "Fire TV" says no "TV" of its own.
        hits = sorted(
            h for h in hits if not any(o[0] <= h[0] and h[1] <= o[1] and o != h for o in hits)
        )
        # "nothing to do with the app or with playlists", "退款和退货都没有涉及": each negated, or
        # listed with one that is.
        said_no = negated_items(text, [h[:2] for h in hits])
        for (at, _, value), no in zip(hits, said_no, strict=True):
            if no:
                aside.append(value)
            else:
                found.append((at, value))
        q = intent.question
        text_asked = intent.mentions and asks_text(q)
        if text_asked:
            # "mention the delivery driver … the word "driver"": a category's name said right
            # before a word counted as written describes that word; it is no category asked.
            modifiers = [
                (at, v) for at, v in found
                if any(re.match(rf"\s*{re.escape(t.lower())}\b", text[at + len(v):])
                       for t in intent.mentions)
            ]  # fmt: skip
            found = [f for f in found if f not in modifiers]
            if any(intent.slots.filters.get(dim) == v for _, v in modifiers):
                intent.slots.filters.pop(dim, None)
                intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]
                chosen = cat.metrics.get(
                    default_metric(cat, None, intent.filters, held=self.held, question=q)
                )
                intent.counted_table = chosen.table if chosen is not None else None
        # "Of those, how many are (not) about delivery": the category's side is the part.
        marked = [(at, value, no) for (at, _, value), no in zip(hits, said_no, strict=True)]
        if text_asked and self._label_part(intent, dim, text, marked):
            return
        one_group = any(f in self.held for f in intent.filters)
        shared = {
            cat.dimensions[f].spec.en.lower() for f, v in intent.filters.items()
            if f in cat.dimensions and cat.dimensions[f].kind == "boolean" and v == "true"
            and len(cat.dimensions[f].sources) > 1
        }  # fmt: skip
        if found and not aside and not one_group and all(v.lower() in shared for _, v in found):
            # "回复里附上链接的有多少条" over one file per company: the yes/no column of the same
            # name, which every company's file holds, was read already; it is counted on each
            # file's column, not as one file's category.
            return
        grouped = [d for d in intent.slots.dimensions if d != dim and d not in intent.filters]
        # "What share of Spotify's and of Apple's tweets …": the groups named side by side.
        grouped += [d for d in intent.slots.compared if d != dim and d not in grouped]
        if not aside and not text_asked and not intent.slots.flags and not grouped:
            # "complained about the support", "让用户重启设备": categories named in other words
            # (not when the words are counted as text, were read as a yes/no column, or the
            # records are split by something else).
            known = {v.lower() for _, v in found} | {str(intent.filters.get(dim, "")).lower()}
            more = [
                (at, v) for at, v in self._labels_by_meaning(intent, dim, sets)
                if v.lower() not in known
            ]  # fmt: skip
            if found or not _the_measure_read(intent, [v for _, v in more]):
                # Not the one measure already read in other words ("include a link": Provide
                # URL's count, on every company's file).
                found += more
        said = intent.filters.get(dim)
        named_already = said in dict(found).values() or said in aside
        # "refunds or returns" read as either value: each is named already.
        listed = set(getattr(said, "values", ()))
        named_already = named_already or bool(listed and listed <= {*dict(found).values(), *aside})
        if said is not None and not isinstance(said, Excluded) and not named_already:
            # A category named in the other language ("电池" for Battery), read as a filter.
            found.append((len(text), said))
        ranks = intent.shape.has("ranking") or _MOST_SAID.search(intent.question) is not None
        if aside and not found and ranks:
            # "After iPhone, what do they tweet about most": the others ranked.
            intent.labels_aside = aside
            intent.slots.filters[dim] = Excluded(*aside)
            # "除了 iPhone 以外": the yes/no column of the same name is set aside with it, not
            # kept as a filter (it was read as the category's own column).
            same = {a.lower() for a in aside}
            for f in list(intent.slots.filters):
                spec = cat.dimensions.get(f)
                if spec is not None and spec.kind == "boolean" and spec.spec.en.lower() in same:
                    del intent.slots.filters[f]
                    intent.slots.dimensions = [d for d in intent.slots.dimensions if d != f]
                    intent.slots.flags = [x for x in intent.slots.flags if x != f]
            return
        if aside and not ranks:
            # "跟 iPhone 无关的", "about a refund but not also a return": with and without.
            carried = [v for _, v in sorted(found)]
            order = [v for _, _, v in hits]
            if self._without_labels(intent, dim, aside, carried, order):
                if not carried and len(aside) > 1 and intent.playbook == "share_of":
                    # "Leaving aside iPhone, updates and battery … what share of Apple's
                    # tweets": the records with none of them are the part, of all records.
                    intent.part_with = list(intent.slots.flags[-len(aside) : -1])
                return
        if aside or not found or not counted:
            # "did not provide a URL": the flag's other side, measured elsewhere; a ranking
            # that names no category to set aside is read as it is.
            return
        side_by_side = any(d in intent.slots.compared for d in grouped)
        if grouped and (ranks or intent.shape.has("breakdown") or side_by_side):
            # "Which company's customers complain about refunds most": the companies are
            # ranked by the category's records, not the categories; as a share of their
            # records, by the rate of the category's own yes/no column.
            if intent.shape.has("share") and len(found) == 1:
                self._rate_of_label(intent, dim, found[0][1])
            return
        named = [v for _, v in sorted(found)]
        # "More tweets about updates in November than in October": the category's records in
        # each period; "replies that both ask to DM and include a link": the records carrying
        # every category named. Both counted on the categories' yes/no columns.
        # "… in October, in November and so far in December": its records month by month.
        over_periods = (intent.comparison is not None or intent.playbook == "trend") and len(
            named
        ) == 1
        # Not "of those about X, what share also Y": a share within the first.
        within = _WITHIN.search(intent.question) is not None
        together = len(named) > 1 and _conjoined(text, sorted(found), within)
        if (
            (over_periods or together)
            and not ranks
            and self._without_labels(intent, dim, [], named)
        ):
            if intent.playbook == "share_of":
                intent.part_with = list(intent.slots.flags[:-1])
            return
        lowered = {v.lower() for v in named}
        same = {  # a yes/no column of a category named: the category's count says it
            f for f in intent.slots.flags
            if f in cat.dimensions and (cat.dimensions[f].spec.en or f).lower() in lowered
        }  # fmt: skip
        intent.slots.flags = [f for f in intent.slots.flags if f not in same]
        filters = {d: v for d, v in intent.filters.items() if d != dim and d not in same}
        wanted = {**filters, dim: named}
        metric = default_metric(cat, dim, wanted, held=self.held, question=intent.question)
        if metric not in sets:
            return
        intent.playbook = "ranking"
        intent.slots.metrics = [metric]
        intent.slots.filters = filters
        intent.slots.dimensions = [dim]
        intent.labels = named
        intent.labels_within = len(named) == 2 and _WITHIN.search(intent.question) is not None
        intent.mentions = []

    def _label_part(
        self, intent: Intent, dim: str, text: str, marked: list[tuple[int, str, bool]]
    ) -> bool:
        """ "Tweets with "fix" in them; how many of those are (not) about a software update":
        the category named after "of those" (``marked``: where, which, whether said not to be)
        is a part of the records mentioning the words, taken on its own yes/no column, not a
        count of categories in place of the words."""
        cue = OF_WHICH.search(text)
        cat = intent.catalog
        if cue is None or cat is None or len(marked) != 1 or marked[0][0] < cue.end():
            return False
        _, value, no = marked[0]
        flags = _flags_named(cat, value)
        if len(flags) != 1:
            return False
        intent.slots.filters.pop(dim, None)
        intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]
        intent.slots.filters[flags[0]] = "false" if no else "true"
        # The records counted are those with the words: no measure guessed from the others
        # ("not tagged" is no "Not Watch count").
        said = intent.slots.metric_spans
        intent.slots.metrics = [m for m in intent.metrics if m in said]
        intent.slots.by_meaning = []
        return True

    def _rate_of_label(self, intent: Intent, dim: str, label: str) -> None:
        """The rate of the yes/no column named as ``label``, ranked by the grouping asked, in
        place of the category's records among the category rows."""
        cat = intent.catalog
        assert cat is not None
        rates = [r for r in (_rate_of_flag(cat, f) for f in _flags_named(cat, label)) if r]
        if not rates:
            return
        intent.playbook = "ranking"
        intent.slots.metrics = [rates[0]]
        intent.slots.filters.pop(dim, None)
        kept = [d for d in intent.slots.dimensions if d != dim]
        # Groups named side by side ("Spotify's and Apple's tweets") are the split.
        intent.slots.dimensions = list(dict.fromkeys([*intent.slots.compared, *kept]))

    def _without_labels(
        self,
        intent: Intent,
        dim: str,
        aside: list[str],
        carried: list[str] | None = None,
        order: list[str] | None = None,
    ) -> bool:
        """ "跟 iPhone 无关的有几条", "tweets not about delivery": the records without the
        categories (and with those ``carried``), counted on the yes/no columns the export holds
        them in (the long table of categories has no row for a category a record lacks). With
        the ``order`` they were said in, the one said last is the part of a share ("not about
        any device - what share of them are about delivery")."""
        cat = intent.catalog
        if cat is None:
            return False
        filters = {d: v for d, v in intent.filters.items() if d != dim}
        flags: list[str] = []
        # Those carried first: the one set aside is the part of a share ("refund tweets that
        # do not also involve a return": the share of the refund tweets).
        said = {v: "true" for v in carried or []} | {v: "false" for v in aside}
        if order and set(said) <= set(order):
            said = {v: said[v] for v in sorted(said, key=order.index)}
        for value in said:
            named = [n for n in _flags_named(cat, value) if cat.dimensions[n].sources]
            held = [
                n for n in named
                if holds_all(
                    cat, self.held, default_metric(cat, n, filters, held=self.held), filters
                )
            ]  # fmt: skip
            if len(held) != 1 and len(named) != 1:
                return False
            flags.append((held or named)[0])
        wanted = {**filters, **{f: said[v] for f, v in zip(flags, said, strict=True)}}
        metric = self._count_of_labelled(intent, dim, flags, filters)
        if metric is not None:
            # The records the categories' table is of, with the values they hold ("苹果用户"
            # read as a company and as an author: the company's records).
            kept = {d: v for d, v in filters.items() if holds_all(cat, self.held, metric, {d: v})}
            wanted = {**kept, **{f: said[v] for f, v in zip(flags, said, strict=True)}}
        else:
            metric = default_metric(cat, None, wanted, held=self.held, question=intent.question)
        if metric not in cat.metrics or not all(reaches(cat, metric, f) for f in flags):
            return False
        intent.slots.filters = wanted
        intent.slots.compared.pop(dim, None)
        # The categories are read on their columns now: neither set aside nor another measure.
        intent.set_aside = [(d, v) for d, v in intent.set_aside if d != dim]
        intent.alternatives, intent.slots.by_meaning = [], []
        intent.slots.flags = [*intent.slots.flags, *flags]
        intent.slots.metrics = [metric]
        intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]
        intent.mentions = []
        grouped = [d for d in intent.slots.dimensions if d not in intent.filters]
        if intent.playbook in _COUNTED_INSTEAD and not grouped:
            intent.playbook = "metric_change"
        _share_of_records(intent)  # "what share of the replies both …": of all the replies
        return True

    def _count_of_labelled(
        self, intent: Intent, dim: str, flags: list[str], filters: dict[str, Any]
    ) -> str | None:
        """The count of the records the categories of ``dim`` are of (the table each long
        table of categories joins to) that holds the yes/no columns and the values of some
        filter; None when no one table does."""
        cat = intent.catalog
        if cat is None:
            return None
        found = []
        for metric, of in label_sets(cat).items():
            table = cat.metrics[metric].table
            base = next((j.to_table for j in cat.spec.joins if j.from_table == table), None)
            counts = [n for n, m in cat.metrics.items() if m.table == base and plain_count(cat, n)]
            if of != dim or not counts or not all(reaches(cat, counts[0], f) for f in flags):
                continue
            if any(holds_all(cat, self.held, counts[0], {d: v}) for d, v in filters.items()):
                found.append(counts[0])
        return found[0] if len(found) == 1 else None

    def _labels_by_meaning(
        self, intent: Intent, dim: str, sets: dict[str, str]
    ) -> list[tuple[int, str]]:
        """The categories of the tables the question is about (those holding its other
        filters' values, and named by its words: customers' tweets or agents' replies) that
        its phrases name in other words."""
        values, skip = self._label_values(intent, dim, sets)
        text = unmatched_text(intent.question, intent.slots)
        return self.label_meaning.named(text, values, skip)

    def _names_label(self, intent: Intent, dim: str, sets: dict[str, str], words: str) -> bool:
        """Whether ``words`` name one of the export's categories, as written or in Chinese."""
        said = normal_text(words)
        values, skip = self._label_values(intent, dim, sets)
        if any(_word_at(said, v.lower()) >= 0 for v in values if not _CJK_TEXT.search(v)):
            return True
        return bool(_CJK_TEXT.search(said) and glossed(said, values, skip))

    def _label_values(
        self, intent: Intent, dim: str, sets: dict[str, str]
    ) -> tuple[list[str], set[str]]:
        """The categories of the tables the question is about (those holding its other
        filters' values, and named by its words), and the words of those filters' values."""
        cat = intent.catalog
        if cat is None:
            return [], set()
        filters = {d: v for d, v in intent.filters.items() if d != dim}
        metrics = [m for m in sets if holds_all(cat, self.held, m, filters)]
        cued = table_cue(intent.question, [cat.metrics[m].table for m in metrics])
        tables = [cat.metrics[m].table for m in metrics if not cued or cat.metrics[m].table in cued]
        values = list(dict.fromkeys(v for t in tables for v in self.held.get(dim, {}).get(t, [])))
        skip = {w for v in filters.values() for w in _NAME_WORD.findall(str(v).lower())}
        return values, skip

    def _periods_counted(self, intent: Intent) -> None:
        """ "On how many days did Apple get at least 5 tweets", "有几个月超过100条投诉": the days
        (weeks, months) whose records pass the number said, counted."""
        cat = intent.catalog
        m = _PERIODS_COUNTED.search(intent.question)
        size = records_per_group(intent.question)
        if cat is None or m is None or size is None or intent.playbook in _NOT_COUNTED:
            return
        if self._by_period(intent, _PERIOD_UNITS[(m.group("en") or m.group("zh") or "").lower()]):
            intent.missing = None

    def _average_per_period(self, intent: Intent) -> bool:
        """ "How many complaints did we get in an average month", "平均每天多少张工单": the
        records counted over the months (days, weeks) of the period they fall in."""
        cat, q = intent.catalog, intent.question
        m = _PER_PERIOD.search(q)
        if cat is None or m is None or not AVERAGE.search(q):
            return False
        if intent.metrics and not all(plain_count(cat, x) for x in intent.metrics):
            return False
        unit = _PERIOD_UNITS.get(next(g for g in m.groups() if g).lower())
        if unit is None or not self._by_period(intent, unit):
            return False
        intent.per_group = True
        return True

    def _by_period(self, intent: Intent, unit: str) -> bool:
        """The question's records counted by ``unit`` (a day, week or month dimension of the
        catalog) on the counted table's time column (``Intent.distinct``, ``counted_table``);
        False when the catalog has no such unit or the records no time column."""
        cat = intent.catalog
        if cat is None or unit not in cat.dimensions or not cat.dimensions[unit].from_time:
            return False
        metric = (
            intent.metrics[0]
            if intent.metrics
            else default_metric(cat, None, intent.filters, held=self.held, question=intent.question)
        )
        if metric not in cat.metrics or not cat.tables[cat.metrics[metric].table].time_column:
            return False
        intent.distinct, intent.counted_table = [unit], cat.metrics[metric].table
        intent.slots.metrics = [metric]
        intent.slots.dimensions = [d for d in intent.slots.dimensions if d != unit]
        intent.playbook = "metric_change"
        return True

    def _average_per_group(self, intent: Intent) -> bool:
        """ "On average, how many complaints does each brand get", "平均每个区县多少条留言": the
        records counted over the groups they fall in (records / different values)."""
        m = _PER_GROUP.search(intent.question)
        if m is None or intent.catalog is None:
            return False
        words = m.group("en") or m.group("en2") or m.group("zh") or m.group("zh2") or ""
        zh = bool(m.group("zh") or m.group("zh2"))
        phrase = zh_noun(words) if zh else words_after(words)
        named = [d for d in intent.slots.dimensions if not fixed(intent.filters, d)]
        guess = intent.grouping.dimension if intent.grouping else None
        named = named or ([guess] if guess and not fixed(intent.filters, guess) else [])
        if phrase and phrase.split()[0] in _EN_TIME_WORDS:
            return False
        if zh and len(named) > 1:
            # "平均每个被投诉的品牌涉及几款车型": the grouping's name inside the words after 每个.
            inside = [
                d for d in named
                if (sp := intent.catalog.dimensions[d].spec).zh and sp.zh in words
            ]  # fmt: skip
            phrase = inside[0] if len(inside) == 1 and not phrase else phrase
            named_inside = inside[0] if len(inside) == 1 else None
        else:
            named_inside = None
        if not phrase and not (zh and len(named) == 1):
            return False
        found = self.grouping.by_words(phrase) if phrase else []
        dim = found[0] if len(found) == 1 else self.grouping.for_phrase(phrase) if phrase else None
        if dim is None and named_inside is not None:
            dim = named_inside
        if (dim is None or dim not in named) and zh and len(named) == 1:
            # "吉利的车型，平均每款挨了几条投诉": the measure word stands for the grouping named
            # before it, the words after it are what is counted.
            dim = named[0]
        if dim is None or dim not in intent.catalog.dimensions:
            return False
        counted = self._counted_values(intent, [d for d in named if d != dim])
        if counted is not None:
            # "平均每个品牌涉及几款车型", "on average, how many models does each brand have":
            # the different values of one column per group of another, averaged.
            intent.distinct_of, intent.per_group, intent.playbook = counted, True, "ranking"
            intent.slots.dimensions = [dim]
            intent.slots.metrics = [m for m in intent.metrics if plain_count(intent.catalog, m)]
            return True
        intent.distinct, intent.per_group = [dim], True
        intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]
        intent.playbook = "metric_change"
        return True

    def _counted_values(self, intent: Intent, others: list[str]) -> str | None:
        """The one other column whose different values the question counts ("几款车型", "how
        many different models"), by its name said right after the words asking how many."""
        cat, text = intent.catalog, normal_text(intent.question)
        if cat is None:
            return None
        found = []
        for d in others:
            spec = cat.dimensions[d].spec if d in cat.dimensions else None
            names = [n.lower() for n in (spec.en, spec.zh, *spec.aliases) if n] if spec else []
            for name in names:
                stem = re.escape(name.removesuffix("s") if name.isascii() else name)
                if re.search(
                    rf"(?:几|多少)(?:个|款|种|类|家|位|名)?(?:不同的?)?{stem}"
                    rf"|\bhow many (?:different |distinct )?{stem}",
                    text,
                ):
                    found.append(d)
                    break
        return found[0] if len(found) == 1 else None

    def _count_of_slice(self, intent: Intent) -> None:
        """No measure named: the count of the records the filters' values and the question's
        words pick out, where the catalog's first count would be of another table's records
        (one export per company: "Amazon" is counted on Amazon's tables)."""
        cat = intent.catalog
        if cat is None or not self.held:
            return
        if intent.metrics and not _records_by_meaning(intent):
            return
        if intent.playbook not in ("ranking", "breakdown", "metric_change", "trend"):
            return
        # The grouping the question names; the default one must not pick the records counted
        # (a column only the agents' replies hold, for "customer tweets").
        named = [d for d in intent.slots.dimensions if not fixed(intent.filters, d)]
        dim = intent.group_by if named else None
        plain = default_metric(cat, dim, intent.filters)
        if intent.metrics:  # "收到多少条客户推文" resembling the feedback's own row count
            plain = intent.metrics[0]
        chosen = default_metric(cat, dim, intent.filters, held=self.held, question=intent.question)
        if chosen in label_sets(cat):
            intent.slots.metrics = [chosen]
            self._other_label_tables(intent, chosen)
        elif chosen != plain and chosen in cat.metrics:
            intent.slots.metrics = [chosen]

    def _label_depth(self, intent: Intent) -> None:
        """ "How many tweets don't fit any of our topics", "同时涉及两个或更多话题": the records
        carrying none, or several, of the export's own categories, counted per group."""
        cat = intent.catalog
        sets = label_sets(cat)
        if cat is None or not sets or intent.playbook in (OUT_OF_SCOPE, REFUSED, UNAVAILABLE):
            return
        depth = asked_depth(intent.question)
        if depth is None or intent.template or intent.shape.has("quotes"):
            return
        dim = next(iter(sets.values()))
        only: list[str] = []
        if depth == ONLY_DEPTH:
            # "about the iPhone and no other topic": the one category named, or none at all.
            said = intent.slots.filters.get(dim, intent.filters.get(dim))
            only = intent.labels[:1] or ([said] if isinstance(said, str) else [])
            if not only:
                depth = 0 if asked_depth(ONLY_CUE.sub(" ", intent.question)) == 0 else None
                if depth is None:
                    return
        if depth == 0 and self._names_label(intent, dim, sets, none_said(intent.question)):
            return  # "其中没有被标成配送话题的": one category said not to be carried
        filters = {d: v for d, v in intent.filters.items() if d != dim}
        # The yes/no column of the category named is the category itself, not a filter.
        lowered = {v.lower() for v in only}
        filters = {
            d: v for d, v in filters.items()
            if not (d in cat.dimensions and cat.dimensions[d].kind == "boolean"
                    and (cat.dimensions[d].spec.en or d).lower() in lowered)
        }  # fmt: skip
        metric = default_metric(cat, dim, filters, held=self.held, question=intent.question)
        if intent.metrics and intent.metrics[0] in sets and not filters:
            metric = intent.metrics[0]  # the labels of the table already read ("Apple …")
        if metric not in sets:
            return
        intent.playbook = "label_depth"
        intent.label_depth = depth
        intent.slots.metrics = [metric]
        intent.slots.filters = filters
        intent.labels, intent.mentions = only, []
        intent.alternatives, intent.uncued = [], []
        # "Amazon versus Spotify": the groups compared are the split.
        named = [*intent.slots.compared, *intent.slots.dimensions]
        named += self.matcher.match(intent.question).dimensions
        guess = intent.grouping.dimension if intent.grouping else None
        named += [guess] if guess else []
        group = next((d for d in named if d not in filters and d != dim), None)
        intent.slots.dimensions = [group] if group else []
        if group:
            intent.parallel = parallel_metrics(cat, self.held, metric, group)

    def _parallel(self, intent: Intent) -> None:
        """A ranking by a dimension whose groups each have a table of their own ("which
        company's agents …" over one export per company): the same measure on every group's
        table, ranked together, rather than one table's single group."""
        cat = intent.catalog
        if cat is None or not self.held:
            return
        if intent.playbook == "metric_change":
            self._parallel_total(intent)
        if intent.playbook == "share_of":
            self._share_as_rate(intent)
        if intent.playbook not in ("ranking", "breakdown"):
            return
        if not any(not fixed(intent.filters, d) for d in intent.slots.dimensions):
            return  # no grouping named: the catalog's first is no reason to add tables
        dim = intent.group_by
        metric = (
            intent.metrics[0]
            if intent.metrics
            else default_metric(cat, dim, intent.filters, held=self.held, question=intent.question)
        )
        found = parallel_metrics(cat, self.held, metric, dim)
        self._groups_unmeasured(intent, dim, [metric, *found])
        if found:
            intent.slots.metrics = [metric, *intent.metrics[1:]]
            intent.parallel = found
            if intent.parallel_total or (
                _COMBINED.search(intent.question) and plain_count(cat, metric)
            ):
                # "Across all three companies combined": each group's table, and their sum.
                intent.parallel_total, intent.playbook = True, "breakdown"
            # The other groups' tables are measured, not other readings of the question.
            intent.uncued = [m for m in intent.uncued if m not in found]
            intent.alternatives = [m for m in intent.alternatives if m not in found]

    def _groups_unmeasured(self, intent: Intent, dim: str | None, metrics: list[str]) -> None:
        """Groups named side by side whose table (one export per group) has no column for the
        measure ("Apple's tweets" carry no Account flag): said, and the answer partial, rather
        than a ranking of the other groups alone that reads as the whole answer."""
        cat = intent.catalog
        named = intent.slots.compared.get(dim or "") or []
        tables = self.held.get(dim or "") or {}
        if cat is None or not named or not tables:
            return
        own = {v for m in metrics if m in cat.metrics
               for t in nearest(cat, cat.metrics[m].table, tables) for v in tables[t]}  # fmt: skip
        lacking = [v for v in named if v not in own]
        if not lacking or len(lacking) == len(named):
            return
        labels = [metric_label(cat, m, intent.language) for m in metrics if m in cat.metrics]
        measure = ", ".join(intent.labels) or shared_measure(labels) or labels[0]
        holders = sorted(own)
        intent.groups_unmeasured = self._apart_subject(
            intent, dim or "", lacking, holders[0] if len(holders) == 1 else holders, measure
        )

    def _feedback_side(self, intent: Intent) -> None:
        """ "Whose customers write the longest tweets", "客服的回复平均写多长", "customer tweets
        saying 'still', for each company": over exports of both sides of the conversation, one
        table per company and side, the feedback's own text is measured (or searched) on all
        of them at once, split by the company each row's table holds, on the side the words
        name (the customers' messages, the agents' replies)."""
        cat = intent.catalog
        if cat is None or intent.playbook in (OUT_OF_SCOPE, REFUSED, UNAVAILABLE):
            return
        sources = [j.to_table for j in cat.spec.joins if j.from_table == "voc"]
        if intent.playbook == "mentions":
            if not self._one_of_parallel(intent, intent.counted_table or "", sources):
                return  # one company's records ("Apple customers") are counted on its table
            intent.counted_table = None
        elif intent.threshold is not None:
            if intent.threshold.table != "voc":
                return  # "customers' messages longer than 140 characters": their length
        elif intent.playbook in ("trend", "share_of") and not intent.parallel:
            # "Across all three companies, customer tweets per month": the feedback's rows.
            metric = intent.metrics[0] if len(intent.metrics) == 1 else ""
            if not intent.metrics:
                metric = default_metric(cat, None, intent.filters)
            whole = [m for m, x in cat.metrics.items() if plain_count(cat, m) and x.table == "voc"]
            if not plain_count(cat, metric) or not whole:
                return
            if not self._one_of_parallel(intent, cat.metrics[metric].table, sources):
                return
            intent.slots.metrics = whole[:1]
        else:
            tables = {cat.metrics[m].table for m in intent.metrics if m in cat.metrics}
            if tables != {"voc"}:
                return
        if not table_cue(intent.question, sources):
            return
        found = flow_filter(cat, intent.question, sources)
        if found is not None and found[0] not in intent.filters:
            # First: the records asked about, not the part of them a share counts.
            side = {found[0]: "true" if found[1] else "false"}
            intent.slots.filters = {**side, **intent.slots.filters}

    def _one_of_parallel(self, intent: Intent, table: str, sources: list[str]) -> bool:
        """Whether ``table`` holds one value of a dimension the feedback's other source tables
        hold others of (one export per company), and the question names no value of it."""
        split = [
            d for d, held in self.held.items()
            if len(held.get(table, [])) == 1
            and len({v for t in sources for v in held.get(t, [])}) > 1
        ]  # fmt: skip
        cat = intent.catalog
        if cat is not None and any(
            not set(sources) <= set(cat.dimensions[f].sources)
            for f in intent.filters
            if f in cat.dimensions and not cat.dimensions[f].from_time
        ):
            return False  # a column of some of the tables ("battery"): their records only
        return bool(split) and not any(d in intent.filters for d in split)

    def _share_as_rate(self, intent: Intent) -> None:
        """ "各公司的客户推文里，提到退款的占比": the share of the records with a yes/no column set,
        for each group, where each group's records are a table of their own: the column's rate
        on every group's table, ranked together (``_parallel``), not the first table's share."""
        cat = intent.catalog
        assert cat is not None
        split = [d for d in intent.slots.dimensions if d not in intent.filters and d in self.held]
        flags = [f for f, v in intent.filters.items() if v == "true" and f in intent.slots.flags]
        if intent.metrics or len(split) != 1 or len(flags) != 1 or len(intent.filters) != 1:
            return
        rate = _rate_of_flag(cat, flags[0])
        if not rate or not parallel_metrics(cat, self.held, rate, split[0]):
            return
        intent.playbook = "breakdown" if intent.shape.has("breakdown") else "ranking"
        intent.slots.metrics = [rate]
        intent.slots.filters.pop(flags[0])
        intent.slots.dimensions = split

    def _parallel_total(self, intent: Intent) -> None:
        """ "How many customer tweets are there in total" over one export per company: split by
        the dimension whose groups each have a table, to be measured on every group's table
        and added up (``_parallel`` does the rest), not one table's."""
        cat = intent.catalog
        split = [d for d in intent.slots.dimensions if d not in intent.filters]
        if cat is None or split or intent.comparison or intent.compare:
            return
        if intent.distinct or intent.threshold is not None or intent.unset or intent.unset_column:
            return  # a count of groups, or of records past a threshold, is read as it is
        if any(f in self.held for f in intent.filters):
            return  # one group's records ("Apple customers") are that group's table's
        metric = (
            intent.metrics[0]
            if len(intent.metrics) == 1
            else default_metric(cat, None, intent.filters, held=self.held, question=intent.question)
        )
        counts = plain_count(cat, metric) or (
            # "How many agent replies provide a URL": the yes/no column every company's file
            # holds, counted on each and added up.
            metric in cat.metrics and cat.metrics[metric].unit == "count"
        )
        if len(intent.metrics) > 1 or not counts:
            return
        # The dimension every table holds comes first (the company, not the account replying).
        for dim, tables in sorted(self.held.items(), key=lambda kv: -len(kv[1])):
            if dim in intent.filters or len(tables) < 2:
                continue
            found = parallel_metrics(cat, self.held, metric, dim)
            if found and all(reaches(cat, m, f) for m in found for f in intent.filters):
                # A slice every group's table holds ("replies that include a link") is added
                # up too; one of a column some tables lack ("battery") is that table's.
                intent.slots.metrics = [metric]
                intent.slots.dimensions = [*intent.slots.dimensions, dim]
                intent.parallel_total, intent.playbook = True, "breakdown"
                return

    def _happened(self, intent: Intent) -> None:
        """ "The SLA rate for reopened tickets and for those never reopened", "被重新打开过的
        工单，解决时长的中位数": a measure of the records an event happened to at least once,
        beside the others (``conditions``), not the share the event's own measure gives."""
        cat = intent.catalog
        if cat is None or intent.playbook not in (*_METRIC_PLAYBOOKS, "share_of"):
            return
        if intent.mentions or intent.group_test or intent.distinct or intent.unset:
            return
        hours = {d for d, spec in cat.dimensions.items() if spec.hour_of_day}  # "in hours"
        split = [d for d in intent.slots.dimensions if d not in intent.filters and d not in hours]
        if intent.playbook == "trend" and intent.shape.has("share") and len(intent.metrics) == 2:
            # "每个月…各占多少？变多了还是变少了": the share month by month leads, its count beside.
            shares = [m for m in intent.metrics if cat.metrics[m].unit == "%"]
            if len(shares) == 1:
                intent.slots.metrics = [*shares, *(m for m in intent.metrics if m not in shares)]
        own = event_measures(intent.question, cat)
        # The records' noun alone read as their count, or the event's own count ("每个月至少
        # 被转派过一次的工单各占多少": its share, month by month).
        counted = all(
            plain_count(cat, m) or (m in own and cat.metrics[m].unit == "count")
            for m in intent.metrics
        )
        if counted and intent.shape.has("share") and not intent.filters:
            # "What share of tickets were reopened (by priority)": the event's own share.
            rates = [m for m in own if cat.metrics[m].unit != "count"]
            if len(rates) == 1:
                intent.slots.metrics, intent.slots.noun_only = rates, False
                if intent.playbook == "share_of":
                    intent.playbook = "ranking" if split else "metric_change"
                return
        if split:
            return
        events = at_least_once_columns(cat)
        metrics = [m for m in intent.metrics if m not in events]
        if condition_of(intent.question, cat, intent.metrics):
            metrics = list(intent.metrics)  # a yes/no share measured beside another
        elif not metrics:
            # The measure named beside the event ("SLA rate for reopened tickets"): read by
            # meaning in the words the event's name does not take.
            columns = {column for _, column in events.values()}
            words = [w for c in columns for w in re.split(r"[_\W]+", c.lower()) if len(w) > 3]
            text = unmatched_text(intent.question, intent.slots)
            for word in words:
                text = re.sub(rf"(?i)\b{re.escape(word[:5])}\w*", " ", text)
            guess = self.meaning.guess_metric(text, intent.filters)
            metrics = [guess.metric] if guess is not None and guess.clear else []
        found = condition_of(intent.question, cat, list(dict.fromkeys([*intent.metrics, *metrics])))
        found = found or self._mentioned_condition(intent)
        if found is None:
            return
        intent.condition = found
        intent.playbook = "condition_split"
        intent.slots.metrics = [found.metric]
        intent.slots.dimensions = [d for d in intent.slots.dimensions if d in intent.filters]

    def _measured_not_quoted(self, question: str, slots: Slots) -> bool:
        """A measure (not a count) the question names of the feedback's own text ("whose
        customers write the longest messages"), or of the records whose text mentions words
        ("for tickets that mention noise, the average time to resolve"): a figure, not quotes."""
        cat = self.matcher.catalog
        measures = [m for m in slots.metrics if m in cat.metrics and cat.metrics[m].unit != "count"]
        if not measures or len(measures) != len(slots.metrics):
            return False
        if all(cat.metrics[m].table == "voc" for m in measures):
            return True
        said = mention_terms(without_instructions(unmatched_text(question, slots)))
        return bool(said) and all(feedback_link(cat, cat.metrics[m].table) for m in measures)

    def _mentioned_condition(self, intent: Intent) -> Condition | None:
        """ "For messages reporting illegal construction (违章搭建), how many days on average to
        get a reply": a measure of the records whose text mentions the words, beside the
        others — not a count of the mentions, nor the measure over every record."""
        cat = intent.catalog
        if (
            cat is None
            or intent.mentions
            or intent.slots.noun_only
            or intent.playbook not in ("metric_change", "ranking", "breakdown")
        ):
            return None
        measures = [m for m in intent.metrics if m in cat.metrics and not plain_count(cat, m)]
        if len(measures) != 1 or intent.slots.compared:
            return None
        table = cat.metrics[measures[0]].table
        if feedback_link(cat, table) is None:
            return None
        terms = mention_terms(without_instructions(unmatched_text(intent.question, intent.slots)))
        read = intent.slots.read_as_columns
        terms = [t for t in terms if not _read_already(intent.question, t, read)]
        terms = [t for t in terms if not _names_value_found(intent, t)]
        held = {v.word for v in intent.filters.values() if isinstance(v, (Holding, Lacking))}
        terms = [t for t in terms if not _held_word(intent.question, t, held)]
        terms = self._families_read(intent, terms)
        if not terms:
            return None
        said = ("、" if intent.language == "zh" else ", ").join(f"“{t}”" for t in terms)
        return Condition("", table, said, measures[0], tuple(terms))

    def _adjacent_name(
        self, question: str, slots: Slots, phrase: str, candidate: str
    ) -> str | None:
        """The metric named right next to ``phrase`` if, read together, the words fit
        ``candidate`` better; None when they are separate mentions or the name fits better."""
        text = normal_text(question)
        at = text.find(phrase)
        if at < 0:
            return None
        for metric, (start, end) in slots.metric_spans.items():
            if start - 2 <= at + len(phrase) and at <= end + 2:
                whole = text[min(start, at) : max(end, at + len(phrase))]
                if self.meaning.closer(whole, candidate, metric):
                    return metric
        return None

    def _missing(self, question: str, *, measured: bool = False) -> str | None:
        """The subject the data does not hold, unless this catalog names it after all. A
        measure word ("cost", "打分") is missing only when no metric of the catalog was read in
        the question: then the metric found is what the word meant."""
        lang = "zh" if language_of(question) == "zh" else "en"
        durations = any(
            m.unit in ("hours", "days", "minutes") for m in self.matcher.catalog.metrics.values()
        )
        # Words the question counts in what customers wrote ("提到了退货的评论") are text, not
        # a measure the data would need to hold.
        quoted = [t.lower() for t in mention_terms(question)]
        for subject in unavailable_subjects():
            if subject.get("measure") and measured:
                continue
            if subject.get("duration") and (durations or measured):
                continue
            m = re.search(subject["pattern"], question, re.IGNORECASE)
            # A capture group names the word itself ("earn" in "engineers earn").
            words = [g for g in m.groups() if g] if m else []
            said = [w.lower() for w in words or ([m.group(0)] if m else [])]
            if any(w in t or t in w for w in said for t in quoted):
                continue
            if m and _GLOSSED.match(question[m.end() : m.end() + 24]):
                continue  # "false advertising (商家虚假宣传)": words glossing the data's own
            if m and not any(self._in_catalog(w) for w in words or [m.group(0)]):
                if self._names_subject(subject["pattern"]):
                    continue  # "ratings" where a 满意度 column holds them
                return subject[lang]
        return None

    def _names_subject(self, pattern: str) -> bool:
        """Whether a column or measure of the catalog is named by the subject's own words, in
        either language (a 满意度 column for "ratings or satisfaction scores")."""
        cat = self.matcher.catalog
        names = [
            n
            for name, d in cat.dimensions.items()
            for n in (name, d.spec.en, d.spec.zh)
            if n and not d.from_time
        ]
        names += [n for name, m in cat.metrics.items() for n in (name, m.spec.en, m.spec.zh) if n]
        return any(re.search(pattern, n, re.IGNORECASE) for n in names)

    def _in_catalog(self, text: str) -> bool:
        word = text.strip().lower()
        names = [t.alias.strip() for t in self.matcher.terms]
        cat = self.matcher.catalog
        for table, spec in cat.tables.items():
            names += [table.lower(), *(c.lower() for c in spec.columns)]
        # A short name inside the word ("sat" of "satisfaction") is chance, not the catalog.
        return any(word in n or (len(n) >= 4 and n in word) for n in names)

    def _scores(self, question: str, slots: Slots) -> dict[str, float]:
        sims = self._similarities(question)
        scores = {}
        for name, sim in sims.items():
            if name in self.unavailable:
                continue
            cue = any(c.search(question) for c in self._cues[name])
            measured = bool(slots.metrics) and not slots.noun_only
            if name in _ONLY_WHEN_CUED and (not cue or measured):
                # A proactive report ("any early warnings?") answers only when asked for by
                # its words, and not when the question names its own measures ("CSAT and
                # warning signs of the big accounts"): those are answered as asked.
                continue
            scores[name] = sim + (CUE_BONUS if cue else 0.0)
        # A product model code in the question points at the product-quality drill-down.
        if slots.model and "product_quality" in scores:
            scores["product_quality"] += CUE_BONUS / 2
        # A dimension of the user's own catalog (brand, status…) that no specialised playbook
        # covers asks for a split of a metric: a ranking or a breakdown.
        if any(d not in GROUP_DIMENSIONS for d in slots.dimensions):
            scores["ranking"] += CUE_BONUS
            scores["breakdown"] += CUE_BONUS
        # "Which segment brought the most revenue" asks for a ranking, whatever else it says.
        elif _asks_which(question) and self._categories(slots):
            scores["ranking"] += CUE_BONUS
        return scores

    def _categories(self, slots: Slots) -> list[str]:
        dims = self.matcher.catalog.dimensions
        return [d for d in slots.dimensions if d in dims and not dims[d].from_time]

    def _similarities(self, question: str) -> dict[str, float]:
        vectors = self._exemplar_vectors()
        query = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        sims = vectors @ query
        out: dict[str, float] = {}
        for label, sim in zip(self._labels, sims.tolist(), strict=True):
            out[label] = max(out.get(label, -1.0), float(sim))
        return out

    def _exemplar_vectors(self) -> np.ndarray:
        with self._lock:
            if self._vectors is None:
                texts: list[str] = []
                for name, spec in exemplars().items():
                    for text in [*spec.get("en", []), *spec.get("zh", [])]:
                        self._labels.append(name)
                        texts.append(text)
                self._vectors = np.asarray(self.embedder.embed_passages(texts), np.float32)
            return self._vectors


def _by_shape(
    playbook: str,
    shape: ShapeReading,
    named_metric: bool,
    split: bool,
    *,
    noun_only: bool = False,
    filtered: bool = False,
    compared: bool = False,
    figure_named: bool = False,
    value_asked: bool = False,
) -> str:
    """The playbook for what the question asks for: quotes, themes and trends whatever the
    topic; a metric the question names, ranked, split or compared, before a topic playbook
    that would answer about something else."""
    if playbook in (OUT_OF_SCOPE, UNAVAILABLE) or shape.has("document"):
        return playbook
    if shape.has("quotes") and playbook not in _QUOTING:
        return "voc_evidence"
    # Quotes chosen on likeness alone, when the words ask what is said most, are themes.
    quoting = playbook in _QUOTING and (playbook != "voc_evidence" or shape.has("quotes"))
    if shape.has("themes") and (not named_metric or noun_only) and not quoting:
        return "voc_themes"
    if shape.has("trend") and playbook not in _DOCUMENTS:
        return "trend"
    if named_metric and (playbook in _TOPICS or playbook in ("voc_themes", "voc_evidence")):
        if shape.has("ranking") and split:
            return "ranking"
        if shape.has("breakdown") and split:
            return "breakdown"
        if shape.first == "share" or (playbook in _ASIDE and shape.has("change")):
            return "metric_change"
        if value_asked and playbook not in (*_ASIDE, *_OF_ACCOUNTS) and not shape.has("change"):
            # "What is the remote resolution rate?", "远程解决率是多少": the measure's value,
            # not the topic's comparison of other measures.
            return "metric_change"
        if shape.has("change") and playbook in ("voc_themes", "voc_evidence"):
            return "metric_change"  # "NPS … 跟再前一个季度比怎么样": the named measure, compared
        if shape.first == "count" and playbook in ("voc_themes", "voc_evidence"):
            return "metric_change"  # "how many complaints": a count, not what they say
        quotes = shape.has("quotes")
        if playbook == "voc_evidence" and figure_named and not noun_only and not quotes:
            # "Whose customers write the longest messages": a measure (not a count), not quotes.
            return "ranking" if split else "metric_change"
    if playbook == "metric_change" and shape.first in ("ranking", "breakdown") and split:
        # "How did it change by region?" stays a change, split by the region.
        return playbook if shape.has("change") else shape.first
    if not named_metric and shape.has("count") and split and playbook in _TOPICS:
        # "从哪些渠道进来的？各有多少？": records counted per group, not a topic's metrics.
        return "ranking" if shape.has("ranking") else "breakdown"
    records_counted = (noun_only or not named_metric) and filtered and _one_count(shape)
    if records_counted and playbook in _TOPICS and playbook not in (*_ASIDE, *_OF_ACCOUNTS):
        # "上个季度上门维修有多少单": the records of the values named, counted — not the topic's
        # comparison of costs and satisfaction.
        return "metric_change"
    words = shape.has("quotes") or shape.has("themes")
    if (
        not named_metric
        and (shape.has("count") or shape.has("ranking"))
        and compared
        and not words
        and playbook in ("voc_themes", "voc_evidence")
    ):
        # "临江县和高新区比，被评不满意的各有几条": records of named groups counted side by side;
        # "did Apple or Spotify get more tweets": which of them has more.
        return "ranking" if shape.has("ranking") else "breakdown"
    if (
        not named_metric
        and shape.has("ranking")
        and split
        and not words
        and playbook in ("voc_themes", "voc_evidence")
    ):
        # "What time of day gets the most messages": the records counted by a grouping named,
        # not quotes that resemble the words.
        return "ranking"
    if shape.first == "count" and playbook in ("voc_themes", "voc_evidence") and filtered:
        return "metric_change"  # "how many complaints came in": records of a kind, counted
    if playbook in ("ranking", "breakdown") and not split and named_metric:
        return "metric_change"  # nothing to rank or split by: the value itself
    if playbook in ("ranking", "breakdown") and not split and filtered and _one_count(shape):
        return "metric_change"  # "高优先级一共多少个": how many records of a kind, one figure
    return playbook


def _counts_record_metric(intent: Intent) -> bool:
    cat = intent.catalog
    return bool(intent.metrics) and all(
        cat is not None and m in cat.metrics and cat.metrics[m].unit == "count"
        for m in intent.metrics
    )


_MOST_SAID = re.compile(r"(?i)\bmost\b|\bthe top\b|最多|最常|最集中")
# "… and what share of all tickets is that", "占全部的百分之几": the first group's part of every
# record, asked beside a ranking (``ranking``).
SHARE_OF_ALL = re.compile(
    r"(?i)\b(?:what|which) (?:share|percent(?:age)?|proportion|fraction)\b[^?]{0,40}"
    r"\b(?:all|total|overall|everything)\b|占(?:全部|所有|总)|占总数|百分之几|占比多少"
    # "哪个区县的最多？占这类留言的多少": of the records just named, not of every group's own.
    r"|占(?:这类|这些|其中|此类|该类|这一类)"
)
_LEAST_SAID = re.compile(r"(?i)\bleast\b|\bfewest\b|\balmost never\b|\brarest\b|最少|最不常|很少")
_VALUE_MEASURE = re.compile(r"^(?P<dim>[a-z0-9_]+?)_(?P<value>[a-z0-9]+)_(?:rate|count)$")


def _measures_as_values(cat: Catalog, metrics: list[str]) -> dict[str, str] | None:
    """The dimension values the measures count or take the share of, when each is such a
    measure ("label_negative_rate": label negative); None when one is not."""
    out: dict[str, str] = {}
    for name in metrics:
        m = _VALUE_MEASURE.match(name)
        dim = cat.dimensions.get(m.group("dim")) if m else None
        if m is None or dim is None:
            return None
        values = {str(v).lower(): str(v) for v in (dim.values or [])}
        value = values.get(m.group("value"))
        if value is None:
            return None
        out[m.group("dim")] = value
    return out


def _asks_no_change(intent: Intent) -> bool:
    """A question that asks no change over time (a level, a count, a ranking, a share)."""
    if intent.compare or intent.comparison is not None or intent.shape.has("change"):
        return False
    return intent.playbook in (*_FIGURES, "breakdown") and intent.playbook != "trend"


def _compares_named_groups(intent: Intent) -> bool:
    """Groups the question names side by side ("A or B, which is slower"), asking no change."""
    if intent.compare or intent.comparison is not None or intent.shape.has("change"):
        return False
    return bool(intent.slots.compared) and intent.playbook in ("ranking", "breakdown")


def _counts_records(intent: Intent) -> bool:
    """A question that counts or ranks records by how many there are, asking no change."""
    if intent.compare or intent.comparison is not None or intent.shape.has("change"):
        return False
    if intent.playbook in ("mentions", "share_of"):
        return True
    if intent.playbook == "trend" and _PEAK_TIME.search(intent.question):
        # "Which single month had the most messages": the months of every date ranked.
        return not intent.metrics or _counts_record_metric(intent)
    if intent.playbook not in ("metric_change", "ranking", "breakdown"):
        return False
    return (not intent.metrics or _counts_record_metric(intent)) and (
        intent.shape.has("count") or intent.shape.has("ranking") or intent.shape.has("breakdown")
    )


# "The single busiest day", "哪个月最多": the time period with the most (or fewest) records.
_ZH_WHICH_TIME = r"哪(?:一|个)?(?:天|日|周|个月|个星期|个季度|年)(?!款)"
_PEAK_TIME = re.compile(
    r"(?i)(?:\bwhich (?:single |particular |one )?(?:calendar )?"
    r"(?:month|day|date|week|quarter|year)\b(?! of (?:the )?week).{0,60}"
    r"\b(?:most|fewest|least|highest|lowest)\b"
    r"|\b(?:busiest|quietest|peak|slowest) (?:single )?(?:month|day|date|week|quarter)\b"
    r"(?! of (?:the )?week)"
    rf"|{_ZH_WHICH_TIME}.{{0,12}}(?:最多|最少|最高|最低|高峰)"
    rf"|(?:最多|最少|最高|最低|高峰).{{0,12}}{_ZH_WHICH_TIME})"
)
# Words of a measure managers mistype ("on avarage"), read as meant.
_MISTYPED_MEASURES = frozenset(("average", "median", "percentage", "proportion"))
# What service records are called in general, whatever the export ("the most messages").
_SERVICE_RECORDS = words_of(
    "records rows entries items cases tickets messages calls complaints requests incidents "
    "reviews tweets posts emails chats contacts enquiries inquiries orders jobs visits "
    "submissions reports issues conversations comments"
)
# The records a period is ranked by ("had the most messages").
_MOST_NOUN = re.compile(r"(?i)\b(?:most|fewest|least)\s+(?:new\s+|incoming\s+)?([a-z]{3,})\b")
# "On average, how many complaints does each brand get", "平均每个区县有多少条留言": the group
# the records are averaged over.
_PER_GROUP = re.compile(
    r"(?i)\b(?:average|on average|mean|median|typical)\b.{0,60}?\b(?:each|every|per|a single) "
    r"(?P<en>[a-z][a-z ]{1,30})"
    # "how many complaints does a company get on average"
    r"|\b(?:does|do) (?:a|an|each|every|one) (?P<en2>[a-z][a-z ]{1,30}?)"
    r" (?:get|receive|have|see|handle|take)\b[^?]{0,30}?\bon average\b"
    r"|平均(?:每|一)(?:个|家|位|款|类|名|条)?(?P<zh>[\u4e00-\u9fff]{1,6})"
    # "每个品牌平均有多少条投诉"
    r"|每(?:个|家|位|款|类|名)(?P<zh2>[\u4e00-\u9fff]{1,6}?)(?:平均|.{0,10}中位数)"
)
# An amount asked for ("the total dollar value", "一共花了多少钱"): a figure, whatever the shape.
_AMOUNT = re.compile(r"(?i)\btotal\b|\bhow much\b|\bsum of\b|总额|总共|一共|多少钱|合计")
# "On how many days …", "有几个月 …": periods counted, when a number of records is set for each.
_PERIODS_COUNTED = re.compile(
    r"(?i)\bhow many (?:different |separate )?(?P<en>days|weeks|months)\b"
    r"|(?:多少|几)(?P<zh>天|个月|周|个星期)"
)
_PERIOD_UNITS = {
    "days": "day", "weeks": "week", "months": "month",
    "day": "day", "week": "week", "month": "month",
    "天": "day", "日": "day", "个月": "month", "月": "month", "周": "week", "个星期": "week",
}  # fmt: skip
# "Per calendar day on average", "in an average month", "平均每月": records per period.
_PER_PERIOD = re.compile(
    r"(?i)\bper (?:calendar )?(day|week|month)\b|\b(?:an|the|a typical) (?:average )?"
    r"(day|week|month)\b(?! of)|\b(?:each|every|a) (day|week|month)\b"
    r"|平均每(?:个)?(天|日|周|月)|每(?:个)?(天|月|周)平均"
)
_EN_TIME_WORDS = frozenset(("day", "week", "month", "quarter", "year", "time", "hour"))
# "平均每天", "on average per month": a count spread over time, which the counts answer.
_PER_TIME = re.compile(
    r"(?i)平均(?:每|一)(?:天|日|周|月|季度|年|个月)|\bper (?:day|week|month|quarter|year)\b"
    r"|\ba (?:day|week|month)\b|\beach (?:day|week|month)\b"
)
_AFTER_AVERAGE = re.compile(
    r"(?i)平均(?P<zh>[^，,。？?！!]{1,10})|\b(?:on )?average,?\s+(?P<en>(?:[a-z]+\s+){0,3}[a-z]+)"
)


_THEME_COUNTED = ("ranking", "breakdown", "metric_change")


def _term_said(question: str, term: str) -> bool:
    """Whether ``term`` (two characters or more) is said in ``question`` as the kind of the
    records' trouble ("异响问题", "delivery complaints", "issues with billing"), not as any
    word a cluster happens to hold ("came in", "mail" in a list of channels)."""
    if len(term) < 2:
        return False
    t = re.escape(term)
    if _CJK_CHAR.search(term):
        kinds = r"(?:问题|投诉|故障|毛病|方面)"
        return re.search(rf"{t}(?:的|类|相关的?)?{kinds}", question) is not None
    nouns = r"(?:complaints?|issues?|problems?|troubles?|faults?)"
    return (
        re.search(rf"(?i)\b{t}(?:-related| related)?\s+{nouns}\b", question) is not None
        or re.search(rf"(?i)\b{nouns}\s+(?:about|with|over|regarding)\s+{t}\b", question)
        is not None
    )


def _records_counted(intent: Intent) -> bool:
    """Whether every measure read counts records (so an average of it is over groups)."""
    cat = intent.catalog
    if cat is None or not intent.metrics:
        return False
    return all(plain_count(cat, m) for m in intent.metrics)


_QUOTED_WORDS = re.compile(r"[“”\"「『]")
# A figure asked of the average: "平均等了几天", "on average how long", "how many days on average".
_AVERAGE_FIGURE = re.compile(r"(?i)几|多少|多久|多长|\bhow (?:long|many|much)\b")


def _measured_average_asked(intent: Intent) -> None:
    """ "今年一季度提交的留言，平均等了几天才得到答复": an average figure asked, read as the
    records' feedback, where the reading holds a measure that is no count of records (a time
    to reply): that measure's figure is the answer, not what the records say."""
    cat, q = intent.catalog, intent.question
    if cat is None or intent.playbook not in ("voc_themes", "voc_evidence") or intent.mentions:
        return
    if not AVERAGE.search(q) or not _AVERAGE_FIGURE.search(q) or intent.template:
        return
    if _QUOTED_WORDS.search(q):
        return  # "答复里说“已责成…”的留言": words of the text counted, read with the mentions
    measured = [m for m in intent.metrics if m in cat.metrics and not plain_count(cat, m)]
    if measured:
        intent.playbook = "metric_change"
        intent.slots.metrics = measured


def _averaged_unmeasured(intent: Intent) -> str | None:
    """What an average is asked of, when the only measures read are counts of records (no
    average, duration, amount or rate of the data fits it); None otherwise."""
    q = intent.question
    if not AVERAGE.search(q) or _PER_TIME.search(q):
        return None
    # Themes read from an average asked ("the average credit score of those complaining
    # about X"): the words of the feedback are no average either.
    themes = intent.playbook in ("voc_themes", "voc_evidence")
    if (intent.playbook not in _FIGURES and not themes) or intent.mentions or intent.template:
        return None
    cat = intent.catalog
    if cat is None or not (themes or all(plain_count(cat, m) for m in intent.metrics)):
        return None
    m = _AFTER_AVERAGE.search(q)
    said = (m["zh"] or m["en"] or "").strip() if m else ""
    noun = _WHAT_NOUN.match(said)
    if noun is not None:
        said = noun.group(1)  # "on average, what model year are they": the model year
    elif themes and _ASKING.match(said):
        return None  # "on average, what do people say": no noun averaged
    # "the average credit score of the consumers who …": what is averaged, not whose.
    return _OF_WHOM.split(said)[0].strip() or None


_ASKING = re.compile(r"(?i)(?:what|how|which|who|where|when|why|do|does|did|is|are|was|were)\b")
# "what model year are they": the noun asked after "what", before its verb.
_WHAT_NOUN = re.compile(
    r"(?i)^(?:what|which)\s+(?!(?:do|does|did|is|are|was|were|has|have|can|would|kind|sort"
    r"|type|kinds|sorts|types)\b)([a-z][a-z-]*(?:\s+[a-z][a-z-]*)?)\s+(?:are|is|was|were|do|does)\b"
)


_OF_WHOM = re.compile(r"(?i)\s+(?:of|for|among|across|in|per|that|who|which|by)\b.*")


def _counted_shape(shape: ShapeReading, split: bool, named: bool) -> str | None:
    """The analysis a ranking, breakdown or count asks for, when its words say which."""
    if split and shape.has("ranking"):
        return "ranking"
    if split and shape.has("breakdown"):
        return "breakdown"
    if shape.has("count") or shape.has("share") or named:
        return "metric_change"
    return None


# Which end of the values a ranking asks for, in words that say nothing of better or worse.
_HIGH_END = re.compile(
    r"(?i)\bhighest\b|\blargest\b|\bbiggest\b|\bmost\b|\blongest\b|最高|最大|最多|最长|最久"
)
_LOW_END = re.compile(r"(?i)\blowest\b|\bsmallest\b|\bfewest\b|\bshortest\b|最低|最小|最少|最短")
_GOOD_BAD = re.compile(
    r"(?i)\bbest\b|\bworst\b|\bstrongest\b|\bweakest\b|\bpoorest\b|最好|最差|最强|最弱|垫底"
)


def _order_by_value(intent: Intent) -> None:
    """ "The highest return rate" is the worst one: the end the words name, read through the
    measure's direction, when they name a value's end (highest, lowest) and not better/worse."""
    q, cat = intent.question, intent.catalog
    if intent.order == "both" or _GOOD_BAD.search(q) or cat is None or not intent.metrics:
        return
    high, low = bool(_HIGH_END.search(q)), bool(_LOW_END.search(q))
    metric = cat.metrics.get(intent.metrics[0])
    if high == low or metric is None or metric.direction != "lower_is_better":
        return
    intent.order = "worst" if high else "best"


def _one_count(shape: ShapeReading) -> bool:
    """Whether the words ask for one count and nothing ranked or split."""
    return shape.first == "count" and not (shape.has("ranking") or shape.has("breakdown"))


# Playbooks about one topic of the demo's kind of operation; a named metric asked for in a
# generic way (ranked, split, compared) is answered by the metric playbooks instead.
_TOPICS = (
    "peak_times", "product_quality", "channel_comparison", "remote_vs_onsite",
    "key_account_health", "what_changed",
)  # fmt: skip
_QUOTING = ("influencer_complaints", "voc_evidence")
# Topic playbooks whose counts are of customers' accounts, not of the records.
_OF_ACCOUNTS = ("key_account_health",)
# Topic playbooks that answer something else than a named metric's change ("when is it busiest",
# "what changed across the board").
_ASIDE = ("peak_times", "what_changed")
# Templates with a playbook of their own; the others are filled by the strategy playbook.
_TEMPLATE_PLAYBOOKS = {"gap_analysis": "gap_analysis", "business_design": "business_design"}
_SPLITTABLE = ("metric_change", "ranking", "breakdown", "key_account_health")
_DOCUMENTS = ("gap_analysis", "business_design")


def _code_filter(catalog: Catalog, slots: Slots) -> None:
    """A product code in the question ("AC-X735") filters the dimension that holds codes: the one
    listing it among its values, else the one named model."""
    if not slots.model:
        return
    code = slots.model.lower()
    for name, dim in catalog.dimensions.items():
        listed = [v for v in dim.values or [] if v.lower() == code]
        if listed:
            slots.filters.setdefault(name, listed[0])
            return
    if "model" in catalog.dimensions and not catalog.dimensions["model"].from_time:
        slots.filters.setdefault("model", slots.model)


_FILTERED_PLAYBOOKS = ("metric_change", "ranking", "breakdown", "trend", "share_of")


# How long something took, asked in words ("how long", "多久", "时长", "快慢").
_HOW_LONG = re.compile(
    r"(?i)\bhow (?:long|fast|quick(?:ly)?|slow)\b|\btime\b|\bhours?\b|\bdays?\b.{0,12}\bto\b"
    r"|\bwait|\bspeed|多久|多长时间|时长|用时|耗时|快慢|速度|几天|几个小时|多少天|多少小时"
)
# "按答复时间算": the date the records are counted by, named.
_COUNTED_BY_DATE = re.compile(r"按(?P<col>[\u4e00-\u9fff]{1,8}?(?:时间|日期))(?:算|统计|计|来算)")


# A unit of time that comes round again (a weekday, the weekend, an hour of the day), not a
# period of the calendar.
_CYCLIC = re.compile(r"(?i)isodow|dayofweek|\bdow\b|\bhour\(|%a|%A|%H")


# "周末（周六、周日）", "at weekends (Saturday and Sunday)": the weekend glossed by its days.
_WEEKEND_GLOSSED = re.compile(r"(?i)(?:周末|双休日|weekends?)\s*[（(][^）)]{1,30}[）)]")


# "2016款以及更老年款的车", "2010款及以前", "2019 models or older": a numbered part of the
# values (a model year) and every part numbered below it (or above: "及以后", "or newer").
_NUMBERED_PART = re.compile(r"^(?P<n>\d{2,4})(?P<unit>[\u4e00-\u9fff]{0,2})$")
_AND_OLDER = re.compile(
    r"^\s*(?:的车|的)?\s*(?:以及|及|或者?|和|\s*or\s*|\s*and\s*)?\s*"
    r"(?P<down>更老|更早|更旧|以前|之前|以下|older|earlier|before)?"
    r"(?P<up>更新|以后|之后|以上|newer|later)?",
    re.IGNORECASE,
)


def _numbered_parts_up_to(question: str, slots: Slots, index: dict[str, list[str]]) -> None:
    """A part of the values said with a number ("2016款") and "以及更老": the values holding that
    part or any part of the same kind with a lower number (higher, for "及以后")."""
    text = normal_text(question)
    for dim, value in list(slots.filters.items()):
        word = getattr(value, "word", None)
        said = _NUMBERED_PART.match(str(word or ""))
        if type(value) is not Holding or said is None or dim not in index:
            continue
        at = text.find(str(word).lower())
        after = _AND_OLDER.match(text[at + len(str(word)) :]) if at >= 0 else None
        if after is None or not (after["down"] or after["up"]):
            continue
        n, unit, digits = int(said["n"]), said["unit"], len(said["n"])
        numbered = re.compile(rf"(?<!\d)(\d{{{digits}}}){re.escape(unit)}")
        kept = [
            str(v) for v in index[dim]
            if any((int(x) <= n) if after["down"] else (int(x) >= n)
                   for x in numbered.findall(str(v)))
        ]  # fmt: skip
        if kept:
            phrase = f"{word}{after.group(0).strip()}"
            slots.filters[dim] = Holding(phrase, *kept)


def _weekend_glossed(intent: Intent) -> None:
    """The weekend said with its days in brackets is one filter (the weekend), not the two
    days compared nor a split by the day of the week."""
    cat = intent.catalog
    if cat is None or not _WEEKEND_GLOSSED.search(intent.question):
        return
    kinds = [
        d for d in intent.filters
        if d in cat.dimensions and "CASE WHEN isodow" in (cat.dimensions[d].spec.time or "")
    ]  # fmt: skip
    if not kinds:
        return
    days = {
        d for d, spec in cat.dimensions.items()
        if spec.from_time and (spec.spec.time or "").startswith("CAST(isodow")
    }  # fmt: skip
    intent.slots.dimensions = [d for d in intent.slots.dimensions if d not in days]
    for d in days:
        intent.slots.filters.pop(d, None)
        intent.slots.compared.pop(d, None)


def _among_done(intent: Intent) -> None:
    """ "已经答复的留言里，答复说…的比例，哪个区县最高": the share over the records the event has
    happened to (their date set), not over every record; the event's words name no measure nor
    grouping of their own."""
    cat = intent.catalog
    if cat is None or intent.playbook not in ("share_of", "mentions"):
        return
    if intent.event_time or intent.threshold or intent.unset_column:
        return
    metric = records_count(cat)
    if metric is None:
        return
    found = done_column(intent.question, cat, cat.metrics[metric].table)
    if found is None:
        return
    intent.among_done, said = found
    # The measure the event's verb was read as ("答复": the time to reply) is no figure asked.
    kept = [m for m in intent.metrics if cat.metrics[m].unit not in _TIME_UNITS]
    intent.slots.metrics = kept or [metric]
    intent.slots.by_meaning = []
    guess = intent.grouping
    if guess is not None and guess.phrase and guess.phrase in said:
        intent.slots.dimensions = [d for d in intent.slots.dimensions if d != guess.dimension]
        intent.grouping = None


def _units_of_event_time(intent: Intent) -> None:
    """ "How many tickets were resolved on a Saturday or a Sunday, and what share of all
    resolved tickets": the weekday (weekend, hour) of the event's own date, not of the records'
    opening; the share is of the records the event happened to."""
    cat = intent.catalog
    if cat is None or intent.playbook not in ("metric_change", "share_of"):
        return
    if intent.event_column or intent.threshold or intent.mentions or intent.unset_column:
        return
    if intent.period is not None:
        return  # a period named is of the records' own time; both would be read apart
    timed = [
        d for d in intent.filters
        if d in cat.dimensions and cat.dimensions[d].from_time
        and _CYCLIC.search(cat.dimensions[d].spec.time or "")
        and "%Y" not in (cat.dimensions[d].spec.time or "")
    ]  # fmt: skip
    if not timed:
        return
    metric = intent.metrics[0] if intent.metrics else records_count(cat)
    if metric is None or metric not in cat.metrics or not plain_count(cat, metric):
        return
    column = event_date_column(intent.question, cat, cat.metrics[metric].table)
    if column is None:
        return
    intent.event_time = column
    intent.slots.metrics = [metric]
    intent.playbook = "share_of"


def _count_not_time(intent: Intent) -> None:
    """ "How many messages did we reply to last month", "上个月答复出去多少条？按答复时间算": a
    count of the records by the date of the event, not the time the event took, which the
    event's verb (or its date's name) alone was read as."""
    cat, q = intent.catalog, intent.question
    if cat is None or len(intent.metrics) != 1 or not intent.shape.has("count"):
        return
    metric = cat.metrics.get(intent.metrics[0])
    if metric is None or metric.unit not in ("hours", "minutes", "days") or AVERAGE.search(q):
        return
    dated = _COUNTED_BY_DATE.search(q)
    rest = q[: dated.start()] + q[dated.end() :] if dated else q
    if _HOW_LONG.search(rest):
        return
    count = records_count(cat)
    if count is None or event_date_column(q, cat, cat.metrics[count].table) is None:
        return
    intent.slots.metrics, intent.slots.by_meaning = [count], []
    # "按答复时间算": no split by a column the date's name or the event's verb was read as.
    said = [dated.group("col")] if dated else []
    said += [word for _, word in said_events(q)]
    guess = intent.grouping
    if guess is not None and any(guess.phrase in w or w in guess.phrase for w in said):
        intent.slots.dimensions = [d for d in intent.slots.dimensions if d != guess.dimension]
        intent.grouping = None
        if intent.playbook == "breakdown" and not intent.shape.has("breakdown"):
            intent.playbook = "metric_change"


def _counted_by_event(intent: Intent) -> None:
    """ "How many tickets did we resolve in May compared with April", "5月关闭了多少张": a count
    of the records in a period named, by the date of the one event the question names."""
    cat = intent.catalog
    counted = ("metric_change", "ranking", "breakdown", "trend")
    if cat is None or intent.playbook not in counted or intent.period is None:
        return
    _count_not_time(intent)
    # No measure named ("5月2日解决了多少投诉" over tickets): the records are what is counted.
    metric = intent.metrics[0] if intent.metrics else records_count(cat)
    if metric is None or len(intent.metrics) > 1 or not plain_count(cat, metric):
        return
    if intent.parallel or intent.labels or intent.group_test or intent.distinct_of:
        return
    if intent.mentions or intent.threshold or intent.distinct:
        return
    if intent.unset or intent.unset_column:
        return
    table = cat.metrics[metric].table
    intent.event_column = event_date_column(intent.question, cat, table)
    undated = undated_event(intent.question, cat, table) if not intent.event_column else None
    if undated and any(undated[1].lower() in str(v).lower() for v in intent.filters.values()):
        undated = None  # "closed with monetary relief": the verb is a value's, read as it
    intent.undated_event = undated[0] if undated else None
    if intent.event_column is None and intent.undated_event is None:
        return
    if not intent.metrics:
        intent.slots.metrics = [metric]
    if intent.event_column is None:
        return
    event = event_of(intent.event_column)
    for dim, value in list(intent.filters.items()):
        if isinstance(value, str) and event_of(value) == event:
            # "How many did we close in June": the verb read as the state Closed too says
            # nothing the closing date does not.
            del intent.slots.filters[dim]


def _group_test(intent: Intent) -> None:
    """ "差评率低于50%的品类有几个", "among companies with at least 100 complaints, which respond
    on time less than 97% of the time", "among groups that handled at least 200 tickets, which
    takes longest": a condition on each group's share or size, the groups passing it counted,
    listed or ranked (``group_filter``)."""
    cat, question = intent.catalog, intent.question
    if cat is None or intent.template:
        return
    # "Which product has not a single complaint still in progress" reads as feedback by its
    # words; the groups are what is asked.
    voiced = intent.playbook in ("voc_themes", "voc_evidence") and every_or_none(question)
    if intent.playbook not in _FIGURES and not voiced:
        return
    guess = intent.grouping.dimension if intent.grouping else None
    named = [*intent.distinct, *([guess] if guess else []), *intent.slots.dimensions]
    pct, size = percent_test(question), records_per_group(question)
    # "…below 70%, counting 满意 and 基本满意 as satisfied": the values named together are the
    # part each group's share is of, not groups of their own.
    shared = {
        d: Either(*vs) for d, vs in intent.slots.compared.items()
        if pct is not None and len(vs) > 1 and d not in intent.filters
    }  # fmt: skip
    dim = next(
        (d for d in named if d in cat.dimensions and d not in intent.filters and d not in shared),
        None,
    )
    if dim is None:
        return
    measured = next((m for m in intent.metrics if m in cat.metrics), None)
    unit = cat.metrics[measured].unit if measured is not None else ""
    valued = value_test(question, unit) if AVERAGE.search(question) else None
    every = every_or_none(question) if pct is None and valued is None else None
    part = _group_part(intent, dim, every[1]) if every is not None else {}
    counted = measured if measured and plain_count(cat, measured) else records_count(cat)
    if every is not None and part and counted is not None:
        # "Which companies with 10 or more complaints never had a single one disputed": the
        # groups none (or all) of whose records are of the kind named after those words.
        if reach(cat, cat.metrics[counted].table, dim, {}) is None:
            return
        at = question.find(size[2]) if size is not None else -1
        if size is not None and every[1] <= at <= every[1] + len(every[2]):
            size = None  # "not a single complaint" says no size
        said = " ".join([every[2], *(str(v) for v in part.values())])
        test = GroupTest(dim, counted, every[0], 0.0, said, size, tuple(part.items()))
        for d in part:
            intent.slots.filters.pop(d, None)
        intent.group_test, intent.playbook = test, "group_filter"
        intent.distinct, intent.slots.metrics = [], [counted]
        return
    if voiced and not (every is not None and part and counted is not None):
        return
    if every is not None and measured is not None and not plain_count(cat, measured):
        # "…gave a timely response to every single one": the yes/no column's count named, its
        # rate kept beside it tested.
        measured = share_metric(cat, [measured]) or measured
    if every is not None and measured is not None and cat.metrics[measured].unit == "%":
        # "…never had a complaint disputed", the disputed rate named: a rate of 0 (or 100%).
        intent.slots.metrics = [measured]
        value = 0.0 if every[0] == "none" else 100.0
        pct = PercentTest("=", value, ("为 " if intent.language == "zh" else "of ") + f"{value:g}%")
    if pct is not None:
        metric = share_metric(cat, intent.metrics)
        valued_on = {d for d, v in intent.filters.items() if d != dim and type(v) is not Excluded}
        if metric is None and not valued_on and len(shared) == 1:
            valued_on = set(shared)
            intent.slots.filters.update(shared)
            intent.slots.compared.pop(next(iter(shared)), None)
        if metric is None and len(valued_on) == 1 and counted is not None and not intent.mentions:
            # "Districts with a satisfaction rate below 80%, counting 满意 and 基本满意 as
            # satisfied": each group's share of the records with the values named.
            on = valued_on.pop()
            if reach(cat, cat.metrics[counted].table, dim, {}) is None:
                return
            rated = bool(_AMONG_RATED.search(question))
            test = GroupTest(
                dim, counted, pct.op, pct.value, pct.said, size,
                ((on, intent.filters[on]),), rated, percent=True,
            )  # fmt: skip
            intent.slots.filters.pop(on, None)
            intent.group_test, intent.playbook = test, "group_filter"
            intent.distinct, intent.slots.metrics = [], [counted]
            return
        if metric is None:
            return
        test = GroupTest(dim, metric, pct.op, pct.value, pct.said, size)
    elif valued is not None and measured is not None:
        # "In how many categories do reviews run longer than 100 characters on average": each
        # group's average compared with the number.
        metric = measured
        test = GroupTest(dim, metric, valued.op, valued.value, valued.said, size)
    elif (
        size is not None
        and intent.playbook in ("ranking", "breakdown", "metric_change")
        and (intent.metrics or counted)
    ):
        metric = intent.metrics[0] if intent.metrics else counted or ""
        if intent.playbook == "metric_change" and not _GROUPS_TALLIED.search(question):
            return
        if metric in cat.metrics and plain_count(cat, metric) and _GROUPS_TALLIED.search(question):
            # "Which districts have logged more than 80 城乡建设 messages, and how many do they
            # account for together": the groups past the number, counted and added up.
            if (
                size[0] not in (">", ">=", "<", "<=")
                or reach(cat, cat.metrics[metric].table, dim, {}) is None
            ):
                return
            # A value said in or after the number's words is the part counted ("more than 80
            # 城乡建设 messages"); one said before them is the slice ("For 吉利汽车, how many
            # models have more than 5 complaints").
            at, text = question.find(size[2]), question.lower()
            part = {
                d: v for d, v in intent.filters.items()
                if d != dim and text.find(str(v).lower()) >= at
            }  # fmt: skip
            if intent.distinct and not part:
                return  # "how many teams have more than 100 tickets": counted as values
            for d in part:
                intent.slots.filters.pop(d, None)
            test = GroupTest(
                dim, metric, size[0], float(size[1]), size[2], None, tuple(part.items()),
                by_count=True,
            )  # fmt: skip
            intent.group_test, intent.playbook = test, "group_filter"
            intent.distinct, intent.slots.metrics = [], [metric]
            return
        if metric not in cat.metrics or plain_count(cat, metric):
            return  # the most records among groups of a size: the ranking says as much
        test = GroupTest(dim, metric, size=size)
    else:
        return
    if reach(cat, cat.metrics[metric].table, dim, {}) is None:
        return
    intent.group_test = test
    intent.playbook = "group_filter"
    intent.distinct = []
    intent.slots.metrics = [metric]


# "…slower than the six city districts", "than the other brands", "和其他区县比": the values
# named set against the rest of their column.
_AGAINST_REST = re.compile(
    r"(?i)\b(?:than|vs\.?|versus|against|compared (?:with|to)|and)\s+(?:all\s+)?(?:of\s+)?"
    r"(?:(?:the\s+)?(?:other|remaining|rest)|the\s+(?:\d+|two|three|four|five|six|seven|eight"
    r"|nine|ten|eleven|twelve))\b"
    r"|(?:和|跟|与|同|比)(?:其他|其余|剩下的?|另外(?:的)?[\d一二三四五六七八九十几]*[个家类款位])"
)


def _values_against_rest(intent: Intent) -> None:
    """ "Do 临江县 and 青山县 get their replies slower than the six city districts", "吉利和其他
    品牌比，平均…": the measure for the records holding the values named, and for those
    holding any other value of their column, side by side."""
    cat, question = intent.catalog, intent.question
    if cat is None or intent.playbook not in ("ranking", "breakdown", "metric_change"):
        return
    if intent.group_test or intent.condition or intent.mentions or intent.threshold:
        return
    m = _AGAINST_REST.search(question)
    named = {d: list(vs) for d, vs in intent.slots.compared.items()}
    named.update(
        {d: [str(v)] for d, v in intent.filters.items() if type(v) is str and d not in named}
    )
    if m is None or len(named) != 1 or len(intent.metrics) != 1:
        return
    dim, values = next(iter(named.items()))
    if len(values) == 1 and VS_REST.search(question):
        return  # "Group 8 vs all other groups": one value against the rest, read as before
    metric = intent.metrics[0]
    if metric not in cat.metrics or reach(cat, cat.metrics[metric].table, dim, {}) is None:
        return
    # The values are said before the words setting them against the rest (by their names, or
    # by the words the reading took them from: "华东和华南" for East and South).
    # Where each is said, and the name it is said by ("华东" for East), to say it back.
    said, shown = zip(*(_said_at(intent, dim, v) for v in values), strict=True)
    if any(a < 0 or a > m.start() for a in said):
        return
    sep = "、" if intent.language == "zh" else " and "
    intent.condition = Condition(
        "", cat.metrics[metric].table, sep.join(shown), metric, values=(dim, tuple(values))
    )
    intent.playbook = "condition_split"
    intent.slots.compared.pop(dim, None)
    intent.slots.filters.pop(dim, None)
    intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]


def _said_at(intent: Intent, dim: str, value: str) -> tuple[int, str]:
    """Where the question first says a value of ``dim``, by its name, a name the catalog lists
    for it ("华东" for East) or the words the reading took it from, and the name said; (-1,
    the value) when it is not found."""
    text = intent.question.lower()
    spec = (
        intent.catalog.dimensions[dim].spec
        if intent.catalog and dim in intent.catalog.dimensions
        else None
    )
    aliases: dict[str, list[str]] = (spec.values or {}) if spec else {}
    spots = [(text.find(n.lower()), n) for n in [value, *aliases.get(value, [])] if n]
    spots = [(a, n) for a, n in spots if a >= 0]
    span = intent.slots.said.get(f"{dim}={value}")
    spots += [(span[0], value)] if span else []
    return min(spots) if spots else (-1, value)


def _part_of_those(intent: Intent) -> None:
    """ "前天进来的投诉里，吉利汽车占了几条？这几条里已经走到“处理反馈”的有几条？": the records of
    the values said first counted, then those of them with the value said after "of those"
    (这几条里, 其中, of those): a part of a whole, both figures and the share."""
    cat, q = intent.catalog, intent.question
    if cat is None or intent.playbook != "metric_change" or intent.comparison is not None:
        return
    if len(intent.metrics) != 1 or not plain_count(cat, intent.metrics[0]):
        return
    if intent.condition or intent.mentions or intent.unset or intent.unset_column:
        return
    cue = OF_WHICH.search(q)
    if cue is None or len(intent.filters) < 2 or intent.slots.compared:
        return
    at = {}
    for d, v in intent.filters.items():
        names = list(v.values) if isinstance(v, (Either, Excluded)) else [str(v)]
        where = [_said_at(intent, d, n)[0] for n in names]
        # A yes/no column named by its category ("label=Update" for the column update).
        spec = cat.dimensions[d].spec if d in cat.dimensions else None
        own = {d.lower(), *([spec.en.lower()] if spec and spec.en else [])}
        where += [
            sp[0] for k, sp in intent.slots.said.items() if k.split("=", 1)[-1].lower() in own
        ]
        if not [a for a in where if a >= 0]:
            return
        at[d] = min(a for a in where if a >= 0)
    after = [d for d, a in at.items() if a >= cue.end()]
    if len(after) != 1 or len(after) == len(at):
        return  # one value after the cue is the part; the others before it are the whole
    intent.playbook = "share_of"


def _part_of_top(intent: Intent) -> None:
    """ "大前天哪个品牌被投诉得最多？…其中星越占了几条": the groups ranked by all their records,
    and the records of the value said after "of those" (其中, of those) within each — not the
    groups ranked by that value's records alone."""
    cat, q = intent.catalog, intent.question
    if cat is None or intent.comparison is not None:
        return
    # "How many of those were about …" read as a share: no share was asked, the most was.
    shared = intent.playbook == "share_of" and not SHARE_WORD.search(q) and _MOST_SAID.search(q)
    if intent.playbook != "ranking" and not shared:
        return
    if intent.metrics and (len(intent.metrics) != 1 or not plain_count(cat, intent.metrics[0])):
        return
    if intent.condition or intent.mentions or intent.unset or intent.slots.compared:
        return
    cue = OF_WHICH.search(q)
    groups = [d for d in intent.slots.dimensions if d not in intent.filters]
    if cue is None or len(groups) != 1 or FEWEST.search(q):
        return
    after = []
    for d, v in intent.filters.items():
        if isinstance(v, (Either, Excluded)):
            return
        where = _said_at(intent, d, str(v))[0]
        if where < 0:
            return
        if where >= cue.end():
            after.append(d)
    if len(after) != 1 or after[0] == groups[0]:
        return
    intent.playbook, intent.whole_ranked = "share_of", True


def _groups_by_unset(intent: Intent) -> None:
    """ "Which districts still have more than 20 messages with no reply at all": the groups
    kept by how many of their records have no value where the question says none was recorded
    — the number said is of those records, not of all the group's."""
    cat, question = intent.catalog, intent.question
    if cat is None or intent.playbook != "share_of" or intent.group_test is not None:
        return
    if not (intent.unset or intent.unset_column) or SHARE_WORD.search(question):
        return
    size = records_per_group(question)
    split = [d for d in intent.slots.dimensions if d in cat.dimensions and d not in intent.filters]
    if size is None or len(split) != 1 or size[0] not in (">", ">=", "<", "<="):
        return
    if _MOST_SAID.search(question) or _LEAST_SAID.search(question):
        return  # "among districts with more than 300 messages, which has the most unanswered"
    # The number is of the records with no value when the words saying so are in its clause:
    # "more than 20 messages with no reply", "还没答复的留言超过20条".
    at = question.find(size[2])
    clause = re.split(r"[,，。;；?？!！]", question[at:])[0]
    before = re.split(r"[,，。;；?？!！]", question[:at])[-1]
    if not re.search(r"(?i)\b(?:no|not|without|never|un\w+)\b", clause) and not re.search(
        r"[没未无]", before + clause
    ):
        return
    table = intent.unset_column[0] if intent.unset_column else None
    counted = next(
        (
            n for n, m in cat.metrics.items()
            if plain_count(cat, n) and (table is None or m.table == table) and not m.spec.filter
        ),
        None,
    )  # fmt: skip
    if counted is None or reach(cat, cat.metrics[counted].table, split[0], {}) is None:
        return
    unset = (
        f"{quoted(intent.unset_column[0])}.{quoted(intent.unset_column[1])}"
        if intent.unset_column
        else f"dim:{intent.unset}"
    )
    shown = intent.unset_column[1] if intent.unset_column else str(intent.unset)
    intent.group_test = GroupTest(
        split[0], counted, size[0], float(size[1]), size[2], None, unset=(unset, shown)
    )
    intent.playbook, intent.slots.metrics = "group_filter", [counted]


# "…, and how many do they add up to", "how many districts", "一共几个区": the groups past a
# number are counted or their records added up, not only listed.
_GROUPS_TALLIED = re.compile(
    r"(?i)\b(?:together|combined|in total|altogether|add up|added up|account for|between them)\b"
    r"|\bhow many (?!of them\b|of those\b|of these\b)[a-z]+(?: [a-z]+)? (?:have|had|are|were|got"
    r"|logged|received|saw|did)\b|一共|合计|加起来|总共|共有几|有几[个家位类款]|多少个"
)


# "Among the messages that were rated", "只算有评价的": a share of the values named over the
# records that have one, not over all.
_AMONG_RATED = re.compile(
    r"(?i)\b(?:that|which) (?:were|are|have been|got) (?:rated|scored)\b"
    r"|\bwith a (?:rating|score)\b|\bamong (?:the )?rated\b"
    r"|有(?:评价|评分|打分)的|(?:评价|评分|打分)过的|已(?:评价|评分)"
)


def _group_part(intent: Intent, dim: str, start: int) -> dict[str, Any]:
    """The filters naming the kind of record a group must have none (or all) of: those said
    after the words saying so (``start``), and values set aside by them ("never had a single
    Critical or High ticket" reads as "not Critical or High"), as the values themselves."""
    text = intent.question.lower()
    # The words' own clause: "青山县的留言里，有没有哪一类连一条“不满意”都没收到？青山县这一类…"
    # sets 不满意 as the part, not 青山县 said again after it.
    stop = re.search(r"[，。？?,;；！!]", text[start:])
    end = start + stop.start() if stop else len(text)
    part: dict[str, Any] = {}
    for d, value in intent.filters.items():
        if d == dim or not isinstance(value, str):
            continue
        said = intent.slots.said.get(f"{d}={value}")
        values = getattr(value, "values", (value,))
        where = [i for v in values if (i := text.find(v.lower())) >= 0]
        where += [said[0]] if said else []
        if isinstance(value, Excluded):
            if not where or start <= min(where) < end:
                part[d] = Either(*values) if len(values) > 1 else values[0]
        elif where and start <= min(where) < end:
            part[d] = value
    return part


def _feedback_of_any(intent: Intent) -> None:
    """What customers say of "吉利" (吉利汽车 and 吉利新能源) or of "Geely and Mazda": the
    feedback of the records holding any of the values named, one slice. The feedback playbooks
    compare no values; left as a comparison, the names would be dropped and every record's
    feedback said instead."""
    if intent.playbook not in ("voc_evidence", "voc_themes"):
        return
    for dim, values in list(intent.slots.compared.items()):
        if dim not in intent.slots.filters and len(values) > 1:
            intent.slots.filters[dim] = Either(*values)
            del intent.slots.compared[dim]


def _set_aside_unreachable(intent: Intent) -> None:
    """Filters no measured metric can be filtered by (another table, no join) are set aside
    and said, so the value is answered for the records it can be, not refused."""
    cat = intent.catalog
    if cat is None or not intent.metrics or intent.playbook not in _FILTERED_PLAYBOOKS:
        return
    for dim, value in list(intent.filters.items()):
        if not all(reaches(cat, m, dim) for m in intent.metrics if m in cat.metrics):
            # A category the measure itself counts ("refer to specialist team" of its rate)
            # is what is measured, not a filter set aside.
            if not _names_metric(cat, intent.metrics, str(value)):
                intent.set_aside.append((dim, value))
            del intent.slots.filters[dim]
            intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]


def _set_aside_later(intent: Intent) -> None:
    """ "吉利汽车被投诉的车型，平均每款挨了几条？把星越刨掉的话，其余车型平均每款几条？": one value
    set aside, said only after a part of the question that already asks the figure, which is
    then asked of the whole slice as well (``aside_later``)."""
    if intent.playbook != "metric_change" or intent.group_by:
        return
    asides = [(d, v) for d, v in intent.filters.items() if isinstance(v, Excluded)]
    if len(asides) != 1:
        return
    dim, value = asides[0]
    text = intent.question.lower()
    names = [str(n).lower() for n in value.values]
    at = min((text.find(n) for n in names if n in text), default=-1)
    if at <= 0:
        return
    before = _ASIDE_PARTS.split(text[:at])
    if len(before) < 2 or not any(_ASKS_FIGURE_WORDS.search(p) for p in before[:-1]):
        return
    intent.aside_later = dim


# The parts of a question: a figure asked in one, a value set aside in a later one.
_ASIDE_PARTS = re.compile(r"[？?。！!；;，,]|\band\b")
_ASKS_FIGURE_WORDS = re.compile(
    r"多少|几[条个款家次天]|平均|占比|比例|\bhow (?:many|much)\b|\baverage\b|\bshare\b"
    r"|\bpercent"
)


def _names_metric(cat: Catalog, metrics: list[str], value: str) -> bool:
    said = value.strip().lower()
    return any(
        m in cat.metrics and cat.metrics[m].spec.en.lower().startswith(said) for m in metrics
    )


# Which of the groups named has more (or less) of something.
_WHOSE_WORD = re.compile(r"(?i)\bwhose\b")
_WHICH_MORE = re.compile(
    r"(?i)\b(?:which|who|whose)\b.{0,60}\b(?:more|fewer|less|higher|lower|better|worse"
    r"|most|least|fewest|highest|lowest|longest|shortest|best|worst)\b"
    r"|(?:谁|哪个|哪家|哪一个).{0,20}(?:更多|更少|更高|更低|更好|更差|更常|多|少)"
    # "Did Apple or Spotify get more tweets", "苹果还是Spotify的推文更多": either of two.
    r"|\bor\b.{0,60}\b(?:more|fewer|less|higher|lower|better|worse)\b"
    r"|还是.{0,20}(?:更多|更少|更高|更低|更好|更差|多|少)"
)


# A share word alone, which names no measure of its own.
_BARE_SHARE = re.compile(r"(?i)比例|占比|比率|比重|share|proportion|percentage|percent|ratio")


# A contrast of the records with and without something ("than when they didn't", "有没有").
_CONTRAST = re.compile(
    r"(?i)\bwith(?:out)? and with(?:out)?\b|\bthan (?:when|those|tickets|ones)\b.{0,40}"
    r"\b(?:didn'?t|did not|don'?t|do not|weren'?t|were not|without)\b|\bor not\b"
    r"|\bversus (?:not|none)\b|有没有|是否|用没用|有无"
    r"|\b(?:more|less) (?:often|likely)\b|更容易|更常|更少"
)
# "… compared with the ones that meet it", "versus those that made it": both sides named.
_BOTH_SIDES = re.compile(
    r"(?i)\b(?:versus|vs\.?|compared (?:with|to)|against) (?:those|the ones|ones|the others)"
    r" (?:that|which|who)\b"
    # "… that did not get a timely response and for the ones that did"
    r"|\band (?:for |of )?(?:those|the ones|ones|the others|the rest) (?:that|which|who) "
    r"(?:did|do|does|were|was|are|is|have|had|got)\b"
)


# What any export's records may be called in English ("how many such messages").
_RECORDS_SAID = re.compile(
    r"(?i)(?:messages?|tickets?|cases?|records?|complaints?|tweets?|reviews?|posts?|emails?"
    r"|incidents?|requests?|calls?|chats?|comments?)"
)
# The records of one side of a conversation named as such ("customer tweets", "客户推文", "agent
# replies"), not the side's people named in passing ("refers customers to a team").
_SIDE_RECORDS = re.compile(
    r"(?i)\b(?:customers?|users?|consumers?|callers?|agents?)(?:'s?)?\s+(?:own\s+)?"
    r"(?:tweets?|messages?|posts?|emails?|chats?|texts?|repl(?:y|ies))\b"
    r"|(?:客户|用户|顾客|客服)(?:的)?(?:推文|留言|消息|帖子|回复)"
)


def _held_word(question: str, term: str, held: set[str]) -> bool:
    """Whether ``term`` is a word a filter of the values holding it already reads: the word
    itself, part of it or holding it ("小区学位划片" of 小区学位划片问题), or English words it
    glosses in brackets ("slow renovation of old housing estates (老旧小区改造)")."""
    for word in held:
        if term in word or word in term:
            return True
        gloss = rf"{re.escape(term)}[^()（）?？]{{0,40}}?[（(]\s*{re.escape(word)}"
        if re.search(gloss, question, re.IGNORECASE):
            return True
    return False


def _names_value_found(intent: Intent, term: str) -> bool:
    """ "反映幼儿园收费太高的留言" where a value found by part of its name is 幼儿园收费过高:
    Chinese words that say a value in other words, beginning as it does, name that value (the
    reading line shows which); they are not also words to find in the text."""
    if not _CJK_WORDS.fullmatch(term) or len(term) < 4:
        return False
    for dim, value in intent.filters.items():
        name = str(value)
        if f"{dim}={value}" not in intent.slots.fuzzy or term in name or name in term:
            continue
        pairs = zip(term, name, strict=False)
        head = next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(term), len(name)))
        if head >= 3 and SequenceMatcher(None, term, name).ratio() >= 0.75:
            return True
    return False


# The rest of an English word, then the data's own word glossing it in brackets.
_GLOSSED = re.compile(r"[a-z-]*\s*[（(]\s*[\u3400-\u9fff]{2,}")
# "Group 70 vs all other groups", "和其他处理组比": one value set against every other one.
VS_REST = re.compile(
    r"(?i)\b(?:vs\.?|versus|against|compared (?:with|to)|than)\s+(?:all |the )*(?:other|others"
    r"|rest|everyone else|everybody else)\b|(?:和|跟|与|比)(?:所有|全部)?(?:其他|其余|别的)"
)
# Two groupings asked together: "组合", "搭配", "X + Y", "combination", "pairs".
_PAIR_CUE = re.compile(
    r"(?i)组合|搭配|\+|\bcombinations?\b|\bcombos?\b|\bpairs?\b|\bpairings?\b"
    # "哪个区县的哪一类留言最多": the second "which" is of the first's records.
    r"|哪(?:个|一|家|位|款|种|类)[^，,。？?]{0,6}的哪"
)
# "district and category combination": the second grouping said after the first.
_PAIRED_WITH = re.compile(
    r"(?i)\s*(?:and|&|\+|/|plus|with)\s+(?:which |what |the |each )?([a-z][\w' -]*)"
)
# "A的留言和B的留言": two groups said side by side with the same noun after each.
_SIDE_BY_SIDE_ZH = re.compile(
    r"([\u3400-\u9fff]{2,14}?)的([\u3400-\u9fff]{1,4}?)(?:和|与|跟|及|、|以及|还有)"
    r"([\u3400-\u9fff]{2,14}?)的\2"
)
_ZH_LEAD_VERB = re.compile(r"^(?:反映|投诉|提到|关于|涉及|有关|说)")
_CJK_WORDS = re.compile(r"[\u3400-\u9fff]+")


def _read_already(question: str, term: str, spans: list[tuple[int, int]]) -> bool:
    """Whether every place the question says ``term`` lies in words a reading already used;
    never a word the question says is to be counted as written ("the word "package"")."""
    if term in words_as_written(question):
        return False
    text = normal_text(question)
    places = [m.start() for m in re.finditer(re.escape(term.lower()), text)]
    return bool(places) and all(
        any(a <= p and p + len(term) <= b for a, b in spans) for p in places
    )


def _off_side_flags(
    question: str, slots: Slots, cat: Catalog, said_as: dict[str, list[tuple[int, int]]]
) -> None:
    """ "有多少条客户推文附了链接": a yes/no column only the other side's files hold (the agents'
    Provide URL) filters none of the records the words name (the customers' messages); its
    words are left to be read otherwise (a link in the text)."""
    cued = table_cue(question, {m.table for m in cat.metrics.values()})
    if not cued:
        return
    for name in [f for f in slots.filters if f in cat.dimensions]:
        dim = cat.dimensions[name]
        if dim.kind == "boolean" and dim.sources and not set(dim.sources) & cued:
            del slots.filters[name]
            slots.dimensions = [d for d in slots.dimensions if d != name]
            slots.flags = [f for f in slots.flags if f != name]
            slots.spans = [sp for sp in slots.spans if sp not in said_as.get(name, [])]


def _flag_beside_time(question: str, slots: Slots, cat: Catalog) -> None:
    """ "How long do the tickets that miss their SLA take to resolve": a yes/no column's own
    measure read beside a time asked is the records it picks out, not a figure of its own — the
    time is measured for them (or, both sides named, for each side: ``_split_by_flag``)."""
    if len(slots.metrics) != 2 or not _ASKS_TIME.search(question):
        return
    timed = [m for m in slots.metrics if m in cat.metrics and cat.metrics[m].unit in _TIME_UNITS]
    if len(timed) != 1:
        return
    (other,) = [m for m in slots.metrics if m not in timed]
    expr = cat.metrics[other].spec.expr if other in cat.metrics else ""
    for name, dim in cat.dimensions.items():
        if dim.kind != "boolean" or not dim.sources or not reaches(cat, timed[0], name):
            continue
        column = next(iter(dim.sources.values())).rsplit(".", 1)[-1].strip()
        yes, no = _counts_flag(expr, column, True), _counts_flag(expr, column, False)
        if not (yes or no):
            continue
        slots.metrics = timed
        if not (_BOTH_SIDES.search(question) or _CONTRAST.search(question)):
            slots.filters[name] = "true" if yes else "false"
        return


def _split_by_flag(question: str, slots: Slots, cat: Catalog) -> None:
    """ "Did tickets meet SLA more often when agents used a knowledge article than when they
    didn't": the measure split by the yes/no column the question names."""
    both = _BOTH_SIDES.search(question) is not None
    if not slots.metrics or not (both or _CONTRAST.search(question)):
        return
    split = [d for d in slots.dimensions if d not in slots.filters]
    if split and _EACH_SIDE.search(question):
        split = []  # "… for each group": the two sides just named, not a grouping
    text = question.lower()
    # "when the company answers late": a column named as the subject of a clause, by "the" and
    # in the singular, is no split of the two sides.
    subject = [d for d in split if _said_as_subject(text, cat, d)]
    if split and len(subject) == len(split):
        slots.dimensions = [d for d in slots.dimensions if d not in subject]
        split = []
    if split:
        return
    if both and len(slots.metrics) > 1:
        # "The dispute rate for complaints that did not get a timely response and for the ones
        # that did": the yes/no column's own rate, read from its name, is the split.
        own = [m for m in slots.metrics if _flag_said_as_condition(text, cat, m)]
        if 0 < len(own) < len(slots.metrics):
            slots.metrics = [m for m in slots.metrics if m not in own]
    measured = " ".join(cat.metrics[m].spec.expr for m in slots.metrics if m in cat.metrics)
    flags = [
        (name, dim) for name, dim in cat.dimensions.items()
        if dim.kind == "boolean" and dim.sources and name not in measured
    ]  # fmt: skip
    # The column's name as said first; then, both sides named, without its verb.
    for by_verb in (False, True) if both else (False,):
        for name, dim in flags:
            names = {name.replace("_", " "), dim.spec.en.lower(), dim.spec.zh, *dim.spec.aliases}
            said = [n for n in names if n and len(n) >= 2 and re.search(
                rf"(?<![a-z]){re.escape(n.lower())}(?![a-z])", text
            )]  # fmt: skip
            if by_verb:  # "miss their SLA … the ones that meet it": "made" said otherwise
                words = re.findall(r"[a-z]+", (dim.spec.en or name).lower())
                core = " ".join(w for w in words if w not in _VERBS)
                said = [name] if core and _flag_words_said(text, core) else []
            if said and all(reaches(cat, m, name) for m in slots.metrics):
                slots.dimensions = [d for d in slots.dimensions if d in slots.filters] + [name]
                return


def _said_as_subject(text: str, cat: Catalog, dim: str) -> bool:
    """Whether every place the question names ``dim`` is "the <name>" in the singular, doing
    something ("the company answers late"), rather than asking which, each or by it."""
    spec = cat.dimensions[dim].spec if dim in cat.dimensions else None
    names = [n.lower() for n in ((spec.en, *spec.aliases) if spec else ()) if n and n.isascii()]
    spots = [
        m for n in names for m in re.finditer(rf"(?<![a-z]){re.escape(n)}(?![a-z])", text)
    ]  # fmt: skip
    return bool(spots) and all(
        re.search(r"\bthe\s+$", text[max(0, m.start() - 5) : m.start()])
        and re.match(r"\s+(?!and\b|or\b|with\b)[a-z]+s\b", text[m.end() : m.end() + 20])
        for m in spots
    )


def _flag_said_as_condition(text: str, cat: Catalog, metric: str) -> bool:
    """Whether ``metric`` is the rate of a yes/no column the question names as what the records
    did or got ("complaints that did not get a timely response"), not as a measure asked."""
    spec = cat.metrics.get(metric)
    if spec is None:
        return False
    for name, d in cat.dimensions.items():
        column = next(iter(d.sources.values()), "").rsplit(".", 1)[-1].strip().strip('"')
        if d.kind != "boolean" or not column or column not in spec.spec.expr:
            continue
        said = (d.spec.en or name).lower().replace("_", " ")
        for m in re.finditer(rf"(?<![a-z]){re.escape(said)}", text):
            if _CONDITION_BEFORE.search(text[max(0, m.start() - 30) : m.start()]):
                return True
    return False


# Words before a yes/no column's name that make it what the records did or got.
_CONDITION_BEFORE = re.compile(r"(?i)\b(?:that|which|who|with|without|when|where)\b[^.?;]{0,25}$")


_EACH_SIDE = re.compile(r"(?i)\b(?:for |of )?(?:each|both|the two) (?:groups?|sides?)\b")


# The verbs of a yes/no column's name, said in other forms ("made" SLA: "meet", "miss").
_VERBS = frozenset(("made", "make", "met", "meet", "is", "has", "was", "did", "got", "used"))


# A yes/no said negatively: "didn't use a knowledge article", "without a knowledge article",
# "没用知识库", "未使用".
_FLAG_NO_EN = re.compile(
    r"(?:\b(?:not|no|never|without|didn't|did not|don't|do not|wasn't|was not|weren't|were not"
    r"|hasn't|has not|haven't|have not))\b(?:\s+[a-z']+){0,3}\s*$"
)
_FLAG_NO_ZH = re.compile(r"(?:没有|没|未|不|无)[\u4e00-\u9fff]{0,3}$")


def _flag_conditions(
    question: str,
    shape: ShapeReading,
    slots: Slots,
    cat: Catalog,
    crossed: dict[str, list[tuple[int, int]]] | None = None,
) -> None:
    """ "Used a knowledge article but still missed the SLA", "有多少张工单用了知识库文章": a yes/no
    column the question names beside its measure (or as all it counts) is a condition on the
    records, yes or no as said, not a word left over."""
    if slots.compared or any(
        cat.dimensions[d].kind == "boolean" for d in slots.dimensions if d in cat.dimensions
    ):
        return  # already split or filtered by a yes/no ("more often when … than when …")
    if not (shape.has("count") or shape.has("share") or slots.metrics):
        return
    text = normal_text(question)
    for name, dim in cat.dimensions.items():
        if dim.kind != "boolean" or not dim.sources or name in slots.filters:
            continue
        # Measured already ("knowledge rate"): named by the measure's own words, their span is
        # taken; found by meaning, the polarity said picks the measure (``_flag_measured``).
        names = {name.replace("_", " "), dim.spec.en.lower(), dim.spec.zh, *dim.spec.aliases}
        spans = [
            m.span() for n in names if n and len(n) >= 2
            for m in re.finditer(rf"(?<![a-z]){re.escape(n.lower())}(?![a-z])", text)
        ]  # fmt: skip
        spans = spans or _flag_words_said(text, dim.spec.en or name)
        spans = [sp for sp in spans if not any(a <= sp[0] < b for a, b in slots.spans)]
        # Named in Chinese ("没有道歉的"): the same words may have been read as the category
        # of that name too; the yes/no column is what is counted.
        spans = spans or (crossed or {}).get(name, [])
        if not spans:
            continue
        start = min(sp[0] for sp in spans)
        before = text[max(0, start - 24) : start]
        no = _FLAG_NO_ZH.search(before) if _CJK_CHAR.search(before[-1:] or "") else None
        no = no or _FLAG_NO_EN.search(before)
        if not no and name in (crossed or {}):
            # "优先级没有经过复核确认": named word by word, the "not" said between its words.
            inside = " ".join(text[a:b] for a, b in spans)
            no = re.search(r"没有?|未(?!来)|从未|尚未|不曾", inside)
        if not all(reaches(cat, m, name) for m in slots.metrics):
            continue
        slots.filters[name] = "false" if no else "true"
        slots.dimensions.append(name)
        slots.spans.extend(spans)
        if name not in (crossed or {}):
            # Not also words to find in the text (those named in the other language are
            # marked so once the other side's columns are set aside, ``_off_side_flags``).
            slots.read_as_columns.extend(spans)
        slots.flags.append(name)


def _flag_share_of_groups(question: str, slots: Slots, cat: Catalog) -> None:
    """ "What share of phone complaints and of web complaints were disputed", "电话和网页提交的
    投诉，被提出异议（disputed）的比例各是多少": groups named side by side, and the share of each
    that carries the one yes/no column named by its words: that column's rate, per group."""
    if not slots.compared or not SHARE_WORD.search(question):
        return
    if slots.metrics and not (slots.noun_only or all(plain_count(cat, m) for m in slots.metrics)):
        return
    text = normal_text(question)
    named = [
        (name, spans) for name, dim in cat.dimensions.items()
        if dim.kind == "boolean" and dim.sources and name not in slots.filters
        and (spans := _flag_words_said(text, dim.spec.en or name))
        and not any(a <= sp[0] < b for sp in spans for a, b in slots.spans)
    ]  # fmt: skip
    if len(named) != 1:
        return
    name, spans = named[0]
    rate = _rate_of_flag(cat, name)
    if rate and all(reaches(cat, rate, d) for d in slots.compared):
        slots.metrics, slots.noun_only = [rate], False
        slots.spans.extend(spans)
        slots.read_as_columns.extend(spans)


# Words of a yes/no column's name that say whose it is, not what: "Consumer disputed" is said
# "disputed" ("complaints that were never disputed").
_WHOSE = frozenset(("consumer", "customer", "user", "client", "caller", "is", "has", "was", "flag"))


# Readings that give way to one count when the records are counted on their yes/no columns
# ("how many of those tweets do not also involve a return").
_COUNTED_INSTEAD = ("ranking", "breakdown", "mentions", "voc_themes", "voc_evidence")


def _flag_words_said(text: str, name: str) -> list[tuple[int, int]]:
    """Where the question says every telling word of a yes/no column's English name, in any
    form ("disputed" for Consumer disputed); empty unless all are said."""
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if w not in _WHOSE and len(w) > 2]
    if not words:
        return []
    said = [(m.span(), m.group(0)) for m in re.finditer(r"[a-z]+", text)]
    spans = []
    for word in words:
        at = next((sp for sp, w in said if same_word(word, w)), None)
        if at is None:
            return []
        spans.append(at)
    return spans


# Every word counted, not any ("同时说到物流和包装的").
# Words of a filter's value ("applesupport", "亚马逊"): never part of a category's other name.
_NAME_WORD = re.compile(r"[a-z]{3,}|[\u3400-\u9fff]{2,}")
# "Of the Apple customers tweeting about their iPhone, what percentage also …", "在提到X的推文里，
# 同时/也…的占多少": the part asked of the first category's records.
_WITHIN = re.compile(
    r"(?i)\b(?:of|among) (?:the|those|these|all)\b.{0,80}\b(?:what|how many|which)\b.{0,60}"
    r"\b(?:also|too|as well)\b"
    r"|(?:里|中|当中|之中)[，,]?.{0,30}(?:也|同时|还)(?:有|提到|涉及|带|是|关于)?.{0,20}(?:占|比例|多少)"
)


def _words_not_flags(intent: Intent) -> None:
    """ "Use the word "package"": a word counted as written is not also the yes/no column named
    alike (Packaging); its condition is dropped."""
    cat, written = intent.catalog, words_as_written(intent.question)
    if cat is None or not written:
        return
    for flag in list(intent.slots.flags):
        spec = cat.dimensions[flag].spec if flag in cat.dimensions else None
        names = [flag, *([spec.en] if spec and spec.en else [])]
        words = {w for n in names for w in re.findall(r"[a-z]+", n.lower())}
        if any(same_word(t, w) for t in written for w in words):
            intent.slots.flags.remove(flag)
            intent.slots.filters.pop(flag, None)
            intent.slots.dimensions = [d for d in intent.slots.dimensions if d != flag]


# Categories asked together: "both" or "同时" before them, or "also" between them, and no "or".
_BOTH_BEFORE = re.compile(r"(?i)(?:\bboth\b|同时|都|既)[^,，.。?？]{0,40}$")
_ALSO_BETWEEN = re.compile(r"(?i)\b(?:and also|as well as|also|too)\b|同时|也|又|并且|而且")
_EITHER_BETWEEN = re.compile(r"(?i)\b(?:or|versus|vs\.?)\b|或|还是|和[^，,。]{0,12}哪")


def _conjoined(text: str, found: list[tuple[int, str]], within: bool = False) -> bool:
    """Whether categories said at these places are asked together ("replies that both ask to DM
    and include a link", "同时提到退款和退货"), not side by side ("the app or playlists? Both
    numbers please"); ``within``: an "also" between them asks a share within the first."""
    first, last = found[0][0], found[-1][0]
    between = text[first:last]
    if _EITHER_BETWEEN.search(between):
        return False
    if _BOTH_BEFORE.search(text[:first]):
        return True
    return not within and _ALSO_BETWEEN.search(between) is not None


_ALL_MENTIONED = re.compile(
    r"(?i)同时|都(?:提到|说到|涉及|有)|[又也](?:提到|提及|说到|涉及)"
    r"|\bboth\b|\ball of\b|\band also\b"
)
_QUOTED_WORD = re.compile(r"“[^”]{1,30}”|\"[^\"]{1,30}\"|「[^」]{1,30}」")


# Records that do not mention the words: "没提到“安装”的", "reviews that don't mention price".
def _less_base(term: str, base: list[str]) -> str:
    for b in base:
        rest = term.replace(b, "").strip()
        if b in term and len(rest) >= 2:
            return rest
    return term


_NOT_MENTIONED = re.compile(
    r"(?i)(?:没有?|未|不)(?:提到|提及|说到|涉及|谈到|讲到|包含|含有|出现|带|提\s*[“\"'「])"
    r"|\b(?:don't|do not|doesn't|does not|didn't|did not|never|not|without) (?:mention(?:ing)?"
    r"|talk(?:ing)? about|contain(?:ing)?|us(?:e|ing) the word)\b"
    # "不算反映房屋漏水的，还剩几条", "not counting those that mention 漏水": set aside.
    r"|(?:不算|除去|去掉|排除|刨去|扣除|剔除)[^，,。？?]{0,6}?"
    r"(?:提到|提及|反映|说到|涉及|谈到|讲到|包含|含有|出现|带)"
    r"|\b(?:not counting|excluding|except(?: for)?|leaving out|leave out|setting aside"
    r"|set aside|minus|skipping|omitting)\s+(?:the\s+)?(?:ones?|those|any|[a-z]+s)?\s*"
    r"(?:that|which|who)?\s*(?:mention(?:s|ed)?|talk(?:s|ed)? about|contain(?:s|ed)?"
    r"|say|said|use[sd]?)\b"
)
_WEEKDAY_WORD = re.compile(
    r"(?i)\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|(?:周|星期|礼拜)[一二三四五六日天]"
)
_MONTH_WORD = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# A weekday written as part of a date: "Monday June 1", "Monday, 1 June", "6月1日（周一）".
_WEEKDAY_OF_DATE = re.compile(
    rf"(?i)\b(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+(?:the\s+)?(?:{_MONTH_WORD}\s*\d|\d)"
    r"|\d\s*[日号]\s*[（(]?\s*(?:周|星期|礼拜)[一二三四五六日天]"
)


# A day's name holding a weekday's ("Black Friday", "Cyber Monday"): a capitalised word before
# it that is not one of the words a weekday is said after ("On Friday", "Last Monday").
_DAY_NAME = re.compile(r"\b([A-Z][a-z]+) ((?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b")
_NOT_A_NAME = frozenset((
    "On", "By", "From", "Every", "Each", "Last", "This", "Next", "Since", "Until", "Till",
    "Through", "Before", "After", "And", "Or", "To", "Of", "In", "The", "A", "Which", "What",
    "How", "Per", "Any", "Only", "Between", "Did", "Was", "Were", "Is", "Are",
))  # fmt: skip
# "最近两周一共", "三周一次": a number of weeks, whose 周 only looks like a weekday's.
_WEEKS_COUNTED = re.compile(
    r"[两二三四五六七八九十几\d]\s*(?:个)?(?:周|星期|礼拜)[一二三四五六日天]"
)


def _listed_together(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether values said at ``spans`` form one list ("吉利和马自达", "A, B or C")."""
    ordered = sorted(spans)
    return all(
        LIST_JOIN.match(text[a[1] : b[0]]) is not None for a, b in itertools.pairwise(ordered)
    )


def _counted_by(question: str, slots: Slots, cat: Catalog) -> str | None:
    """The dimension said right after "按" as how the records are counted ("按留言主题算",
    "按留言主题里的具体事项算"); a dimension said after "不按" ("不按一级分类") is taken out of
    the question's dimensions. None when no dimension is counted by so."""
    text = normal_text(question)
    found: str | None = None
    for dim in list(slots.dimensions):
        spec = cat.dimensions[dim].spec if dim in cat.dimensions else None
        names = [n.lower() for n in (spec.zh, *spec.aliases) if n] if spec else []
        said = [
            m for n in names if _CJK_TEXT.search(n)
            for m in re.finditer(rf"(不|别|不要|而不是|不是)?按照?{re.escape(n)}", text)
        ]  # fmt: skip
        if any(m.group(1) for m in said):
            slots.dimensions.remove(dim)
        elif said and found is None and dim not in slots.filters:
            found = dim
    return found


def _negated_when_said_again(text: str, value: Any, span: tuple[int, int]) -> bool:
    """ "Symptom 491 drags our numbers down - what's the SLA rate on tickets whose symptom is
    anything other than 491?": a value named, then set aside where it is said again (by its
    name, or by the number or word that ends it) in the question that follows."""
    if not isinstance(value, str):
        return False
    name = value.lower().strip()
    last = re.findall(r"[a-z0-9\u3400-\u9fff]+", name)
    forms = {name, *([last[-1]] if last and (last[-1].isdigit() or len(last[-1]) >= 3) else [])}
    for form in forms:
        pattern = rf"(?<![\w]){re.escape(form)}(?![\w])" if form.isascii() else re.escape(form)
        for m in re.finditer(pattern, text[span[1] :]):
            start = span[1] + m.start()
            if negated(text, start, start + len(form), floor=span[1]):
                return True
    return False


def _said_alike(text: str, first: tuple[int, int], second: tuple[int, int]) -> bool:
    """ "通过自助服务提交的工单和通过电话提交的工单": two values each followed by the same
    words, joined by a list word (a gloss in brackets after the first aside)."""
    if second[0] < first[1]:
        first, second = second, first
    gap = text[first[1] : second[0]]
    join = _JOINED_ALIKE.search(gap)
    if join is None or re.search(r"[，,。；;？?]", gap):
        return False
    left = re.sub(r"^[\s）)]*(?:[（(][^）)]*[）)])?", "", gap[: join.start()]).strip()
    return len(left) >= 2 and text[second[1] :].lstrip().startswith(left)


_JOINED_ALIKE = re.compile(r"和|与|跟|以及|或者|或|还是|\band\b|\bor\b|\bvs\.?|\bversus\b")
_WEEKEND = re.compile(r"(?i)\bweekends?\b|周末|双休日|礼拜六和礼拜天|星期六和星期天")


# Words that set named values side by side rather than adding them up.
_SIDE_BY_SIDE = re.compile(
    r"(?i)\bwhich\b|\bwhose\b|\bwho\b|\bmore\b|\bfewer\b|\bless\b|\bvs\.?\b|\bversus\b"
    r"|\bcompar|\beach\b|\b(?:longest|shortest|highest|lowest|most|least|best|worst)\b"
    r"|\brespectively\b|\bboth\b|\bseparately\b|\bbreak|\bsplit|\bby\b"
    r"|哪|谁|比|各|分别|对比|相比|多还是|少还是"
)


# What customers raise, named as if a grouping ("which subjects come up most"): themes.
_TOPIC_NOUN = re.compile(
    r"(?i)\b(?:subjects?|topics?|themes?|issues?|problems?|concerns?|complaints?|things?"
    r"|matters?|reasons?|pain points?)\b|话题|主题|问题|方面|原因|毛病"
)
# A window said to be the data's own last days: "the last 30 days covered by the log",
# "the last week of the data", "数据的最后一周", "最后30天".
_OF_THE_DATA = re.compile(
    r"(?i)\b(?:of|in|covered by|within) (?:the |this |our )?"
    r"(?:data(?:set)?|log|export|file|records)\b|\bthe data (?:covers|has)\b"
    r"|数据(?:中|里)?的?最后|最后(?:的)?[\d一二三四五六七八九十两]+(?:天|周|个?月)"
)
_OR = re.compile(r"(?i)\bor\b|或者|或是|或")


def _units_listed(periods: PeriodReading) -> str | None:
    """ "month" or "quarter" when the period is several of them listed ("3月、4月、5月",
    "Q1, Q2 and Q3"), else None."""
    p = periods.period
    if p is None or periods.comparison is not None or not p.phrase:
        return None
    if not re.search(r"[、,，]|\band\b|和|及|与", p.phrase):
        return None
    if re.search(r"(?i)季度|\bq[1-4]\b|quarter", p.phrase):
        return "quarter"
    if re.search(r"(?i)月|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", p.phrase):
        return "month"
    return None


_WHAT_DO = re.compile(
    r"(?i)^\W*what (?:do|does|did)\b[^?]{0,60}\b(?:do|say|ask|tweet|write|talk|complain|raise)"
    r"|(?:做|问|说|聊|反映|提)(?:得|的)?最(?:多|少)的是什么"
)
MEDIAN = re.compile(r"(?i)\bmedian\b|中位数|中位值|中值")


def _statistic_said(question: str, slots: Slots, cat: Catalog) -> None:
    """ "The median reply time", "答复时间的中位数": the median of a measure the catalog keeps
    both as an average and a median, whichever of the two the words matched."""
    if not MEDIAN.search(question):
        return
    for i, name in enumerate(slots.metrics):
        twin = "median_" + name[len("avg_") :] if name.startswith("avg_") else ""
        if twin in cat.metrics:
            slots.metrics[i] = twin


# A unit of time the question counts by ("每天", "each week", "by month").
_GRAIN_WORDS = (
    (
        "day",
        re.compile(
            r"(?i)\bdaily\b|day[- ]by[- ]day|\b(?:by|per|each|every) day\b|每天|按天|逐日|每日"
        ),
    ),
    (
        "week",
        re.compile(r"(?i)\bweekly\b|week[- ]by[- ]week|\b(?:by|per|each|every) week\b|每周|按周"),
    ),
    (
        "half_year",
        re.compile(
            r"(?i)\bhalf[- ]yearly\b|\b(?:by|per|each|every) half(?:[- ]year)?\b"
            r"|\beach of the (?:two )?halves\b|每半年|按半年|各半年|每个半年"
        ),
    ),
    (
        "quarter",
        re.compile(
            r"(?i)\bquarterly\b|quarter[- ]by[- ]quarter|\b(?:by|per|each|every) quarter\b"
            r"|\beach of the \w+ quarters\b|每个?季度|按季度|各季度|哪(?:一|几)?个季度"
            r"|\b(?:which|what) quarters?\b"
        ),
    ),
    (
        "month",
        re.compile(
            r"(?i)\bmonthly\b|month[- ]by[- ]month|\b(?:by|per|each|every) month\b|每个?月|按月"
            # "去年哪个月的不满意率最高", "which month had the highest share": months ranked.
            r"|哪(?:一|几)?个月|\b(?:which|what) months?\b"
            # "10月和11月各占…": each of the months named.
            r"|\d{1,2}月份?(?:和|与|、|跟|及)\d{1,2}月份?[^，。？,?]{0,3}?(?:各|分别)"
        ),
    ),
)


def _grain_said(intent: Intent) -> str | None:
    """The time dimension of the unit the question counts by, when the catalog has it."""
    cat = intent.catalog
    for grain, words in _GRAIN_WORDS:
        if words.search(intent.question) and cat is not None and grain in cat.dimensions:
            return grain if cat.dimensions[grain].from_time else None
    return None


# "一汽丰田和广汽丰田两家合在一起算", "Amazon and Apple combined": the values (or the groups'
# records) added up.
_COMBINED = re.compile(
    r"(?i)\bcombined\b|\btogether\b|\badded up\b|\bput together\b|\bin total\b"
    r"|合在一起|加在一起|合起来|加起来|一起算|合并计算|合计|总共|一共"
)
_OF_ALL = re.compile(r"(?i)\bof (?:all|the whole|everything)\b|全部|所有")
_VERSUS = re.compile(
    r"(?i)\bvs\.?|\bversus\b|\bcompared? (?:with|to)\b|比较|相比|对比|(?<![对相])比"
)
_EACH = re.compile(
    r"(?i)\beach\b|\brespectively\b|\bseparately\b|各自|各有|各[^，,。？?]{0,4}(?:多少|几)|分别"
)


# "满意率（满意加基本满意，在给了评价的里面算）", "the satisfaction rate (satisfied plus fairly
# satisfied)": a rate's name, then what it counts, in brackets.
_RATE_THEN_BRACKET = re.compile(
    r"(?i)(?:率|\brate\b|\bratio\b|\bshare\b)[^（()）]{0,8}[（(]([^）)]{2,80})[）)]"
)


def _rate_defined(question: str, compared: dict[str, list[Any]]) -> bool:
    """Whether a rate's definition in brackets names every value of one dimension compared:
    the rate counts the records of any of them, one part."""
    for m in _RATE_THEN_BRACKET.finditer(question):
        inside = normal_text(m.group(1))
        for values in compared.values():
            if len(values) >= 2 and all(normal_text(str(v)).strip() in inside for v in values):
                return True
    return False


def _either_values(question: str, shape: ShapeReading, slots: Slots) -> None:
    """ "How many incidents were opened on a Saturday or a Sunday": values named together in a
    count that sets nothing side by side are added up (either of them), not ranked."""
    # "What share … by postal mail or by fax": the share of either of them, one part.
    counted = shape.has("count") or shape.has("share")
    defined = _rate_defined(question, slots.compared)
    if counted:
        _either_beside_compared(question, slots)
    if not slots.compared or not counted or (shape.has("ranking") and not defined):
        return
    # "每个月…合计各占多少": "each" is said of the months, the values still added up.
    per_unit = any(words.search(question) for _, words in _GRAIN_WORDS)
    combined = _COMBINED.search(question) and (per_unit or not _EACH.search(question))
    # "By postal mail or by fax": the way each came, no split by it.
    plain = question
    for v in (v for values in slots.compared.values() for v in values):
        plain = re.sub(rf"(?i)\bby\s+(?:the\s+)?{re.escape(str(v))}", " ", plain)
    # "What share of all our messages come from 临江县 and 青山县": one record comes from one
    # of them, and their part of the whole is asked.
    part_of_all = shape.has("share") and _OF_ALL.search(question) is not None
    combined = combined or (part_of_all and not _SIDE_BY_SIDE.search(plain))
    # "满意率（满意加基本满意…）": the values the rate counts, added up.
    combined = combined or defined
    if not combined and (_SIDE_BY_SIDE.search(plain) or not _OR.search(plain)):
        return  # "and" may mean both at once ("an iPhone and an update at once")
    said = normal_text(question)
    for dim, values in list(slots.compared.items()):
        # Added up when each was named ("一汽丰田和广汽丰田合在一起"), not when one word
        # holds several ("奔驰一共": 北京奔驰 and 奔驰（进口）, each shown).
        named = all(
            normal_text(v).strip() in said
            or coded_name(str(v)).lower() in said
            or f"{dim}={v}" in slots.said  # said by another name ("Texas" for TX)
            for v in values
        )  # a coded value said by its name ("Critical" for 1 - Critical) was named
        if len(values) >= 2 and (named or not combined):
            del slots.compared[dim]
            slots.filters[dim] = Either(*values)
            slots.dimensions = [d for d in slots.dimensions if d != dim]


def _either_beside_compared(question: str, slots: Slots) -> None:
    """ "Harborline vs Cascade: what share were closed with monetary relief or non-monetary
    relief": of two columns whose values are each named, the one whose values are joined by
    "or" (nothing set side by side between them) is one part, either of its values; the other
    stays compared."""
    if len(slots.compared) < 2:
        return
    said = normal_text(question)
    joined = []
    for dim, values in slots.compared.items():
        spans: list[tuple[int, int]] = []
        for v in values:
            at = said.find(normal_text(str(v)).strip())
            span = slots.said.get(f"{dim}={v}") or ((at, at + len(str(v))) if at >= 0 else None)
            if span is not None:
                spans.append(span)
        if len(spans) < len(values):
            continue  # named in other words: where is not known
        between = [said[a[1] : b[0]] for a, b in itertools.pairwise(sorted(spans))]
        if all(_OR.search(t) and not _SIDE_BY_SIDE.search(t) and len(t) < 20 for t in between):
            joined.append(dim)
    if len(joined) != 1:
        return  # both joined by "or", or neither: read as the question says elsewhere
    dim = joined[0]
    slots.filters[dim] = Either(*slots.compared.pop(dim))
    slots.dimensions = [d for d in slots.dimensions if d != dim]


def _weekday_dimensions(cat: Catalog) -> list[str]:
    """The dimensions computed as the day of the week of each record's time."""
    kind = _day_kind_dimension(cat)
    return [
        name for name, dim in cat.dimensions.items()
        if dim.from_time and "dow" in str(dim.spec.time or "").lower() and name != kind
    ]  # fmt: skip


# "品牌名里带“一汽”的", "the brands marked 进口", "companies whose name contains Bank": the
# values of a column named whose names hold a word. The column's name is filled in.
_HOLDING_ZH = (
    r"{name}(?:名|名称|名字)?(?:里|中|上)?(?:带|带有|含|含有|包含|有)(?:“|\"|')?"
    r"(?P<w>[^”\"'，,。？?、的]{{1,12}}?)(?:”|\"|')?(?=的|[，,。？?）)]|$)"
)
_HOLDING_EN = (
    r"(?i)\b{name}s?\s+(?:(?:that are |which are )?(?:marked|named|labell?ed|tagged)"
    r"|(?:whose names? |with names? )?(?:contain(?:s|ing)?|includ(?:e|es|ing)|with))\s+"
    r"(?:the word |the text )?(?:“|\"|')?(?P<w>[\u3400-\u9fff]+|[A-Za-z][\w-]*)"
)
# Said after the word: the records holding it are set aside ("…的先不算", "除外").
_SET_ASIDE_AFTER = re.compile(
    r"^(?:的)?\s*(?:[（(][^（）()]*[）)])?[^，,。？?]{0,8}?(?:先不算|不算|除外|排除|不计|不考虑|去掉)"
)


# Words after "with" that begin a size or a quantity, never a part of a name.
_SIZE_AFTER_WITH = frozenset(
    ("at", "least", "most", "more", "fewer", "less", "over", "under", "no", "any", "some")
)


def _names_holding(
    question: str, slots: Slots, matcher: CatalogMatcher, values: dict[str, list[str]]
) -> None:
    """ "品牌名里带“一汽”的先不算", "the brands marked 进口": the values of the named column whose
    names hold the word, kept or set aside, not the word looked for in the feedback's text."""
    text = normal_text(question)
    for dim, known in values.items():
        if not known:
            continue
        for name in sorted(set(matcher.names_of(dim)), key=len, reverse=True):
            if len(name) < 2:
                continue
            pattern = _HOLDING_ZH if _CJK_CHAR.search(name) else _HOLDING_EN
            m = re.search(pattern.format(name=re.escape(name.lower())), text)
            if m is None:
                continue
            word = m.group("w").strip()
            if word.lower() in STOP_WORDS or word.lower() in _SIZE_AFTER_WITH:
                continue  # "teams with at least 50 tickets": a size, not a name holding "at"
            holding = [v for v in known if word.lower() in str(v).lower()]
            if not holding or len(holding) == len(known):
                continue
            # Set aside by the shared negation words before or right after ("除了品牌名里带…",
            # "…以外"), or by a verb after an aside in brackets ("…的（…这些）先不算").
            aside = negated(text, *m.span()) or _SET_ASIDE_AFTER.search(text[m.end() :])
            # Values found by the word, or listed as examples ("一汽马自达、一汽-大众这些"),
            # are the ones the word holds.
            slots.compared.pop(dim, None)
            value = (Lacking if aside else Holding)(word, *holding)
            value.by_name = True  # read by the column's name, not found in the values alone
            slots.filters[dim] = value
            slots.read_as_columns.append(m.span())
            if dim not in slots.dimensions:
                slots.dimensions.append(dim)
            break


def _grouping_by_kind(guess: GroupGuess | None, filters: dict[str, Any]) -> GroupGuess | None:
    """ "Which banks get the most complaints": the grouping said by the kind its values were
    read as (the companies whose names end with "Bank"), ranked among themselves."""
    if guess is None or guess.dimension is not None:
        return guess
    said = re.sub(r"(?:(?<=[^s])s|es)$", "", guess.phrase.strip().lower())
    for dim, value in filters.items():
        if isinstance(value, Holding) and not value.by_name and value.word.lower() == said:
            return GroupGuess(guess.phrase, dim)
    return guess


# A column whose values are names of many things (companies, shops), of which a kind may be said.
_KIND_COLUMN = 20
_NEARLY_ALL = 0.8


def _day_kind_dimension(cat: Catalog) -> str | None:
    """The dimension telling weekend records from working-day ones, when the catalog has one."""
    return next(
        (
            n for n, d in cat.dimensions.items()
            if d.from_time and {str(v) for v in d.values or []} == {"Weekend", "Working day"}
        ),
        None,
    )  # fmt: skip


# The working days said against the weekend ("weekend vs weekday", "Monday to Friday", "工作日").
_WORKING_DAYS = re.compile(
    r"(?i)\bweek ?days?\b|\bworking days?\b|\bwork ?days?\b|\bbusiness days?\b"
    r"|\bmon(?:day)?\s*(?:-|–|to|through|thru)\s*fri(?:day)?\b|工作日|周一(?:到|至)周五"
)


def _day_kinds(question: str, slots: Slots, cat: Catalog) -> None:
    """ "Do tickets opened at the weekend do worse than those opened Monday to Friday",
    "周末（周六、周日）和工作日提交的…各…": the weekend and the working days side by side, not
    the days of the week named in passing."""
    kind = _day_kind_dimension(cat)
    if kind is None or not _WEEKEND.search(question) or not _WORKING_DAYS.search(question):
        return
    if slots.filters.get(kind) not in (None, "Weekend", "Working day"):
        return
    slots.filters.pop(kind, None)
    slots.compared[kind] = ["Weekend", "Working day"]
    for name in _weekday_dimensions(cat):
        # "周末（周六、周日）": the days that make the weekend, not a grouping of their own.
        slots.filters.pop(name, None)
        slots.compared.pop(name, None)
        slots.dimensions = [d for d in slots.dimensions if d != name]
    if kind not in slots.dimensions:
        slots.dimensions.append(kind)


def _weekend(question: str, slots: Slots, cat: Catalog, period: Period | None = None) -> None:
    """ "On weekends", "周末两天": the weekday dimension's Saturday and Sunday, either; not when
    the question names the few days it means ("the Black Friday weekend - Nov 24 through 27")."""
    if not _WEEKEND.search(question) or re.search(r"(?i)\bweekdays?\b|工作日", question):
        return
    kind = _day_kind_dimension(cat)
    if period is not None and period.kind == "range" and (period.end - period.start).days <= 4:
        if kind is not None and slots.filters.get(kind) == "Weekend":
            # "The Black Friday weekend - Nov 24 through 27": the days named, not a filter.
            del slots.filters[kind]
            slots.dimensions = [d for d in slots.dimensions if d != kind]
        return
    if kind is not None and (kind in slots.filters or kind in slots.compared):
        return  # "at the weekend": read as the weekend records already
    for name in _weekday_dimensions(cat):
        ends = [v for v in cat.dimensions[name].values or [] if re.search(r"(?i)sat|sun", str(v))]
        if len(ends) == 2:
            slots.compared.pop(name, None)
            slots.filters[name] = Either(*ends)
            slots.dimensions = [d for d in slots.dimensions if d != name]


def _day_abbreviated(question: str, slots: Slots, cat: Catalog) -> None:
    """ "Opened on Sat": a weekday said by its short name, capitalised as written (in lower case
    "sat" is a verb)."""
    for name in _weekday_dimensions(cat):
        if name in slots.filters:
            continue
        said = [
            v for v in cat.dimensions[name].values or []
            if re.search(rf"\b{re.escape(coded_name(str(v)))}\b", question)
            and coded_name(str(v))[:1].isupper()
        ]  # fmt: skip
        if len(said) == 1:
            slots.filters[name] = said[0]


# "一周里哪天最少", "礼拜几", "which day of the week": the records split by weekday, whatever
# names the catalog gives that grouping.
_WEEKDAY_ASKED = re.compile(
    r"一周(?:里|中|当中|之中|内)?的?哪(?:一)?天|星期几|礼拜几|周几"
    r"|(?i:\b(?:which|what) day of (?:the )?week\b|\bday of (?:the )?week\b)"
)


def _weekday_asked(question: str, slots: Slots, cat: Catalog) -> None:
    if not _WEEKDAY_ASKED.search(question):
        return
    days = [d for d in _weekday_dimensions(cat) if d not in slots.filters]
    if len(days) == 1 and days[0] not in slots.dimensions:
        slots.dimensions.append(days[0])


def _weekday_of_a_date(question: str, slots: Slots, cat: Catalog) -> None:
    """ "From Monday June 1 to Sunday June 7", "6月1日（周一）": weekdays that only say which day
    a date is are part of the date, not a filter or split by weekday; nor is "两周一共" one."""
    day_names = [m for m in _DAY_NAME.finditer(question) if m.group(1) not in _NOT_A_NAME]
    said = len(_WEEKDAY_WORD.findall(question)) - len(day_names)
    dated = len(_WEEKDAY_OF_DATE.findall(question)) + len(_WEEKS_COUNTED.findall(question))
    # "Cyber Monday Nov 27": a day's name, and a date too.
    dated -= sum(1 for m in day_names if _WEEKDAY_OF_DATE.match(question, m.start(2)))
    if said < 0 or not said + len(day_names) or said != dated:
        return
    for name in _weekday_dimensions(cat):
        slots.filters.pop(name, None)
        slots.compared.pop(name, None)
        slots.dimensions = [d for d in slots.dimensions if d != name]


def _flag_measured(slots: Slots, cat: Catalog) -> None:
    """A yes/no read as a condition that a measure found later counts itself ("有多少张工单用了
    知识库文章" read as the count of those without): the records with the value as said are
    counted (or their share taken), and the condition is that measure, not a filter of it."""
    for name in list(slots.flags):
        column = next(iter(cat.dimensions[name].sources.values())).rsplit(".", 1)[-1].strip()
        own = [m for m in slots.metrics if m in cat.metrics and column in cat.metrics[m].spec.expr]
        if not own:
            continue
        yes = slots.filters.get(name) == "true"
        wanted = []
        for m in own:
            share = cat.metrics[m].unit == "%"
            pick = next((n for n, x in cat.metrics.items() if x.table == cat.metrics[m].table
                         and (x.unit == "%") == share and _counts_flag(x.spec.expr, column, yes)),
                        m)  # fmt: skip
            wanted.append(pick)
        slots.metrics = list(dict.fromkeys(wanted + [m for m in slots.metrics if m not in own]))
        slots.filters.pop(name, None)
        slots.dimensions = [d for d in slots.dimensions if d != name]
        slots.flags.remove(name)


# "…, of which / 其中 …": a part of the records just counted follows.
_PART_CUE = re.compile(
    r"(?i)其中|这里面|这其中|这些里面|这些当中|\bof (?:which|those|them|these)\b"
    r"|\bamong (?:them|those|these)\b|这几[条张个件位款家]?(?:里面?|当中|中)"
)
# What any service export's rows may be called, whatever this one calls them ("tickets" for
# incidents, "工单" for messages).
_RECORD_NOUNS = re.compile(r"(?i)\b(?:tickets?|cases?|records?)\b|工单|记录|案件")


# What stands before and after a one-character grouping said as a noun ("的州有几个", "各省").
_ONE_CHARACTER_BEFORE = r"(?:的|各|每个|每一个|哪个|哪些|哪一个|按)"
_ONE_CHARACTER_AFTER = r"(?=有|是|的|里|中|数|分别|[，。？?,、]|$)"


def _glossed_after(question: str, spans: list[tuple[int, int]]) -> bool:
    """Whether the first value said is followed by a dash, colon or bracket before the next
    two or more: they list what "other than the first" holds, not values of their own. (The matched
    text has no dashes: the words are found again in the question as written.)"""
    if len(spans) < 3:  # a list names two or more others; one in brackets may be one more
        return False
    text, low = normal_text(question), question.lower()
    first, second = sorted(spans)[:2]
    end = low.find(text[first[0] : first[1]].strip())
    start = low.find(text[second[0] : second[1]].strip(), max(end, 0))
    if end < 0 or start < 0:
        return False
    gap = low[end + first[1] - first[0] : start]
    return re.search(r"\s[-–—]\s|[:：(（]", gap) is not None


# "Which type of mortgage", "what kind of card": the kinds of one value of a column.
_KIND_OF = re.compile(r"(?i)\b(?:which|what)\s+(?:types?|kinds?|sorts?)\s+of\s+([a-z][a-z'-]+)")


def _kind_of_value(question: str, slots: Slots, cat: Catalog) -> None:
    """ "Which type of mortgage draws the most complaints": the value named (product Mortgage)
    is the slice, and the column that subdivides its column (sub_product, subcategory) the
    grouping."""
    m = _KIND_OF.search(question)
    if m is None:
        return
    word = m.group(1).lower().rstrip("s")
    for dim, value in list(slots.filters.items()):
        if type(value) is not str or not value.lower().startswith(word):
            continue
        own = re.escape(dim)
        subs = [
            d for d in cat.dimensions
            if d != dim and re.fullmatch(rf"sub[_ -]?{own}|{own}[_ -]?types?", d)
        ]  # fmt: skip
        if len(subs) == 1:
            slots.dimensions = [d for d in slots.dimensions if d in slots.filters] + subs
            return


_LISTED_WITH = r"\s*(?:和|与|及|跟|、|,|，|/|&|\band\b|\bor\b|或)\s*"


def _plain_siblings(question: str, slots: Slots, cat: Catalog) -> None:
    """ "Critical 和 High", "High and Critical": a plain word ("High", "Low") is no value on its
    own — several columns hold it — but listed with a value of one column, it is that
    column's value too. Words inside another value's name ("Vehicle loan or lease") list no
    values of their own."""
    question = question.lower()
    for dim, value in list(slots.filters.items()):
        spec = cat.dimensions.get(dim)
        if type(value) is not str or spec is None or not spec.values:
            continue
        said = coded_name(value).lower()
        text = question
        for other_dim, other_value in slots.filters.items():
            name = str(other_value).lower()
            if other_dim != dim and type(other_value) is str and len(name) > len(said):
                text = text.replace(name, " ")
        if said not in text:
            continue
        found = []
        for other in spec.values:
            name = coded_name(str(other)).lower()
            if str(other) == value or len(name) < 3:
                continue
            a, b = re.escape(said), re.escape(name)
            if re.search(rf"{a}{_LISTED_WITH}{b}\b|\b{b}{_LISTED_WITH}{a}", text):
                found.append(str(other))
        if found:
            del slots.filters[dim]
            slots.compared[dim] = [value, *found]


def _one_character_groupings(question: str, slots: Slots, cat: Catalog) -> None:
    """ "投诉量超过100条的州有几个", "各州": a grouping whose Chinese name is one character (州,
    省, 市) is matched only where it stands as a noun of its own, not inside other words."""
    for dim, spec in cat.dimensions.items():
        names = [n for n in (spec.spec.zh, *spec.spec.aliases) if n and len(n) == 1]
        if dim in slots.dimensions or not any(_CJK_CHAR.match(n) for n in names):
            continue
        for name in names:
            if re.search(_ONE_CHARACTER_BEFORE + re.escape(name) + _ONE_CHARACTER_AFTER, question):
                slots.dimensions.append(dim)
                break


def _value_of_column_named(question: str, slots: Slots, cat: Catalog) -> None:
    """ "How many incidents sent an email notification": "email" is a value of the contact
    channel (Email) and a word of a value of the column the question also names (notify: Send
    Email) — the column named says which."""
    words = set(re.findall(r"[a-z]{4,}", normal_text(question)))
    for dim, value in list(slots.filters.items()):
        if type(value) is not str or not value.isascii() or len(value.split()) != 1:
            continue
        word = value.lower()
        for other, spec in cat.dimensions.items():
            if other == dim or other in slots.filters or not spec.values:
                continue
            names = {w for n in (other.replace("_", " "), spec.spec.en) for w in n.lower().split()}
            if not any(len(n) >= 5 and any(w[:5] == n[:5] for w in words) for n in names):
                continue
            holding = [v for v in spec.values if word in str(v).lower().split() and str(v) != value]
            if len(holding) == 1:
                del slots.filters[dim]
                slots.dimensions = [d for d in slots.dimensions if d != dim]
                slots.filters[other] = str(holding[0])
                if other not in slots.dimensions:
                    slots.dimensions.append(other)
                break


def _not_groupings(question: str, slots: Slots, cat: Catalog) -> None:
    """ "A timely response from the company": a dimension's name said only as who did
    something to the records ("from the company", "by the agent"), with no "which", "each" or
    "by" before it as a grouping, splits nothing."""
    text = normal_text(question)
    for dim in list(slots.dimensions):
        if dim in slots.filters or dim in slots.compared or dim not in cat.dimensions:
            continue
        spec = cat.dimensions[dim].spec
        names = [n.lower() for n in (dim.replace("_", " "), spec.en, *spec.aliases) if n]
        said = [
            m for n in names if n.isascii()
            for m in re.finditer(rf"(?<![a-z]){re.escape(n)}s?(?![a-z])", text)
        ]  # fmt: skip
        if said and all(_AGENT_OF.search(text[: m.start()]) for m in said):
            slots.dimensions.remove(dim)
            continue
        # "电汇出了问题", "有问题的": something went wrong, no split by a column named 问题.
        zh = [n for n in (spec.zh, *spec.aliases) if n and not n.isascii()]
        went = [m for n in zh for m in re.finditer(re.escape(n), text)]
        if went and all(_WENT_WRONG.search(text[: m.start()]) for m in went):
            slots.dimensions.remove(dim)
            continue
        # "被公司升级到了…": who did something to the records, in Chinese.
        if went and all(_ZH_AGENT_OF.search(text[: m.start()]) for m in went):
            slots.dimensions.remove(dim)
            continue
        # "漆面问题的投诉有几条": the name ends a compound of the question's own words (paint
        # problems), with no "按", "各" or "哪个" before it, and names no split.
        topical = [m for m in went if m.group(0) in _TOPIC_NAMES]
        if topical and all(_IN_COMPOUND.search(text[: m.start()]) for m in topical):
            slots.dimensions.remove(dim)


# A Chinese dimension's name right after the passive "被"/"由": who acted, not a split.
_ZH_AGENT_OF = re.compile(r"(?:被|由|遭到?)\s*$")
# The groups a question names added up into one figure.
_ADDED_UP = re.compile(
    r"(?i)加起来|合起来|加在一起|合在一起|加总|\bcombined\b|\badded up\b|\bput together\b"
)
# "出了问题", "有问题", "遇到问题": a thing going wrong, said before a column's Chinese name.
_WENT_WRONG = re.compile(r"(?:出了?|出现了?|有|遇到了?|碰到了?|发生了?)$")
# Column names that are also the head of a compound saying what kind of trouble ("漆面问题").
_TOPIC_NAMES = frozenset(("问题", "原因", "方面", "毛病", "情况", "话题", "主题", "诉求"))
# A Chinese word right before a column's name, with no grouping cue before the two.
_IN_COMPOUND = re.compile(
    r"^(?![\s\S]*(?:按|各|每|哪|分)[\u4e00-\u9fff]{0,3}$)[\s\S]*"
    r"(?![的个些类种该这那其和与及或每各按哪])[\u4e00-\u9fff]$"
)
# "… from the company", "… sent to the agent": who acted, not a grouping.
_AGENT_OF = re.compile(r"(?i)\b(?:from|to|with) (?:the|our|their|its|a) $")


def _generic_records(question: str, slots: Slots, cat: Catalog) -> None:
    """ "What share of our tickets get opened before 8": with one table of records (besides
    the feedback and the long tables of categories), a generic name for records is its rows,
    counted, as its own noun would be."""
    if slots.metrics:
        return
    said = _RECORD_NOUNS.search(question)
    count = records_count(cat)
    if said is None or count is None:
        return
    slots.metrics = [count]
    slots.noun_only = True
    slots.spans.append(said.span())


# Words around a measure's name that name nothing themselves; "新开的工单" are new records.
_ZH_FILLER = re.compile(r"[的了地得新\s？?，,。]|最多|最少|最高|最低|多少|几")


# A part of the day asked about beside the hour (``_HOUR_OF_DAY``): "一天里什么时候", "上午还是
# 晚上", "what time", "in the morning or the evening".
_PART_OF_DAY = re.compile(
    r"(?i)\bwhat time\b|\bin the (?:morning|afternoon|evening)\b|\bat night\b|\bovernight\b"
    r"|一天(?:里|中|当中)?(?:的)?什么时(?:候|间)|(?:上午|下午|早上|晚上|夜里|凌晨|白天|夜间)"
    r"(?:提交|来|打|发|投诉|进来|多|少|还是|和|跟)"
)


def _untimed_hours(intent: Intent) -> str | None:
    """ "车主们一般是一天里什么时候来投诉的": the hour of the day asked of data whose times are
    dates only (no dimension holds an hour): nothing records it."""
    cat = intent.catalog
    q = intent.question
    if cat is None or not (_HOUR_OF_DAY.search(q) or _PART_OF_DAY.search(q)):
        return None
    if any(d.hour_of_day for d in cat.dimensions.values()):
        return None
    return "一天中的具体时刻" if intent.language == "zh" else "the time of day"


def _hours_as_unit(question: str, slots: Slots, cat: Catalog) -> None:
    """ "The median hours from opening to resolution": hours said as the unit of a duration,
    not the records split by the hour of the day."""
    if not _HOURS_UNIT.search(question) or _HOUR_OF_DAY.search(question):
        return
    for dim in list(slots.dimensions):
        d = cat.dimensions.get(dim)
        if d is not None and d.hour_of_day and dim not in slots.filters:
            slots.dimensions.remove(dim)


# "median hours", "how many hours", "hours from opening to resolution", "48 hours".
_HOURS_UNIT = re.compile(
    r"(?i)\b(?:median|average|mean|avg|typical|total|many|number of|\d+(?:\.\d+)?)\s+hours?\b"
    r"|\bhours?\s+(?:from|to|until|till|between|it takes?|taken|spent|needed|on average)\b"
)
# "at what hour", "by hour of day", "busiest hour", "每小时": the hour of the day asked.
_HOUR_OF_DAY = re.compile(
    r"(?i)\b(?:what|which|each|every|per|by(?: the)?|busiest|peak|quietest)\s+hours?\b"
    r"|\bhour of (?:the )?day\b|\btime of (?:the )?day\b|几点|哪个小时|每小时|时段"
)


def records_count(cat: Catalog) -> str | None:
    """The count of the one table of records (besides the feedback and the long tables of
    categories); None when there are several and which one is meant is not said."""
    counts = [
        n for n, m in cat.metrics.items()
        if plain_count(cat, n) and m.table != "voc" and not m.table.endswith(LABELS_SUFFIX)
    ]  # fmt: skip
    if len({cat.metrics[n].table for n in counts}) != 1:
        return None
    return counts[0]


# "多少事件", "几起投诉": how many of something the question names, not a time ("多少小时").
_HOW_MANY_OF = re.compile(
    r"(?:多少|几)[个张条件起次单笔宗份]?(?!小时|天|日|分钟|钟|时间|周|个月|月|年|秒)[\u4e00-\u9fff]"
)


SHARE_WORD = re.compile(
    r"(?i)\b(?:share|percentage|percent|proportion|rate)\b|比例|占比|百分之|占多少|比率"
)


def _flag_rate(
    question: str, slots: Slots, cat: Catalog, crossed: dict[str, list[tuple[int, int]]]
) -> None:
    """ "Apple 和 Spotify 的客服，谁更常让用户重启设备": how often the records carry the one
    yes/no column named in the other language, when the question contrasts and names no
    measure: that column's rate."""
    if len(crossed) != 1:
        return
    name, spans = next(iter(crossed.items()))
    # "亚马逊和苹果的客服回复里，…的各占多少比例": the share of each group named, the rate.
    each_share = bool(slots.compared) and SHARE_WORD.search(question) is not None
    if each_share and name in slots.flags and slots.filters.get(name) == "true":
        slots.flags.remove(name)
        slots.filters.pop(name, None)
        slots.dimensions = [d for d in slots.dimensions if d != name]
    elif slots.metrics or slots.flags or not (each_share or _CONTRAST.search(question)):
        return
    rate = _rate_of_flag(cat, name)
    if rate:
        slots.metrics = [rate]
        slots.spans.extend(spans)
        # The words that named the column ("提到退款的") are its rate, not words to find too.
        slots.read_as_columns.extend(spans)


def _event_rate_compared(question: str, slots: Slots, cat: Catalog) -> None:
    """ "Meridian vs TransNation - which one gets its complaints disputed more often? Give me
    both rates": values compared on how often their records carry the one yes/no column whose
    event the question says ("disputed" for Consumer disputed), when no other measure is read
    than the records' count: that column's rate."""
    # "More often", "both rates", "比例": how often, not how many.
    if not slots.compared or not (_LIKELY.search(question) or _RATE_WORD.search(question)):
        return
    if any(not plain_count(cat, m) for m in slots.metrics):
        return
    text = question.lower()
    named = []
    for name, d in cat.dimensions.items():
        if d.kind != "boolean" or name in slots.filters or name in slots.compared:
            continue
        words = re.findall(r"[a-z]{4,}", (d.spec.en or name).lower().replace("_", " "))
        # The column's event said as a verb ("disputed", "escalated"): its last word.
        if words and words[-1].endswith("ed") and re.search(rf"\b{words[-1]}\b", text):
            named.append(name)
    rate = _rate_of_flag(cat, named[0]) if len(named) == 1 else ""
    if rate:
        slots.metrics = [rate]


def _flags_named(cat: Catalog, label: str) -> list[str]:
    """The yes/no dimensions whose English name is ``label`` (a category's own column)."""
    return [
        n for n, d in cat.dimensions.items()
        if d.kind == "boolean" and (d.spec.en or n).lower() == label.lower()
    ]  # fmt: skip


def _rate_of_flag(cat: Catalog, name: str) -> str:
    """The catalog's rate of a yes/no dimension's column (the share of records with it set);
    "" when the catalog has none."""
    dim = cat.dimensions.get(name)
    if dim is None or not dim.sources:
        return ""
    column = next(iter(dim.sources.values())).rsplit(".", 1)[-1].strip()
    rates = [
        n for n, m in cat.metrics.items()
        if m.unit == "%" and m.table in dim.sources and _counts_flag(m.spec.expr, column, True)
    ]  # fmt: skip
    return rates[0] if rates else ""


def _counts_flag(expr: str, column: str, yes: bool) -> bool:
    """Whether a measure counts (or takes the share of) the records with ``column`` yes/no."""
    plain = re.sub(r"\s+", " ", expr)
    if yes:
        return (
            bool(re.search(rf"(?:WHERE|CAST\() ?{re.escape(column)}", plain)) and "NOT" not in plain
        )
    return f"NOT {column}" in plain


_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


# A count asked in English: its words name no value.
_COUNT_PHRASE = re.compile(r"(?i)\b(?:the |a |total )?numbers? of\b")
# English words that say how a measure is taken, not what is measured.
_TIME_UNITS = ("hours", "days", "minutes")
# English words (up to four) right before brackets whose value was read ("(网购商品质量问题)").
_GLOSSING = re.compile(r"(?:[A-Za-z][\w'-]*\s+){0,3}[A-Za-z][\w'-]*\s*[（(]\s*[)）]")
# A time someone waited, or the time to a reply or a fix, asked in words.
_WAIT_ASKED = re.compile(
    r"(?i)\bwait(?:ed|s|ing)?\b[^?.;]{0,25}?\b(?:longest|shortest|longer|shorter|the most"
    r"|the least)\b|\bhow long\b[^?.;]{0,40}?\b(?:wait|take|took|to (?:get|reply|respond|answer"
    r"|resolve|close|fix))|\b(?:response|reply|resolution|handling|turnaround|waiting|wait)"
    r" times?\b|\btime (?:it takes |it took )?to (?:reply|respond|answer|resolve|close|fix)\b"
    r"|等了?多久|等待(?:时间|时长)|(?:响应|回复|答复|处理|解决)(?:时间|时长|速度)|多久才"
    r"|(?:回复|答复|响应|处理|解决)[\u4e00-\u9fff]{0,4}?(?:得|最|比较|更)(?:快|慢)"
)


# Records passed on between teams ("hand-offs", "passed from one department to another", "转办").
_HANDOFF_ASKED = re.compile(
    r"(?i)\bhand-?offs?\b|\bhanded (?:off|over|on)\b|\bpassed (?:on )?(?:from|between) "
    r"(?:one )?(?:departments?|teams?|groups?|agents?|units?)\b|\btransfer(?:s|red)? "
    r"(?:between|from one)\b|\breassign|\bbounced between\b|转办|转交|转派|流转|移交|踢皮球"
)
_HANDOFF_KEPT = re.compile(r"(?i)reassign|transfer|hand.?off|escalat|转派|转办|转交|流转|移交|升级")


def _untracked_handoffs(intent: Intent) -> str | None:
    """How often records were passed between teams, when nothing of the catalog records it."""
    cat = intent.catalog
    if cat is None or not _HANDOFF_ASKED.search(intent.question):
        return None
    names = [
        str(x) for n, m in cat.metrics.items() for x in (n, m.spec.en, m.spec.zh, *m.spec.aliases)
    ]
    for n, d in cat.dimensions.items():
        names += [str(x) for x in (n, d.spec.en, d.spec.zh, *d.spec.aliases)]
    if any(_HANDOFF_KEPT.search(n) for n in names if n):
        return None
    return "记录在部门之间的转办" if intent.language == "zh" else "hand-offs between teams"


# Hand-offs counted as such ("how many hand-offs", "转派了几次"), not records passed on.
_HANDOFFS_COUNTED = re.compile(
    r"(?i)\bhand-?offs\b|\breassignments\b|\btransfers\b|\btimes? (?:was it |were they )?"
    r"(?:reassigned|handed (?:off|over|on)|transferred)\b|(?:转派|转办|转交|流转|移交)"
    r"(?:的)?(?:次数|了?几次|了?多少次)"
)
# Of each record ("per incident", "an incident went through", "每张工单", "平均").
_PER_RECORD = re.compile(
    r"(?i)\b(?:per|each|every|an?|the typical|the average) (?:incident|ticket|case|record|"
    r"complaint|request|message|order)s?\b|每(?:个|张|单|条|件)|平均"
)
_PAST_A_NUMBER = re.compile(r"(?i)\b(?:more|fewer|less) than\b|\bat least\b|超过|以上|至少|不到")


def _handoffs_measured(question: str, slots: Slots, cat: Catalog) -> None:
    """ "How many hand-offs did an incident go through on average", "平均每张工单转派几次":
    the catalog's measure of records passed on (reassignments, transfers) — its average per
    record, or its total — though the question's words name no measure of it."""
    if not _HANDOFFS_COUNTED.search(question) or _PAST_A_NUMBER.search(question):
        return
    named = [f"{m} {cat.metrics[m].spec.en}" for m in slots.metrics if m in cat.metrics]
    if any(_HANDOFF_KEPT.search(n) for n in named):
        return
    kept = [
        n for n, m in cat.metrics.items()
        if _HANDOFF_KEPT.search(f"{n} {m.spec.en}") and not m.spec.filter
    ]  # fmt: skip
    wanted = "AVG(" if AVERAGE.search(question) or _PER_RECORD.search(question) else "SUM("
    picked = [n for n in kept if cat.metrics[n].spec.expr.upper().startswith(wanted)]
    if len(picked) != 1:
        return
    slots.metrics, slots.by_meaning, slots.noun_only = picked, [], False


def _wait_is_a_time(question: str, slots: Slots, cat: Catalog) -> None:
    """ "Which district's residents wait the longest on average for an answer": a time waited,
    not the text's length "longest" resembles, when the catalog measures a time."""
    if not slots.metrics or not _WAIT_ASKED.search(question):
        return
    if not all(cat.metrics[m].unit == "characters" for m in slots.metrics if m in cat.metrics):
        return
    guessed = [m for m, _, _ in slots.by_meaning if m in cat.metrics]
    times = [m for m in guessed if cat.metrics[m].unit in _TIME_UNITS]
    times = times or [n for n, m in cat.metrics.items() if m.unit in _TIME_UNITS]
    if times:
        slots.metrics, slots.noun_only, slots.by_meaning = times[:1], False, []


def _untimed_wait(intent: Intent) -> str | None:
    """The words asking how long something took, when no measure of the catalog is a time."""
    cat = intent.catalog
    m = _WAIT_ASKED.search(intent.question)
    if m is None or cat is None:
        return None
    if any(metric.unit in _TIME_UNITS for metric in cat.metrics.values()):
        return None
    return "等待或答复的时长" if intent.language == "zh" else "waiting or reply times"


_MEASURE_WORDS = frozenset(
    ("number", "of", "such", "the", "a", "an", "count", "share", "rate", "total", "how", "many",
     "much", "amount", "percentage", "percent", "per", "these", "those", "this", "that")
)  # fmt: skip
# How fast or slow something went, said without a unit of time.
_SPEED = re.compile(r"(?i)快|慢|久|时效|速度|及时|\bfast|\bslow|\bquick|\blong|\bspeed|turnaround")
# Time said in Chinese beyond ``_ASKS_TIME``: "用时最多", "花的时间".
_ZH_TIME_SAID = re.compile(r"用时|时间|花了|花的")

_ASKS_TIME = re.compile(
    r"\bhow long\b|\btime\b|\bhours?\b|\bdays?\b|\bminutes?\b|\bduration\b|\btakes?\b"
    r"|多久|多长时间|时长|小时|几天|多少天|耗时",
    re.IGNORECASE,
)


def _event_state_of_duration(slots: Slots, cat: Catalog) -> None:
    """ "Which category takes longest to close": the verb names the duration's end, not the
    state Closed as a filter besides it."""
    ends = {end_event(cat.metrics[m].spec.expr) for m in slots.metrics if m in cat.metrics}
    for dim, value in list(slots.filters.items()):
        if isinstance(value, str) and event_of(value) in ends - {None}:
            del slots.filters[dim]
            slots.dimensions = [d for d in slots.dimensions if d != dim]


def _duration_between(question: str, slots: Slots, cat: Catalog) -> None:
    """ "Once resolved, how many days until closed": the time between the two events named,
    not the duration a single word ("resolved") resembles; an event word is not a filter."""
    if not _ASKS_TIME.search(question):
        return
    named = [] if slots.noun_only else slots.metrics  # "an incident": the records' noun
    if any(cat.metrics[m].unit != "hours" and not plain_count(cat, m) for m in named):
        return
    span = duration_between(question, cat)
    if span is None:
        return
    slots.metrics = list(span.metrics)
    slots.noun_only = False
    slots.by_meaning = []  # the single-word resemblance is not another reading
    said = {w.lower() for w in span.words}
    events = {span.start, span.end}
    for dim, value in list(slots.filters.items()):
        if value.lower() in said or event_of(value) in events:
            del slots.filters[dim]
            slots.dimensions = [d for d in slots.dimensions if d != dim]
    # "After it is resolved": the event's word, not the "resolved by" grouping it resembles.
    slots.dimensions = [
        d for d in slots.dimensions
        if d in slots.filters or event_of(cat.dimensions[d].spec.en) not in events
    ]  # fmt: skip


_CODE_VALUE = re.compile(r"(?:[A-Za-z]{0,3}\d+[A-Za-z]?[,;/ ]*)+")
_CODE_SAMPLE = 30
_CODED_SHARE = 0.8
_BY_WORDS = re.compile(r"(?i)(?:\b([a-z]+)\s+)?\bby\s+(?:the\s+|a\s+|an\s+)?([a-z][\w-]*)")
_PARTICIPLE = re.compile(r"(?i)(?:ed|en|made|sent|paid|done|raised|brought)$")
_SPLIT_VERB = re.compile(
    r"(?i)^(?:grouped|sorted|ranked|ordered|listed|split|broken|segmented|categori[sz]ed"
    r"|classified|organi[sz]ed|aggregated|bucketed)$"
)


def _same_kind(table: str, other: str) -> bool:
    """Two tables of the same kind of records (a flags table and a flags table)."""
    return table.endswith(LABELS_SUFFIX) == other.endswith(LABELS_SUFFIX)


def _joined(gap: str) -> bool:
    """Whether ``gap`` lists the values on either side with a joining word or mark (not "how
    many" between "battery" and "Apple")."""
    return listed_between(gap) and _LIST_MARK.search(gap) is not None


_LIST_MARK = re.compile(r"(?i)[,，、/;；]|\b(?:and|or|nor)\b|和|或|及|与|跟|还是")


def _listed_by_first_word(
    text: str, values: list[str], hits: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Values of several words said by their first word alone, in a list with others said
    ("not Premium, not the Student plan and not the Family plan" for Student Subscription and
    Family Subscription): only a first word no other value has."""
    words = Counter(w for v in values for w in set(re.findall(r"[a-z]{2,}", v.lower())))
    hits = list(hits)
    changed = True
    while changed:
        changed = False
        for value in values:
            own = re.findall(r"[a-z0-9]+", value.lower())
            if len(own) < 2 or len(own[0]) < 4 or words[own[0]] != 1:
                continue
            if any(v == value for *_, v in hits):
                continue
            for m in re.finditer(rf"(?<![a-z]){re.escape(own[0])}(?![a-z])", text):
                if any(m.end() < s <= m.end() + 2 for s, _, _ in hits):
                    continue  # "Apple Watch": the word names whose the next value is
                if any(
                    (e <= m.start() and _joined(text[e : m.start()]))
                    or (m.end() <= s and _joined(text[m.end() : s]))
                    for s, e, _ in hits
                ):
                    hits.append((m.start(), m.end(), value))
                    changed = True
                    break
    return hits


def _words_in_order(text: str, name: str) -> int:
    """Where a name of several words is said with others between them, in order and close
    together ("student or the family subscription" says "student subscription"); -1 if not."""
    words = re.findall(r"[a-z0-9]+", name)
    if len(words) < 2 or len(words[0]) < 4:
        return -1
    m = re.search(
        r"(?<![a-z0-9])" + r"\b.{0,30}?\b".join(re.escape(w) for w in words) + r"(?![a-z0-9])",
        text,
    )
    # Only a name split by another joined to it ("student or the family subscription").
    return m.start() if m and re.search(r"\b(?:or|and)\b|/", m.group(0)) else -1


def _part_span(text: str, value: str) -> tuple[int, int] | None:
    """Where the longest part of a value's name (two characters or more) is said."""
    low = value.lower()
    for size in range(len(low), 1, -1):
        for i in range(len(low) - size + 1):
            at = text.find(low[i : i + size])
            if at >= 0 and (size >= 4 or _CJK_TEXT.search(low[i : i + size])):
                return at, at + size
    return None


def _prefix_at(text: str, name: str) -> int:
    """Where the longest beginning (four letters or more) of ``name`` is said in ``text``."""
    for k in range(len(name), 3, -1):
        at = text.find(name[:k])
        if at >= 0:
            return at
    return -1


def _records_by_meaning(intent: Intent) -> bool:
    """Whether the one measure read is a plain row count found by meaning, not by name ("收到
    多少条客户推文" resembling "客户声音数量"): a count of records like the tables' own."""
    cat, slots = intent.catalog, intent.slots
    if cat is None or len(slots.metrics) != 1 or not slots.by_meaning:
        return False
    name = slots.metrics[0]
    metric = cat.metrics.get(name)
    found = slots.by_meaning[0][0] == name and name not in slots.metric_spans
    if metric is None or not found or metric.unit != "count" or metric.spec.filter:
        return False
    return re.sub(r"\s", "", metric.spec.expr).upper() == "COUNT(*)"


def _own_column(cat: Catalog, dim: str) -> bool:
    """Whether the dimension is a column of its records' own table (not of a table of flags
    that joins to them, one row per flag, where "not X" is not a row condition)."""
    d = cat.dimensions.get(dim)
    if d is None or d.from_time:
        return False
    return any(not _flags_table(cat, t) for t in d.sources)


def _flags_table(cat: Catalog, table: str) -> bool:
    """A long table of the export's flags (``label`` beside the record's key and time)."""
    columns = cat.tables[table].columns if table in cat.tables else {}
    return LABEL in columns and len(columns) <= 3


def _named_within(cat: Catalog | None, metric: str, phrase: str) -> bool:
    """Whether one of the metric's names is said inside ``phrase``."""
    if cat is None or metric not in cat.metrics:
        return False
    spec = cat.metrics[metric].spec
    low = phrase.lower()
    return any(len(n) >= 4 and n.lower() in low for n in (spec.en, spec.zh, *spec.aliases) if n)


def _column_measure(question: str, slots: Slots, cat: Catalog) -> None:
    """ "Which group reassigns tickets the most on average": the average of the number column
    the question names in another form, when no measure was named by its name."""
    guessed = {m for m, _, _ in slots.by_meaning}
    if slots.metrics and not slots.noun_only and not set(slots.metrics) <= guessed:
        return
    metric = column_measure(question, cat)
    if metric is None:
        return
    slots.metrics = [metric]
    slots.noun_only = False
    slots.by_meaning = []


_TEXTS = (
    r"(?:messages?|tweets?|reviews?|posts?|texts?|comments?|complaints?|repl(?:y|ies)|e-?mails?)"
)
_TEXT_LENGTH = re.compile(
    # "Waited longest for a reply", "took longest to answer": a time, not the text's length.
    rf"(?i)(?<!wait )(?<!waits )(?<!waited )(?<!took )(?<!take )(?<!takes )"
    rf"\b(?:longest|shortest|longer|shorter)\s+(?:(?!for\b|to\b|until\b|before\b)\w+\s+){{0,2}}?"
    rf"{_TEXTS}\b"
    rf"|\bhow long\s+(?:are|is|were)\s+(?:\w+\s+){{0,3}}?{_TEXTS}\b"
    rf"|\b(?:writes?|wrote|post|posts)\s+(?:the\s+)?(?:longest|shortest)\b"
)


# Said right after a value: it is counted with the rest, not picked out.
_INCLUDED = re.compile(
    r"(?i)^\s*(?:(?:is|are) )?(?:included|too)\b|^\s*(?:也算|也算在内|算在内|包括在内)"
)


def _the_measure_read(intent: Intent, labels: list[str]) -> bool:
    """Whether ``labels`` are one category, the yes/no column of the one measure the question
    named in other words."""
    cat = intent.catalog
    guessed = [m for m, _, _ in intent.slots.by_meaning if m in intent.metrics]
    if cat is None or len(labels) != 1 or len(guessed) != 1:
        return False
    column = re.sub(r"\W+", "_", labels[0].lower()).strip("_")
    return f'"{column}"' in cat.metrics[guessed[0]].spec.expr


def _text_length_said(question: str, slots: Slots, cat: Catalog) -> None:
    """ "Whose customers write the longest messages on average", "how long are the replies":
    the length of the text, when no measure was named by its name and the catalog has one."""
    guessed = {m for m, _, _ in slots.by_meaning}
    if slots.metrics and not slots.noun_only and not set(slots.metrics) <= guessed:
        return
    if not _TEXT_LENGTH.search(question):
        return
    lengths = [n for n, m in cat.metrics.items() if text_length(m.spec.expr)]
    if len(lengths) == 1:
        slots.metrics, slots.noun_only, slots.by_meaning = lengths, False, []


def _count_and_its_share(question: str, shape: ShapeReading, slots: Slots, cat: Catalog) -> None:
    """ "How many were reopened, and what share is that": the count and the rate of the same
    column (``X_count`` and ``X_rate``), both."""
    if len(slots.metrics) != 1:
        return
    name = slots.metrics[0]
    count = name.removesuffix("_rate") + "_count"
    if name.endswith("_rate") and count in cat.metrics and _asks_how_many(question, shape):
        # "至少被转派过一次的有几张": how many, the count of the same column, not its share.
        slots.metrics = [count]
        return
    flag = _flag_of_rate(cat, name)
    if flag is not None and _asks_how_many(question, shape) and _HOW_MANY.search(question):
        # "How many tickets were resolved remotely": the records with the yes/no column the
        # share is taken of, counted, where the catalog has no count of them of its own.
        slots.metrics, slots.noun_only = [flag[0]], True  # the records, counted
        slots.filters.setdefault(flag[1], "true")
        slots.dimensions.append(flag[1])
        slots.flags.append(flag[1])
        return
    rate = name.removesuffix("_count") + "_rate"
    if not name.endswith("_count") or rate not in cat.metrics:
        return
    if shape.has("share"):
        # "What fraction … by priority": the share leads; "how many, and what share": the count.
        slots.metrics = [name, rate] if shape.has("count") else [rate, name]

    elif _LIKELY.search(question):
        # "More likely to miss SLA": how often, a rate, not how many.
        slots.metrics = [rate]


def families_where_split(intent: Intent) -> None:
    """Families of values named side by side ("2019款和2020款") are groups only where shares and
    words counted split by them; elsewhere the first family said is read as before, a filter."""
    if intent.playbook in ("share_of", "mentions"):
        return
    for dim, named in list(intent.slots.compared.items()):
        if len(named) > 1 and all(isinstance(v, Holding) for v in named):
            del intent.slots.compared[dim]
            intent.slots.filters[dim] = named[0]


def _records_then_their_share(intent: Intent) -> None:
    """ "How many new tickets did we open, and what share of them made SLA", "…, and how many of
    those didn't get a timely response": the records asked about are counted, and the column's
    share (or count) is taken of them; not the column's count alone."""
    cat, shape = intent.catalog, intent.shape
    if cat is None or not shape.has("count") or len(intent.metrics) != 2:
        return
    count, rate = intent.metrics
    if not count.endswith("_count") or rate != count.removesuffix("_count") + "_rate":
        return
    text = normal_text(intent.question)
    of_them = _SHARE_OF_THEM.search(text)
    if of_them is None:
        return
    # Where the column is said: the first telling word of its name after the cue.
    name = re.sub(r"\s*\(.*\)", "", (cat.metrics[rate].spec.en or "").lower())
    words = [w for w in re.findall(r"[a-z]{3,}", name) if w not in ("rate", "count", "not")]
    said = [m.start() for w in words for m in re.finditer(rf"\b{w}", text)]
    plain = [
        m for m, spec in cat.metrics.items()
        if spec.table == cat.metrics[count].table and plain_count(cat, m)
    ]  # fmt: skip
    if not plain or not said or min(said) < of_them.start():
        return
    shared = SHARE_WORD.search(of_them.group(0)) or SHARE_WORD.search(text[of_them.end() :])
    intent.slots.metrics = [plain[0], rate if shared else count]


# "… and what share of them made SLA": a share of the records counted before it.
_SHARE_OF_THEM = re.compile(
    r"(?i)\b(?:share|percentage|proportion|fraction|percent|how many)\s+of\s+(?:them|those|these)\b"
    r"|其中|这些[\u4e00-\u9fff]{0,3}(?:里|中)"
)


def _flag_of_rate(cat: Catalog, name: str) -> tuple[str, str] | None:
    """A share of the records with a yes/no column set (no filter of its own): the plain count
    of its table and the column's yes/no dimension; None for any other measure."""
    m = cat.metrics[name]
    if m.unit != "%" or m.spec.filter:
        return None
    flags = [
        d for d, dim in cat.dimensions.items()
        if dim.kind == "boolean" and m.table in dim.spec.sources
        and _counts_flag(m.spec.expr, dim.spec.sources[m.table], True)
    ]  # fmt: skip
    counts = [
        n for n, c in cat.metrics.items()
        if c.table == m.table and plain_count(cat, n)
    ]  # fmt: skip
    return (counts[0], flags[0]) if len(flags) == 1 and counts else None


def _asks_how_many(question: str, shape: ShapeReading) -> bool:
    """A count asked by its words ("how many", "有几张"), with no share, rate or average; also
    compared with another period ("how many … compared with the quarter before")."""
    # "How many … for each company": a count for each group is a count too.
    counted = shape.first == "count" or (
        shape.first in ("change", "breakdown") and shape.has("count")
    )
    if not counted or shape.has("share") or _RATE_WORD.search(question):
        return False
    return not _LIKELY.search(question)


_NOT_YET = re.compile(r"(?i)还没|没有|尚未|未|\bnot yet\b|\bnever\b|n't been|\bstill (?:not|no)\b")
_HOW_MANY = re.compile(r"(?i)\bhow many\b|多少[张条个件单次位]|几[张条个件单次位]")
# Records set aside from what is counted ("leave out the ones that never got a group").
_LEFT_OUT = re.compile(
    r"(?i)\b(?:leave|leaving|left) out\b|\bexclud(?:e|ing)\b|\bignor(?:e|ing)\b"
    r"|\bnot counting\b|\bdon'?t count\b|\bset(?:ting)? aside\b|\bdrop(?:ping)?\b"
    r"|\bskip(?:ping)?\b|\bomit(?:ting)?\b"
    r"|不算|去掉|排除|不包括|不含|除去|剔除"
)
# "…, of which / 其中 …": what follows is a part of the records just counted.
OF_WHICH = re.compile(
    r"(?i)其中|这里面|这其中|这些里面|这些当中|它们当中|\bof (?:which|those|them|these)\b"
    r"|这些[\u4e00-\u9fff]{1,3}?(?:里面?|当中|中)(?=[，,]?(?:现在|目前|如今|已经|仍然|还)*(?:有|又|是|的|还|仍|已|卡|停|在))"
    r"|\bamong (?:them|those|these)\b|这几[条张个件位款家]?(?:里面?|当中|中)"
)
# The value of a measure asked for by its name ("What is the …", "…是多少").
_VALUE_ASKED = re.compile(
    r"(?i)^\s*(?:what(?:'s| is| was| were)|how (?:high|low) (?:is|was))\b|是多少|为多少|有多高"
    # "On average, how many codes per complaint?": the measure's value, not what is said.
    r"|^\s*on average,?\s+how (?:many|much|long)\b"
)
_RATE_WORD = re.compile(r"(?i)\brate\b|\bratio\b|\bpercent|\bshare\b|率|比例|占比|百分")
# The records of a value said first, then a grouping asked of them: "For our Critical-priority
# incidents, which symptom…", "Among the disputed complaints, what product…", "X的投诉里，哪个".
_SLICE_FIRST = re.compile(
    r"(?i)^\s*(?:for|among|of|within|across|in)\s+[^,?;]{3,80}[,，]\s*(?:which|what)\b"
    r"|^[^，,？?。]{2,30}(?:里|中|当中|里面)[，,]\s*哪"
)
_LIKELY = re.compile(r"(?i)\b(?:more|less|most|least) (?:likely|often)\b|\bhow often\b|更容易|更常")


def _set_aside_compared(intent: Intent) -> None:
    """Values named side by side ("维修、保养") that the measured records cannot be split by."""
    cat, slots = intent.catalog, intent.slots
    if cat is None or not slots.metrics:
        return
    for dim, values in list(slots.compared.items()):
        if not all(reaches(cat, m, dim) for m in slots.metrics if m in cat.metrics):
            intent.set_aside += [(dim, v) for v in values]
            del slots.compared[dim]
            slots.filters.pop(dim, None)
            slots.dimensions = [d for d in slots.dimensions if d != dim]


def _drop_template_words(slots: Slots, template: str) -> None:
    """A metric found by meaning in the template's own name ("服务" in "服务差距分析") is not
    one the manager asked about."""
    spec = load_template(template)
    names = [n.lower() for n in (spec.title.en, spec.title.zh, *spec.aliases)]
    spurious = {m for m, _, phrase in slots.by_meaning if any(phrase in n for n in names)}
    slots.metrics = [m for m in slots.metrics if m not in spurious]
    slots.by_meaning = [b for b in slots.by_meaning if b[0] not in spurious]


def _asks_which(question: str) -> bool:
    """ "Which … most/worst …" without asking how it moved."""
    superlative = _BEST.search(question) or _WORST.search(question)
    return bool(WHICH.search(question) and superlative and not _CHANGE.search(question))


def _drop_implied_filters(intent: Intent) -> None:
    """Drop a filter the metric already applies ("installation" in installation on-time rate)."""
    if intent.catalog is None:
        return
    for name in intent.metrics:
        row_filter = intent.catalog.metrics[name].spec.filter or ""
        for dim, value in list(intent.filters.items()):
            if f"'{value}'" in row_filter and dim in row_filter:
                del intent.slots.filters[dim]


_METRIC_PLAYBOOKS = ("metric_change", "ranking", "breakdown", "trend")
# Shapes that ask a figure of the data.
_ASKED_OF_DATA: tuple[Shape, ...] = ("ranking", "count", "share", "breakdown", "change", "trend")
# Playbooks for any catalog; the others are written for one kind of operation.
_GENERIC = frozenset(
    ("metric_change", "ranking", "breakdown", "trend", "share_of", "mentions", "voc_themes",
     "label_depth", "group_filter", "condition_split",
     "voc_evidence", "what_changed", OUT_OF_SCOPE, UNAVAILABLE, REFUSED)
)  # fmt: skip
# A question of which way something went ("是涨是跌", "up or down"), not of one change.
_DIRECTION = re.compile(
    r"(?:是|在)?(?:涨|升|增)(?:还是|是)(?:跌|降|减)|上升还是下降|增加还是减少|增长还是下降"
    r"|\b(?:going|gone|went|trending|moving) up or down\b|\brising or falling\b"
    r"|\bgrowing or shrinking\b|\bincreasing or decreasing\b",
    re.IGNORECASE,
)


def _long_direction(question: str, periods: PeriodReading) -> bool:
    """Which way a measure went over a window of six months or more, with nothing to compare."""
    p = periods.period
    if p is None or periods.comparison is not None or not _DIRECTION.search(question):
        return False
    return (p.end - p.start).days >= 180


# Words listing several things asked for at once ("X、Y分别多少", "X and Y").
# Figures asked one by one: "分别多少", "各是多少", "respectively".
_EACH_LISTED = re.compile(r"(?i)分别|各是|各为|各自|\brespectively\b")
_LISTED = re.compile(r"、|和|及|与|以及|分别|各是|各为|\band\b|\bas well as\b|\bboth\b", re.I)
# Generic playbooks that still need their words said: a trend, a review of what changed.
_CUED = ("trend", "what_changed")
# Playbooks that report on everything rather than answer the question's measure: chosen only when
# the question's words ask for them.
_ONLY_WHEN_CUED = frozenset(("early_warnings", "customers_at_risk"))
# How far the trend exemplars (or a specialised playbook's) must lead when no words ask for it.
_TREND_MARGIN = 0.01
# A question asking which group (not what customers say within each one).
WHICH = re.compile(r"\bwhich\b|哪(?:个|一|些|款|种|类|家|几|位)", re.IGNORECASE)
# Words saying a value is missing, followed by what is missing.
# "unresolved", "not yet closed": an event the records have not reached (``_UNSET_EN``).
_EVENT_NOT_YET = re.compile(r"(?i)(?:resolved|closed|answered)\b")
_NOT_YET_BEFORE = re.compile(
    r"(?i)(?:\bun|\bnot |\bnever |\byet |\bbeen )(?:resolved|closed|answered)"
)


def _terms_with_values(intent: Intent, terms: list[str]) -> list[str]:
    """The words counted as the question says them, where a value's name matched inside them
    left only the rest ("mention a web form": "web form", not "form" of the Web channel)."""
    said = mention_terms(intent.question)
    values = [
        str(v).lower() for v in intent.filters.values()
        if not isinstance(v, (Either, Excluded)) and not _CJK_CHAR.search(str(v))
    ]  # fmt: skip
    out = []
    for term in terms:
        core = term.split()
        whole = next(
            (
                w for w in said
                if any(v in w.lower().split() for v in values)
                and [x for x in w.lower().split() if x not in values] == [c.lower() for c in core]
            ),
            None,
        )  # fmt: skip
        out.append(whole if whole is not None and core else term)
    return out


def _values_inside_terms(intent: Intent, terms: list[str]) -> None:
    """ "mention a loan modification": a value ("Loan") whose name is said only as a word of
    the longer words counted in the text is part of them, not a filter too."""
    text = normal_text(intent.question)
    inside = [
        (m.start(), m.end()) for t in terms if " " in t.strip()
        for m in re.finditer(rf"(?<![a-z]){re.escape(t.lower())}(?![a-z])", text)
    ]  # fmt: skip
    if not inside:
        return
    for dim, value in list(intent.filters.items()):
        if isinstance(value, (Either, Excluded)) or _CJK_CHAR.search(str(value)):
            continue
        said = [
            m.start()
            for m in re.finditer(rf"(?<![a-z]){re.escape(str(value).lower())}(?![a-z])", text)
        ]
        if said and all(any(a <= at < b for a, b in inside) for at in said):
            del intent.slots.filters[dim]
            intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]


def _all_records(intent: Intent) -> bool:
    """Whether the reading is the plain count of every record: no filter, grouping, words to
    find, threshold, missing value or categories — nothing of the question narrowed it."""
    cat = intent.catalog
    if cat is None or intent.playbook != "metric_change" or intent.compare:
        return False
    if not intent.metrics or not all(plain_count(cat, m) for m in intent.metrics):
        return False
    # A feedback theme narrows only where there is feedback to hold it.
    themed = intent.theme is not None and "voc" in cat.tables
    narrowed = (
        intent.filters, intent.slots.dimensions, intent.slots.compared, intent.mentions,
        intent.distinct, intent.labels, intent.threshold, intent.unset, intent.unset_column,
        themed, intent.per_group,
    )  # fmt: skip
    return not any(narrowed)


def _drop_dimension_of_event(intent: Intent, phrase: str) -> None:
    """ "How many incidents were not resolved": the event's word ("resolved") names the time
    said missing, not a grouping by the column named after it ("resolved by"), unless the
    question says that column's whole name."""
    cat, words = intent.catalog, phrase.lower().split()
    if cat is None or not words:
        return
    q = intent.question.lower()
    kept = []
    for d in intent.slots.dimensions:
        label = dimension_label(cat, d, "en").lower()
        if d in cat.dimensions and label.split()[:1] == words[:1] and label not in q:
            continue
        kept.append(d)
    intent.slots.dimensions = kept


_UNSET_EN = re.compile(
    r"(?:\b(?:never (?:got|had|received|was given|were given|been given|been assigned)|without|"
    r"with no|missing|lacking|not assigned to|no"
    # "still waiting for a reply", "awaiting a response", "yet to receive an answer".
    r"|(?:still )?(?:waiting|awaiting|pending)(?: for| on)?|yet to (?:get|receive|be given)"
    r"|(?:have|has) not (?:yet )?(?:got|had|received)"
    r"|(?:haven't|hasn't|haven’t|hasn’t) (?:yet )?(?:got|gotten|had|received|been given))"
    r"\s+(?:an?\s+|any\s+|their\s+)?"
    # "unresolved", "not yet closed", "never been answered": the event has not happened.
    r"|\bun(?=(?:resolved|closed|answered)\b)"
    r"|\b(?:not|never) (?:yet )?(?:been )?(?=(?:resolved|closed|answered)\b"
    r"(?!\s+(?:within|in|after|before|by|on|under|inside)\b)))"
    r"([a-z][a-z' -]*)",
    re.IGNORECASE,
)


def _said_unset(question: str, first: int) -> Iterator[re.Match[str]]:
    """Each later place the question says a value is missing, the words after it included
    (one match can swallow the next: "no named analyst - no individual assignee")."""
    at = first + 1
    while (m := _UNSET_EN.search(question, at)) is not None:
        yield m
        at = m.start() + 1


_SET_EN = re.compile(
    r"\b(?:linked|tied|attached|associated|connected) (?:up )?(?:to|with) (?:a|an|any|some)\s+"
    r"([a-z][a-z' -]*)",
    re.IGNORECASE,
)
_SET_ZH = re.compile(r"(?:关联|挂靠|关联到|关联了)(?:了|到)?(?:某个|一个|任何)?([\u3400-\u9fff]+)")
_UNSET_ZH = re.compile(
    r"(?:还没有?|尚未|没有|未|缺少|缺失)(?:被)?(?:分配|分派|指派|填写|记录|指定|登记)?(?:到|给)?"
    r"(?:任何|任一个?)?([\u3400-\u9fff]+)"
)
# The latest full quarter stands for the data when it holds at least this share of a typical
# quarter's records.
_THIN = 0.25
_FIGURES = (
    "metric_change", "ranking", "breakdown", "trend", "share_of", "mentions", "group_filter",
    "condition_split",
)  # fmt: skip
_NOT_COUNTED = (OUT_OF_SCOPE, UNAVAILABLE, REFUSED, "gap_analysis", "business_design")
# "Which model has the most noise complaints": the records are counted, not rated.
_COUNTED = re.compile(
    r"(?i)\bmost\b|\bleast\b|\bfewest\b|how many|number of|\bvolumes?\b|\bcounts?\b"
    r"|最多|最少|多少|数量|几[个条张单次]"
)
_RATED = re.compile(
    r"(?i)worst|lowest|bottom|poorest|weakest|\bbest\b|highest|strongest|perform"
    r"|最差|最低|垫底|最好|最高|最慢|最快|表现"
)


# Words of a change over time, beside groups compared with each other.
_OVER_PERIODS = re.compile(
    r"(?i)\b(?:chang\w*|ris\w*|rose|fall\w*|fell|increas\w*|decreas\w*|grow\w*|grew|drop\w*"
    r"|declin\w*|improv\w*|worsen\w*|before|previous|prior|last (?:quarter|month|year|week))\b"
    r"|变化|增加|减少|上升|下降|增长|涨|跌|环比|同比|之前|上期|上个?季度|上个?月|去年"
)
_FREQUENT_OF = ("voc_themes", "voc_evidence", "metric_change", "breakdown", "ranking")
# "The most common issue", "the number one reason", "最常见的问题是什么": the noun after it.
_MOST_COMMON_NOUN = re.compile(
    r"(?i)\b(?:most (?:common|frequent)|commonest|number one|no\. ?1|#1|single biggest)"
    r"\s+([a-z][a-z0-9' -]*)"
)
_MOST_OFTEN = re.compile(
    r"(?i)\bmost (?:often|frequently|commonly|common)\b|\bcommonest\b|\bnumber one\b"
    r"|\bno\. ?1\b|#1\b|最常|最普遍"
)
_CJK_TEXT = re.compile(r"[\u3400-\u9fff]")


def _said_short(text: str, name: str) -> tuple[int, int]:
    """Where a one-word ``name`` is said in the short form people use for it ("ads" for
    Advertisement); (-1, -1) if not."""
    for m in re.finditer(r"[a-z]+", text):
        if m.group(0) != name and same_thing(m.group(0)) == name:
            return m.start(), m.end()
    return -1, -1


def _word_at(text: str, name: str) -> int:
    """Where ``name`` stands as whole words in ``text`` (-1: nowhere)."""
    m = re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text)
    return m.start() if m else -1


def _count_of_theme(intent: Intent) -> None:
    """A theme of feedback counted by something ("which model has the most noise complaints",
    "噪音投诉按区域"): the count of the feedback records with that theme, when the catalog holds
    the theme as a dimension of a table with a count metric. A filter the feedback table
    cannot take ("complaint" tickets) is the question's word for the feedback itself."""
    cat = intent.catalog
    if cat is None or intent.metrics or not intent.theme:
        return
    if intent.playbook not in _METRIC_PLAYBOOKS:
        return
    # The theme must be named by words the catalog did not already read as something else
    # ("install jobs" are installation tickets, not the installation-delay theme).
    if find_theme(unmatched_text(intent.question, intent.slots), intent.themes) != intent.theme:
        return
    theme_dims = [
        name for name, dim in cat.dimensions.items()
        if not dim.from_time and intent.theme in (dim.values or [])
    ]  # fmt: skip
    for dim in theme_dims:
        metric = default_metric(cat, dim)
        home = cat.dimensions[dim].sources
        if metric in cat.metrics and cat.metrics[metric].table in home:
            intent.before_theme = (list(intent.slots.metrics), dict(intent.slots.filters))
            intent.slots.metrics = [metric]
            kept = {d: v for d, v in intent.filters.items() if _describes(cat, metric, d)}
            intent.slots.filters = {**kept, dim: intent.theme}
            return


# The count said after the grouping's name: "车型有几款", "车系一共多少个", "品牌的数量".
_HOW_MANY_AFTER = re.compile(
    r"(?:的)?(?:数量|总数|个数)|(?:都|一共|总共|共|合计)?(?:有)?(?:多少|几)(?:个|款|家|位|类|种|辆|名)"
)
_DISTINCT_BEFORE = re.compile(r"(?i)\b(?:distinct|different|unique)\s+$|不同的?$")
# People counted by who they are ("how many different people", "how many individuals").
_PEOPLE = re.compile(r"(?i)(?:people|persons|individuals|humans|folks)\b")
# Members of staff said in the question, and the columns that name who did the work.
_STAFF = re.compile(
    r"(?i)(?:analysts?|agents?|engineers?|technicians?|staff|reps?|representatives?"
    r"|employees?|handlers?|assignees?|resolvers?|workers?)\b"
)
_STAFF_COLUMN = re.compile(
    r"(?i)assigned_to|assignee|(?:resolved|closed|handled|fixed)_by|agent|engineer|technician"
    r"|handler|analyst|处理人|负责人|工程师|坐席"
)
_HOW_MANY_NOUN = re.compile(
    r"(?:多少|(?<!哪)几)(?:个|家|种|款|位|类)(?:不同的?)?(?P<zh>[\u4e00-\u9fff]{2,6})"
    # "…的分析员有几位", "工程师一共有多少个": the noun said before the count.
    r"|(?P<zh_staff>分析员|工程师|技术员|坐席|客服人员|客服|处理人|员工|人员|专员|座席)"
    r"(?:一共|总共|共)?有?(?:多少|(?<!哪)几)(?:个|位|名|人)"
    r"|(?i:how many)\s+(?:different\s+|distinct\s+|unique\s+)?(?P<en>[a-z][a-z ]{2,40})"
)
_HOW_MANY_BEFORE = re.compile(
    r"(?i)(?:多少|(?<!哪)几)(?:个|家|种|款|位|类)(?:不同的?)?[\u4e00-\u9fff]{0,4}$"
    r"|(?:how many|number of)\s+(?:of (?:our|the|your|their|these|those|all|[a-z]+['’]s)\s+)?"
    r"(?:different\s+|distinct\s+|unique\s+)?(?:\w+\s+)?$"
)


# "Which month saw the biggest jump over the month before", "环比涨得最多的是哪个月": the largest
# change from one unit of time to the next, within the trend.
STEP_CHANGE = re.compile(
    r"(?i)\b(?:biggest|largest|sharpest|steepest|greatest|most)\s+(?:month-(?:over|on)-month\s+)?"
    r"(?P<up>jumps?|increases?|rises?|climbs?|spikes?|surges?|leaps?|growth)\b"
    r"|\b(?:biggest|largest|sharpest|steepest|greatest)\s+(?:month-(?:over|on)-month\s+)?"
    r"(?P<down>drops?|falls?|declines?|dips?|decreases?)\b"
    r"|环比(?P<zup>增长|上涨|增加|上升)最多|(?P<zup2>涨|增长|增加|上升|跳)得?最(?:多|猛|快)"
    r"|环比(?P<zdown>下降|减少|下跌)最多|(?P<zdown2>降|下降|减少|跌)得?最(?:多|猛|快)"
)


def _step_change(intent: Intent) -> None:
    """ "Month by month through last year, which month saw the biggest jump over the month
    before": the months of the period, each against the one before — no second period to
    compare the whole with."""
    if intent.playbook != "trend" or not STEP_CHANGE.search(intent.question):
        return
    intent.compare, intent.comparison = False, None


def _distinct_over_time(intent: Intent) -> None:
    """ "How many different people raised tickets in each of March, April and May": the number
    of different values in each unit of time, not the records' trend."""
    cat = intent.catalog
    if cat is None or not intent.distinct or intent.playbook != "trend":
        return
    sized = values_per_group(intent.question, cat, intent.distinct[0])
    if sized is not None and sized[1] == EVERY:
        intent.playbook = "metric_change"  # "every single day": the values on all the days
        return
    grain = _grain_said(intent) or ("month" if "month" in cat.dimensions else None)
    if grain is None or not cat.dimensions[grain].from_time:
        return
    intent.playbook = "ranking"  # each unit's different values (``distinct_of``)
    intent.slots.dimensions = [*intent.slots.dimensions, grain]
    intent.distinct_of, intent.distinct = intent.distinct[0], []
    intent.compare, intent.comparison = False, None  # the months side by side show the change


_WHICH_OF_SIZE = re.compile(r"(?i)\bwhich\b|\bwhat\b|\blist\b|哪些|哪几|是哪|有谁|都有谁")


def _distinct(intent: Intent, named: str | None = None) -> None:
    """A dimension named right after "how many"/"多少个": the number of its different values,
    not a split by it. The question's value (its count) is answered alongside."""
    if intent.catalog is None:
        return
    text = normal_text(intent.question)
    themes = intent.playbook == "voc_themes"
    if intent.playbook not in _METRIC_PLAYBOOKS and not themes:
        return
    found = []
    # "How many of Apple's topics are on fewer than 5 tweets": a size each value must have
    # says its values are counted, even where the words would ask for themes.
    size_said = records_per_group(intent.question) is not None
    for dim in intent.slots.dimensions:
        spec = intent.catalog.dimensions[dim].spec if dim in intent.catalog.dimensions else None
        names = [n.lower() for n in (spec.en, spec.zh, *spec.aliases) if n] if spec else []
        kind = intent.filters.get(dim)
        if isinstance(kind, Holding) and not kind.by_name:
            names.append(kind.word.lower())  # "how many different credit unions is that"
        spots = [
            (m.start(), name) for name in names if name.isascii()
            for m in re.finditer(rf"(?<![a-z]){re.escape(name.removesuffix('y'))}", text)
        ] + [(text.find(name), name) for name in names if not name.isascii()]  # fmt: skip
        # Each place a name is said: "against credit unions … how many different credit unions".
        for at, name in spots:
            if at < 0:
                continue
            before = text[max(0, at - 24) : at]
            # "How many brands", "多少个品牌"; "车型有几款", "车系一共多少个" (the count after it);
            # "distinct issues" even where the words would ask for themes.
            asked = _HOW_MANY_BEFORE.search(before) if at > 0 else None
            asked = asked or _HOW_MANY_AFTER.match(text[at + len(name) : at + len(name) + 12])
            if themes and not _DISTINCT_BEFORE.search(before) and not size_said:
                asked = None
            if asked:
                found.append(dim)
                break
    if not found and named is not None:
        # "有多少个团队…" where the data's name for it is another word ("team").
        found.append(named)
    if not found and _WHICH_OF_SIZE.search(text):
        # "车型在5款以上的品牌有哪些", "which brands have more than 5 models": the groups of
        # that many different values of another dimension, listed.
        guess = intent.grouping.dimension if intent.grouping else None
        for dim in [*([guess] if guess else []), *intent.slots.dimensions]:
            if values_per_group(intent.question, intent.catalog, dim) is not None:
                found.append(dim)
                break
    grain = _grain_said(intent) if len(found) == 1 and not AVERAGE.search(intent.question) else None
    sized = values_per_group(intent.question, intent.catalog, found[0]) if found else None
    if sized is not None and sized[1] == EVERY:
        grain = None  # "每天都有人投诉的车型有几款": the models on every day, not each day's
    if grain is not None and grain != found[0] and intent.playbook != "voc_themes":
        # "每天收到的投诉分别涉及多少个不同的品牌", "how many different brands each day": the
        # values counted in each unit of time.
        intent.distinct_of = found[0]
        intent.playbook = "ranking"
        intent.slots.dimensions = [grain]
        intent.slots.metrics = [m for m in intent.metrics if plain_count(intent.catalog, m)]
        return
    if found:
        each = [
            d for d in [
                *intent.slots.dimensions,
                *([intent.grouping.dimension] if intent.grouping and intent.grouping.dimension
                  else []),
            ]
            if d not in found and not fixed(intent.filters, d)
        ]  # fmt: skip
        averaged = _EACH_ONE_AVERAGE.search(intent.question) or AVERAGE.search(intent.question)
        if len(found) == 1 and each and _PER_GROUP.search(intent.question) and averaged:
            # "On average, how many models does each brand have", "平均每个品牌涉及几款车型":
            # the different values of one column per group of another, averaged.
            intent.distinct_of, intent.per_group, intent.playbook = found[0], True, "ranking"
            intent.slots.dimensions = [each[0]]
            intent.slots.metrics = [m for m in intent.metrics if plain_count(intent.catalog, m)]
            return
        intent.distinct = found
        intent.slots.dimensions = [d for d in intent.slots.dimensions if d not in found]
        per = values_per_group(intent.question, intent.catalog, found[0]) if found else None
        if per is not None:
            # "车型超过5款的品牌有几家": the models are what each brand is sized by, no split.
            intent.slots.dimensions = [d for d in intent.slots.dimensions if d != per[3]]
            each = [d for d in each if d != per[3]]
        if not each and len(found) == 1 and _ranked_by(intent, found[0]):
            # "How many different states … and which state has the most": both, the
            # ranking by the same grouping, over the same records.
            intent.slots.dimensions = [found[0]]
            intent.playbook = "ranking"
            return
        if intent.playbook in ("ranking", "breakdown") and not intent.shape.has("ranking"):
            intent.playbook = "metric_change"
        if themes:
            intent.playbook = "metric_change"
        if len(found) == 1 and _EACH_ONE_AVERAGE.search(intent.question):
            # "…and how many incidents did each one carry on average": the records per value.
            intent.per_group = True
            intent.playbook = "metric_change"


# "Which one has the most", "哪一个最多": the values just counted, no other grouping named.
_WHICH_ONE = re.compile(r"\bwhich (?:one|of them)\b|哪(?:个|一个)(?=最|排)")


def _ranked_by(intent: Intent, dim: str) -> bool:
    """Whether the question also asks which value of ``dim`` comes first ("which state has the
    most", "哪个州最多")."""
    if not intent.shape.has("ranking") or intent.catalog is None:
        return False
    if intent.grouping is not None and intent.grouping.dimension == dim:
        return True
    spec = intent.catalog.dimensions[dim].spec
    text = normal_text(intent.question)
    if _WHICH_ONE.search(text):
        return True  # "how many different categories … and which one has the most"
    for name in (n.lower() for n in (spec.en, spec.zh, *spec.aliases) if n):
        n = re.escape(name)
        if re.search(rf"\b(?:which|what)\s+(?:one\s+)?{n}|哪(?:个|一个|家|一家|位|款)?{n}", text):
            return True
    return False


# The other side of a yes/no condition asked after it: "…？没用知识库的呢？", "and the ones
# without?", "what about those that did not?".
_OTHER_SIDE = re.compile(
    r"(?:没有?|不|未)(?:用|使用|带|有|关联|附|被)?[\u4e00-\u9fff]{0,8}的呢\s*[？?]?\s*$"
    r"|(?i:\b(?:and|what about|how about)\s+(?:the (?:ones|others|rest)|those|the tickets"
    r"|the records|the incidents|the complaints|the ones)\s+(?:without|that (?:didn'?t|did not"
    r"|weren'?t|were not|don'?t|do not)|not)\b[^?]*\?\s*$)"
)


def _other_side(intent: Intent) -> None:
    """ "用了知识库文章的工单，平均每张被转派几次？没用知识库的呢？": a yes/no condition, then
    its other side asked: the measure on both sides (split by the condition), not one."""
    cat = intent.catalog
    if cat is None or intent.playbook not in _METRIC_PLAYBOOKS or intent.condition is not None:
        return
    if not _OTHER_SIDE.search(intent.question):
        return
    flags = [
        d for d in intent.filters if d in cat.dimensions and cat.dimensions[d].kind == "boolean"
    ]
    if len(flags) != 1:
        return
    del intent.slots.filters[flags[0]]
    intent.slots.dimensions = [*(d for d in intent.slots.dimensions if d != flags[0]), flags[0]]
    intent.playbook = "breakdown"
    intent.follow_up = False  # "…的呢" after its own first half asks nothing of an earlier turn


# A figure of each record: "per complaint", "on average", "平均每条", "每条…几个".
_PER_ONE = re.compile(r"(?i)\bper (?!cent\b)[a-z]+|\bon average\b|\baverage\b|平均|每条|每一条")


def _items_ranking(intent: Intent) -> None:
    """ "Which defect code shows up on the most complaints": the items of a list column
    ranked by the records listing them, not the lists themselves as values."""
    cat = intent.catalog
    asks = (*_FIGURES, "voc_themes")
    if cat is None or intent.playbook not in asks or intent.threshold is not None:
        return
    if _PER_ONE.search(intent.question):
        return  # "how many codes per complaint": the items averaged
    name = items_ranked(intent.question, cat)
    if name is None:
        return
    intent.items_ranked, intent.playbook = name, "item_ranking"
    intent.slots.dimensions = [d for d in intent.slots.dimensions if d in intent.filters]


def _items_averaged(intent: Intent) -> None:
    """ "On average, how many codes are logged per complaint", "平均每条投诉登记了几个故障代码":
    the items of a list column, averaged over the records, not records per some group."""
    cat = intent.catalog
    if cat is None or intent.playbook not in _FIGURES or not _PER_ONE.search(intent.question):
        return
    name = items_named(intent.question, cat)
    if name is None or name in intent.slots.metrics:
        return
    said = [str(v) for v in intent.filters.values()]
    said += [str(v) for vs in intent.slots.compared.values() for v in vs]
    terms = [t for t in mention_terms(intent.question) if not any(t in v for v in said)]
    theme = intent.theme and re.search(
        rf"(?i){re.escape(intent.theme)}\s*的?\s*(?:投诉|留言|评论|反馈|工单|记录|complaints?"
        r"|tickets?|reviews?|messages?)",
        intent.question,
    )
    if theme or terms:
        # "异响投诉平均每条登记了几个故障代码": of the records about some words, which the
        # average of every record is not; left to the readings of words.
        return
    intent.slots.metrics, intent.slots.by_meaning, intent.slots.noun_only = [name], [], False
    if intent.playbook in ("voc_themes", "voc_evidence", "mentions"):
        intent.playbook = "metric_change"


_EACH_ONE_AVERAGE = re.compile(
    r"(?i)\b(?:each|every|per)(?: one| of them| person| head)?\b[^?.;]{0,50}\bon average\b"
    r"|\bon average\b[^?.;]{0,50}\b(?:each|every|per)(?: one| of them| person| head)?\b"
    r"|平均每(?:个|位|人|名|家)|每(?:个|位|人|名|家)平均|人均"
)


# "The most different car models", "车型最多", "最多的车型": a dimension said with the end of
# a ranking, its values counted per group.
_MOST_OF_EN = (
    r"(?i)\b(?:most|fewest|least|largest number of|smallest number of)\s+"
    r"(?:different\s+|distinct\s+|unique\s+)?"
)
FEWEST = re.compile(r"(?i)\b(?:fewest|least|smallest)\b|最少")
_MOST_OF_ZH_AFTER = re.compile(r"^(?:数量|数)?(?:最多|最少)")
_MOST_OF_ZH_BEFORE = re.compile(r"(?:最多|最少)的?$")


def _distinct_by_group(intent: Intent) -> None:
    """ "Which brand has the most different car models complained about", "哪个品牌被投诉到的
    车型最多": the groups ranked by how many different values of another dimension their
    records hold, not by their records."""
    cat, text = intent.catalog, normal_text(intent.question)
    group = intent.grouping.dimension if intent.grouping else None
    if cat is None or group is None or group not in cat.dimensions or intent.template:
        return
    if intent.playbook in (OUT_OF_SCOPE, REFUSED, UNAVAILABLE):
        return
    for name, dim in cat.dimensions.items():
        if name == group or dim.kind != "category" or dim.from_time or not dim.sources:
            continue
        names = {
            name.replace("_", " "),
            (dim.spec.en or "").lower(),
            dim.spec.zh,
            *dim.spec.aliases,
        }
        for n in (n for n in names if n and len(n) >= 2):
            n = n.lower()
            if n.isascii():
                m = re.search(_MOST_OF_EN + "(" + re.escape(n) + r")s?(?![a-z])", text)
                at = m.start(1) if m else -1
                said = m is not None
            else:
                at = text.find(n)
                said = at >= 0 and bool(
                    _MOST_OF_ZH_AFTER.match(text[at + len(n) :])
                    or _MOST_OF_ZH_BEFORE.search(text[:at])
                )
            # "The most reviews": the records' own noun, counted, not a column of their text.
            counted = any(a <= at < b for a, b in intent.slots.metric_spans.values())
            if said and not counted and not _text_like(cat, name):
                intent.distinct_of = name
                intent.playbook = "ranking"
                intent.slots.dimensions = [group]
                intent.slots.metrics = [m for m in intent.metrics if plain_count(cat, m)]
                intent.mentions, intent.distinct = [], []
                return


# "Leaving aside our three biggest categories", "除了量最大的三个类别": the biggest groups set
# aside, the rest counted.
_ASIDE_BIGGEST = re.compile(
    r"(?i)\b(?:leaving|leave|setting|set|putting|put) aside\b[^,.?]{0,20}?"
    r"\b(?:biggest|largest|busiest|top)\b"
    r"|\b(?:excluding|exclude|except(?: for)?|other than|apart from|besides|not counting|ignoring"
    r"|outside(?: of)?)\s+(?:our |the |its |their )?(?:\w+ )?(?:biggest|largest|busiest|top)\b"
    r"|(?:除了|除去|除开|撇开|不算|刨除)[^，,。？?]{0,10}?(?:最大|最多|前[一二两三四五六七八九十\d]+大)"
)


def _text_like(cat: Catalog, dim: str) -> bool:
    """A column of free text (almost every value different): no values to count per group."""
    d = cat.dimensions.get(dim)
    m = re.search(r"(\d[\d,]*) distinct values", (d.spec.description or "") if d else "")
    return m is not None and int(m.group(1).replace(",", "")) > 1000


def _biggest_aside(intent: Intent) -> None:
    """ "Leaving aside our three biggest categories, how many tickets are spread across the
    others": one count, of the records outside the biggest groups of the grouping named."""
    cat = intent.catalog
    if cat is None or _ASIDE_BIGGEST.search(intent.question) is None:
        return
    if intent.playbook not in (*_METRIC_PLAYBOOKS, "share_of") or intent.template:
        return
    grouped = [d for d in intent.slots.dimensions if d not in intent.filters]
    if len(grouped) != 1 or cat.dimensions.get(grouped[0]) is None:
        return
    intent.aside_biggest = grouped[0]
    intent.slots.dimensions = [d for d in intent.slots.dimensions if d != grouped[0]]
    intent.playbook = "metric_change"


# How sure a measure found by meaning must be to stand for the question over its feedback words,
# said with a word that names a measure ("dispute rate", "满意率", "解决时长").
_MEASURE_SURE = 0.9
_MEASURE_WORD = re.compile(
    r"(?i)\b(?:rates?|ratio|scores?|times?|hours|days|average|mean|median|percent(?:age)?"
    r"|share)\b|率|比例|占比|分数|评分|时长|时间|平均|中位数"
)
_FEEDBACK_ASKED = re.compile(
    r"(?i)(?:提到|说|反映|抱怨|聊|讲)(?:了|的)?(?:些|都)?(?:什么|啥)|都在说|"
    r"\bwhat (?:do|did|are|were) (?:they|customers|people|users|consumers)\b[^?]{0,30}"
    r"\b(?:say|saying|said|mention|mentioning|talk|talking|complain|complaining)"
)


def _measure_over_feedback(intent: Intent) -> None:
    """ "Are consumers pushing back less than before? What was the dispute rate in 2023 and in
    2024": a measure of the catalog named in the question's own words is what it asks, however
    much the rest sounds like what customers say; themes or quotes only when it asks for them."""
    cat = intent.catalog
    if cat is None or intent.playbook not in ("voc_themes", "voc_evidence") or intent.theme:
        return
    if _FEEDBACK_ASKED.search(intent.question) or intent.mentions:
        return  # "这些客户在反馈里都提到了些什么": what they say is asked
    if _group_raised_most(intent):
        # "建议调整公交线路的留言一共有多少条？哪个区县提得最多": the districts ranked by the
        # records of the slice, not what the records say.
        intent.playbook = "ranking"
        intent.shape = replace(
            intent.shape, shapes=tuple(s for s in intent.shape.shapes if s != "themes")
        )
        return
    if any(intent.shape.has(s) for s in ("themes", "quotes", "document")):
        return
    sure = {
        m for m, score, words in intent.slots.by_meaning
        if score >= _MEASURE_SURE and _MEASURE_WORD.search(words)
    }  # fmt: skip
    named = [m for m in intent.metrics if m in sure and not plain_count(cat, m)]
    if not named or len(named) != len(intent.metrics):
        return
    split = any(d not in intent.filters for d in intent.slots.dimensions)
    intent.playbook = "ranking" if split else "metric_change"


def _families(intent: Intent) -> None:
    """ "奔驰和宝马谁被投诉得多？各几条": values compared by the names they share, counted per
    name as well as one by one."""
    cat = intent.catalog
    compared = intent.slots.compared
    if cat is None or intent.playbook not in ("ranking", "breakdown") or len(compared) != 1:
        return
    if not all(plain_count(cat, m) for m in intent.metrics):
        return
    ((_, values),) = compared.items()
    if len(values) >= 3:
        intent.families = families_said(intent.question, [str(v) for v in values])


def _group_raised_most(intent: Intent) -> bool:
    """Whether "raised most" is said of a group of the data right before it ("哪个区县提得最多",
    "which district raises it most"), over records the question already narrows down."""
    guess, cat = intent.grouping, intent.catalog
    if cat is None or guess is None or guess.dimension not in cat.dimensions or not intent.filters:
        return False
    if guess.dimension == "theme" or fixed(intent.filters, guess.dimension):
        return False
    phrase, q = re.escape(guess.phrase), intent.question
    zh = rf"哪(?:个|一个|些|几个)?{phrase}.{{0,4}}(?:提|说|反映|投诉|抱怨)得?最多"
    en = rf"(?i)\bwhich {phrase}\b.{{0,30}}\b(?:raises?|mentions?|brings? up)\b"
    return bool(re.search(zh, q) or re.search(en, q))


def _percentile(intent: Intent) -> None:
    """ "Within how many hours do 90% of our resolved tickets get resolved? The median too":
    the percentile of the measure asked (or named by its words), beside its median; not the
    records within some time ("most get fixed within a day" only sets the scene)."""
    cat, q = intent.catalog, intent.question
    fraction = percentile_said(q)
    one = ONE_RECORD.search(q) is not None and extreme_said(q) is not None
    counted = [a for a in (_per_record_average(cat, m) for m in intent.metrics) if a is not None]
    top = record_extreme_said(q) if cat is not None and fraction is None and not one else None
    if cat is not None and top is not None and counted:
        # "Which ticket got reassigned the most - the highest count of any ticket": the one
        # record with the largest value each record holds, not the average by some group.
        intent.shown = [
            d for d in intent.slots.dimensions
            if d not in intent.filters and d in cat.dimensions and not cat.dimensions[d].from_time
        ]  # fmt: skip
        intent.slots.dimensions = [d for d in intent.slots.dimensions if d in intent.filters]
        intent.slots.metrics = [counted[0]]
        intent.grouping = None
        intent.percentile, intent.threshold = top, None
        intent.playbook = "metric_change"
        return
    if cat is not None and fraction is None and one:
        # "The single longest-running ticket … its category": one record, its columns shown.
        timed = [m for m in intent.metrics if cat.metrics[m].unit in _TIME_UNITS]
        if timed:
            intent.shown = [d for d in intent.slots.dimensions if d not in intent.filters]
            intent.shown = [
                d for d in intent.shown
                if not _event_column_dim(d, timed[0])
                and not (d in cat.dimensions and cat.dimensions[d].from_time)  # "in hours"
            ]  # fmt: skip
            intent.slots.dimensions = [d for d in intent.slots.dimensions if d in intent.filters]
            intent.grouping = None
    # "90% of incidents resolved", "the longest from opened to resolved": the measure's own
    # event is no split by the column named after it (resolved by).
    each = _EACH_SPLIT.search(q) is not None
    split = any(
        d not in intent.filters
        and (each or not any(_event_column_dim(d, m) for m in intent.metrics))
        for d in intent.slots.dimensions
    )
    # "哪一类平均答复得最慢": which group is slowest on average, a ranking.
    ranked = split or intent.grouping is not None or intent.shape.has("ranking")
    if fraction is None and not ranked and cat is not None:
        # "Average wait, and the longest one": the largest time taken, of the same records.
        fraction = extreme_said(q)
        timed = [m for m in intent.metrics if cat.metrics[m].unit in _TIME_UNITS]
        if fraction is None or not timed:
            return
    if cat is None or fraction is None or intent.template:
        return
    measured = [m for m in intent.metrics if percentile_expr(cat.metrics[m].expr, fraction)]
    if not measured and fraction in (0.0, 1.0):
        return
    if not measured:
        words = [w for w in re.findall(r"[a-z]{4,}", q.lower()) if w not in STOP_WORDS]
        scored = []
        for name, m in cat.metrics.items():
            if "MEDIAN(" not in m.spec.expr.upper():
                continue
            names = " ".join([name, m.spec.en, *m.spec.aliases]).lower().replace("_", " ")
            own = set(re.findall(r"[a-z]{4,}", names)) - {"median", "time", "hours", "days"}
            hits = sum(any(same_word(o, w) for w in words) for o in own)
            zh = m.spec.zh.removesuffix("中位数（小时）") if m.spec.zh else ""
            hits += 2 if zh and len(zh) >= 2 and zh[:2] in q else 0
            scored.append((hits, name))
        best = max(scored, default=(0, ""))
        if best[0] == 0 or sum(1 for h, _ in scored if h == best[0]) > 1:
            return
        measured = [best[1]]
    metric = measured[0]
    twin = "median_" + metric[len("avg_") :] if metric.startswith("avg_") else ""
    if twin in cat.metrics and not AVERAGE.search(q) and fraction not in (0.0, 1.0):
        metric = twin  # the median sits beside a percentile, not the average
    others = [m for m in intent.metrics if m not in measured and not plain_count(cat, m)]
    intent.slots.metrics = [metric, *others]
    intent.percentile = fraction
    intent.threshold = None
    # "90% of incidents resolved": the verb of the measure's own event, not a split by the
    # column named after it (resolved by), unless a split is said ("by resolver", "each").
    for dim in [d for d in intent.slots.dimensions if d not in intent.filters]:
        if _event_column_dim(dim, metric) and not each:
            intent.slots.dimensions.remove(dim)
    if not any(d not in intent.filters for d in intent.slots.dimensions):
        intent.playbook = "metric_change"  # one figure, not quotes or a split


def _per_record_average(cat: Catalog | None, metric: str) -> str | None:
    """The average of the count or amount each record holds that ``metric`` measures (itself,
    or the average beside a total of the same column); None for times and other measures."""
    if cat is None or metric not in cat.metrics or cat.metrics[metric].unit in _TIME_UNITS:
        return None
    spec = cat.metrics[metric]
    expr = re.sub(r"\s+", "", spec.expr).upper()
    if expr.startswith("AVG("):
        return metric
    if not expr.startswith("SUM("):
        return None
    inner = expr[3:]
    return next(
        (
            name for name, m in cat.metrics.items()
            if m.table == spec.table and re.sub(r"\s+", "", m.expr).upper() == "AVG" + inner
        ),
        None,
    )  # fmt: skip


_EACH_SPLIT = re.compile(r"(?i)\b(?:by|per|each|every|for each)\s+\w+|按|各|每个")


def _event_column_dim(dim: str, metric: str) -> bool:
    """Whether a dimension is named after the measure's own event (resolved_by for the time to
    resolution): its words, less the joining ones, are the measure's."""
    own = set(re.findall(r"[a-z]+", dim)) - {"by", "at", "to", "id"}
    return bool(own) and own <= set(re.findall(r"[a-z]+", metric))


# Right after a value's name, the end of a rate's name: "上门率", "二次上门率"; how close the
# words must resemble a measure of the catalog to be its name.
_IN_RATE_NAME = re.compile(r"[\u4e00-\u9fff]?率")
_RATE_NAMED = 0.93
# "Reply rate", "resolution rate", "答复率", "办结率": the share of records an event has
# happened to; "what share have been answered", "已答复的占比".
_EVENT_RATE = re.compile(
    r"(?i)\b(?P<en>repl(?:y|ies)|response|answer|resolution|closure|close)\s+rates?\b"
    r"|(?P<zh>答复|回复|办结|解决|关闭|响应|回应)率"
    r"|\b(?:share|percentage|proportion|fraction|percent)\b[^?.;]{0,40}?\b(?:have |has )?"
    r"(?:been |were |was |are |is |got )(?P<en2>answered|replied to|resolved|closed|responded to)\b"
    r"|已(?:经)?(?P<zh2>答复|回复|办结|解决|关闭|回应)的?[\u4e00-\u9fff]{0,4}?(?:占比|比例|占多少|百分之几)"
)


def _event_rate(intent: Intent) -> None:
    """ "Which district has the lowest reply rate", "各区县的答复率": the share of each group's
    records whose event has happened (their date of it is filled in), when no measure of the
    catalog is that rate; not the time the event took, which a duration measure says."""
    cat = intent.catalog
    if cat is None or intent.unset or intent.unset_column or intent.mentions or intent.condition:
        return
    if intent.playbook not in (*_METRIC_PLAYBOOKS, "share_of"):
        return
    m = _EVENT_RATE.search(intent.question)
    if m is None or threshold_of(intent.question, cat) is not None:
        return  # "what share were resolved within 24 hours": the records past a threshold
    if any(cat.metrics[x].unit == "%" for x in intent.metrics if x in cat.metrics):
        return  # the catalog measures the rate itself
    if any(
        cat.metrics[x].unit not in _TIME_UNITS and not plain_count(cat, x)
        for x in intent.metrics
        if x in cat.metrics
    ):
        return
    word = next(g for g in m.groups() if g)
    column = unset_time_column(word, cat)
    if column is None:
        return
    intent.slots.metrics = [x for x in intent.metrics if plain_count(cat, x)]
    intent.slots.by_meaning = []
    intent.unset_column, intent.unset_set = column, True
    intent.playbook = "share_of"
    _asks_share(intent)


def _text_written(intent: Intent) -> None:
    """ "What share of complaints come with a narrative", "which product's complaints least
    often come with a narrative": the records whose free-text column is filled in (or, said
    without, blank), counted with their share, split by the group asked."""
    cat = intent.catalog
    if cat is None or intent.unset or intent.unset_column or intent.mentions:
        return
    if intent.playbook not in (*_METRIC_PLAYBOOKS, "share_of") or intent.condition:
        return
    if not (
        intent.shape.has("count") or intent.shape.has("share") or _LIKELY.search(intent.question)
    ):
        return
    counted = [m for m in intent.metrics if plain_count(cat, m)]
    if len(counted) != len(intent.metrics):
        return  # a measure of those records, not how many have it
    metric = counted[0] if counted else default_metric(cat, None, intent.filters)
    if metric not in cat.metrics:
        return
    table = cat.metrics[metric].table
    said = text_column_said(intent.question, cat, table)
    if said is None:
        return
    intent.unset_column, intent.unset_set = (table, said[0]), said[1]
    intent.playbook = "share_of"
    if _LIKELY.search(intent.question):
        _asks_share(intent)


def _value_rate(intent: Intent) -> None:
    """ "各区的不满意率", "the Closed with explanation rate by company": a value of the records
    said with "rate" (率) and no measure of that name — the share of the records with it."""
    cat = intent.catalog
    if cat is None or intent.shape.has("share") or intent.playbook not in _METRIC_PLAYBOOKS:
        return
    if any(not plain_count(cat, m) for m in intent.metrics):
        return
    text = intent.question.lower()
    for value in intent.filters.values():
        # A rate counting several values ("满意率（满意加基本满意）") is said by one of them.
        said = getattr(value, "values", ()) if type(value) is Either else (value,)
        for one in (str(v) for v in said if type(v) is str and v.strip()):
            v = re.escape(one.lower())
            if re.search(rf"{v}率|{v}\s+rates?\b", text):
                _asks_share(intent)
                return
    if _part_most_often(intent):
        _asks_share(intent)


def _asks_share(intent: Intent) -> None:
    shapes = {*intent.shape.shapes, "share"}
    intent.shape = replace(intent.shape, shapes=tuple(s for s in SHAPE_ORDER if s in shapes))


# "Which company most often closes complaints with monetary relief", "哪个产品的投诉最容易被提出
# 异议": how likely a group's records are to be of a kind, not how many of them are.
_MOST_LIKELY = re.compile(
    r"(?i)\b(?:most|least) (?:likely|often|frequently)\b|\bmore (?:likely|often)\b"
    r"|最容易|最不容易|更容易|最常|最经常|更常|最可能|更可能"
)
_WHICH_ASKED = re.compile(r"(?i)\bwhich\b|\bwhat\b|\bwhose\b|哪")


def _part_most_often(intent: Intent) -> bool:
    """Whether the question asks which group's records most often are of a value (or carry a
    yes/no) it names after the group: each group's share of them, not their count. A value said
    before the group names the records ranked ("disputed complaints most often come from which
    product", "For X, which …")."""
    cat, text = intent.catalog, intent.question.lower()
    likely, which = _MOST_LIKELY.search(text), _WHICH_ASKED.search(text)
    if cat is None or likely is None or which is None:
        return False
    split = [d for d in intent.slots.dimensions if d not in intent.filters]
    if len(split) != 1 or split[0] not in cat.dimensions or cat.dimensions[split[0]].from_time:
        return False
    for dim, value in intent.filters.items():
        spec = cat.dimensions[dim].spec if dim in cat.dimensions else None
        if spec is None or spec.time is not None or isinstance(value, Excluded):
            continue
        if cat.dimensions[dim].kind == "boolean":
            spans = _flag_words_said(text, spec.en or dim)
            at = min((a for a, _ in spans), default=-1)
        else:
            at = _said_at(intent, dim, str(value))[0]
            at = at if at >= 0 else _words_at(text, str(value))
        if at < 0:
            continue
        # Said after the cue, or after a verb that makes it what the group's records are
        # ("Which product's complaints are disputed most often").
        if _SCOPE_BEFORE.search(text[max(0, at - 24) : at]):
            continue  # "least often in Spotify customers' tweets": the records asked about
        if at > likely.start() or (at > which.start() and _IS.search(text[which.end() : at])):
            return True
    return False


_SCOPE_BEFORE = re.compile(
    r"(?i)\b(?:in|for|among|within|across|from|at|of|by|to)(?:\s+(?:the|our|all|its|their))?\s*$"
)
_IS = re.compile(r"(?i)\b(?:are|is|were|was|get|gets|got|been|be)\b|被|是")


def _words_at(text: str, value: str) -> int:
    """Where the question first says one of a value's telling words in any form ("monetary" of
    Closed with monetary relief); -1 when none is said."""
    words = [w for w in re.findall(r"[a-z]{4,}", value.lower()) if w not in STOP_WORDS]
    said = [(m.start(), m.group(0)) for m in re.finditer(r"[a-z]+", text)]
    return min((at for at, w in said for v in words if same_word(v, w)), default=-1)


def share_of_slice(intent: Intent) -> bool:
    """Whether the share asked is of the records of a value the question filters by ("what
    share of Category 42's tickets", "占吉利汽车投诉的多少")."""
    text = intent.question.lower()
    which = re.search(r"\bwhich\b|\bwhat\b|哪", text)
    for value in intent.filters.values():
        if isinstance(value, (Either, Excluded)):
            continue
        # The slice is said before the ranking is asked ("Within Category 42, which …"); "which
        # has the highest share of negative reviews" takes the share of each group instead.
        said = text.find(str(value).lower())
        if which is None or said < 0 or said > which.start():
            continue
        v = re.escape(str(value).lower())
        if re.search(
            rf"\b(?:share|percent(?:age)?|proportion|fraction) of (?:the |all )?{v}\b", text
        ):
            return True
        if re.search(rf"占(?:全部|所有)?{v}", text):
            return True
    return False


def _share_of_records(intent: Intent) -> None:
    """ "What share of complaints are X": a share of the records themselves (no metric named
    beyond their noun) with a value named, not a metric's change."""
    # "What share of complaints reach us by postal mail or by fax": a value of the records is
    # named, so its share is asked, whatever themes the other words resemble.
    themed = intent.playbook in ("voc_themes", "voc_evidence") and intent.shape.has("share")
    themed = themed and not intent.shape.has("quotes")
    valued = any(d in (intent.catalog.dimensions if intent.catalog else {}) and d != "theme"
                 for d in intent.filters)  # fmt: skip
    ranks = _MOST_SAID.search(intent.question) or _LEAST_SAID.search(intent.question)
    if themed and valued and not intent.theme and not ranks:
        intent.playbook = "metric_change"
    if intent.playbook not in _METRIC_PLAYBOOKS or not intent.shape.has("share"):
        return
    if intent.playbook == "ranking" and ranks and SHARE_OF_ALL.search(intent.question):
        return  # "which type has the most, and what share of all is that": ranked, its share
    if intent.playbook == "ranking" and ranks and share_of_slice(intent):
        # "Within Category 42, which subcategory comes up most, and what share of Category 42's
        # tickets is that": ranked in the slice, the first one's share of the slice.
        return
    # Split by at most one group: the share in each ("which region has the highest share").
    split = [d for d in intent.slots.dimensions if d not in intent.filters]
    if intent.mentions or not intent.filters or len(split) > 1:
        return
    if split and _SLICE_FIRST.match(intent.question) and not _RATE_WORD.search(intent.question):
        # "For our Critical incidents, which symptom … most often, and on how many of them":
        # the value said first is the records ranked, not the part each group's share is of.
        return
    cat = intent.catalog
    # A plain count of the records ("incidents") is their noun, however it was matched.
    named = [m for m in intent.metrics if not intent.slots.noun_only and not plain_count(cat, m)]
    if not named:
        intent.playbook = "share_of"
        # "What share … month by month", "每月的占比": the share in each unit of time.
        grain = _grain_said(intent)
        if grain is not None and not split:
            intent.slots.dimensions = [*intent.slots.dimensions, grain]


def _threshold(intent: Intent, held: Held | None = None) -> None:
    """ "Resolved within 24 hours", "转派3次以上的事件": the records past a threshold on a measure
    of each record, counted with their share (``thresholds``), not the measure's average."""
    cat = intent.catalog
    if cat is None or intent.playbook not in (*_METRIC_PLAYBOOKS, "share_of"):
        return
    if intent.mentions or intent.unset or intent.unset_column:
        return
    if AVERAGE.search(intent.question):
        _threshold_beside(intent, cat)
        return
    if intent.condition is not None:
        return  # the event is the condition a measure is split by, not counted past it
    if intent.distinct and intent.counted_table:  # days counted by their records, no duration
        return
    found = threshold_of(intent.question, cat)
    # The records the words pick ("customer tweets": the customers' own file).
    counted = [m for m in intent.metrics if plain_count(cat, m)]
    metric = (
        counted[0]
        if counted
        else default_metric(cat, None, intent.filters, held=held, question=intent.question)
    )
    if found is None:
        # "Opened before 8 in the morning or from 6 in the evening", "晚上8点以后": the records
        # by the hour of their time.
        found = hour_threshold(intent.question, cat, metric)
    elif found.measure == ITEMS and metric in cat.metrics:
        found = items_on(found, cat, cat.metrics[metric].table)
    if found is None or not (
        intent.shape.has("count")
        or intent.shape.has("share")
        or intent.shape.has("ranking")
        or _COUNTED.search(intent.question)
    ):
        return
    other = other_side(intent.question, found.said)
    if other is not None and not intent.filters and len(intent.slots.compared) == 1:
        # "…更满意？…“不满意”各占多少": the value the shares are of is the one quoted (or
        # said last), not each value named compared.
        ((dim, values),) = intent.slots.compared.items()
        quoted = [
            v for v in values if re.search(rf"[“\"'「]{re.escape(str(v))}[”\"'」]", intent.question)
        ]
        intent.slots.filters[dim] = (quoted or values)[-1]
        intent.slots.compared = {}
    if other is not None and intent.filters and not found.measure:
        # "7天以内就答复的和超过7天才答复的，不满意各占多少": the part's share on each side.
        intent.threshold_split = (found, other)
        intent.slots.metrics = [m for m in intent.metrics if plain_count(cat, m)] or [metric]
        intent.slots.by_meaning = []
        intent.slots.dimensions = [d for d in intent.slots.dimensions if d in intent.filters]
        intent.playbook = "share_of"
        return
    at_least_once = (found.op, found.value) in ((">=", 1.0), (">", 0.0))
    column = found.expr.rsplit(".", 1)[-1]
    if at_least_once and any(f"{column} > 0" in cat.metrics[m].spec.expr for m in intent.metrics):
        return  # "reopened at least once": the catalog's own measure of it, named
    intent.threshold = found
    rest = intent.question.lower().replace(found.said.lower(), " ")
    if found.measure == "time of day":
        # "Outside office hours - before 8 …": the hours are the condition, no split by hour.
        rest = re.sub(
            r"(?i)\b(?:office|business|working|opening) hours\b|营业时间|上班时间", " ", rest
        )
    for dim in list(intent.slots.dimensions):
        # "Within 24 hours": the unit of the threshold, not a split by hour of the day.
        spec = cat.dimensions[dim].spec if dim in cat.dimensions else None
        if spec is None or spec.time is None or dim in intent.filters:
            continue
        names = [n.lower() for n in (dim, spec.en, spec.zh, *spec.aliases) if n]
        if not any(re.search(rf"(?<![a-z]){re.escape(n)}", rest) for n in names):
            intent.slots.dimensions.remove(dim)
    for dim, value in list(intent.filters.items()):
        # "Closed within a week", "took longer than a week to close": the event of the
        # duration, not the records' state "Closed".
        said = {event_of(w) for w in found.events} - {None}
        if event_of(str(value)) in said and len(str(value).split()) == 1:
            del intent.filters[dim]
    # The measure compared is not the figure asked: the records are counted.
    intent.slots.metrics = [m for m in intent.metrics if plain_count(cat, m)]
    intent.slots.by_meaning = []
    intent.playbook = "share_of"
    split = [d for d in intent.slots.dimensions if d not in intent.filters]
    grain = _grain_said(intent) if not split else None
    if grain is not None:
        # "Resolved within 24 hours, month by month", "每个月…各占多少": the share in each unit.
        intent.slots.dimensions = [*intent.slots.dimensions, grain]
    if split and held:
        # "Before 6 am, for each company" over one export per company: the same hours on
        # every company's table, side by side.
        intent.parallel = parallel_metrics(cat, held, found.metric, split[0])
    if not split:
        _threshold_part(intent, found)


# How many records a question asks for ("有几条", "how many").
_HOW_MANY_RECORDS = re.compile(r"(?i)\bhow many\b|(?:多少|几)(?:条|张|件|个|位|单)")
_SENTENCE_END = re.compile(r"[？?。.;；!！]")


def _threshold_beside(intent: Intent, cat: Catalog) -> None:
    """ "平均要等几天才有答复？7天之内就答复了的有几条？": the average asked, then in a sentence of
    its own the records past a threshold counted; both are answered (one value, no split)."""
    q = intent.question
    average = AVERAGE.search(q)
    found = threshold_of(q, cat)
    if average is None or found is None or intent.playbook != "metric_change":
        return
    if intent.condition is not None or any(
        d not in intent.filters for d in intent.slots.dimensions
    ):
        return
    at = q.lower().find(found.said.lower())
    if at < average.end() or not _SENTENCE_END.search(q[average.end() : at]):
        return
    if _HOW_MANY_RECORDS.search(q[at:]) is None:
        return
    intent.threshold_beside = found


def _threshold_part(intent: Intent, found: Threshold) -> None:
    """ "How many tickets were reopened more than once? Of those, how many made their SLA": the
    values said after "of those" are a part of the records past the threshold, not a slice of
    the records it is counted in."""
    cat, q = intent.catalog, intent.question
    cue = OF_WHICH.search(q)
    said = q.lower().find(found.said.lower())
    if cat is None or cue is None or said < 0 or said > cue.start():
        return
    text = q.lower()
    part = {}
    for dim, value in intent.filters.items():
        spec = cat.dimensions[dim].spec if dim in cat.dimensions else None
        if spec is None or isinstance(value, Excluded):
            continue
        if cat.dimensions[dim].kind == "boolean":
            at = min((a for a, _ in _flag_words_said(text, spec.en or dim)), default=-1)
        else:
            at = _said_at(intent, dim, str(value))[0]
        if at > cue.start():
            part[dim] = value
    if part:
        intent.threshold_part = part
        for dim in part:
            intent.slots.filters.pop(dim, None)
            intent.slots.dimensions = [d for d in intent.slots.dimensions if d != dim]


def _names_catalog(slots: Slots) -> bool:
    return bool(slots.metrics or slots.filters or slots.dimensions)


def _records_in(per_quarter: dict[str, int], period: Period) -> bool:
    """Whether any quarter overlapping ``period`` holds records ("2016-Q2" keys)."""
    for key, n in per_quarter.items():
        year, q = key.split("-Q")
        start = date(int(year), 3 * int(q) - 2, 1)
        end = date(int(year) + (q == "4"), 1 if q == "4" else 3 * int(q) + 1, 1)
        if n and start < period.end and period.start < end:
            return True
    return False


# A year said in the question ("2016", "去年", "this year"): the period is as said.
_NAMES_YEAR = re.compile(
    r"(?<!\d)(?:19|20)\d{2}(?!\d)|今年|去年|前年|明年|本年|上一年|\b(?:this|last|next|previous|"
    r"prior) year\b|\bytd\b|year[- ]to[- ]date",
    re.IGNORECASE,
)
# Periods said relative to today ("last month", "上季度", "past 90 days") are meant as said.
_RELATIVE = re.compile(
    r"(?i)\b(?:last|this|next|previous|prior|past|recent|current|ago)\b|上|本|这|近|前|过去|最近|最后"
)
_CALENDAR_KINDS = ("month", "quarter", "range", "day", "half")
_YEARS_BACK = 15


def _years_before(p: Period, years: int) -> Period | None:
    """The same period ``years`` earlier (by its label), or None when it cannot be said so."""
    label = p.label
    year = str(p.start.year)
    if year not in label:
        return None
    try:
        return parse_period(label.replace(year, str(p.start.year - years)), p.start)
    except PeriodError:
        return None


def _span_label(p: Period) -> str:
    return f"{p.start.isoformat()}..{p.last_day.isoformat()}"


def _describes(cat: Catalog, metric: str, dim: str) -> bool:
    """Whether ``dim`` describes the records ``metric`` counts: a column of their own table or
    of a reference table they join (customers, products), not of other dated records (a ticket
    type says nothing about a customer's post, even where the post links a ticket)."""
    table = cat.metrics[metric].table
    for source in cat.dimensions[dim].sources if dim in cat.dimensions else {}:
        if source == table:
            return True
        if cat.tables[source].time_column is None and cat.join_path(table, source):
            return True
    return False


def _has_slots(intent: Intent) -> bool:
    s = intent.slots
    return bool(s.metrics or s.filters or s.compared or s.model or intent.theme)


def _theme_not_named_by_a_value(intent: Intent) -> str | None:
    """A theme found by a word that names a filter value ("Amazon" of AmazonHelp in a theme
    called "amazon · prime · delivery") is not asked about: read again without that word."""
    theme, themes = intent.theme, intent.themes
    if theme is None or themes is None or not intent.filters:
        return theme
    values = [str(v).lower() for v in intent.filters.values()]
    label = re.findall(r"[a-z0-9]+|[\u3400-\u9fff]+", themes.name(theme).lower())
    taken = [w for w in label if len(w) > 1 and any(w in v for v in values)]
    if not taken:
        return theme
    masked = intent.question
    for word in taken:
        masked = re.sub(re.escape(word), " ", masked, flags=re.IGNORECASE)
    return find_theme(masked, themes)


def find_theme(question: str, themes: ThemeSet | None = None) -> str | None:
    """The feedback theme a question names: by name, alias or cue word, else by its terms —
    never by a word of its dates ("last month") or the people every question is about
    ("customers"), which a theme discovered in the feedback may carry in its name."""
    return (themes or from_taxonomy(default_taxonomy())).find(_NOT_THEMES.sub(" ", question))


_NOT_THEMES = re.compile(
    r"(?i)\b(?:minutes?|hours?|days?|weeks?|months?|quarters?|years?|customers?|users?|clients?"
    r"|people)\b"
    r"|客户|用户|顾客"
)
