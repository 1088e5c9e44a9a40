"""A labelled sample of customer text for measuring PII redaction, in Chinese and English.

Snippets are generated from a fixed seed, so the labels are known by construction: each names the
personal data it holds (phones in every mainland, country-code and international form, e-mails
including non-ASCII ones, ID numbers with valid checksums, bank cards passing Luhn, half-width and
full-width) and the look-alikes that must survive (order numbers, amounts, dates, model codes,
tracking numbers, timestamps, numbers whose checksum fails). A few hand-written cases add what a
generator would not think of. The checksums here are written independently of ``data/redact.py``
so a mistake there cannot hide behind the same mistake here.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

Item = tuple[str, str, str]  # (kind or negative category, variant, the text as written)


@dataclass(frozen=True)
class Snippet:
    text: str
    lang: str  # "zh" or "en"
    pii: tuple[Item, ...]  # what must be redacted
    keep: tuple[Item, ...]  # what must come out unchanged


def _full_width(text: str) -> str:
    # Printable ASCII moves to the full-width block; a space becomes the ideographic space.
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text
    )


def _id_check(body17: str) -> str:
    weights = [pow(2, 17 - i, 11) for i in range(17)]  # GB 11643: 2^(18-position) mod 11
    total = sum(int(d) * w for d, w in zip(body17, weights, strict=True))
    return "10X98765432"[total % 11]


def _luhn_complete(body: str) -> str:
    digits = [int(d) for d in reversed(body)]
    total = sum(d if i % 2 else (d * 2 if d < 5 else d * 2 - 9) for i, d in enumerate(digits))
    return body + str(-total % 10)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + _digits(rng, 9)


def _spaced(number: str, groups: tuple[int, ...], sep: str) -> str:
    out, at = [], 0
    for size in groups:
        out.append(number[at : at + size])
        at += size
    return sep.join(out)


def _phone(rng: random.Random) -> tuple[str, str]:
    m = _mobile(rng)
    area, local = rng.choice((("010", 8), ("021", 8), ("0755", 8), ("0571", 8), ("0991", 7)))
    landline = area + "-" + str(rng.randint(2, 8)) + _digits(rng, local - 1)
    forms = {
        "mobile": m,
        "mobile 3-4-4": _spaced(m, (3, 4, 4), rng.choice(" -")),
        "+86": "+86" + rng.choice(("", " ", "-")) + m,
        "+86 3-4-4": "+86 " + _spaced(m, (3, 4, 4), " "),
        "0086": "0086" + m,
        "86 prefix": "86" + rng.choice(("", " ", "-")) + m,
        "landline": landline,
        "landline (area)": f"({area}) " + landline.split("-")[1],
        "+1": f"+1 ({rng.randint(201, 989)}) 555-{_digits(rng, 4)}",
        "US": f"({rng.randint(201, 989)}) 555-{_digits(rng, 4)}",
        "+44": "+44 20 " + _spaced(_digits(rng, 8), (4, 4), " "),
        "+81": "+81 3-" + _spaced(_digits(rng, 8), (4, 4), "-"),
        "full-width mobile": _full_width(m),
    }
    variant = rng.choice(sorted(forms))
    return variant, forms[variant]


_NAMES = ("li.wei", "wangfang", "zhang_min88", "amy.wu", "j.smith+orders", "chen-jie", "service")
_DOMAINS = (
    "example.com",
    "mail.example.cn",
    "example.co.uk",
    "163.com",
    "qq.com",
    "corp.example.org",
)
_INTL_EMAILS = (
    "müller@bücher.de",
    "user@例子.公司",
    "zoë@exämple.fr",
    "kontakt@straße.de",
    "li@例子.中国",
)


def _email(rng: random.Random) -> tuple[str, str]:
    plain = f"{rng.choice(_NAMES)}{rng.randint(1, 99)}@{rng.choice(_DOMAINS)}"
    forms = {
        "ascii": plain,
        "international": rng.choice(_INTL_EMAILS),
        "full-width": _full_width(plain),
    }
    variant = rng.choice(("ascii", "ascii", "international", "full-width"))
    return variant, forms[variant]


def _id_number(rng: random.Random) -> tuple[str, str]:
    area = rng.choice(("110105", "310104", "440305", "510107", "330106", "420111"))
    born = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = area + born + _digits(rng, 3)
    number = body + _id_check(body)
    forms = {
        "18-digit": number,
        "18-digit lower x": number.lower(),
        "18-digit spaced": _spaced(number, (6, 8, 4), " "),
        "full-width": _full_width(number),
        "15-digit legacy": area + born[2:] + _digits(rng, 3),
    }
    variant = rng.choice(sorted(forms))
    return variant, forms[variant]


def _card(rng: random.Random) -> tuple[str, str]:
    prefix, length = rng.choice((("62", 16), ("62", 19), ("4", 16), ("5", 16), ("37", 15)))
    number = _luhn_complete(prefix + _digits(rng, length - len(prefix) - 1))
    groups = (4,) * (length // 4) + ((length % 4,) if length % 4 else ())
    forms = {
        "plain": number,
        "4-4-4-4 spaces": _spaced(number, groups, " "),
        "4-4-4-4 dashes": _spaced(number, groups, "-"),
    }
    variant = rng.choice(sorted(forms))
    return variant, forms[variant]


def _timestamp(rng: random.Random) -> str:
    day, hour = rng.randint(1, 28), rng.randint(0, 23)
    minute, second = rng.randint(0, 59), rng.randint(0, 59)
    return f"2026-03-{day:02d} {hour:02d}:{minute:02d}:{second:02d}"


def _negative(rng: random.Random) -> tuple[str, str]:
    body = (
        "110105"
        + f"{rng.randint(1950, 2005)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}"
        + _digits(rng, 3)
    )
    wrong_check = rng.choice([c for c in "0123456789X" if c != _id_check(body)])
    choices: dict[str, Callable[[], str]] = {
        "order number": lambda: (
            rng.choice(("SO", "DD", "T", "WO")) + _digits(rng, rng.randint(6, 12))
        ),
        # Long all-digit order numbers are not filtered: one in ten passes Luhn by chance, and
        # the redactor cannot tell those from a card; the figures should show that cost.
        "order number 16-19 digits": lambda: (
            rng.choice("123456789") + _digits(rng, rng.choice((15, 17, 18)))
        ),
        "amount": lambda: rng.choice(("¥{:,}", "{}元", "${:,}.50", "RMB {:,}")).format(
            rng.randint(5, 99999)
        ),
        "date": lambda: rng.choice(
            ("2026-03-{:02d}", "2026年3月{}日", "{:02d}/03/2026", "202603{:02d}")
        ).format(rng.randint(1, 28)),
        "model code": lambda: rng.choice(
            ("KFR-35GW/BP3DN8Y", "AC-X200", "XQG100-BD14376L", "RF-68WPC", "MX-2000T")
        ),
        "tracking number": lambda: rng.choice(("SF", "YT", "JT", "JD")) + _digits(rng, 12),
        "EMS tracking": lambda: "E" + rng.choice("ABCM") + _digits(rng, 9) + "CN",
        "timestamp": lambda: _timestamp(rng),
        "unix time": lambda: str(rng.randint(1_700_000_000, 1_800_000_000)),
        "unix time in ms": lambda: str(rng.randint(1_700_000_000_000, 1_800_000_000_000)),
        "ID with wrong check": lambda: body + wrong_check,
        "full-width amount": lambda: _full_width(f"{rng.randint(100, 99999)}"),
    }
    category = rng.choice(sorted(choices))
    return category, choices[category]()


_LEAD = {
    ("zh", "phone"): ("我的电话", "联系方式：", "请打", "手机号是", "有事找我"),
    ("en", "phone"): ("call me on", "my number is", "phone:", "reach me at", "ring"),
    ("zh", "email"): ("邮箱", "发票请发到", "请回复到", "联系邮箱："),
    ("en", "email"): ("email me at", "send the invoice to", "my address is", "write to"),
    ("zh", "id_number"): ("身份证号", "登记用的身份证", "证件号码："),
    ("en", "id_number"): ("my ID number is", "ID card:", "national ID"),
    ("zh", "card_number"): ("退款打到卡号", "银行卡", "请退到这张卡"),
    ("en", "card_number"): ("refund to card", "card number", "charge it to"),
    ("zh", "negative"): ("订单号", "工单", "型号", "快递单号", "时间", "金额", "编号"),
    ("en", "negative"): ("order", "ticket", "model", "tracking", "at", "paid", "ref"),
}
_END = {"zh": ("，谢谢", "。", "，尽快处理", "！", ""), "en": (", thanks", ".", " asap", "!", "")}
_GENERATORS = {"phone": _phone, "email": _email, "id_number": _id_number, "card_number": _card}


def _snippet(rng: random.Random) -> Snippet:
    lang = rng.choice(("zh", "en"))
    pii = [
        (kind, *_GENERATORS[kind](rng))
        for kind in rng.sample(sorted(_GENERATORS), rng.choice((0, 1, 1, 1, 2)))
    ]
    keep = [("negative", *_negative(rng)) for _ in range(rng.choice((0, 1, 1, 2)))]
    parts = [(rng.choice(_LEAD[lang, kind]), text) for kind, _, text in pii + keep]
    rng.shuffle(parts)
    joiner = "，" if lang == "zh" else ", "
    text = joiner.join(
        f"{lead} {value}" if lang == "en" else f"{lead}{value}" for lead, value in parts
    )
    if not text:
        text = "师傅很准时，服务不错" if lang == "zh" else "the engineer was on time, good service"
    return Snippet(
        text + rng.choice(_END[lang]),
        lang,
        tuple((k, v, t) for k, v, t in pii),
        tuple((v, "generated", t) for _, v, t in keep),
    )


# Cases a generator would not write: punctuation and brackets hugging the number, two numbers
# side by side, look-alikes next to real ones, and an e-mail with a Chinese local part.
HAND_WRITTEN: tuple[Snippet, ...] = (
    Snippet("电话(13912345678)打不通", "zh", (("phone", "in brackets", "13912345678"),), ()),
    Snippet(
        "【手机】13800138000【备用】010-87654321",
        "zh",
        (("phone", "in brackets", "13800138000"), ("phone", "landline", "010-87654321")),
        (),
    ),
    Snippet(
        "订单2026031512345678，电话13912345678",
        "zh",
        (("phone", "after order number", "13912345678"),),
        (("order number 16-19 digits", "hand", "2026031512345678"),),
    ),
    Snippet(
        "工单T004567 型号KFR-35GW 电话+86-139-1234-5678",
        "zh",
        (("phone", "+86 dashes", "+86-139-1234-5678"),),
        (("order number", "hand", "T004567"), ("model code", "hand", "KFR-35GW")),
    ),
    Snippet(
        "tel:+8613912345678;email:li@example.com",
        "en",
        (("phone", "tel: uri", "+8613912345678"), ("email", "ascii", "li@example.com")),
        (),
    ),
    Snippet(
        "mailto:amy.wu@example.org?subject=refund",
        "en",
        (("email", "mailto", "amy.wu@example.org"),),
        (),
    ),
    Snippet("邮箱：李伟@例子.公司", "zh", (("email", "chinese local part", "李伟@例子.公司"),), ()),
    Snippet(
        "SF快递1234567890123已签收，¥3,200已付",
        "zh",
        (),
        (("tracking number", "hand", "1234567890123"), ("amount", "hand", "¥3,200")),
    ),
    Snippet(
        "paid $1,399.00 on 2026-03-15 14:03:22 for XQG100-BD14376L",
        "en",
        (),
        (
            ("amount", "hand", "$1,399.00"),
            ("timestamp", "hand", "2026-03-15 14:03:22"),
            ("model code", "hand", "XQG100-BD14376L"),
        ),
    ),
    Snippet(
        "卡号6222 0212 3456 7890 128，有效期2026",
        "zh",
        (("card_number", "4-4-4-4 spaces", "6222 0212 3456 7890 128"),),
        (("date", "hand", "2026"),),
    ),
    Snippet(
        "身份证：11010519491231002X；手机：13912345678",
        "zh",
        (("id_number", "18-digit", "11010519491231002X"), ("phone", "mobile", "13912345678")),
        (),
    ),
    Snippet(
        "ID 11010519491231002X, phone 138-0013-8000",
        "en",
        (
            ("id_number", "18-digit", "11010519491231002X"),
            ("phone", "mobile 3-4-4", "138-0013-8000"),
        ),
        (),
    ),
    Snippet(
        "version 2.6.13 build 20260315, serial 8613912345",
        "en",
        (),
        (
            ("model code", "hand", "2.6.13"),
            ("date", "hand", "20260315"),
            ("order number", "hand", "8613912345"),
        ),
    ),
    Snippet(
        "投诉编号86201234567，请回电13912345678",
        "zh",
        (("phone", "after look-alike", "13912345678"),),
        (("order number", "hand", "86201234567"),),
    ),
    Snippet(
        "１３９－１２３４－５６７８",
        "zh",
        (("phone", "full-width dashes", "１３９－１２３４－５６７８"),),
        (),
    ),
    Snippet("WhatsApp: +852 9123 4567", "en", (("phone", "+852", "+852 9123 4567"),), ()),
    Snippet("call +1-415-555-0134 ext. 12", "en", (("phone", "+1 dashes", "+1-415-555-0134"),), ()),
    Snippet(
        "温度26℃，功率1.5匹，噪音45dB，面积15㎡",
        "zh",
        (),
        (("model code", "hand", "1.5匹"), ("amount", "hand", "45dB")),
    ),
    Snippet(
        "快递单号：75123456789012，中通", "zh", (), (("tracking number", "hand", "75123456789012"),)
    ),
    Snippet(
        "发票号码 044031900111 开票日期 20260315",
        "zh",
        (),
        (("order number", "hand", "044031900111"), ("date", "hand", "20260315")),
    ),
)


def build_sample(n: int = 400, seed: int = 20261205) -> list[Snippet]:
    """``n`` generated snippets from ``seed`` and the hand-written ones, labels known."""
    rng = random.Random(seed)
    return [_snippet(rng) for _ in range(n)] + list(HAND_WRITTEN)
