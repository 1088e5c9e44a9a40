"""PII redaction for customer feedback, applied before any text is stored in the index or embedded.

Finds phone numbers (mainland mobiles and landlines, international and North-American numbers),
e-mail addresses, Chinese ID numbers (18-digit with checksum, 15-digit legacy with a valid birth
date) and bank-card numbers (13-19 digits passing the Luhn check), and replaces each with a
placeholder in the language of the surrounding text, so the sentence still reads naturally.
Checksums are what keep order numbers, model numbers, dates and prices out of the net.

Matching runs on an NFKC view of the text, so full-width digits and letters (``１３９…``,
``ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ``, as Chinese input methods type them) are found like ASCII ones;
the placeholders replace the matching characters of the original text, which is otherwise
returned as it was written.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
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
# Local parts and domain labels may hold accented Latin letters (müller@bücher.de) and domains
# Chinese labels (user@例子.公司). Chinese has no spaces, so a Chinese top-level domain is one
# of a list, never any run of characters that would swallow the sentence after the address.
_LATIN = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_CJK_TLD = (
    "中国|中國|公司|网络|網絡|香港|台湾|台灣|澳门|澳門|新加坡|在线|商城|网店|集团|企业|信息"
    "|手机|游戏|购物|网址|移动|联通|时尚|商标|政务|公益|我爱你"
)
_EMAIL = re.compile(
    rf"[{_LATIN}][{_LATIN}._%+-]*@(?:[{_LATIN}\u4e00-\u9fff-]+\.)+"
    rf"(?:[A-Za-z]{{2,}}|xn--[A-Za-z0-9-]+|{_CJK_TLD})(?![{_LATIN}])",
    _A,
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
# A mainland mobile after its country code written without "+" or "00" (8613912345678).
_MOBILE_CC = re.compile(r"(?<![0-9A-Za-z])86[ -]?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])", _A)
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
    ("phone", _MOBILE_CC, _whole),
    ("phone", _MOBILE, _whole),
    ("phone", _LANDLINE, _whole),
    ("phone", _US, _whole),
)


def redact(text: str) -> Redaction:
    """``text`` with every phone, e-mail, ID and card number replaced by a readable placeholder."""
    counts = dict.fromkeys(KINDS, 0)
    if not _CANDIDATE.search(unicodedata.normalize("NFKC", text)):
        return Redaction(text, counts)
    view = _View.of(text)
    for kind, pattern, check in _PASSES:
        spans = [s for m in pattern.finditer(view.norm) if (s := check(m)) is not None]
        if spans:
            replaced, n = view.replaced(kind, spans)
            counts[kind] += n
            view = _View.of(replaced)
    return Redaction(view.original, counts)


@functools.cache
def _nfkc(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


@dataclass(frozen=True)
class _View:
    """The text as matched (NFKC) and where each of its characters came from in the original."""

    original: str
    norm: str
    origin: tuple[int, ...] | None  # None: position i of the view is position i of the text

    @classmethod
    def of(cls, text: str) -> _View:
        if unicodedata.is_normalized("NFKC", text):
            return cls(text, text, None)
        # Character by character, so every view position maps back to one original character;
        # usually each maps to one (１ → 1, ＠ → @) and positions are the same.
        parts = [_nfkc(ch) for ch in text]
        norm = "".join(parts)
        if len(norm) == len(text):
            return cls(text, norm, None)
        return cls(text, norm, tuple(i for i, part in enumerate(parts) for _ in part))

    def replaced(self, kind: str, spans: list[Span]) -> tuple[str, int]:
        """The original with each span of the view replaced by the kind's placeholder; how many."""
        out, done, n = [], 0, 0
        for start, end in spans:
            if self.origin is not None:
                start, end = self.origin[start], self.origin[end - 1] + 1
            if start < done:
                continue  # two matches inside one original character: it is already replaced
            out += [self.original[done:start], _placeholder(kind, self.original, start, end)]
            done, n = end, n + 1
        return "".join(out) + self.original[done:], n


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


def _placeholder(kind: str, text: str, start: int, end: int) -> str:
    # The placeholder follows the language around the number, not the record's language tag:
    # a Chinese customer quoting an English signature gets "[phone]" there.
    window = text[max(0, start - 12) : start] + text[end : end + 12]
    zh, en = _PLACEHOLDERS[kind]
    return zh if _CJK.search(window) else en
