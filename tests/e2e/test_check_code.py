"""Coming back with a code that does not open anything, or was typed with a slip."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from stdnum import damm

from tests.e2e.conftest import OpenContext
from tests.e2e.support import PHONE, LanternServer

# Its check digit fits, so it could be someone's code: the generic answer, nothing more.
WRONG_CODE = "1234 5678 9012 3450"
CHROMEBOOK = {"width": 1366, "height": 768}
VECTORS = json.loads((Path(__file__).parents[1] / "data" / "receipt_check_digits.json").read_text())[
    "vectors"
]


def tries_a_wrong_code(page: Page) -> None:
    page.locator("#code").fill(WRONG_CODE)
    with page.expect_response(re.compile(r"/check$")) as answer:
        page.get_by_test_id("open-case").click()
    assert answer.value.status == 422


def sees_the_code_was_not_found(page: Page) -> None:
    error = page.get_by_test_id("code-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("We could not open a report with that code")
    expect(page.locator("#code")).to_have_value(WRONG_CODE)
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("open-case")).to_be_visible()
    expect(page.get_by_test_id("case")).to_have_count(0)


def test_wrong_code_is_explained_without_javascript(open_context: OpenContext) -> None:
    page = open_context(java_script_enabled=False).new_page()
    page.goto("/check")
    tries_a_wrong_code(page)
    sees_the_code_was_not_found(page)


def test_wrong_code_is_explained_with_javascript(page: Page) -> None:
    page.goto("/check")
    tries_a_wrong_code(page)
    sees_the_code_was_not_found(page)
    # And again, from the form htmx swapped in.
    tries_a_wrong_code(page)
    sees_the_code_was_not_found(page)


@pytest.fixture
def throttled_server() -> Iterator[LanternServer]:
    """A server allowing 3 /check attempts a minute (its own, so the others keep their quota)."""
    lantern = LanternServer.fresh(LANTERN_CHECK_RATE_PER_MINUTE="3").start()
    yield lantern
    lantern.stop()
    lantern.remove_data()


def test_too_many_tries_without_javascript_says_wait(
    throttled_server: LanternServer, open_context: OpenContext
) -> None:
    page = open_context(base_url=throttled_server.url, java_script_enabled=False).new_page()
    page.goto("/check")  # opening the page is free; only attempts count
    for _ in range(3):
        tries_a_wrong_code(page)
        sees_the_code_was_not_found(page)
    page.locator("#code").fill(WRONG_CODE)
    with page.expect_response(re.compile(r"/check$")) as answer:
        page.get_by_test_id("open-case").click()
    assert answer.value.status == 429
    assert answer.value.headers.get("retry-after") == "60"
    main = page.get_by_role("main")
    expect(main.get_by_test_id("code-error")).to_contain_text("Wait a minute, then press Open again.")
    expect(main).to_contain_text("Your code still works.")
    # The code is still in its box, as typed: nothing to type again a minute later.
    expect(page.locator("#code")).to_have_value(WRONG_CODE)


def test_too_many_tries_with_javascript_are_not_silent(
    throttled_server: LanternServer, open_context: OpenContext
) -> None:
    page = open_context(base_url=throttled_server.url).new_page()
    page.goto("/check")
    for _ in range(3):
        tries_a_wrong_code(page)
        sees_the_code_was_not_found(page)
    with page.expect_response(re.compile(r"/check$")) as answer:
        page.get_by_test_id("open-case").click()
    assert answer.value.status == 429
    # Not a silent button: the person is told it did not go through, and keeps what they typed.
    failed = page.get_by_test_id("send-error")
    expect(failed).to_be_visible()
    expect(failed).to_have_attribute("role", "alert")
    expect(failed).to_contain_text("Wait a minute, then try again")
    expect(page.locator("#code")).to_have_value(WRONG_CODE)


def test_the_device_makes_codes_with_the_same_check_digit_as_the_server(page: Page) -> None:
    page.goto("/check")
    made = page.evaluate(
        "(bodies) => bodies.map((b) => b + LanternOutbox.checkDigit(b))", [v["body"] for v in VECTORS]
    )
    assert made == [v["code"] for v in VECTORS]
    fresh = page.evaluate("() => Array.from({length: 200}, () => LanternOutbox.newCode())")
    assert all(len(code) == 16 and code.isdigit() and damm.is_valid(code) for code in fresh)
    assert len(set(fresh)) == 200


@pytest.mark.parametrize("viewport", [PHONE, CHROMEBOOK], ids=["phone", "chromebook"])
@pytest.mark.parametrize("language", ["", "/ar"], ids=["en", "ar"])
def test_a_code_with_one_wrong_digit_is_told_so_and_kept(
    open_context: OpenContext, viewport: dict[str, int], language: str
) -> None:
    page = open_context(viewport=viewport).new_page()
    page.goto(f"{language}/check")
    typo = "1234 5678 9012 3451"  # WRONG_CODE with its last digit slipped
    code = page.locator("#code")
    code.fill(typo)
    with page.expect_response(re.compile(r"/check$")) as answer:
        page.get_by_test_id("open-case").click()
    assert answer.value.status == 422
    error = page.get_by_test_id("code-error")
    expect(error).to_be_visible()
    expect(code).to_have_value(typo)
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_be_focused()
    if language:
        # Digits are typed and read left to right, inside a right-to-left page.
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert code.evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    else:
        expect(error).to_contain_text("One digit looks wrong, or two digits are swapped")
        expect(error).not_to_contain_text("send a new report")
    name = "ar" if language else "en"
    page.screenshot(
        path=Path(tempfile.gettempdir()) / f"counselor-codes-check-typo-{name}-{viewport['width']}.png",
        full_page=True,
    )
