"""The answer verifier: deterministic checks of citations, numbers and quotes against evidence.

No model is called. Each finding says what failed in a sentence the writer model can act on;
the graph sends findings back to the writer once and then marks what still fails with
``flag_unsupported`` — nothing is removed from the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from ..data.period_phrases import EN_WORDS, month_said, number
from ..tools.ledger import Evidence, Ledger
from .evidence_numbers import Cell, cells, closest, derived_matches, direct_matches, misattributed
from .numbers import NumberMention, excluded_spans, extract_numbers

FindingKind = Literal[
    "unknown_citation", "unsupported_number", "unverified_quote", "missing_evidence"
]

_ID = r"(?:Q\d+|T\d+|C\d+|V:[\w.\-]+)"
_CITATION = re.compile(rf"[\[【]\s*({_ID}(?:\s*[,，;；、]\s*{_ID})*)\s*[\]】]")
_SPLIT_IDS = re.compile(r"\s*[,，;；、]\s*")
_SENTENCE_END = re.compile(r"[。！？!?\n]+|\.(?=\s|$)")
_QUOTE = re.compile(
    r"“([^”\n]{1,600})”|\"([^\"\n]{1,600})\"|「([^」\n]{1,600})」|『([^』\n]{1,600})』"
)
_ELLIPSIS = re.compile(r"\s*(?:…+|\.{3,}|⋯+)\s*")
_EDGE_PUNCT = " \t.,;:!?。，；：！？、…'\"‘’"
_CJK = re.compile(r"[\u3400-\u9fff]")


class Finding(BaseModel):
    kind: FindingKind
    detail: str
    span: str
    # Where the span starts in the verified text, so flags land on the right occurrence.
    start: int | None = None
    evidence_ids: list[str] = Field(default_factory=list)


class VerificationReport(BaseModel):
    ok: bool
    findings: list[Finding] = Field(default_factory=list)
    citations_checked: int = 0
    numbers_checked: int = 0
    quotes_checked: int = 0

    def feedback(self) -> str:
        """The findings as a list the writer model can work through."""
        return "\n".join(f"- {f.detail}" for f in self.findings)


# Small counts said in words or digits: "the three most …", "top 3", "前三个", "这五家".
_ZH_SMALL = "两二三四五六七八九十"
_COUNT_SAID = re.compile(
    rf"(?i)\b({'|'.join(w for w in EN_WORDS if w != 'one')})\b"
    rf"|(?:前|这|那)([{_ZH_SMALL}])"
    rf"|([{_ZH_SMALL}])(?=个|家|款|类|位|名|种|条|项|大)"
    r"|(?i:\btop|\bfirst|前)\s*(\d{1,2})(?!\d)"
)


def _counts_in_words(question: str) -> set[float]:
    """How many the question asks for, said in words or after "top"/"前" (read by the period
    parser's ``number``)."""
    return {
        float(number((m.group(1) or m.group(2) or m.group(3) or m.group(4)).lower()))
        for m in _COUNT_SAID.finditer(question)
    }


class _Checker:
    def __init__(
        self, text: str, ledger: Ledger, turn_ids: set[str] | None, given: str = ""
    ) -> None:
        self.text = text
        self.ledger = ledger
        # Numbers the manager stated in the question ("a target of 85%") may be restated.
        self.given = extract_numbers(given) if given else []
        # How many the question asks for in words ("the three biggest", "前五个"), restated.
        self.counted = _counts_in_words(given)
        # The manager's own words, quoted back as what was looked for ("含“小区学位划片问题”").
        self.asked = given.lower()
        allowed = set(ledger.items) if turn_ids is None else set(turn_ids) & set(ledger.items)
        self.allowed = allowed
        self.report = VerificationReport(ok=True)
        self._cells: dict[str, list[Cell]] = {}
        # Names in the evidence that carry digits ("Group 70", "Category 42"): not figures.
        self.labels = _labels(ledger, allowed)

    def run(self) -> VerificationReport:
        for start, end in _sentences(self.text):
            self._sentence(start, end)
        self.report.ok = not self.report.findings
        return self.report

    def _add(
        self, kind: FindingKind, detail: str, span: str, start: int, ids: Iterable[str]
    ) -> None:
        self.report.findings.append(
            Finding(kind=kind, detail=detail, span=span, start=start, evidence_ids=sorted(ids))
        )

    def _sentence(self, start: int, end: int) -> None:
        cited = self._citations(start, end)
        evidence = self._evidence(cited) if cited else self._turn_evidence()
        quotes = list(_QUOTE.finditer(self.text, start, end))
        for q in quotes:
            self._quote(q, start, end)
        spans = [q.span() for q in quotes]
        numbers = [n for n in extract_numbers(self.text[start:end], self.labels)]
        prev = start
        for n in numbers:
            n_start, n_end = n.start + start, n.end + start
            if any(s <= n_start < e for s, e in spans):
                continue
            self._number(n, n_start, self.text[prev:n_end], evidence, cited)
            prev = n_end

    def _citations(self, start: int, end: int) -> list[str]:
        ids: list[str] = []
        for m in _CITATION.finditer(self.text, start, end):
            for ev_id in _SPLIT_IDS.split(m.group(1).strip()):
                self.report.citations_checked += 1
                if ev_id in self.allowed:
                    ids.append(ev_id)
                else:
                    self._unknown(ev_id, m)
        return ids

    def _unknown(self, ev_id: str, m: re.Match[str]) -> None:
        where = "in this conversation" if ev_id in self.ledger else "anywhere"
        known = ", ".join(sorted(self.allowed)[:8]) or "none yet"
        detail = (
            f"The citation [{ev_id}] does not refer to evidence produced {where}; cite only ids "
            f"the tools returned (available: {known}) or remove the claim."
        )
        self._add("unknown_citation", detail, m.group(0), m.start(), [ev_id])

    def _evidence(self, ids: list[str]) -> list[Evidence]:
        out: list[Evidence] = []
        for ev_id in dict.fromkeys(ids):
            ev = self.ledger.get(ev_id)
            if ev is None:
                continue
            out.append(ev)
            # A template or chart that lists the evidence it was built from vouches for it.
            for ref in ev.meta.get("evidence_ids", []) if isinstance(ev.meta, dict) else []:
                if ref in self.allowed and (ref_ev := self.ledger.get(ref)):
                    out.append(ref_ev)
        return out

    def _turn_evidence(self) -> list[Evidence]:
        return [ev for ev_id, ev in self.ledger.items.items() if ev_id in self.allowed]

    def _pool(self, evidence: list[Evidence]) -> list[Cell]:
        for ev in evidence:
            if ev.id not in self._cells:
                self._cells[ev.id] = cells(ev)
        return [c for ev in evidence for c in self._cells[ev.id]]

    def _number(
        self, n: NumberMention, start: int, clause: str, evidence: list[Evidence], cited: list[str]
    ) -> None:
        self.report.numbers_checked += 1
        if any(g.value == n.value and g.percent == n.percent for g in self.given):
            return
        if not n.percent and n.value in self.counted:
            return
        pool = self._pool(evidence)
        matches = direct_matches(n, pool) or derived_matches(n, pool)
        where = ", ".join(dict.fromkeys(cited)) if cited else "the evidence of this answer"
        ids = [ev.id for ev in evidence]
        if not matches:
            near = closest(n, pool)
            hint = f" (closest value there: {_fmt(near)})" if near is not None else ""
            detail = (
                f"The number “{n.text}” does not match any value in {where}{hint}; use the value "
                "the tool returned, cite the evidence that holds it, or remove the number."
            )
            self._add("unsupported_number", detail, n.text, start, ids)
            return
        reason = misattributed(n, clause, evidence, matches)
        if reason:
            detail = (
                f"The number “{n.text}” appears in {where}, but {reason}; use the value that "
                "belongs to what the sentence describes."
            )
            self._add("unsupported_number", detail, n.text, start, ids)

    def _quote(self, q: re.Match[str], start: int, end: int) -> None:
        body = next(g for g in q.groups() if g is not None)
        if not _words(body):
            return
        self.report.quotes_checked += 1
        target = self._quote_target(q, start, end)
        records = [ev for ev in self._turn_evidence() if ev.kind == "voc" and ev.text]
        if target is None:
            self._unattributed_quote(q, body, records)
            return
        ev = self.ledger.get(target)
        if ev is None or target not in self.allowed:
            return  # Already reported as an unknown citation.
        if _quote_in(body, ev.text or ""):
            return
        elsewhere = [r.id for r in records if _quote_in(body, r.text or "")]
        also = f"; it appears in {', '.join(elsewhere)}" if elsewhere else ""
        detail = (
            f"The quote {q.group(0)} is not in the text of {target}{also}; quote the record "
            "word for word (use … to skip words) and cite the record it comes from."
        )
        self._add("unverified_quote", detail, q.group(0), q.start(), [target])

    def _quote_target(self, q: re.Match[str], start: int, end: int) -> str | None:
        after = [i for m in _CITATION.finditer(self.text, q.end(), end) for i in _ids(m)]
        before = [i for m in _CITATION.finditer(self.text, start, q.start()) for i in _ids(m)]
        voc_after = [i for i in after if i.startswith("V:")]
        voc_before = [i for i in before if i.startswith("V:")]
        if voc_after:
            return voc_after[0]
        return voc_before[-1] if voc_before else None

    def _unattributed_quote(self, q: re.Match[str], body: str, records: list[Evidence]) -> None:
        # Short quoted terms are emphasis; longer quoted speech must come from a record. The
        # question's own words, quoted back as what was counted, are no record's speech.
        if _words(body) < 4 or any(_quote_in(body, r.text or "") for r in records):
            return
        if body.strip().lower() in self.asked:
            return
        detail = (
            f"The quote {q.group(0)} is not attributed to a customer record and appears in "
            "none; quote a record word for word and cite it as [V:<id>], or drop the quotes."
        )
        self._add("unverified_quote", detail, q.group(0), q.start(), [])


def verify(
    text: str, ledger: Ledger, *, turn_ids: set[str] | None = None, question: str = ""
) -> VerificationReport:
    """Check every citation, number and quote in ``text`` against ``ledger``; numbers the
    ``question`` itself states (a target) may be restated."""
    return _Checker(text, ledger, turn_ids, question).run()


_LABEL_DIGITS = re.compile(r"\d")
_SQL_STRING = re.compile(r"'((?:[^']|'')*)'")
_PLAIN_NUMBER = re.compile(r"^[+\-−]?[\d,.\s%]+$")


def _labels(ledger: Ledger, allowed: set[str]) -> set[str]:
    """Text cells of the evidence that hold digits but are not numbers themselves."""
    out: set[str] = set()
    for ev_id in allowed:
        ev = ledger.get(ev_id)
        if ev is None:
            continue
        # The values a query was filtered by ("2 - High") are names the answer repeats too.
        named: list[object] = []
        for key in ("filters", "exclude"):  # kept and set aside alike
            given = ev.meta.get(key)
            values = given.values() if isinstance(given, dict) else []
            named += [v for vs in values for v in (vs if isinstance(vs, list) else [vs])]
        # So are the names of the metrics it measured ("Top 10 customer share").
        metrics = ev.meta.get("metrics")
        named += [m.get("label") for m in metrics or [] if isinstance(m, dict)]
        # And the values its SQL names in quotes ("3 - Moderate" in a WHERE clause).
        named += _SQL_STRING.findall(ev.sql or "")
        # And the periods it covered, by their labels ("2026年5–7月", "2025-Q4").
        for key in ("period", "comparison_period"):
            period = ev.meta.get(key)
            if isinstance(period, dict) and isinstance(period.get("label"), str):
                named.append(period["label"])
        for cell in [c for row in ev.rows for c in row] + named:
            if isinstance(cell, str) and _LABEL_DIGITS.search(cell):
                text = cell.strip()
                if not _PLAIN_NUMBER.match(text) and len(text) <= 80:
                    out.add(text)
    # A month label ("2026-04") is also said as people say it ("April 2026", "2026年4月").
    return out | {name for text in out for name in month_said(text) or ()}


def _ids(m: re.Match[str]) -> list[str]:
    return _SPLIT_IDS.split(m.group(1).strip())


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans; a run of bare citations after a full stop joins the sentence before."""
    spans: list[tuple[int, int]] = []
    pos = 0
    # A full stop inside "1." list numbering or "No. 3" does not end a sentence.
    blocked = excluded_spans(text)
    for m in _SENTENCE_END.finditer(text):
        if any(s <= m.start() < e for s, e in blocked):
            continue
        spans.append((pos, m.end()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        rest = _CITATION.sub("", text[s:e])
        if merged and _CITATION.search(text, s, e) and not re.search(r"\w", rest):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _normalise(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
    return " ".join(text.split()).casefold()


def _quote_in(quote: str, record: str) -> bool:
    """True when every part of the quote (split at ellipses) appears in order in the record."""
    haystack = _normalise(record)
    pos = 0
    for part in _ELLIPSIS.split(quote):
        needle = _normalise(part).strip(_EDGE_PUNCT)
        if not needle:
            continue
        found = haystack.find(needle, pos)
        if found < 0:
            return False
        pos = found + len(needle)
    return True


def _words(text: str) -> int:
    # Two Chinese characters count as one word, so "慢" is a one-word quote.
    return (len(_CJK.findall(text)) + 1) // 2 + len(re.findall(r"[A-Za-z0-9]+", text))


def _fmt(value: float) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".")


_REASONS = {
    "en": {
        "unknown_citation": "unknown source",
        "unsupported_number": "not found in the cited evidence",
        "unverified_quote": "not found in the cited record",
        "missing_evidence": "no supporting evidence",
    },
    "zh": {
        "unknown_citation": "来源不存在",
        "unsupported_number": "与引用的证据不符",
        "unverified_quote": "引用原话与记录不符",
        "missing_evidence": "缺少证据",
    },
}
_MARK = " ⚠"


def flag_unsupported(text: str, report: VerificationReport) -> str:
    """The answer with every failing span marked ⚠ and a footnote listing them; nothing removed."""
    if report.ok or not report.findings:
        return text
    positions = sorted({_flag_position(text, f): f for f in report.findings}.items(), reverse=True)
    out = text
    for pos, _ in positions:
        if pos >= 0:
            out = out[:pos] + _MARK + out[pos:]
    return out.rstrip() + "\n\n" + _footnote(text, report.findings)


def _flag_position(text: str, f: Finding) -> int:
    """Where the marker goes: right after the span, at its recorded place when it still fits."""
    if f.start is not None and text[f.start : f.start + len(f.span)] == f.span:
        return f.start + len(f.span)
    found = text.find(f.span)
    return found + len(f.span) if found >= 0 else -1


def _footnote(text: str, findings: list[Finding]) -> str:
    lang = "zh" if len(_CJK.findall(text)) > len(re.findall(r"[A-Za-z]+", text)) else "en"
    head = "⚠ 未能核实：" if lang == "zh" else "⚠ Unverified:"
    sep = "；" if lang == "zh" else "; "
    items = dict.fromkeys(f"{f.span} ({_REASONS[lang][f.kind]})" for f in findings)
    return head + (" " if lang == "en" else "") + sep.join(items)
