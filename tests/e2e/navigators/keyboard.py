"""Someone who uses the keyboard alone: Tab and Shift+Tab between controls, arrows within a radio
group, Space and Enter to press, and typing. Locators are only used to *see* where focus is."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

# Enough for any public page; the staff queue (one link per open case) gets its own allowance.
MAX_STOPS = 60

_DESCRIBE_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "<body> (nothing focused)";
    const id = el.id ? "#" + el.id : "";
    const testid = el.dataset.testid ? ` [data-testid=${el.dataset.testid}]` : "";
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 50);
    return `<${el.tagName.toLowerCase()}${id}>${testid} ${JSON.stringify(text)}`;
}"""

_FOCUS_RING = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {outline: style.outlineStyle, width: parseFloat(style.outlineWidth) || 0,
            shadow: style.boxShadow};
}"""


def focused(page: Page) -> str:
    """What has focus, in words (for failure messages)."""
    return str(page.evaluate(_DESCRIBE_FOCUS))


def has_focus(target: Locator) -> bool:
    return bool(target.evaluate("el => el === document.activeElement"))


def tab(page: Page, *, backwards: bool = False) -> None:
    page.keyboard.press("Shift+Tab" if backwards else "Tab")


def tabs_to(page: Page, target: Locator, *, backwards: bool = False, max_stops: int = MAX_STOPS) -> int:
    """Presses Tab (or Shift+Tab) until `target` has focus; how many presses it took."""
    expect(target).to_be_attached()
    for presses in range(1, max_stops + 1):
        tab(page, backwards=backwards)
        if has_focus(target):
            return presses
    raise AssertionError(f"{max_stops} presses of Tab never reached {target}; focus is on {focused(page)}")


def tab_stops(page: Page, count: int) -> list[str]:
    """The next `count` stops Tab lands on, each as `id` (or data-testid, or tag)."""
    stops = []
    for _ in range(count):
        tab(page)
        stops.append(
            page.evaluate(
                "() => { const el = document.activeElement;"
                " return el.id || el.dataset.testid || el.tagName.toLowerCase(); }"
            )
        )
    return stops


def arrows_to(page: Page, radio: Locator, key: str = "ArrowDown", max_steps: int = 30) -> None:
    """Within a radio group that has focus: arrow keys until `radio` is focused (which checks it)."""
    for _ in range(max_steps):
        if has_focus(radio):
            break
        page.keyboard.press(key)
    else:
        raise AssertionError(f"{key} never reached {radio}; focus is on {focused(page)}")
    expect(radio).to_be_checked()


def focus_is_visible(page: Page) -> None:
    """The focused control shows a focus indicator: an outline (not "none") or a box-shadow."""
    ring = page.evaluate(_FOCUS_RING)
    visible = (ring["outline"] != "none" and ring["width"] > 0) or ring["shadow"] not in ("", "none")
    assert visible, f"no visible focus indicator on {focused(page)}: {ring}"
