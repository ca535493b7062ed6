"""Personal data: ID numbers, mobile numbers, bank cards, e-mail, student numbers, addresses."""

import datetime as dt

import pytest

from yuqing.textcheck import PersonalDataConfig, TextChecker, check_text
from yuqing.textcheck.personal_data import luhn_valid, resident_id_valid

VALID_ID = "11010519491231002X"  # the example in GB 11643-1999


def pii(text, checker=None):
    findings = (checker or TextChecker()).check(text) if checker else check_text(text)
    return [(f.rule_id, f.matched, f.suggestion) for f in findings if f.category == "personal_data"]


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        (VALID_ID, True),
        ("11010519491231002x", True),  # lower-case check character
        ("440524198001010013", True),
        ("110105200002291235", True),  # 29 February in a leap year
        ("11010519491231002Y", False),
        ("110105194912310021", False),  # bad checksum
        ("110105194902300020", False),  # 30 February
        ("110105200102291232", False),  # 29 February 2001, checksum right
        ("110105299901010013", False),  # born in the future
        ("990105194912310021", False),  # no such province
        ("11010519491231002", False),  # too short
    ],
)
def test_resident_id_vectors(number, valid):
    assert resident_id_valid(number, today=dt.date(2025, 1, 1)) is valid


def test_valid_id_number_is_found_and_masked():
    assert pii(f"学生身份证号：{VALID_ID}。") == [("pii.resident_id", VALID_ID, "1101**********002X")]


def test_id_number_with_bad_checksum_is_not_flagged_as_id():
    assert [r for r, *_ in pii("身份证号：110105194912310021")] == []


def test_full_width_id_number_is_found():
    full_width = "１１０１０５１９４９１２３１００２Ｘ"
    assert pii(f"号码{full_width}") == [("pii.resident_id", full_width, "1101**********002X")]


@pytest.mark.parametrize("number", ["4111111111111111", "5555555555554444", "6011111111111117"])
def test_luhn_accepts_known_card_numbers(number):
    assert luhn_valid(number)


def test_luhn_rejects_a_changed_digit():
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("41111111111a1111")


def test_bank_card_is_found_with_or_without_grouping():
    assert pii("卡号 6011 1111 1111 1117 请转账") == [("pii.bank_card", "6011 1111 1111 1117", "6011********1117")]
    assert pii("卡号4111111111111111") == [("pii.bank_card", "4111111111111111", "4111********1111")]
    assert pii("订单号4111111111111112") == []


def test_mobile_numbers_are_found_in_common_spellings():
    found = pii("联系13812345678或 +86 139-1234-5678，座机010-12345678")
    assert found == [
        ("pii.mobile", "13812345678", "138****5678"),
        ("pii.mobile", "+86 139-1234-5678", "139****5678"),
    ]


def test_numbers_that_only_look_like_phones_are_not_flagged():
    assert pii("编号12812345678，流水号138123456789") == []


def test_two_numbers_separated_by_a_space_are_both_found():
    assert [m for _, m, _ in pii("电话 13812345678 13912345678")] == ["13812345678", "13912345678"]


def test_email_is_found_and_masked():
    assert pii("请发邮件到zhang.san@school.edu.cn联系") == [
        ("pii.email", "zhang.san@school.edu.cn", "z***@school.edu.cn")
    ]


def test_student_number_patterns_are_configurable():
    checker = TextChecker(personal_data=PersonalDataConfig(student_number_patterns=[r"(?<!\d)2023\d{6}(?!\d)"]))
    assert pii("学号2023010203的同学", checker) == [("pii.student_number", "2023010203", "20******03")]
    assert pii("学号2023010203的同学") == []


def test_home_address_with_house_number_is_found():
    assert [r for r, *_ in pii("家住幸福路18号3栋")] == ["pii.address"]


def test_personal_data_offsets_point_into_the_original_text():
    text = "【網上】 电话13812345678"
    (finding,) = [f for f in check_text(text) if f.rule_id == "pii.mobile"]
    assert text[finding.start:finding.end] == "13812345678"
