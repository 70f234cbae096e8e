"""A shared kiosk: an admin makes a set-up link, the device opens on three large paths, and after a
minute without input a countdown then a full reset leaves nothing of the last student anywhere."""

from __future__ import annotations

import re
import secrets
import time

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import device, report_form, staff
from tests.e2e.navigators.report_form import Report
from tests.e2e.support import LanternServer

DISTRICT_ADMIN = "district@demo.lantern.example"


def admin_makes_kiosk_link(context: BrowserContext, locale: str = "en") -> str:
    page = context.new_page()
    staff.signs_in(page, DISTRICT_ADMIN)
    page.goto("/staff/admin/kiosks")
    page.locator("#kiosk-school").select_option("lincoln-hs")
    page.locator("#kiosk-label").fill("Library, 2nd floor")
    page.locator("#kiosk-idle").select_option("30")
    page.locator("#kiosk-locale").select_option(locale)
    page.get_by_test_id("kiosk-create").click()
    link = page.get_by_test_id("kiosk-link-url").inner_text().strip()
    assert "/kiosk/enrol/" in link
    page.close()
    return link


def enrolled_kiosk(open_context: OpenContext, locale: str = "en") -> Page:
    link = admin_makes_kiosk_link(open_context(), locale)
    kiosk = open_context().new_page()
    kiosk.clock.install()  # the kiosk's idle timers run on a clock the story controls
    kiosk.goto(link)
    kiosk.get_by_test_id("kiosk-enrol").click()
    expect(kiosk).to_have_url(re.compile(r"/kiosk$"))
    expect(kiosk.get_by_test_id("paths")).to_be_visible()
    return kiosk


def test_kiosk_shows_three_paths_and_never_staff_pages(open_context: OpenContext) -> None:
    kiosk = enrolled_kiosk(open_context)
    expect(kiosk.locator("ul.paths--kiosk .path-card")).to_have_count(3)
    response = kiosk.goto("/staff/sign-in")
    assert response is not None and response.status == 404


def test_reset_after_idle_leaves_nothing_of_the_last_student(
    open_context: OpenContext, server: LanternServer
) -> None:
    kiosk = enrolled_kiosk(open_context, locale="es")
    expect(kiosk).to_have_url(re.compile(r"/es/kiosk$"))
    device.waits_for_service_worker(kiosk)
    marker = f"KIOSK-{secrets.token_hex(4)}"

    # A student switches to English, writes a report offline (it waits in the outbox) ...
    kiosk.goto("/en/report")
    expect(kiosk.locator("#place")).to_have_value("lincoln-hs")
    device.waits_until_language_kept(kiosk, "/en")
    kiosk.context.set_offline(True)
    report_form.fill(kiosk, Report(category="bullying", danger_now="no", place="lincoln-hs",
                                   description=f"{marker} someone writes threats on my locker"))  # fmt: skip
    report_form.send(kiosk)
    expect(kiosk.get_by_test_id("outbox-saved")).to_be_visible()
    code = kiosk.get_by_test_id("receipt-code").get_attribute("data-code") or ""
    # ... and the page left things behind in every storage area a script could use.
    kiosk.evaluate(
        """async (secret) => {
            localStorage.setItem("draft", secret); sessionStorage.setItem("draft", secret);
            await new Promise((ok) => { const r = indexedDB.open("scratch"); r.onupgradeneeded = () => r.result.createObjectStore("s");
              r.onsuccess = () => { const t = r.result.transaction("s", "readwrite"); t.objectStore("s").put(secret, "k"); t.oncomplete = () => { r.result.close(); ok(); }; }; });
            await (await caches.open("scratch")).put("/scratch", new Response(secret));
        }""",
        f"{marker} {code}",
    )

    # A minute passes: the countdown shows, then the reset.
    kiosk.clock.run_for(31_000)
    countdown = kiosk.get_by_test_id("kiosk-countdown")
    expect(countdown).to_be_visible()
    expect(countdown).to_contain_text(re.compile(r"starts over in [0-9]+ seconds"))
    started = time.monotonic()
    kiosk.clock.run_for(11_000)
    expect(kiosk).to_have_url(re.compile(r"/es/kiosk$"))  # back in the kiosk's own language
    expect(kiosk.locator("html")).to_have_attribute("lang", "es")
    reset_seconds = time.monotonic() - started
    assert reset_seconds < 5, reset_seconds  # generous here; bench/offline.py measures the real figure

    stored = device.every_storage_area(kiosk)
    everything = " ".join(
        [stored["local"], stored["session"], *stored["idb"], *stored["caches"], stored["page"]]
    )
    assert marker not in everything
    assert code not in everything
    assert code[:4] + " " + code[4:8] not in everything
    assert "scratch" not in " ".join(device.cache_names(kiosk))
    assert device.outbox_size(kiosk) == 1  # the report itself still waits, sealed, to be sent
    assert kiosk.evaluate("history.length") == 1 or kiosk.evaluate("history.state") is None

    kiosk.context.set_offline(False)
    kiosk.evaluate("window.dispatchEvent(new Event('online'))")
    deadline = time.monotonic() + 15
    while device.reports_saying(server, marker) != 1:
        assert time.monotonic() < deadline, "the kiosk's saved report never arrived"
        time.sleep(0.5)


def test_someone_still_there_keeps_their_work(open_context: OpenContext) -> None:
    kiosk = enrolled_kiosk(open_context)
    kiosk.get_by_test_id("path-report").click()
    kiosk.locator("#description").fill("still typing this")
    kiosk.clock.run_for(31_000)
    expect(kiosk.get_by_test_id("kiosk-countdown")).to_be_visible()
    kiosk.get_by_test_id("kiosk-stay").click()
    expect(kiosk.get_by_test_id("kiosk-countdown")).to_be_hidden()
    kiosk.clock.run_for(12_000)
    expect(kiosk.locator("#description")).to_have_value("still typing this")


def test_quick_exit_on_a_kiosk_clears_and_starts_over(open_context: OpenContext) -> None:
    kiosk = enrolled_kiosk(open_context)
    kiosk.get_by_test_id("path-report").click()
    kiosk.locator("#description").fill("private words")
    kiosk.get_by_test_id("quick-exit").click()
    expect(kiosk).to_have_url(re.compile(r"/kiosk$"))
    expect(kiosk.get_by_test_id("paths")).to_be_visible()
    kiosk.goto("/report")
    expect(kiosk.locator("#description")).to_have_value("")
