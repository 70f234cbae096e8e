"""Alerts in the browser: the account page says what state this device is in, the service worker
shows a pushed alert (delivered with CDP, as a push service would), and opening it lands on the case.

Headless Chromium has no push service, so subscribing is covered by the integration tests against a
local push service (tests/push_service.py); a notification cannot be clicked by automation either, so
the click handler's function (openCase) is called in the worker directly."""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import expect

from tests.e2e.conftest import OpenContext
from tests.e2e.navigators import staff, student
from tests.e2e.navigators.report_form import Report
from tests.e2e.support import LanternServer

DISTRICT_ADMIN = "district@demo.lantern.example"


def test_a_pushed_alert_is_shown_and_opens_the_case(open_context: OpenContext, server: LanternServer) -> None:
    reporter = open_context().new_page()
    student.opens_report_form(reporter)
    code = student.submits_report(reporter, Report(category="weapon", danger_now="no", place="lincoln-hs",
                                                   description="He showed a knife on the bus."))  # fmt: skip
    case_id = staff.case_id_for(server, code)

    context = open_context()
    context.grant_permissions(["notifications"], origin=server.url)
    page = context.new_page()
    staff.signs_in(page, DISTRICT_ADMIN)
    page.goto("/staff/account")
    expect(page.get_by_test_id("push-state")).to_have_attribute("data-state", re.compile("off|unsupported"))
    page.evaluate("navigator.serviceWorker.ready")
    page.goto("/staff")  # the queue, now controlled by the worker

    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, str]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"])
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    registration = next(r for r in registrations if r["scopeURL"] == f"{server.url}/")
    alert = {
        "title": "Life-safety report",
        "body": "Weapon · Lincoln Heights High School",
        "url": f"/staff/cases/{case_id}",
        "tag": "lantern-life_safety",
    }
    shown: list[dict[str, object]] = []
    # A push handed over while the browser is still waking the worker can be dropped (a push service
    # would retry it too): hand it over again after a few seconds. One tag, so never two notifications.
    for _attempt in range(3):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": server.url,
                "registrationId": registration["registrationId"],
                "data": json.dumps(alert),
            },
        )
        deadline = time.monotonic() + 5
        while not shown and time.monotonic() < deadline:
            shown = page.evaluate(
                "navigator.serviceWorker.ready.then((r) => r.getNotifications())"
                ".then((all) => all.map((n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))"
            )
            page.wait_for_timeout(100)
        if shown:
            break
    assert shown == [
        {"title": alert["title"], "body": alert["body"], "tag": alert["tag"], "data": {"url": alert["url"]}}
    ]

    worker = context.service_workers[0]
    worker.evaluate("(url) => openCase(url)", alert["url"])
    expect(page).to_have_url(re.compile(rf"/staff/cases/{case_id}$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
