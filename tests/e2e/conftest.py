"""Fixtures for the browser stories: one real server for the session, one Chromium, a fresh browser
context per test that records every request, and a check after each test that nothing went to
another host and no script failed (a CSP violation included)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, LanternServer, third_party

# htmx swaps are quick; the slowest step is a /check lookup (Argon2 + the deliberate minimum delay).
expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The accessibility audit runs last, so with -x a story failure is what you see first."""
    items.sort(key=lambda item: "test_accessibility" in str(item.fspath))


@dataclass
class Traffic:
    """What one browser context asked for, and what went wrong in its pages."""

    allowed_hosts: frozenset[str] = frozenset()
    urls: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)

    def third_party(self) -> list[str]:
        return third_party(self.urls, self.allowed_hosts)


TRAFFIC: dict[int, Traffic] = {}


def traffic(page_or_context: Page | BrowserContext) -> Traffic:
    context = page_or_context.context if isinstance(page_or_context, Page) else page_or_context
    return TRAFFIC[id(context)]


def assert_no_third_party_requests(page_or_context: Page | BrowserContext) -> None:
    recorded = traffic(page_or_context)
    assert recorded.urls, "no requests were recorded at all"
    offenders = recorded.third_party()
    assert not offenders, "requests left 127.0.0.1:\n  " + "\n  ".join(offenders)


@pytest.fixture(scope="session")
def server() -> Iterator[LanternServer]:
    lantern = LanternServer.fresh().start()
    yield lantern
    lantern.stop()
    lantern.remove_data()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = CHROMIUM if os.path.exists(CHROMIUM) else None  # else Playwright's own Chromium
    chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


OpenContext = Callable[..., BrowserContext]


@pytest.fixture
def open_context(browser: Browser, server: LanternServer) -> Iterator[OpenContext]:
    """`open_context(base_url=..., allowed_hosts=..., **new_context_options)`: a recorded context."""
    opened: list[BrowserContext] = []

    def open_(
        *, base_url: str | None = None, allowed_hosts: tuple[str, ...] = (), **options: Any
    ) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "en-US")
        context = browser.new_context(base_url=base_url or server.url, **options)
        context.set_default_timeout(10_000)
        recorded = Traffic(allowed_hosts=frozenset(allowed_hosts))
        TRAFFIC[id(context)] = recorded
        context.on("request", lambda request: recorded.urls.append(request.url))
        context.on("weberror", lambda web_error: recorded.script_errors.append(str(web_error.error)))

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error" and "Content Security Policy" in message.text:
                recorded.script_errors.append(message.text)

        context.on("console", on_console)
        opened.append(context)
        return context

    yield open_

    problems = []
    for context in opened:
        recorded = TRAFFIC.pop(id(context))
        try:
            context.close()
        except Error:
            pass
        if recorded.third_party():
            problems.append("third-party requests: " + ", ".join(recorded.third_party()))
        if recorded.script_errors:
            problems.append("script errors: " + " | ".join(recorded.script_errors))
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(open_context: OpenContext) -> Page:
    """A fresh desktop-size (1280x900) page on the session server."""
    return open_context().new_page()
