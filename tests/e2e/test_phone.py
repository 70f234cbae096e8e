"""On a phone the report form asks one question at a time."""

from __future__ import annotations

from playwright.sync_api import Locator, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import report_form, student
from tests.e2e.support import PHONE

STEPS = ["category", "danger_now", "place", "description", "photos", "about"]


def test_student_on_a_phone_answers_one_question_at_a_time(open_context: OpenContext) -> None:
    page = open_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2).new_page()
    student.opens_report_form(page)
    form = report_form.form(page)
    steps = [form.locator(f"#field-{name}") for name in STEPS]
    next_button = form.get_by_role("button", name="Next", exact=True)
    back_button = form.get_by_role("button", name="Back", exact=True)
    send = page.get_by_test_id("send-report")

    def shown(locator: Locator, visible: bool) -> None:
        if visible:
            expect(locator).to_be_visible()
        else:
            expect(locator).to_be_hidden()

    def on_step(number: int) -> None:
        for i, step in enumerate(steps):
            shown(step, i == number)
        expect(form).to_contain_text(f"Question {number + 1} of {len(STEPS)}")
        last = number == len(STEPS) - 1
        shown(back_button, number > 0)
        shown(next_button, not last)
        shown(send, last)

    on_step(0)
    next_button.click()  # nothing chosen yet
    on_step(0)
    page.locator("#category-bullying").check()
    next_button.click()
    on_step(1)

    back_button.click()
    on_step(0)
    expect(page.locator("#category-bullying")).to_be_checked()
    next_button.click()
    on_step(1)

    page.locator("#danger-no").check()
    next_button.click()
    on_step(2)
    page.locator("#place").select_option("riverside-es")
    next_button.click()
    on_step(3)
    next_button.click()  # the description is required
    on_step(3)
    page.locator("#description").fill("A boy on my bus pushes me and takes my lunch.")
    page.locator("#where_text").fill("bus 12")
    next_button.click()
    on_step(4)
    next_button.click()  # photos are optional
    on_step(5)
    page.locator("#reporter_role").select_option("student")
    send.click()

    report_form.receipt_code(page)
    expect(page.get_by_test_id("saved-done")).to_be_visible()
