"""Writing offline answers: phrases from ``prompts/offline_narrative.yaml``, numbers as shown.

Every number is written exactly as the tool result holds it (the verifier compares at the shown
precision); changes carry their sign, because a bare "49.2%" would not match a cell of -49.2.
A few alternative phrasings per sentence are chosen deterministically from the question, so
answers do not read like one form letter, yet the same question always gets the same text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ...data.catalog import Catalog
from ...data.period_phrases import MONTH_LABEL, month_said
from ...prompts import fill, load_yaml
from ..providers.base import Declined
from ..reading import dimension_label
from .slots import Either, Excluded
from .value_parts import Holding, Lacking


@cache
def phrases() -> dict[str, dict[str, list[str]]]:
    raw: dict[str, Any] = load_yaml("offline_narrative.yaml")
    out: dict[str, dict[str, list[str]]] = {}
    for k, v in raw["phrases"].items():
        out[k] = {lang: [text] if isinstance(text, str) else list(text) for lang, text in v.items()}
    return out


def fmt(value: Any) -> str:
    """A number as the tool showed it: 13224.0 → "13,224", 3.95 → "3.95", 48.6 → "48.6"."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return f"{int(value):,}"
    return repr(float(value)) if isinstance(value, float) else str(value)


def signed(value: Any) -> str:
    """A change with its sign: "+60", "-0.37"."""
    if value is None:
        return "n/a"
    return ("+" if float(value) >= 0 else "-") + fmt(
        abs(float(value)) if isinstance(value, float) else abs(int(value))
    )


# A question asking in days ("how many days", "几天", "多少天").
_IN_DAYS = re.compile(
    r"(?i)\bhow many days\b|\bin days\b|\bdays\b.{0,20}\bon average\b|\bnumber of days\b"
    r"|\bhow long\b.{0,30}\bdays?\b|几天|多少天"
)


# Hours from which a duration reads better in days too (three days).
_SEVERAL_DAYS = 72


def asks_in_days(question: str) -> bool | None:
    """True when the question counts in days, False when in hours, None when it says neither."""
    if _IN_DAYS.search(question):
        return True
    return False if _IN_HOURS.search(question) else None


_IN_HOURS = re.compile(
    r"(?i)\bin hours\b|\bhow many hours\b|\bhours\b.{0,20}\bon average\b|几个?小时|多少小时"
)


@dataclass
class Writer:
    """Builds one answer in one language; ``say`` fills a phrase with values."""

    lang: str
    seed: str
    catalog: Catalog | None = None
    lead: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    # "insufficient_data" when the evidence cannot answer; the provider reports it as data.
    status: str = "answered"
    # Display names learned from results: (dimension, value) -> "name (value)".
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    # Metrics shown under another name (one measure over several groups' tables).
    metric_names: dict[str, str] = field(default_factory=dict)
    # The question counts in days (True: hours are shown in days as well), in hours (False:
    # never), or says neither (None: a wait of several days is shown in days too).
    days: bool | None = None

    @property
    def declined(self) -> Declined | None:
        if self.status in ("insufficient_data", "partial"):
            return self.status  # type: ignore[return-value]
        return "refused" if self.status == "refused" else None

    def say(self, key: str, **values: Any) -> str:
        variants = phrases()[key][self.lang if self.lang in ("en", "zh") else "en"]
        digest = hashlib.sha256(f"{self.seed}\x00{key}".encode()).digest()
        return fill(variants[digest[0] % len(variants)], **values)

    def together(self, items: Iterable[Any]) -> str:
        """Items named together ("East and North", "华东、华北")."""
        return ("、" if self.lang == "zh" else " and ").join(str(i) for i in items)

    def pct(self, value: Any) -> str:
        return f"{fmt(value)}%"

    def pct_change(self, value: Any) -> str:
        return f"{signed(value)}%"

    def pp(self, value: Any) -> str:
        return f"{signed(value)} pp" if self.lang == "en" else f"{signed(value)}个百分点"

    def value(self, metric: str, value: Any) -> str:
        """A metric value with its unit: "63.2%", "412 CNY", "3.95", "27.5 hours"."""
        if value is None:
            return "n/a" if self.lang == "en" else "无数据"
        unit = self.unit(metric)
        if unit == "%":
            return self.pct(value)
        suffix = {"CNY": (" CNY", "元"), "hours": (" hours", "小时"), "days": (" days", "天")}
        en, zh = suffix.get(unit, ("", ""))
        text = fmt(value) + (en if self.lang == "en" else zh)
        long = isinstance(value, int | float) and abs(value) >= _SEVERAL_DAYS
        shown = self.days or (self.days is None and long)
        if unit == "hours" and shown and isinstance(value, int | float):
            # "How many days until it is closed", or a wait of several days: the hours in
            # days as well.
            days = fmt(round(value / 24, 2))
            text += f" ({days} days)" if self.lang == "en" else f"（{days}天）"
        return text

    def change(self, metric: str, delta: Any) -> str:
        """A delta in the metric's own unit: percentage points for % metrics."""
        if delta is None:
            return "n/a"
        if self.unit(metric) == "%":
            return self.pp(delta)
        return signed(delta)

    def unit(self, metric: str) -> str:
        if self.catalog is None or metric not in self.catalog.metrics:
            return ""
        return self.catalog.metrics[metric].unit

    def metric(self, name: str) -> str:
        if self.catalog is None or name not in self.catalog.metrics:
            return name.replace("_", " ")
        spec = self.catalog.metrics[name].spec
        if self.lang == "zh":
            return self.metric_names.get(name) or spec.zh or spec.en
        # Lower case inside a sentence, but acronyms stay as written (SLA, CSAT, NPS).
        text = self.metric_names.get(name) or spec.en
        return " ".join(
            w if sum(c.isupper() for c in w) >= 2 else w.lower() for w in text.split(" ")
        )

    def learn_names(self, columns: list[str], rows: list[dict[str, Any]]) -> None:
        """Remember the display names a result carries for its grouped values (an engineer's
        name beside the id), so every mention of the value shows the name too."""
        if self.catalog is None:
            return
        for col in columns:
            dim = self.catalog.dimensions.get(col)
            label = dim.spec.label if dim is not None else None
            if not label or label not in columns:
                continue
            for r in rows:
                if r.get(col) is not None and r.get(label):
                    self.names[(col, str(r[col]))] = f"{r[label]} ({r[col]})"

    def label(self, dimension: str, value: Any) -> str:
        """A dimension value for display: 华东 for East in Chinese answers; a name beside an id
        where the results carried one."""
        if isinstance(value, Lacking):  # "除了手动挡": the values holding the word, left out
            name = dimension_label(self.catalog, dimension, self.lang)
            return (
                f"{name}不含“{value.word}”"
                if self.lang == "zh"
                else f"{name} not containing “{value.word}”"
            )
        if isinstance(value, Excluded):
            joiner = "、" if self.lang == "zh" else "/"
            shown = joiner.join(self.label(dimension, v) for v in value.values)
            return f"不含{shown}" if self.lang == "zh" else f"not {shown}"
        if isinstance(value, Holding):  # "手动挡的车": the values holding the word
            name = dimension_label(self.catalog, dimension, self.lang)
            return (
                f"{name}含“{value.word}”"
                if self.lang == "zh"
                else f"{name} containing “{value.word}”"
            )
        if isinstance(value, Either):
            joiner = "或" if self.lang == "zh" else " or "
            return joiner.join(self.label(dimension, v) for v in value.values)
        named = self.names.get((dimension, str(value)))
        if named is not None:
            return named
        dim = self.catalog.dimensions.get(dimension) if self.catalog is not None else None
        if dim is not None and dim.kind == "boolean" and str(value).lower() in ("true", "false"):
            # A yes/no split: "knowledge: yes", not a bare "True".
            name = dim.spec.zh if self.lang == "zh" and dim.spec.zh else dim.spec.en.lower()
            yes = str(value).lower() == "true"
            if self.lang == "zh":
                return f"{name}：{'是' if yes else '否'}"
            return f"{name}: {'yes' if yes else 'no'}"
        if self.catalog is None:
            return str(value)
        dim = self.catalog.dimensions.get(dimension)
        if dim is not None and dim.hour_of_day and str(value).isdigit():
            # An hour of the day: "09:00", "9点", not a bare 9.
            return f"{int(value)}点" if self.lang == "zh" else f"{int(value):02d}:00"
        aliases = (dim.spec.values or {}).get(str(value), []) if dim else []
        if self.lang != "zh":
            # A value written with an order prefix ("4-Thu") reads as its name ("Thursday").
            plain = [a for a in aliases if a.isascii() and a.isalpha()]
            ordered = re.match(r"^\d+-", str(value)) is not None
            return plain[0].capitalize() if ordered and plain else str(value)
        zh = [a for a in aliases if any("\u4e00" <= ch <= "\u9fff" for ch in a)]
        return zh[0] if zh else str(value)

    def period(self, period: dict[str, Any] | None) -> str:
        if not period:
            return self.say("period.all")
        if "start" not in period:  # every record, dated or not
            return str(period.get("label") or self.say("period.all"))
        last = period.get("last_day") or period.get("end")
        if ".." in str(period["label"]):
            return self.say("period.dates", start=period["start"], end=last)
        if str(period["label"]) == str(period["start"]) == str(last):
            return str(period["label"])  # one day, said once
        return self.say("period.range", label=period["label"], start=period["start"], end=last)

    def small(self, n: Any) -> bool:
        """Whether a sample is too small to lean on (fewer than about 30 cases)."""
        return isinstance(n, int | float) and n < 30

    def render(self) -> str:
        parts = [self.say("header")]
        if self.lead:
            parts.append(_month_names(" ".join(self.lead), self.lang))
        if self.body:
            parts.append("\n".join(self.body))
        if self.evidence:
            parts.append(
                self.say("evidence.title") + "\n" + "\n".join(f"- {e}" for e in self.evidence)
            )
        if self.actions:
            numbered = "\n".join(f"{i}. {a}" for i, a in enumerate(self.actions, 1))
            parts.append(self.say("actions.title") + "\n" + numbered)
        if self.coverage:
            parts.append(self.say("coverage.title") + " " + " ".join(self.coverage))
        return "\n\n".join(parts).strip() + "\n"


# A month said as "2024-11" on its own (not a day, nor one end of a range "2024-01..2024-03").
_MONTH_TOKEN = re.compile(rf"(?<![\d.-]){MONTH_LABEL.pattern}(?![\d-]|\.\.)")


def _month_names(text: str, lang: str) -> str:
    """The lead's months said as people say them: "November 2024", "2024年11月" for "2024-11"."""

    def named(m: re.Match[str]) -> str:
        said = month_said(m.group(0))
        return m.group(0) if said is None else said[1 if lang == "zh" else 0]

    return _MONTH_TOKEN.sub(named, text)
