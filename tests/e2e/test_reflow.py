"""Small screens and zoom: every public page reflows into 320 CSS px without scrolling sideways
(WCAG 1.4.10), in English and in right-to-left Arabic, and so does a 1280x800 screen zoomed to 200 %.
On a phone, every control on the report form and the directory is big enough to tap (44x44 px).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import report_form
from tests.e2e.navigators.report_form import Report
from tests.e2e.support import PHONE

LAYOUTS: dict[str, dict[str, Any]] = {
    "320px": {"viewport": {"width": 320, "height": 640}},
    # 1280x800 at 200 % zoom lays out like a 640x400 CSS-px screen with two device pixels per px.
    "1280x800-at-200%": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}
PAGES = ["/", "/resources", "/counselor", "/report", "/community", "/check"]
MIN_TARGET = 44  # CSS px
URGENT = Report(
    category="weapon",
    danger_now="yes",
    place="lincoln-hs",
    description="Someone showed a knife on the bus this morning.",
)

# What sticks out sideways: the deepest visible elements past either edge of the viewport.
_OVERFLOW = """() => {
    const width = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    const out = [];
    if (scrollWidth <= width) return {scrollWidth, innerWidth: width, offenders: out};
    for (const el of document.body.querySelectorAll("*")) {
        if (!el.checkVisibility()) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || (r.right <= width + 0.5 && r.left >= -0.5)) continue;
        const child = [...el.children].some(c => {
            const cr = c.getBoundingClientRect();
            return c.checkVisibility() && cr.width > 0 && (cr.right > width + 0.5 || cr.left < -0.5);
        });
        if (child) continue;
        const cls = el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "";
        const text = (el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 40);
        out.push(`<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${cls}> ${JSON.stringify(text)}`
                 + ` spans ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    return {scrollWidth, innerWidth: width, offenders: out.slice(0, 8)};
}"""


def sideways_scrolling(page: Page, what: str) -> list[str]:
    """[] if `what` fits the viewport's width; else what scrolls and what sticks out."""
    found = page.evaluate(_OVERFLOW)
    if found["scrollWidth"] <= found["innerWidth"]:
        return []
    return [
        f"{what}: scrollWidth {found['scrollWidth']} > innerWidth {found['innerWidth']}",
        *(f"    {offender}" for offender in found["offenders"]),
    ]


def resource_path(page: Page, prefix: str) -> str:
    page.goto(f"{prefix}/resources?need=food")
    link = page.get_by_test_id("resource-card").first.get_by_role("heading").get_by_role("link")
    return link.get_attribute("href") or ""


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_public_page_reflows_without_sideways_scrolling(
    open_context: OpenContext, layout: str, lang: str
) -> None:
    page = open_context(**LAYOUTS[layout]).new_page()
    prefix = "" if lang == "en" else f"/{lang}"
    problems: list[str] = []

    for path in [*PAGES, resource_path(page, prefix).removeprefix(prefix)]:
        page.goto(prefix + path)
        expect(page.get_by_role("main")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        problems += sideways_scrolling(page, prefix + path)

    # The language menu, open.
    page.goto(prefix + "/")
    page.get_by_test_id("language-picker").locator("summary").click()
    expect(page.get_by_test_id("language-picker").get_by_role("link").first).to_be_visible()
    problems += sideways_scrolling(page, f"{prefix}/ with the language menu open")

    # The receipt (with the call-911 box) and the case page.
    page.goto(prefix + "/report")
    answers_step_by_step(page, URGENT)
    report_form.send(page)
    code = report_form.receipt_code(page)
    problems += sideways_scrolling(page, f"{prefix} receipt page")
    page.goto(prefix + "/check")
    page.locator("#code").fill(code)
    page.get_by_test_id("open-case").click()
    expect(page.get_by_test_id("case-status")).to_be_visible()
    problems += sideways_scrolling(page, f"{prefix} case page")

    assert not problems, f"pages scroll sideways at {layout}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_forms_reflow_at_320px_without_javascript(open_context: OpenContext, lang: str) -> None:
    # Without the script the browser's own file control shows, and a box grows to hold it.
    page = open_context(**LAYOUTS["320px"], java_script_enabled=False).new_page()
    prefix = "" if lang == "en" else f"/{lang}"
    problems: list[str] = []
    for path in ("/report", "/community"):
        page.goto(prefix + path)
        expect(page.locator("#photos")).to_be_visible()
        problems += sideways_scrolling(page, prefix + path)
    assert not problems, "pages scroll sideways at 320px without JavaScript:\n" + "\n".join(problems)


def answers_step_by_step(
    page: Page, report: Report, at_each_question: Callable[[int], None] = lambda question: None
) -> None:
    """A narrow screen asks one question at a time: answer, (look around,) Next, to the last one."""
    form = report_form.form(page)
    expect(form.locator(".step-nav")).to_be_attached()
    next_button = form.locator(".step-nav").get_by_role("button", name=form.get_attribute("data-next-label"))
    answers = [
        lambda: page.locator(f"#category-{report.category}").check(),
        lambda: page.locator(f"#danger-{report.danger_now}").check(),
        lambda: page.locator("#place").select_option(report.place),
        lambda: page.locator("#description").fill(report.description),
    ]
    question = 1
    while True:
        if question <= len(answers):
            answers[question - 1]()
        at_each_question(question)
        if not next_button.is_visible():
            break
        next_button.click()
        question += 1


# --- Touch targets -----------------------------------------------------------------------------------

TARGETS = "a.button, button, .chip, input[type=radio], input[type=checkbox], select"
# Each visible target's box; a radio or checkbox is tapped anywhere on its row (input and label).
_SMALL_TARGETS = """([selector, minimum]) => {
    const small = [];
    for (const el of document.querySelectorAll(selector)) {
        if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
        const toggle = el.matches("input[type=radio], input[type=checkbox]");
        const box = toggle ? (el.closest(".choice") || el) : el;
        const r = box.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        const tooSmall = toggle ? r.height < minimum - 0.01 : r.width < minimum - 0.01 || r.height < minimum - 0.01;
        if (!tooSmall) continue;
        const label = toggle && el.labels.length ? el.labels[0].innerText : (el.innerText || el.value || "");
        const id = el.id ? "#" + el.id : "";
        const cls = el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "";
        small.push(`${el.tagName.toLowerCase()}${id}${cls}${toggle ? " (its .choice row)" : ""} `
                   + `${JSON.stringify(label.trim().replace(/\\s+/g, " ").slice(0, 40))}: `
                   + `${r.width.toFixed(1)}x${r.height.toFixed(1)}`);
    }
    return small;
}"""


def small_targets(page: Page, where: str) -> list[str]:
    return [f"{where}: {target}" for target in page.evaluate(_SMALL_TARGETS, [TARGETS, MIN_TARGET])]


def test_report_form_controls_are_big_enough_to_tap_on_a_phone(open_context: OpenContext) -> None:
    page = open_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/report")
    problems: list[str] = []
    answers_step_by_step(
        page, URGENT, lambda question: problems.extend(small_targets(page, f"/report question {question}"))
    )
    assert not problems, "too small to tap (under 44x44 CSS px):\n" + "\n".join(problems)


def test_directory_controls_are_big_enough_to_tap_on_a_phone(open_context: OpenContext) -> None:
    page = open_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    problems: list[str] = []
    for path in ["/resources", "/resources?need=food"]:
        page.goto(path)
        expect(page.get_by_test_id("resource-card").first).to_be_visible()
        problems += small_targets(page, path)
    assert not problems, "too small to tap (under 44x44 CSS px):\n" + "\n".join(problems)


# --- The header on the narrowest screens --------------------------------------------------------------

_HEADER_FIT = """() => {
    const parts = {
        brand: document.querySelector(".site-header .brand"),
        language: document.querySelector("[data-testid=language-picker] summary"),
        "quick exit": document.querySelector("[data-testid=quick-exit]"),
    };
    const problems = [];
    const boxes = {};
    for (const [name, el] of Object.entries(parts)) {
        boxes[name] = el.getBoundingClientRect();
        if (el.scrollWidth > el.clientWidth + 1) {
            problems.push(`${name}: its content is ${el.scrollWidth} px wide in a ${el.clientWidth} px box`);
        }
    }
    const names = Object.keys(boxes);
    for (let i = 0; i < names.length; i++) {
        for (let j = i + 1; j < names.length; j++) {
            const a = boxes[names[i]], b = boxes[names[j]];
            if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
                problems.push(`${names[i]} and ${names[j]} overlap`);
            }
        }
    }
    return problems;
}"""


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("width", [320, 390])
def test_header_controls_keep_their_text_on_narrow_screens(
    open_context: OpenContext, width: int, lang: str
) -> None:
    page = open_context(viewport={"width": width, "height": 640}).new_page()
    page.goto("/" if lang == "en" else f"/{lang}/")
    expect(page.get_by_test_id("quick-exit")).to_be_visible()
    problems = page.evaluate(_HEADER_FIT)
    assert not problems, f"the header at {width} px ({lang}):\n" + "\n".join(problems)
