"""The staff console's rules: sign-in, sessions, CSRF, access per school, the queue and case work."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient
from markupsafe import escape

from tests.integration.conftest import png_bytes, report_fields
from tests.integration.staff_support import (
    DISTRICT,
    LINCOLN_RESPONDER,
    NORTHGATE_ADMIN,
    csrf_from,
    sign_in,
)
from tests.integration.test_report import receipt_code
from web.cases.tables import Attachment, Message, Report
from web.staff import auth
from web.staff.tables import AuditEvent, StaffAccount, StaffSession

pytestmark = pytest.mark.anyio


async def _report(client: AsyncTestClient, **fields: str) -> tuple[str, Report]:
    files = [("photos", ("p.png", png_bytes(), "image/png"))] if fields.pop("photo", "") else None
    response = await client.post("/report", data=report_fields(**fields), files=files)
    code = receipt_code(response.text)
    report = await Report.objects().order_by(Report.id, ascending=False).first()
    assert report is not None
    return code, report


async def _act(client: AsyncTestClient, token: str, report: Report, **fields: str):  # type: ignore[no-untyped-def]
    return await client.post(
        f"/staff/cases/{report.public_id}/act", data={"_csrf_token": token, **fields}, follow_redirects=False
    )


async def test_staff_pages_need_sign_in(client: AsyncTestClient) -> None:
    response = await client.get("/staff", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff/sign-in?next=/staff"
    htmx = await client.get("/staff/rows", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/staff/sign-in")


async def test_wrong_password_is_refused_kindly_and_audited(client: AsyncTestClient) -> None:
    page = await client.get("/staff/sign-in")
    response = await client.post(
        "/staff/sign-in",
        data={"email": DISTRICT, "password": "not the password", "_csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 422
    assert "do not match an active account" in response.text
    assert f'value="{DISTRICT}"' in response.text
    assert await AuditEvent.count().where(AuditEvent.action == "signin.failed") >= 1


async def test_session_cookie_is_strict_and_only_hashed_in_the_database(client: AsyncTestClient) -> None:
    page = await client.get("/staff/sign-in")
    response = await client.post(
        "/staff/sign-in",
        data={"email": DISTRICT, "password": "lantern-demo-2026", "_csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "lantern_staff=" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert "Path=/;" in cookie or cookie.endswith("Path=/")
    token = re.search(r"lantern_staff=([^;]+)", cookie)
    assert token
    hashes = [row["token_hash"] for row in await StaffSession.select(StaffSession.token_hash)]
    assert token.group(1) not in hashes and len(hashes) >= 1


async def test_posts_without_csrf_token_are_refused(client: AsyncTestClient) -> None:
    await sign_in(client, DISTRICT)
    _code, report = await _report(client)
    response = await client.post(f"/staff/cases/{report.public_id}/act", data={"action": "acknowledge"})
    assert response.status_code == 403
    assert (await Report.objects().where(Report.id == report.id).first()).status == "new"  # type: ignore[union-attr]


async def test_public_pages_set_no_cookies(client: AsyncTestClient) -> None:
    for path in ("/", "/report", "/check", "/resources"):
        assert "set-cookie" not in (await client.get(path)).headers, path


async def test_idle_and_absolute_timeouts_end_a_session(client: AsyncTestClient) -> None:
    await sign_in(client, DISTRICT)
    assert (await client.get("/staff", follow_redirects=False)).status_code == 200
    long_ago = datetime.now(tz=UTC) - timedelta(minutes=31)
    await StaffSession.update({StaffSession.last_seen_at: long_ago}, force=True)
    assert (await client.get("/staff", follow_redirects=False)).status_code == 303
    await sign_in(client, DISTRICT)
    await StaffSession.update(
        {StaffSession.created_at: datetime.now(tz=UTC) - timedelta(hours=13)},
        force=True,
    )
    assert (await client.get("/staff", follow_redirects=False)).status_code == 303


async def test_sign_out_ends_the_session(client: AsyncTestClient) -> None:
    token = await sign_in(client, DISTRICT)
    cookie = client.cookies.get("lantern_staff")
    await client.post("/staff/sign-out", data={"_csrf_token": token}, follow_redirects=False)
    client.cookies.set("lantern_staff", cookie or "", path="/")
    assert (await client.get("/staff", follow_redirects=False)).status_code == 303


async def test_sign_in_slows_down_after_failures(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert auth.slowdown_seconds(2) == 0.0 and auth.slowdown_seconds(5) == 2.0
    # Failures from everywhere slow everyone's tries for that account, but only by a bounded pause.
    assert auth.slowdown_seconds(0, account_failures=10_000) == 1.0
    monkeypatch.setattr(auth, "_MAX_TRIES", 2)
    email = "slow@example.org"
    for _ in range(2):
        assert await auth.sign_in(email, "anything", "192.0.2.1") is None
    for _ in range(3):
        with pytest.raises(auth.SignInRefused):
            await auth.sign_in(email, "anything", "192.0.2.1")
    # A door kept knocking on is written in the audit log once, not at every knock.
    refused = AuditEvent.count().where((AuditEvent.action == "signin.refused") & (AuditEvent.email == email))
    assert await refused == 1
    assert await auth.sign_in(email, "anything", "192.0.2.2") is None  # another address still may try


@pytest.mark.parametrize(
    ("who", "other_school"),
    [(LINCOLN_RESPONDER, "northgate-ms"), (NORTHGATE_ADMIN, "lincoln-hs"), ("analyst", "lincoln-hs")],
)
async def test_every_case_route_refuses_other_schools_and_audits_it(
    client: AsyncTestClient, who: str, other_school: str
) -> None:
    """Every case route, for each role, on a case it may not work: 404, nothing changes, audited.
    (The analyst belongs to the case's own school: analysts never see case content.)"""
    from web.staff.services import add_staff

    password = "lantern-demo-2026"
    if who == "analyst":
        who, password = "analyst@demo.lantern.example", "quiet river lantern"
        if not await StaffAccount.exists().where(StaffAccount.email == who):
            await add_staff(who, password, "analyst", ["lincoln-hs"])
    token = await sign_in(client, who, password)
    _code, report = await _report(client, place=other_school, photo="yes")
    photo = await Attachment.objects().where(Attachment.report == report.id).first()
    assert photo is not None
    before = await AuditEvent.count().where(AuditEvent.action == "case.refused")
    base = f"/staff/cases/{report.public_id}"
    routes = [("GET", base), ("GET", f"{base}/live"), ("GET", f"{base}/photos/{photo.public_id}")]
    for method, path in routes:
        assert (await client.request(method, path)).status_code == 404, path
    for action in ("acknowledge", "assign", "status", "message", "note"):
        response = await _act(client, token, report, action=action, body="x", status="in_progress")
        assert response.status_code == 404, action
    assert await AuditEvent.count().where(AuditEvent.action == "case.refused") == before + len(routes) + 5
    fresh = await Report.objects().where(Report.id == report.id).first()
    assert fresh is not None and fresh.status == "new"
    assert await Message.count().where((Message.report == report.id) & (Message.author != "system")) == 0
    queue = (await client.get("/staff")).text
    assert str(report.public_id) not in queue


async def test_school_staff_work_their_own_school(client: AsyncTestClient) -> None:
    token = await sign_in(client, NORTHGATE_ADMIN)
    _code, report = await _report(client, place="northgate-ms")
    assert (await client.get(f"/staff/cases/{report.public_id}")).status_code == 200
    assert (await _act(client, token, report, action="acknowledge")).status_code == 303


async def test_queue_order_counts_and_filters(client: AsyncTestClient) -> None:
    _c1, old_plain = await _report(client, place="lincoln-hs")
    _c2, urgent = await _report(client, place="lincoln-hs", category="weapon", photo="yes")
    code3, newer_plain = await _report(client, place="northgate-ms", category="food")
    await client.post("/check/reply", data={"code": code3, "body": "any news?"})
    await sign_in(client, DISTRICT)
    html = (await client.get("/staff")).text
    order = re.findall(r'data-testid="queue-row" data-case="([^"]+)"', html)
    mine = [str(r.public_id) for r in (old_plain, urgent, newer_plain)]
    assert [case for case in order if case in mine] == [mine[1], mine[0], mine[2]]
    assert 'data-testid="urgent-banner"' in html and "1 life-safety report is waiting" in html
    row = html[html.index(f'data-case="{urgent.public_id}"') :]
    assert "1 photo" in row[:2000]
    reply_row = html[html.index(f'data-case="{newer_plain.public_id}"') :]
    assert "1 new reply" in reply_row[:2000]
    lincoln_only = (await client.get("/staff/rows?school=lincoln-hs")).text
    assert str(newer_plain.public_id) not in lincoln_only and str(urgent.public_id) in lincoln_only
    food_only = (await client.get("/staff/rows?category=food")).text
    assert str(newer_plain.public_id) in food_only and str(urgent.public_id) not in food_only
    unassigned = (await client.get("/staff/rows?unassigned=1")).text
    assert str(urgent.public_id) in unassigned
    assert str(urgent.public_id) not in (await client.get("/staff/rows?mine=1")).text


async def test_workflow_acknowledge_assign_resolve_and_reporter_sees_plain_status(
    client: AsyncTestClient,
) -> None:
    code, report = await _report(client)
    token = await sign_in(client, DISTRICT)
    await _act(client, token, report, action="acknowledge")
    fresh = await Report.objects().where(Report.id == report.id).first()
    assert fresh is not None and fresh.status == "acknowledged" and fresh.assignee is not None
    assert fresh.acknowledged_at is not None
    refused = await _act(client, token, report, action="status", status="resolved", disposition="")
    assert refused.status_code == 422 and "Choose how the case was resolved." in refused.text
    assert (await _act(client, token, report, action="status", status="in_progress")).status_code == 303
    assert "Being looked at." in (await client.post("/check", data={"code": code})).text
    await _act(client, token, report, action="status", status="resolved", disposition="referred_partner")
    await _act(client, token, report, action="status", status="closed")
    assert "Closed." in (await client.post("/check", data={"code": code})).text
    jump = await _act(client, token, report, action="status", status="waiting")
    assert jump.status_code == 422
    timeline = (await client.get(f"/staff/cases/{report.public_id}")).text
    assert timeline.count("Status changed") == 3 and "Acknowledged" in timeline


async def test_messages_reach_the_reporter_but_notes_never_do(client: AsyncTestClient) -> None:
    code, report = await _report(client)
    token = await sign_in(client, DISTRICT)
    await _act(client, token, report, action="message", body="We are on it. Are you safe?")
    await _act(client, token, report, action="note", body="Called the family; no answer yet")
    reporter_view = (await client.post("/check", data={"code": code})).text
    assert "We are on it. Are you safe?" in reporter_view
    assert "Called the family" not in reporter_view
    staff_view = (await client.get(f"/staff/cases/{report.public_id}")).text
    assert (
        "Called the family; no answer yet" in staff_view and 'data-testid="staff-message-note"' in staff_view
    )
    empty = await _act(client, token, report, action="message", body="   ")
    assert empty.status_code == 422


async def test_views_are_audited_without_any_address(client: AsyncTestClient) -> None:
    _code, report = await _report(client)
    await sign_in(client, DISTRICT)
    await client.get(f"/staff/cases/{report.public_id}", headers={"User-Agent": "AuditProbe/1"})
    rows = await AuditEvent.select().where(
        (AuditEvent.case_uuid == report.public_id) & (AuditEvent.action == "case.viewed")
    )
    assert rows and rows[0]["staff"] is not None
    dumped = " ".join(str(value) for row in await AuditEvent.select() for value in row.values())
    assert "AuditProbe" not in dumped and "127.0.0.1" not in dumped and "testclient" not in dumped


async def test_photos_are_served_to_staff_without_caching(client: AsyncTestClient) -> None:
    _code, report = await _report(client, photo="yes")
    await sign_in(client, DISTRICT)
    page = (await client.get(f"/staff/cases/{report.public_id}")).text
    src = re.search(rf'src="(/staff/cases/{report.public_id}/photos/[^"]+)"', page)
    assert src
    photo = await client.get(src.group(1))
    # Kept as a JPEG (it has no transparency), whatever it was sent as.
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["cache-control"] == "no-store"
    assert photo.content.startswith(b"\xff\xd8\xff")


async def test_district_admins_browse_the_audit_and_others_cannot(client: AsyncTestClient) -> None:
    _code, report = await _report(client, place="northgate-ms")
    await sign_in(client, LINCOLN_RESPONDER)
    assert (await client.get(f"/staff/cases/{report.public_id}")).status_code == 404
    assert (await client.get("/staff/audit")).status_code == 404
    await sign_in(client, DISTRICT)
    page = await client.get(f"/staff/audit?action=case.refused&case={report.public_id}")
    assert page.status_code == 200
    assert page.text.count('data-testid="audit-row"') == 1
    assert LINCOLN_RESPONDER in page.text
    refused_audit = (await client.get(f"/staff/audit?action=audit.refused&email={LINCOLN_RESPONDER}")).text
    assert refused_audit.count('data-testid="audit-row"') == 1


async def test_disclosures_are_recorded_and_shown_on_the_timeline_and_summary(
    client: AsyncTestClient,
) -> None:
    _code, report = await _report(client, category="weapon", place="event", event_name="Friday game")
    token = await sign_in(client, DISTRICT)
    incomplete = await _act(client, token, report, action="disclose", recipient_kind="law_enforcement",
                            recipient="Sgt. Diaz", organization="KCK Police", what="", why="")  # fmt: skip
    assert incomplete.status_code == 422
    assert 'value="Sgt. Diaz"' in incomplete.text and 'value="KCK Police"' in incomplete.text
    done = await _act(client, token, report, action="disclose", recipient_kind="law_enforcement",
                      recipient="Sgt. Diaz", organization="KCK Police",
                      what="The report text and the event name", why="Possible weapon at a school event")  # fmt: skip
    assert done.status_code == 303
    page = (await client.get(f"/staff/cases/{report.public_id}")).text
    assert "Sgt. Diaz" in page and "Shared outside the team (disclosure recorded)" in page
    summary = await client.get(f"/staff/cases/{report.public_id}/summary")
    assert summary.status_code == 200 and summary.headers["cache-control"] == "no-store"
    assert "Possible weapon at a school event" in summary.text and "Friday game" in summary.text
    assert (
        await AuditEvent.count().where(
            (AuditEvent.action == "case.summary_viewed") & (AuditEvent.case_uuid == report.public_id)
        )
        == 1
    )


async def test_support_actions_with_due_follow_ups_show_in_the_queue(client: AsyncTestClient) -> None:
    _code, report = await _report(client)
    token = await sign_in(client, DISTRICT)
    yesterday = (datetime.now(tz=UTC) - timedelta(days=1)).date().isoformat()
    bad = await _act(client, token, report, action="support", kind="check_in", follow_up_on="not-a-date")
    assert bad.status_code == 422 and "not a date" in bad.text
    await _act(client, token, report, action="support", kind="restorative_conversation",
               details="With both students, Ms. Rivera leads", follow_up_on=yesterday)  # fmt: skip
    row = (await client.get("/staff/rows")).text
    assert f'data-case="{report.public_id}"' in row and "1 follow-up due" in row
    page = (await client.get(f"/staff/cases/{report.public_id}")).text
    assert "Restorative conversation" in page and 'data-testid="follow-up-due"' in page
    support_id = re.search(r'name="support_id" value="(\d+)"', page)
    assert support_id
    await _act(client, token, report, action="support_done", support_id=support_id.group(1))
    assert (
        "follow-up due" not in (await client.get("/staff/rows")).text.split(str(report.public_id))[1][:1500]
    )
    again = await _act(client, token, report, action="support_done", support_id=support_id.group(1))
    assert again.status_code == 422


async def test_duplicates_link_into_one_incident(client: AsyncTestClient) -> None:
    _c1, first = await _report(client, category="weapon", place="lincoln-hs")
    _c2, second = await _report(client, category="weapon", place="lincoln-hs")
    token = await sign_in(client, DISTRICT)
    await _act(client, token, second, action="acknowledge")
    asked = await _act(client, token, second, action="link", first_case=str(first.public_id))
    assert asked.status_code == 200 and 'data-testid="confirm-link"' in asked.text
    unchanged = await Report.objects().where(Report.id == second.id).first()
    assert unchanged is not None and unchanged.duplicate_of is None  # nothing happens before the confirmation
    linked = await _act(
        client, token, second, action="link", first_case=str(first.public_id), confirmed="yes"
    )
    assert linked.status_code == 303
    fresh = await Report.objects().where(Report.id == second.id).first()
    assert fresh is not None and fresh.duplicate_of == first.id
    assert (fresh.status, fresh.disposition) == ("resolved", "duplicate")
    first_page = (await client.get(f"/staff/cases/{first.public_id}")).text
    assert str(second.public_id)[:8] in first_page
    self_link = await _act(client, token, first, action="link", first_case=str(first.public_id))
    assert self_link.status_code == 422


async def test_an_unacknowledged_life_safety_report_cannot_be_linked_away_or_resolved(
    client: AsyncTestClient,
) -> None:
    _c1, first = await _report(client, category="bullying", place="lincoln-hs")
    _c2, threat = await _report(
        client,
        category="weapon",
        place="lincoln-hs",
        description="He said he will shoot up the school on Monday.",
    )
    token = await sign_in(client, DISTRICT)
    page = (await client.get(f"/staff/cases/{threat.public_id}")).text
    menu = page.split('id="first-case"')[1].split("</select>")[0]
    assert re.search(r'<option value=""\s+selected>', menu)  # no report is picked for the staff member
    empty = await _act(client, token, threat, action="link", first_case="", confirmed="yes")
    assert empty.status_code == 422 and "Choose the report this one is a duplicate of." in empty.text
    for attempt in (
        {"action": "link", "first_case": str(first.public_id)},
        {"action": "link", "first_case": str(first.public_id), "confirmed": "yes"},
        {"action": "status", "status": "resolved", "disposition": "duplicate"},
    ):
        refused = await _act(client, token, threat, **attempt)
        assert refused.status_code == 422, attempt
        assert "Nobody has acknowledged this life-safety report yet" in refused.text
    fresh = await Report.objects().where(Report.id == threat.id).first()
    assert fresh is not None and (fresh.status, fresh.duplicate_of) == ("new", None)
    row = (await client.get("/staff/rows")).text
    assert f'data-case="{threat.public_id}"' in row  # still on the queue, still urgent
    assert not await AuditEvent.count().where(
        (AuditEvent.action == "case.linked") & (AuditEvent.case_uuid == threat.public_id)
    )


async def test_a_resource_sent_by_staff_reaches_the_reporter_as_a_card(client: AsyncTestClient) -> None:
    from web.resources.services import load_resources

    code, report = await _report(client, category="food")
    pantry = next(r for r in await load_resources() if "food" in r.needs and r.is_sample)
    token = await sign_in(client, DISTRICT)
    sent = await _act(
        client, token, report, action="send_resource", resource_id=pantry.id, body="This may help"
    )
    assert sent.status_code == 303
    reporter_view = (await client.post("/check", data={"code": code})).text
    assert 'data-testid="sent-resource"' in reporter_view and "This may help" in reporter_view
    assert str(escape(pantry.name)) in reporter_view
    bad = await _act(client, token, report, action="send_resource", resource_id="nope")
    assert bad.status_code == 422


async def test_queue_filters_live_in_the_url_and_survive_live_refreshes(client: AsyncTestClient) -> None:
    await sign_in(client, DISTRICT)
    page = (await client.get("/staff?category=food")).text
    assert 'hx-include="[data-testid=queue-filters]"' in page
    assert '<option value="food" selected>' in page
    partial = await client.get("/staff?category=food", headers={"HX-Request": "true"})
    assert "<html" not in partial.text
