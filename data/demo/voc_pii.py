"""Fake personal data for demo feedback: phone numbers, e-mail addresses, Chinese ID numbers and
bank cards that look real (valid checksums, real-looking prefixes) so that redaction is exercised
the way real data would exercise it. Foreign numbers use ranges reserved for fiction."""

from __future__ import annotations

import random

from ..redact import cn_id_check_char, luhn_check_digit
from .voc_phrases import Slots, choose

_MOBILE_PREFIXES = ("130", "131", "133", "135", "136", "137", "138", "139", "150", "151",
                    "152", "158", "159", "166", "173", "177", "180", "181", "186", "187",
                    "188", "189", "191", "199")  # fmt: skip
_AREA_CODES = ("010", "021", "020", "022", "023", "0755", "0571", "028", "027", "025", "0512")
_ID_REGIONS = ("110105", "110108", "310104", "310115", "440305", "440106", "330106",
               "320102", "510107", "420106", "370202", "610113", "500103", "210203")  # fmt: skip
_CARD_PREFIXES = ("622202", "622848", "621700", "622588", "622609", "621483", "625966",
                  "436742", "524047", "622700")  # fmt: skip
_EMAIL_LOCALS = (
    "li.wei", "wangfang", "zhang.min", "chenjing88", "liu_yang", "yang.lei", "huang.xiu",
    "zhao.qiang", "sunli2019", "amy.wu", "david.chen", "kevin.zhou", "jessica.lin", "mike.tan",
    "sarah.h", "tom_liang", "hr.facilities", "ops.admin",
)  # fmt: skip
_EMAIL_DOMAINS = ("example.com", "example.com", "example.net", "example.org", "mail.example.com",
                  "corp.example.cn")  # fmt: skip
_KINDS = ("phone", "phone", "phone", "phone", "email", "email", "id", "card")


def pii_sentence(slots: Slots, source: str) -> tuple[str, str]:
    """A natural sentence carrying one fake PII value, and the value as it appears in it."""
    rng = slots.rng
    kind = choose(rng, _KINDS)
    value = _VALUE_FUNCS[kind](rng, slots.bank.lang)
    slots["value"] = value
    return slots.pick(slots.bank.choices("pii", kind)), value


def fake_mobile(rng: random.Random) -> str:
    digits = choose(rng, _MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    form = rng.randrange(6)
    if form == 0:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if form == 1:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if form == 2:
        return "+86 " + digits
    if form == 3:
        return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
    return digits


def fake_landline(rng: random.Random) -> str:
    area = choose(rng, _AREA_CODES)
    local = f"{rng.randint(2, 8)}{rng.randrange(10**7):07d}"
    if len(area) == 4 and rng.random() < 0.5:
        local = local[:7]
    form = rng.randrange(3)
    if form == 0:
        return f"{area}-{local}"
    if form == 1:
        return f"({area}) {local[:-4]} {local[-4:]}"
    return f"{area}-{local[:-4]} {local[-4:]}"


def fake_international(rng: random.Random) -> str:
    n = rng.randrange(100)
    return choose(
        rng,
        (
            f"+1 (415) 555-01{n:02d}",
            f"+1 415 555 01{n:02d}",
            f"+1-212-555-01{n:02d}",
            f"(646) 555-01{n:02d}",
            f"+44 20 7946 0{n:03d}",
            f"+44 7700 900{n:03d}",
            f"+61 2 5550 1{n:03d}",
            f"+852 5550 1{n:03d}",
        ),
    )


def fake_phone(rng: random.Random, lang: str) -> str:
    roll = rng.random()
    if lang == "en" and roll < 0.5:
        return fake_international(rng)
    return fake_landline(rng) if roll > 0.8 else fake_mobile(rng)


def fake_email(rng: random.Random, lang: str) -> str:
    local = choose(rng, _EMAIL_LOCALS)
    if rng.random() < 0.3:
        local += str(rng.randint(1, 99))
    return f"{local}@{choose(rng, _EMAIL_DOMAINS)}"


def fake_cn_id(rng: random.Random, lang: str = "zh") -> str:
    birth = f"{rng.randint(1955, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = choose(rng, _ID_REGIONS) + birth + f"{rng.randrange(1000):03d}"
    return body + cn_id_check_char(body)


def fake_card(rng: random.Random, lang: str = "zh") -> str:
    length = choose(rng, (16, 16, 19, 19))
    body = choose(rng, _CARD_PREFIXES)
    body += "".join(str(rng.randrange(10)) for _ in range(length - len(body) - 1))
    number = body + luhn_check_digit(body)
    form = rng.randrange(3)
    if form == 0:
        return number
    sep = " " if form == 1 else "-"
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


_VALUE_FUNCS = {"phone": fake_phone, "email": fake_email, "id": fake_cn_id, "card": fake_card}
