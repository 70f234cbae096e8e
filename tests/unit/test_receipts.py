import json
from pathlib import Path

from stdnum import damm

from web.cases import receipts


def test_codes_are_16_digits_and_differ() -> None:
    codes = {receipts.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 16 and c.isdigit() for c in codes)


def test_grouping_and_lenient_reading() -> None:
    assert receipts.group("1234567890123456") == "1234 5678 9012 3456"
    assert receipts.normalize("1234-5678 9012.3456") == "1234567890123456"
    assert receipts.normalize("I234 5678 9OI2 3456") == "1234567890123456"
    assert receipts.normalize("1234 5678") is None
    assert receipts.normalize("abcd efgh ijkl mnop") is None
    # A phone set to Arabic types Eastern Arabic digits: the same code. Other scripts' digits are not.
    assert receipts.normalize("١٢٣٤ ٥٦٧٨ ٩٠١٢ ٣٤٥٦") == "1234567890123456"
    assert receipts.normalize("۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶") == "1234567890123456"
    assert receipts.normalize("१२३४५६७८९०१२३४५६") is None


def test_hash_is_stable_and_not_the_code() -> None:
    digest = receipts.hash_code("1234567890123456")
    assert digest == receipts.hash_code("1234567890123456")
    assert digest != receipts.hash_code("1234567890123457")
    assert "1234567890123456" not in digest and len(digest) == 64


VECTORS = json.loads((Path(__file__).parents[1] / "data" / "receipt_check_digits.json").read_text())[
    "vectors"
]


def test_new_codes_carry_a_damm_check_digit() -> None:
    for _ in range(200):
        code = receipts.new_code()
        assert receipts.misread(code) is None
        assert code[-1] == damm.calc_check_digit(code[:-1])


def test_the_shared_vectors_hold_for_the_server() -> None:
    # The same file is checked against the device's code maker (tests/e2e/test_check_code.py).
    assert damm.calc_check_digit("572") == "4"  # the algorithm's published example
    for vector in VECTORS:
        assert receipts.misread(vector["code"]) is None
        assert vector["code"] == vector["body"] + damm.calc_check_digit(vector["body"])


def test_every_single_typo_and_neighbour_swap_is_seen_as_a_misread() -> None:
    for _ in range(50):
        code = receipts.new_code()
        for i in range(16):
            for digit in "0123456789":
                if digit != code[i]:
                    typo = code[:i] + digit + code[i + 1 :]
                    assert receipts.misread(typo) == (receipts.Misread.CHECK_DIGIT, 16)
        for i in range(15):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                assert receipts.misread(swapped) == (receipts.Misread.CHECK_DIGIT, 16)


def test_what_looks_wrong_is_told_from_the_form_alone() -> None:
    assert receipts.misread("") == (receipts.Misread.EMPTY, 0)
    assert receipts.misread("  - ") == (receipts.Misread.EMPTY, 0)
    assert receipts.misread("1234 5678 9012") == (receipts.Misread.LENGTH, 12)
    assert receipts.misread("1234 5678 9012 3450 1") == (receipts.Misread.LENGTH, 17)
    assert receipts.misread("1234 5678 9012 345x") == (receipts.Misread.NOT_DIGITS, 0)
    # Lookalike letters are read as digits, as the lookup reads them.
    assert receipts.misread("I234 5678 9OI2 3450") is None
