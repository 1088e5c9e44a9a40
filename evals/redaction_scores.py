"""Recall and precision of PII redaction on the labelled sample, per kind and per form.

An item of personal data counts as found when its text is gone from the redacted snippet and a
placeholder of its kind took its place; a redaction of a kind with no such item behind it is a
false positive, and so is a look-alike that did not come out unchanged.
``python -m servicelens.evals.redaction_scores`` prints the tables; tests/test_redaction_recall.py
holds the bars.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..data.redact import KINDS, redact
from .pii_sample import Snippet, build_sample


@dataclass
class KindScore:
    items: int = 0
    found: int = 0
    false_positives: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.items if self.items else 1.0

    @property
    def precision(self) -> float:
        flagged = self.found + self.false_positives
        return self.found / flagged if flagged else 1.0


@dataclass
class RedactionScores:
    snippets: int = 0
    kinds: dict[str, KindScore] = field(default_factory=lambda: {k: KindScore() for k in KINDS})
    forms: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # -> [found, items]
    kept: dict[str, list[int]] = field(default_factory=dict)  # look-alike -> [kept, items]
    misses: list[str] = field(default_factory=list)

    @property
    def overall(self) -> KindScore:
        total = KindScore()
        for score in self.kinds.values():
            total.items += score.items
            total.found += score.found
            total.false_positives += score.false_positives
        return total


def score(snippets: list[Snippet]) -> RedactionScores:
    scores = RedactionScores(snippets=len(snippets))
    for snippet in snippets:
        result = redact(snippet.text)
        gone: Counter[str] = Counter()
        for kind, form, text in snippet.pii:
            hit = text not in result.text
            gone[kind] += hit
            tally = scores.forms.setdefault((kind, form), [0, 0])
            tally[0] += hit
            tally[1] += 1
            if not hit:
                scores.misses.append(f"missed {kind} ({form}): {snippet.text}")
        for kind in KINDS:
            expected = sum(k == kind for k, _, _ in snippet.pii)
            found = min(gone[kind], result.counts[kind])
            scores.kinds[kind].items += expected
            scores.kinds[kind].found += found
            scores.kinds[kind].false_positives += result.counts[kind] - found
        for category, _, text in snippet.keep:
            tally = scores.kept.setdefault(category, [0, 0])
            tally[0] += text in result.text
            tally[1] += 1
            if text not in result.text:
                scores.misses.append(f"redacted look-alike {category}: {snippet.text}")
    return scores


def table(scores: RedactionScores) -> str:
    lines = [
        f"{scores.snippets} snippets",
        "",
        f"{'kind':<14}{'items':>7}{'found':>7}{'false +':>9}{'recall':>9}{'precision':>11}",
    ]
    rows = [*scores.kinds.items(), ("all", scores.overall)]
    for kind, s in rows:
        lines.append(
            f"{kind:<14}{s.items:>7}{s.found:>7}{s.false_positives:>9}"
            f"{s.recall:>9.3f}{s.precision:>11.3f}"
        )
    lines += ["", f"{'kind / form':<40}{'found':>7}{'items':>7}"]
    by_kind: defaultdict[str, list[str]] = defaultdict(list)
    for (kind, form), (found, items) in sorted(scores.forms.items()):
        by_kind[kind].append(f"{kind + ' / ' + form:<40}{found:>7}{items:>7}")
    lines += [row for kind in KINDS for row in by_kind[kind]]
    lines += ["", f"{'look-alike left unchanged':<40}{'kept':>7}{'items':>7}"]
    for category, (kept, items) in sorted(scores.kept.items()):
        lines.append(f"{category:<40}{kept:>7}{items:>7}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Score PII redaction on the labelled sample.")
    parser.add_argument("--misses", action="store_true", help="Also print every miss.")
    args = parser.parse_args(argv)
    scores = score(build_sample())
    print(table(scores))
    if args.misses:
        print("\n" + "\n".join(scores.misses))


if __name__ == "__main__":
    main()
