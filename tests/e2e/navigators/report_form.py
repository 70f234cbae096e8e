"""The report form as people fill it in, on /report (students) and /community (neighbours)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect


@dataclass(frozen=True)
class Report:
    """What someone tells their school. Empty strings are left untouched in the form."""

    category: str = ""  # e.g. "bullying", "weapon", "food"
    danger_now: str = ""  # "yes", "no" or "unsure"
    place: str = ""  # a school slug, "event", "district" or "unsure"
    event_name: str = ""
    description: str = ""
    when_text: str = ""
    where_text: str = ""
    photos: Sequence[Path] = ()
    reporter_role: str = ""  # "student", "parent", "staff", "community"


def form(page: Page) -> Locator:
    return page.get_by_test_id("report-form")


def fill(page: Page, report: Report) -> None:
    """Answer every question on one page (a wide screen, or no JavaScript)."""
    expect(form(page)).to_be_visible()
    if report.category:
        page.locator(f"#category-{report.category}").check()
    if report.danger_now:
        page.locator(f"#danger-{report.danger_now}").check()
    if report.place:
        page.locator("#place").select_option(report.place)
    if report.event_name:
        page.locator("#event_name").fill(report.event_name)
    if report.description:
        page.locator("#description").fill(report.description)
    if report.when_text:
        page.locator("#when_text").fill(report.when_text)
    if report.where_text:
        page.locator("#where_text").fill(report.where_text)
    if report.photos:
        page.locator("#photos").set_input_files([str(p) for p in report.photos])
    if report.reporter_role:
        page.locator("#reporter_role").select_option(report.reporter_role)


def send(page: Page) -> None:
    page.get_by_test_id("send-report").click()


def receipt_code(page: Page) -> str:
    """The 16-digit code on the receipt, after checking it is shown grouped in fours."""
    expect(page.get_by_test_id("receipt-page")).to_be_visible()
    shown = page.get_by_test_id("receipt-code")
    expect(shown).to_be_visible()
    code = shown.get_attribute("data-code") or ""
    assert re.fullmatch(r"\d{16}", code), f"receipt code is not 16 digits: {code!r}"
    expect(shown).to_have_text(" ".join(code[i : i + 4] for i in range(0, 16, 4)))
    return code


def with_dashes(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, 16, 4))
