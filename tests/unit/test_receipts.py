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
    assert receipts.normalize("١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦") is None  # only ASCII digits are codes


def test_hash_is_stable_and_not_the_code() -> None:
    digest = receipts.hash_code("1234567890123456")
    assert digest == receipts.hash_code("1234567890123456")
    assert digest != receipts.hash_code("1234567890123457")
    assert "1234567890123456" not in digest and len(digest) == 64
