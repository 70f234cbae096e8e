"""School staff: in the staff console (sign-in, the live queue, a case), and, for stories that only
need a staff member in the background, through the service layer."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.support import LanternServer, run_service

DEMO_PASSWORD = "lantern-demo-2026"
DISTRICT_ADMIN = "district@demo.lantern.example"  # every school
LINCOLN_RESPONDER = "counselor.lincoln@demo.lantern.example"  # lincoln-hs only
NORTHGATE_PRINCIPAL = "principal.northgate@demo.lantern.example"  # northgate-ms only

EVENTS = re.compile(r"/staff/events$")  # the queue page's stream


def case_events(case_id: str) -> re.Pattern[str]:
    """A case page's stream: that case's changes only."""
    return re.compile(rf"/staff/events\?case={case_id}$")


# --- In the staff console ---------------------------------------------------------------------------


def types_credentials(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """On the sign-in page: types email and password and presses Sign in (not waiting for the result)."""
    expect(page.locator("body#staff-sign-in")).to_be_attached()
    form = page.get_by_test_id("sign-in-form")
    form.locator("#email").fill(email)
    form.locator("#password").fill(password)
    page.get_by_test_id("sign-in").click()


def signs_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """/staff/sign-in → the queue (or wherever `next` pointed)."""
    page.goto("/staff/sign-in")
    types_credentials(page, email, password)
    expect(page.get_by_test_id("sign-out")).to_be_visible()


def signs_out(page: Page) -> None:
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/staff/sign-in$"))


def is_on_sign_in(page: Page, next_path: str | None = None) -> None:
    expect(page.locator("body#staff-sign-in")).to_be_attached()
    expect(page.get_by_test_id("sign-in-form")).to_be_visible()
    expect(page.get_by_test_id("sign-out")).to_have_count(0)
    if next_path is not None:
        expect(page.locator("input[name=next]")).to_have_value(next_path)


def opens_queue(page: Page) -> None:
    """/staff, and waits until the page listens for live updates (an event before then is not seen)."""
    with page.expect_response(EVENTS):
        page.goto("/staff")
    expect(page.locator("body#staff-queue")).to_be_attached()


def queue_row(page: Page, case_id: str) -> Locator:
    return page.get_by_test_id("queue-row").and_(page.locator(f'[data-case="{case_id}"]'))


def opens_case_from_queue(page: Page, case_id: str) -> None:
    """Clicks the case in the queue: its page, listening for live updates."""
    with page.expect_response(case_events(case_id)):
        queue_row(page, case_id).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/staff/cases/{case_id}$"))
    expect(page.locator("body#staff-case")).to_be_attached()


def opens_case(page: Page, case_id: str) -> None:
    """Goes straight to a case page (a link from a colleague), listening for live updates."""
    with page.expect_response(case_events(case_id)):
        page.goto(f"/staff/cases/{case_id}")
    expect(page.locator("body#staff-case")).to_be_attached()


def case_status(page: Page) -> Locator:
    return page.get_by_test_id("staff-case-status")


def acknowledges(page: Page) -> None:
    page.get_by_test_id("acknowledge").click()
    expect(case_status(page)).to_have_text("Acknowledged")
    expect(page.get_by_test_id("acknowledge")).to_have_count(0)


def conversation(page: Page) -> Locator:
    return page.get_by_test_id("staff-conversation")


def messages_reporter(page: Page, body: str) -> None:
    page.locator("#message-body").fill(body)
    page.get_by_test_id("send-message").click()
    expect(conversation(page).get_by_test_id("staff-message-staff").filter(has_text=body)).to_have_count(1)


def adds_note(page: Page, body: str) -> None:
    page.locator("#note-body").fill(body)
    page.get_by_test_id("add-note").click()
    expect(conversation(page).get_by_test_id("staff-message-note").filter(has_text=body)).to_have_count(1)


# --- Behind the scenes, through the service layer -------------------------------------------------


def case_id_for(server: LanternServer, code: str) -> str:
    """The case's public id (what staff pages show in URLs), from the reporter's code."""
    return run_service(
        server,
        """
        async def main(code):
            print((await report_for(code)).public_id)
        """,
        code,
    )


def refusals(server: LanternServer, code: str, email: str) -> int:
    """How many times the audit log says `email` was refused this case."""
    return int(
        run_service(
            server,
            """
            from web.staff.tables import AuditEvent, StaffAccount

            async def main(code, email):
                report = await report_for(code)
                account = await StaffAccount.objects().where(StaffAccount.email == email).first()
                # The case is named by its public id (case_uuid); older schemas used the row id.
                if hasattr(AuditEvent, "case_uuid"):
                    this_case = AuditEvent.case_uuid == report.public_id
                else:
                    this_case = AuditEvent.case_id == report.id
                print(
                    await AuditEvent.count().where(
                        (AuditEvent.action == "case.refused")
                        & this_case
                        & (AuditEvent.staff == account.id)
                    )
                )
            """,
            code,
            email,
        )
    )


def replies(server: LanternServer, code: str, body: str, staff_name: str) -> None:
    run_service(
        server,
        """
        async def main(code, body, staff_name):
            await services.add_staff_message(await report_for(code), body, staff_name)
        """,
        code,
        body,
        staff_name,
    )


def count_reports(server: LanternServer) -> int:
    return int(
        run_service(
            server,
            """
            async def main():
                print(await Report.count())
            """,
        )
    )
