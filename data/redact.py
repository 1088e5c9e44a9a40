"""PII redaction for customer feedback, applied before any text is stored in the index or embedded.

Finds phone numbers (mainland mobiles and landlines, international and North-American numbers),
e-mail addresses, Chinese ID numbers (18-digit with checksum, 15-digit legacy with a valid birth
date) and bank-card numbers (13-19 digits passing the Luhn check), and replaces each with a
placeholder in the language of the surrounding text, so the sentence still reads naturally.
Checksums are what keep order numbers, model numbers, dates and prices out of the net.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

KINDS: tuple[str, ...] = ("phone", "email", "id_number", "card_number")
_PLACEHOLDERS = {
    "phone": ("[电话]", "[phone]"),
    "email": ("[邮箱]", "[email]"),
    "id_number": ("[身份证号]", "[ID number]"),
    "card_number": ("[银行卡号]", "[card number]"),
}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class Redaction:
    text: str
    counts: dict[str, int]


def cn_id_check_char(body17: str) -> str:
    """The 18th character of a Chinese resident ID number (GB 11643, ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(body17, _ID_WEIGHTS, strict=True)) % 11]


def cn_id_valid(number: str) -> bool:
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    return _valid_date(number[6:14]) and cn_id_check_char(number[:17]) == number[17]


def luhn_check_digit(body: str) -> str:
    """The digit that makes ``body + digit`` pass the Luhn check."""
    return str((10 - _luhn_sum(body + "0")) % 10)


def luhn_valid(digits: str) -> bool:
    return digits.isdigit() and _luhn_sum(digits) % 10 == 0


def _luhn_sum(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total


def _valid_date(yyyymmdd: str) -> bool:
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    if not (1900 <= year <= 2030 and 1 <= month <= 12):
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


_A = re.ASCII
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# A cheap first look: most feedback has no address and no long run of digits at all.
_CANDIDATE = re.compile(r"@|\d[\d ()+.\-]{5,}\d", _A)
_EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", _A
)
_ID18 = re.compile(r"(?<![0-9A-Za-z])\d{6} ?\d{8} ?\d{3}[0-9Xx](?![0-9A-Za-z])", _A)
_ID15 = re.compile(r"(?<![0-9A-Za-z])[1-8][1-7]\d{13}(?![0-9A-Za-z])", _A)
# A run of digits with single spaces or dashes between groups; the card is searched inside it,
# so a card number followed by a year or preceded by a count is still found.
_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z_+.\-])\d(?:[ -]?\d){12,26}(?![0-9A-Za-z_])", _A)
_DIGIT_GROUP = re.compile(r"\d+", _A)
_INTL = re.compile(
    r"(?<![0-9A-Za-z])(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![0-9])", _A
)
_MOBILE = re.compile(r"(?<![0-9])1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])", _A)
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z\-])(?:\(0\d{2,3}\)|0\d{2,3})[ -]?\d{3,4}[ -]?\d{4}(?![0-9])", _A
)
_US = re.compile(
    r"(?<![0-9A-Za-z\-])(?:\([2-9]\d{2}\)|[2-9]\d{2})[ .-]\d{3}[ .-]\d{4}(?![0-9])", _A
)
_PHONE_WITH_CC = re.compile(r"(?:0086|86)1[3-9]\d{9}", _A)

Span = tuple[int, int]


def _whole(match: re.Match[str]) -> Span | None:
    return match.span()


def _id18(match: re.Match[str]) -> Span | None:
    return match.span() if cn_id_valid(match.group().replace(" ", "")) else None


def _id15(match: re.Match[str]) -> Span | None:
    return match.span() if _valid_date("19" + match.group()[6:12]) else None


def _card(match: re.Match[str]) -> Span | None:
    """The longest run of whole digit groups inside the match that is a Luhn-valid card."""
    groups = [g.span() for g in _DIGIT_GROUP.finditer(match.string, *match.span())]
    best: Span | None = None
    for i in range(len(groups)):
        for j in range(len(groups), i, -1):
            start, end = groups[i][0], groups[j - 1][1]
            digits = re.sub(r"\D", "", match.string[start:end])
            if (
                13 <= len(digits) <= 19
                and luhn_valid(digits)
                and not _PHONE_WITH_CC.fullmatch(digits)
            ):
                if best is None or end - start > best[1] - best[0]:
                    best = (start, end)
                break
    return best


def _phone_digits(match: re.Match[str]) -> Span | None:
    n = sum(ch.isdigit() for ch in match.group())
    return match.span() if 8 <= n <= 15 else None


Check = Callable[[re.Match[str]], Span | None]
_PASSES: tuple[tuple[str, re.Pattern[str], Check], ...] = (
    ("email", _EMAIL, _whole),
    ("id_number", _ID18, _id18),
    ("id_number", _ID15, _id15),
    ("card_number", _DIGIT_RUN, _card),
    ("phone", _INTL, _phone_digits),
    ("phone", _MOBILE, _whole),
    ("phone", _LANDLINE, _whole),
    ("phone", _US, _whole),
)


def redact(text: str) -> Redaction:
    """``text`` with every phone, e-mail, ID and card number replaced by a readable placeholder."""
    counts = dict.fromkeys(KINDS, 0)
    if not _CANDIDATE.search(text):
        return Redaction(text, counts)
    for kind, pattern, check in _PASSES:
        text = pattern.sub(_replacer(kind, check, counts), text)
    return Redaction(text, counts)


def redact_many(texts: Iterable[str]) -> tuple[list[str], dict[str, int]]:
    """Redacted texts and the total count per kind, for the ingest report."""
    totals = dict.fromkeys(KINDS, 0)
    out = []
    for text in texts:
        result = redact(text)
        out.append(result.text)
        for kind, n in result.counts.items():
            totals[kind] += n
    return out, totals


def _replacer(kind: str, check: Check, counts: dict[str, int]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        span = check(match)
        if span is None:
            return match.group()
        counts[kind] += 1
        text, (start, end) = match.string, span
        return (
            text[match.start() : start]
            + _placeholder(kind, text, start, end)
            + text[end : match.end()]
        )

    return replace


def _placeholder(kind: str, text: str, start: int, end: int) -> str:
    # The placeholder follows the language around the number, not the record's language tag:
    # a Chinese customer quoting an English signature gets "[phone]" there.
    window = text[max(0, start - 12) : start] + text[end : end + 12]
    zh, en = _PLACEHOLDERS[kind]
    return zh if _CJK.search(window) else en
