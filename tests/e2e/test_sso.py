"""Single sign-on in Chromium, through a real OpenID provider's own pages. The provider answers as
`localhost` and Lantern as 127.0.0.1: two sites, as a district's provider and Lantern are, so the
cookies' SameSite rules are the ones a browser applies in a real district."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import staff
from tests.e2e.support import LanternServer, free_port
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, RunningProvider, openid_provider

DISTRICT_ADMIN = "district@demo.lantern.example"
COUNSELOR = "counselor.lincoln@demo.lantern.example"
# The stand-in provider's own pages import a web font; they are its pages, not Lantern's.
PROVIDER_FONT_HOST = "fonts.googleapis.com"


@pytest.fixture(scope="module")
def provider_and_server() -> Iterator[tuple[RunningProvider, LanternServer]]:
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    with openid_provider(public_url, issuer_host="localhost") as provider:
        lantern = LanternServer.fresh(
            LANTERN_PUBLIC_URL=public_url,
            LANTERN_OIDC_ISSUER=provider.issuer,
            LANTERN_OIDC_CLIENT_ID=CLIENT_ID,
            LANTERN_OIDC_CLIENT_SECRET=CLIENT_SECRET,
            LANTERN_OIDC_NAME="Prairie River accounts",
        ).start(port=port)
        try:
            yield provider, lantern
        finally:
            lantern.stop()
            lantern.remove_data()


def _context(open_context: OpenContext, lantern: LanternServer) -> BrowserContext:
    context = open_context(base_url=lantern.url, allowed_hosts=("localhost", PROVIDER_FONT_HOST))
    context.route(f"https://{PROVIDER_FONT_HOST}/**", lambda route: route.abort())
    return context


def _signs_in_at_provider(page: Page, login: str) -> None:
    """From Lantern's sign-in page, through the provider's login and consent pages."""
    page.goto("/staff/sign-in")
    page.get_by_test_id("sso-sign-in").click()
    expect(page).to_have_url(re.compile(r"^http://localhost:\d+/interaction/"))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").first.click()
    consent = page.get_by_role("button", name="Continue")
    if page.url.startswith("http://localhost"):
        consent.click()


def test_a_counselor_signs_in_with_the_district_account_and_signs_out_of_both(
    open_context: OpenContext, provider_and_server: tuple[RunningProvider, LanternServer]
) -> None:
    _provider, lantern = provider_and_server
    page = _context(open_context, lantern).new_page()
    page.goto("/staff/sign-in")
    first_button = page.locator("main a, main button").first
    expect(first_button).to_have_text("Sign in with Prairie River accounts")
    _signs_in_at_provider(page, COUNSELOR)
    expect(page.get_by_test_id("sign-out")).to_be_visible()
    expect(page).to_have_url(f"{lantern.url}/staff")
    page.get_by_test_id("sign-out").click()
    # The provider asks whether to end its own session too.
    expect(page).to_have_url(re.compile(r"^http://localhost:\d+/session/end"))
    page.get_by_role("button", name=re.compile("Yes, sign me out", re.I)).click()
    staff.is_on_sign_in(page)
    # Signed out at the provider as well: the next sign-in asks for the login again.
    page.get_by_test_id("sso-sign-in").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def test_a_replayed_callback_signs_nobody_in(
    open_context: OpenContext, provider_and_server: tuple[RunningProvider, LanternServer]
) -> None:
    _provider, lantern = provider_and_server
    page = _context(open_context, lantern).new_page()
    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if "/oidc/callback" in r.url else None)
    _signs_in_at_provider(page, COUNSELOR)
    expect(page.get_by_test_id("sign-out")).to_be_visible()
    assert callbacks
    stranger = _context(open_context, lantern).new_page()
    stranger.goto(callbacks[0])
    expect(stranger.get_by_test_id("sso-error")).to_have_attribute("data-reason", "expired")
    stranger.goto("/staff")
    staff.is_on_sign_in(stranger)


@pytest.mark.parametrize(
    ("login", "reason", "words"),
    [
        ("stranger@elsewhere.example", "unknown", "Ask a district administrator to invite you"),
        (f"unverified:{COUNSELOR}", "unverified", "no verified email address"),
    ],
)
def test_an_unknown_or_unverified_email_gets_a_clear_page(
    open_context: OpenContext,
    provider_and_server: tuple[RunningProvider, LanternServer],
    login: str,
    reason: str,
    words: str,
) -> None:
    _provider, lantern = provider_and_server
    page = _context(open_context, lantern).new_page()
    _signs_in_at_provider(page, login)
    expect(page.get_by_test_id("sso-error")).to_have_attribute("data-reason", reason)
    expect(page.get_by_test_id("sso-error")).to_contain_text(words)
    page.get_by_test_id("sso-start-again").click()
    staff.is_on_sign_in(page)


def test_provider_down_with_sso_required_only_the_district_admin_gets_in_with_a_password(
    open_context: OpenContext,
) -> None:
    lantern = LanternServer.fresh(
        LANTERN_OIDC_ISSUER=f"http://localhost:{free_port()}",
        LANTERN_OIDC_CLIENT_ID=CLIENT_ID,
        LANTERN_OIDC_CLIENT_SECRET=CLIENT_SECRET,
        LANTERN_OIDC_REQUIRED="1",
    ).start()
    try:
        page = _context(open_context, lantern).new_page()
        page.goto("/staff/sign-in")
        page.get_by_test_id("sso-sign-in").click()
        expect(page.get_by_test_id("sso-error")).to_have_attribute("data-reason", "unreachable")
        page.get_by_test_id("sso-start-again").click()
        staff.types_credentials(page, COUNSELOR, staff.DEMO_PASSWORD)
        expect(page.get_by_test_id("sign-in-error")).to_contain_text("Use the button above")
        expect(page.locator("#email")).to_have_value(COUNSELOR)
        staff.signs_in(page, DISTRICT_ADMIN)
        expect(page).to_have_url(f"{lantern.url}/staff")
    finally:
        lantern.stop()
        lantern.remove_data()
