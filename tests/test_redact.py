"""PII redaction: every kind is found in both languages, checksums keep look-alikes untouched."""

from __future__ import annotations

import pytest

from servicelens.data.redact import (
    KINDS,
    cn_id_check_char,
    cn_id_valid,
    luhn_check_digit,
    luhn_valid,
    redact,
    redact_many,
)

VALID_ID = "11010519491231002X"  # The GB 11643 worked example.
VALID_CARD = "6222021234567890128"


def test_checksums_match_reference_values() -> None:
    assert cn_id_check_char("11010519491231002") == "X"
    assert cn_id_valid(VALID_ID) and cn_id_valid(VALID_ID.lower())
    assert not cn_id_valid("110105194912310021")  # wrong check character
    assert not cn_id_valid("110105194913310026")  # month 13
    assert luhn_valid("4111111111111111") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_valid(VALID_CARD)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("我电话13912345678，白天都在", "phone", "我电话[电话]，白天都在"),
        ("有事打我手机 139 1234 5678 谢谢", "phone", "有事打我手机 [电话] 谢谢"),
        ("联系电话：139-1234-5678", "phone", "联系电话：[电话]"),
        ("号码+86 139 1234 5678，微信同号", "phone", "号码[电话]，微信同号"),
        ("回电+8613912345678", "phone", "回电[电话]"),
        ("公司座机010-12345678转前台", "phone", "公司座机[电话]转前台"),
        ("打(021) 1234 5678找我", "phone", "打[电话]找我"),
        ("深圳办公室0755-8765 4321", "phone", "深圳办公室[电话]"),
        ("Call me back on 138 1234 5678 please", "phone", "Call me back on [phone] please"),
        ("My number is +1 (415) 555-0134.", "phone", "My number is [phone]."),
        ("reach me at +1 415 555 0134 after 5", "phone", "reach me at [phone] after 5"),
        ("UK office: +44 20 7946 0958", "phone", "UK office: [phone]"),
        ("text (646) 555-0199 before coming", "phone", "text [phone] before coming"),
        ("email me: li.wei@example.com.", "email", "email me: [email]."),
        ("发票请发到li.wei@example.com谢谢", "email", "发票请发到[邮箱]谢谢"),
        (f"我的身份证号{VALID_ID}，登记用", "id_number", "我的身份证号[身份证号]，登记用"),
        (f"ID card: {VALID_ID}", "id_number", "ID card: [ID number]"),
        ("老身份证号110105491231002，还没换", "id_number", "老身份证号[身份证号]，还没换"),
        (
            "退款打到6222 0212 3456 7890 128，户名李伟",
            "card_number",
            "退款打到[银行卡号]，户名李伟",
        ),
        (f"卡号{VALID_CARD}", "card_number", "卡号[银行卡号]"),
        ("refund to 4111-1111-1111-1111 please", "card_number", "refund to [card number] please"),
        ("card 4111 1111 1111 1111 2026 renewal", "card_number", "card [card number] 2026 renewal"),
    ],
)
def test_each_kind_is_redacted_with_a_readable_placeholder(
    text: str, kind: str, expected: str
) -> None:
    result = redact(text)
    assert result.text == expected
    assert result.counts[kind] == 1
    assert sum(result.counts.values()) == 1


@pytest.mark.parametrize(
    "text",
    [
        "AC-X200 外机噪音，KFR-35GW 也一样",
        "显示故障码E4，然后是F1和P8",
        "2026-03-15 上门，2026年3月15日又来了一次",
        "约的 14:00-17:00，结果 09:30 才到",
        "收了¥3,200，发票写的3200元，另外 $120",
        "工单号T000123，转单T004567",
        "订单号 202603151234567 和 6222021234567890127",  # both fail their checksums
        "身份证号 110105194912310021 填错了",  # check character wrong
        "bought it in 2024, it's 2026 now, 3 visits in 12 days",
        "Reference 1234567 and room 1203, floor 12",
        "version 3.2.1 build 20260315",
    ],
)
def test_non_pii_is_left_alone(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert sum(result.counts.values()) == 0


FULL_WIDTH_ID = "".join(chr(ord(c) + 0xFEE0) for c in VALID_ID)  # １１０１…２Ｘ


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        # Full-width digits and letters, as Chinese input methods type them.
        ("我的手机１３９１２３４５６７８，请回电", "phone", "我的手机[电话]，请回电"),
        ("call me on １３９ １２３４ ５６７８ today", "phone", "call me on [phone] today"),
        ("邮箱ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ，谢谢", "email", "邮箱[邮箱]，谢谢"),
        ("mail ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ please", "email", "mail [email] please"),
        (f"身份证{FULL_WIDTH_ID}，登记用", "id_number", "身份证[身份证号]，登记用"),
        (f"my ID is {FULL_WIDTH_ID} ok", "id_number", "my ID is [ID number] ok"),
        # A mainland mobile with its country code and no plus.
        ("打8613912345678找我", "phone", "打[电话]找我"),
        ("ring 86 139 1234 5678 after six", "phone", "ring [phone] after six"),
        ("WhatsApp 008613912345678 thanks", "phone", "WhatsApp [phone] thanks"),
        # Addresses with non-ASCII local parts and domains.
        ("发票请寄到user@例子.公司谢谢", "email", "发票请寄到[邮箱]谢谢"),
        ("write to user@例子.公司 please", "email", "write to [email] please"),
        ("Bitte an müller@bücher.de schreiben", "email", "Bitte an [email] schreiben"),
        ("请联系müller@bücher.de，德国客户", "email", "请联系[邮箱]，德国客户"),
    ],
)
def test_full_width_country_code_and_international_addresses(
    text: str, kind: str, expected: str
) -> None:
    result = redact(text)
    assert result.text == expected
    assert result.counts[kind] == 1
    assert sum(result.counts.values()) == 1


@pytest.mark.parametrize(
    "text",
    [
        "订单金额１２，３４５元，型号ＫＦＲ－３５ＧＷ",
        "２０２６年３月１５日上门，１４：００到",
        "订单号２０２６０３１５１２３４５６７，已付款",
        "工单号8620260315，共86台",  # starts like a country code, too short for a mobile
        "model KFR-35GW/BP3DN8Y-PH200(B1), 2026-03-15",
        "ordered 86 units at 139.50 each on 2026-03-15",
        "温度设到２６℃，功率１．５匹",
        "the price is 1,399 and the bill 8,613,912",
        "see @support or @客服 on the app",
    ],
)
def test_full_width_and_look_alike_numbers_are_left_alone(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert sum(result.counts.values()) == 0


def test_realistic_mixed_message_counts_every_kind() -> None:
    text = (
        "客户：师傅说要等parts，KFR-35GW 从2026-03-15坏到现在。我电话13912345678，"
        "备用 010-87654321，邮箱 wang.fang@example.net；退款卡号 6222 0212 3456 7890 128，"
        f"身份证{VALID_ID}。工单T000123，已付¥380。\n"
        "Agent: Thanks. Customer: or +1 (415) 555-0134, email amy.wu@example.org"
    )
    result = redact(text)
    assert result.counts == {"phone": 3, "email": 2, "id_number": 1, "card_number": 1}
    for kept in ("KFR-35GW", "2026-03-15", "T000123", "¥380", "parts"):
        assert kept in result.text
    assert "[电话]" in result.text and "[phone]" in result.text
    assert "[邮箱]" in result.text and "[email]" in result.text
    assert not any(ch.isdigit() for ch in result.text.split("T000123")[1].split("¥")[0])


def test_redact_many_sums_counts_per_kind() -> None:
    texts = ["我电话13912345678", "no pii here", "mail li.wei@example.com or 138 1234 5678"]
    redacted, counts = redact_many(texts)
    assert redacted == ["我电话[电话]", "no pii here", "mail [email] or [phone]"]
    assert counts == {"phone": 2, "email": 1, "id_number": 0, "card_number": 0}
    assert set(counts) == set(KINDS)


def test_redacting_twice_changes_nothing_more() -> None:
    once = redact(f"卡号{VALID_CARD}，电话13912345678").text
    assert redact(once).text == once
