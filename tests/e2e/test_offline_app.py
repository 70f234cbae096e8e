"""The installed app: installable, the directory and counselor page offline after one visit, and a
report written offline kept on the device (encrypted) and sent exactly once when the network is back —
also when the server stored it but its answer was lost."""

from __future__ import annotations

import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Playwright, Route, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import device, report_form, reporter
from tests.e2e.navigators.report_form import Report
from tests.e2e.support import CHROMEBOOK, CHROMIUM, CHROMIUM_ARGS, PHONE, LanternServer, png, snapshot


def test_chromium_finds_the_app_installable(playwright: Playwright, server: LanternServer) -> None:
    # Installability is only reported for a persistent (non-incognito) profile.
    with tempfile.TemporaryDirectory(prefix="lantern-profile-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=server.url
        )
        try:
            page = context.new_page()
            page.goto("/")
            device.waits_for_service_worker(page)
            cdp = context.new_cdp_session(page)
            assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
            manifest = cdp.send("Page.getAppManifest")
            assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]
        finally:
            context.close()


def test_directory_and_counselor_page_work_offline_after_one_visit(open_context: OpenContext) -> None:
    context = open_context(viewport=PHONE)
    page = context.new_page()
    page.goto("/es/")
    device.waits_for_service_worker(page)
    device.waits_until_language_kept(page, "/es")

    context.set_offline(True)
    page.goto("/es/resources")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("navigation", name=re.compile(".")).locator(
        'a[href="/es/resources?need=food"]'
    ).first.click()
    expect(page).to_have_url(re.compile(r"/es/resources\?need=food$"))
    card = page.get_by_test_id("resource-card").first
    expect(card).to_be_visible()
    card.get_by_role("heading").get_by_role("link").click()
    expect(page.get_by_test_id("resource-details")).to_be_visible()
    page.goto("/es/counselor")
    expect(page.get_by_test_id("counselor-options")).to_be_visible()
    # A page that needs the server says so kindly, with what still works.
    page.goto("/es/check")
    expect(page.locator("body#offline")).to_be_attached()

    kept = device.cached_urls(page)
    assert not [url for url in kept if re.search(r"/(check|staff|kiosk)(/|$|\?)", url)], kept


def cards_on(html: str) -> set[str]:
    return set(re.findall(r'data-testid="resource-card" data-resource="([^"]+)"', html))


@pytest.mark.parametrize(
    ("viewport", "prefix"), [(PHONE, ""), (CHROMEBOOK, "/ar")], ids=["phone-english", "chromebook-arabic"]
)
def test_offline_filters_use_the_kept_copy_or_say_they_need_the_network(
    open_context: OpenContext, server: LanternServer, viewport: dict[str, int], prefix: str
) -> None:
    food_cards = cards_on(httpx.get(f"{server.url}{prefix}/resources?need=food", timeout=30).text)
    context = open_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{prefix}/resources")
    device.waits_for_service_worker(page)
    device.waits_until_language_kept(page, prefix)
    every_card = page.get_by_test_id("resource-card").count()
    assert 0 < len(food_cards) < every_card

    context.set_offline(True)
    form = page.locator("form[data-offline-filters]")
    note = page.get_by_test_id("offline-note")
    shown = page.locator("[data-testid=resource-card]:visible")
    # "Open now" from the hours kept on the device: the same places the server names at this moment.
    page.locator("label[for=open]").click()
    open_now = cards_on(httpx.get(f"{server.url}{prefix}/resources?open=now", timeout=30).text)
    expect(note).to_have_text(
        (form.get_attribute("data-offline-open-now") or "").replace("{count}", str(len(open_now)))
    )
    assert set(shown.evaluate_all("(cards) => cards.map((c) => c.dataset.resource)")) == open_now
    expect(page.get_by_test_id("send-error")).to_have_count(0)  # nothing was being sent
    expect(page).to_have_url(re.compile(r"/resources\?open=now$"))
    snapshot(page, f"offline-open-now-{viewport['width']}{prefix.replace('/', '-')}")

    page.locator("label[for=open]").click()
    page.locator("#need").select_option("food")  # one need: the list kept on the device
    expect(note).to_have_text(form.get_attribute("data-offline-kept") or "")
    expect(shown).to_have_count(len(food_cards))
    expect(page).to_have_url(re.compile(r"/resources\?need=food$"))

    page.locator("#near").select_option(index=1)  # distances are worked out by the server
    expect(note).to_have_text(form.get_attribute("data-offline-needs-network") or "")
    expect(shown).to_have_count(len(food_cards))  # the list did not change, and says so

    # "I have a code" needs the server: tapping it says so, and the page stays.
    page.locator(f'.site-nav a[href="{prefix}/check"]').click()
    notice = page.get_by_test_id("net-notice")
    expect(notice).to_have_text(notice.get_attribute("data-needs-network") or "")
    expect(page.locator("body#resources")).to_be_attached()
    snapshot(page, f"offline-needs-network-{viewport['width']}{prefix.replace('/', '-')}")


def offline_report(marker: str) -> Report:
    return Report(
        category="bullying",
        danger_now="no",
        place="lincoln-hs",
        description=f"{marker}: they take my lunch money at the bus stop every day.",
    )


def test_report_written_offline_waits_encrypted_and_arrives_once(
    open_context: OpenContext, server: LanternServer, tmp_path: Path
) -> None:
    marker = f"OUTBOX-{secrets.token_hex(4)}"
    context = open_context()
    page = context.new_page()
    page.goto("/report")
    device.waits_for_service_worker(page)
    device.waits_until_language_kept(page)

    context.set_offline(True)
    page.reload()  # the form itself now comes from the device
    report = offline_report(marker)
    report_form.fill(page, Report(**{**report.__dict__, "photos": [png(tmp_path / "note.png")]}))
    report_form.send(page)
    expect(page.get_by_test_id("outbox-saved")).to_be_visible()
    code = page.get_by_test_id("receipt-code").get_attribute("data-code") or ""
    assert re.fullmatch(r"\d{16}", code)
    expect(page.get_by_test_id("outbox-status")).to_contain_text("waiting to be sent: 1")

    stored = device.every_storage_area(page)
    on_device = " ".join([stored["local"], stored["session"], *stored["idb"], *stored["caches"]])
    assert marker not in on_device and code not in on_device  # sealed, not readable
    assert device.outbox_size(page) == 1
    assert device.reports_saying(server, marker) == 0

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_test_id("outbox-status")).to_contain_text("was sent", timeout=15_000)
    assert device.outbox_size(page) == 0
    assert device.reports_saying(server, marker) == 1

    reporter.checks(page, code)  # the code made on the device opens the case
    expect(page.get_by_test_id("case-status")).to_contain_text("Received")
    expect(page.get_by_test_id("case")).to_contain_text("1 picture sent.")  # the photo travelled too


@pytest.mark.parametrize("prefix", ["", "/ar"], ids=["english", "arabic"])
def test_the_outbox_notices_follow_the_student_to_the_next_pages(
    open_context: OpenContext, server: LanternServer, prefix: str
) -> None:
    marker = f"MOVED-{secrets.token_hex(4)}"
    context = open_context(viewport=CHROMEBOOK)
    page = context.new_page()
    page.goto(f"{prefix}/report")
    device.waits_for_service_worker(page)
    device.waits_until_language_kept(page, prefix)

    context.set_offline(True)
    page.reload()
    report_form.fill(page, offline_report(marker))
    report_form.send(page)
    expect(page.get_by_test_id("outbox-saved")).to_be_visible()

    # The student moves on inside Lantern (pages from the device) before the network is back.
    status = page.get_by_test_id("outbox-status")
    waiting = (status.get_attribute("data-waiting") or "").replace("{count}", "1")
    page.locator(f'.site-nav a[href="{prefix}/resources"]').click()
    expect(page.locator("body#resources")).to_be_attached()
    expect(status).to_have_text(waiting)
    page.locator(f'.site-nav a[href="{prefix}/counselor"]').click()
    expect(page.locator("body#counselor")).to_be_attached()
    expect(status).to_have_text(waiting)
    snapshot(page, f"outbox-waiting{prefix.replace('/', '-')}")

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text(status.get_attribute("data-sent") or "", timeout=15_000)
    assert device.reports_saying(server, marker) == 1
    snapshot(page, f"outbox-sent{prefix.replace('/', '-')}")

    # Said once where it happened; the next page is quiet again.
    page.locator(f'.site-nav a[href="{prefix}/resources"]').click()
    expect(page.locator("body#resources")).to_be_attached()
    expect(status).to_have_text("")


def test_a_lost_answer_is_retried_and_the_report_is_kept_once(
    open_context: OpenContext, server: LanternServer
) -> None:
    marker = f"LOST-{secrets.token_hex(4)}"
    context = open_context()
    page = context.new_page()
    page.goto("/report")
    device.waits_for_service_worker(page)

    def store_then_drop_the_answer(route: Route) -> None:
        route.fetch()  # the server stores the report ...
        route.abort("connectionreset")  # ... and its answer never arrives

    page.route(re.compile(r"/report$"), lambda route: store_then_drop_the_answer(route)
               if route.request.method == "POST" else route.continue_())  # fmt: skip
    report_form.fill(page, offline_report(marker))
    report_form.send(page)
    expect(page.get_by_test_id("outbox-saved")).to_be_visible()
    code = page.get_by_test_id("receipt-code").get_attribute("data-code") or ""
    assert device.reports_saying(server, marker) == 1  # stored, though the device never heard

    page.unroute(re.compile(r"/report$"))
    # The retry comes from Background Sync, the page's own retries, or the next page load.
    expect(page.get_by_test_id("outbox-status")).to_contain_text("was sent", timeout=15_000)
    assert device.outbox_size(page) == 0
    assert device.reports_saying(server, marker) == 1  # the retry made no second report
    reporter.checks(page, code)


@pytest.fixture
def release_server() -> Iterator[LanternServer]:
    lantern = LanternServer.fresh(LANTERN_RELEASE="first")
    yield lantern
    lantern.stop()
    lantern.remove_data()


def test_a_new_worker_version_replaces_the_old_caches_without_losing_a_form(
    browser: Browser, release_server: LanternServer
) -> None:
    release_server.start()
    context = browser.new_context(base_url=release_server.url)
    try:
        page = context.new_page()
        page.goto("/report")
        device.waits_for_service_worker(page)
        first = sorted(device.cache_names(page))
        assert len(first) == 2 and all(
            name.startswith(("lantern-shell-", "lantern-pages-")) for name in first
        )
        page.locator("#description").fill("Half-written, must survive an update")

        # A deploy: the same address, a new release (a new worker version).
        port = release_server.port
        release_server.stop()
        release_server.overrides["LANTERN_RELEASE"] = "second"
        release_server.start(port=port)
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        device.waits_until(
            page,
            "(old) => caches.keys().then((names) => names.some((n) => n.startsWith('lantern-shell-'))"
            " && !names.some((n) => old.includes(n)))",
            first,
        )
        expect(page.locator("#description")).to_have_value("Half-written, must survive an update")
    finally:
        context.close()


KEPT_PAGES_IN_ORDER = """async () => {
    const kept = [];
    for (const name of (await caches.keys()).filter((n) => n.startsWith("lantern-pages-"))) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
            const date = (await cache.match(request)).headers.get("date");
            if (date) kept.push([new URL(request.url).pathname + new URL(request.url).search, date]);
        }
    }
    return kept;
}"""


def test_the_offline_copy_never_records_which_entries_were_opened(
    open_context: OpenContext, server: LanternServer
) -> None:
    page = open_context(viewport=PHONE).new_page()
    page.goto("/")
    device.waits_for_service_worker(page)
    device.waits_until_language_kept(page)
    before = page.evaluate(KEPT_PAGES_IN_ORDER)
    entries = [path for path, _ in before if re.fullmatch(r"/resources/[^/?]+", path)]
    assert len(entries) > 3, before
    opened = entries[:2]
    newest_kept = max(parsedate_to_datetime(date) for _, date in before)
    # The server's clock has moved past the round of keeping, so a page kept again would be dated later.
    deadline = time.monotonic() + 10
    while (
        parsedate_to_datetime(httpx.get(f"{server.url}/healthz", timeout=30).headers["date"]) <= newest_kept
    ):
        assert time.monotonic() < deadline, "the server's clock did not move on"
        page.wait_for_timeout(200)

    for path in opened:
        page.goto(path)
        expect(page.get_by_test_id("resource-details")).to_be_visible()
    page.goto("/counselor")
    expect(page.get_by_test_id("counselor-options")).to_be_visible()

    after = page.evaluate(KEPT_PAGES_IN_ORDER)
    assert [path for path, _ in after] == [path for path, _ in before], "the order of the kept pages changed"
    assert dict(after) == dict(before), "a page opened was kept again, with a newer date"
    assert [path for path, _ in after][-2:] != opened
