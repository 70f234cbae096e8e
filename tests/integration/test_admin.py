"""Administration: who may manage whom, and that each change takes effect."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.staff_support import DISTRICT, LINCOLN_RESPONDER, NORTHGATE_ADMIN, sign_in
from web.district.tables import District, School
from web.staff.tables import AuditEvent, StaffAccount, StaffSession

pytestmark = pytest.mark.anyio


async def test_school_admin_invites_for_their_school_only(client: AsyncTestClient) -> None:
    token = await sign_in(client, NORTHGATE_ADMIN)
    page = (await client.get("/staff/admin/staff")).text
    assert LINCOLN_RESPONDER not in page  # not one of theirs
    refused = await client.post("/staff/admin/staff", data={
        "_csrf_token": token, "email": "x@northgate.example", "name": "X", "role": "district_admin",
        "schools": "northgate-ms"})  # fmt: skip
    assert refused.status_code == 422 and "cannot give that role" in refused.text
    assert 'value="x@northgate.example"' in refused.text
    other_school = await client.post("/staff/admin/staff", data={
        "_csrf_token": token, "email": "y@northgate.example", "name": "Y", "role": "responder",
        "schools": "lincoln-hs"})  # fmt: skip
    assert other_school.status_code == 422 and "your own schools" in other_school.text
    made = await client.post("/staff/admin/staff", data={
        "_csrf_token": token, "email": "new.counselor@northgate.example", "name": "New Counselor",
        "role": "responder", "schools": "northgate-ms"})  # fmt: skip
    assert made.status_code == 200
    password = re.search(r"new\.counselor@northgate\.example: ([a-z0-9-]+)", made.text)
    assert password
    account = (
        await StaffAccount.objects().where(StaffAccount.email == "new.counselor@northgate.example").first()
    )
    assert account is not None and password.group(1) not in account.password_hash
    client.cookies.clear()
    await sign_in(client, "new.counselor@northgate.example", password.group(1))


async def test_deactivating_ends_sessions_at_once(client: AsyncTestClient) -> None:
    await sign_in(client, LINCOLN_RESPONDER)
    responder = await StaffAccount.objects().where(StaffAccount.email == LINCOLN_RESPONDER).first()
    assert responder is not None
    responder_cookie = client.cookies.get("lantern_staff")
    client.cookies.clear()
    token = await sign_in(client, DISTRICT)
    response = await client.post(
        f"/staff/admin/staff/{responder.id}", data={"_csrf_token": token, "action": "deactivate"}
    )
    assert response.status_code == 200
    assert (
        await StaffSession.count().where(
            (StaffSession.staff == responder.id) & StaffSession.ended_at.is_null()
        )
        == 0
    )
    client.cookies.clear()
    client.cookies.set("lantern_staff", responder_cookie or "", path="/")
    assert (await client.get("/staff", follow_redirects=False)).status_code == 303
    client.cookies.clear()
    token = await sign_in(client, DISTRICT)
    await client.post(f"/staff/admin/staff/{responder.id}", data={"_csrf_token": token, "action": "activate"})
    assert await AuditEvent.count().where(AuditEvent.action == "staff.deactivated") >= 1


async def test_responders_cannot_reach_admin_pages(client: AsyncTestClient) -> None:
    await sign_in(client, LINCOLN_RESPONDER)
    for path in ("/staff/admin/staff", "/staff/admin/district", "/staff/admin/schools"):
        assert (await client.get(path)).status_code == 404, path
    assert await AuditEvent.count().where(AuditEvent.action == "admin.refused") >= 3


async def test_district_settings_validate_and_apply(client: AsyncTestClient) -> None:
    token = await sign_in(client, DISTRICT)
    form = {"_csrf_token": token, "name": "Prairie River Public Schools (demo)", "short_name": "Prairie River",
            "brand_color": "blue", "emergency_number": "911", "crisis_text_number": "741741",
            "crisis_text_keyword": "HOME", "lifeline_number": "988", "timezone": "America/Chicago",
            "categories": ["bullying", "food"]}  # fmt: skip
    bad = await client.post("/staff/admin/district", data=form)
    assert bad.status_code == 422 and "Use a color like" in bad.text and 'value="blue"' in bad.text
    form["brand_color"] = "#225577"
    good = await client.post("/staff/admin/district", data=form)
    assert good.status_code == 200 and 'data-testid="saved"' in good.text
    try:
        report_form = (await client.get("/report")).text
        assert 'id="category-food"' in report_form and 'id="category-weapon"' not in report_form
        assert "--brand: #225577;" in (await client.get("/brand.css")).text
    finally:
        await District.update({District.enabled_categories: [], District.brand_color: "#1d4e89",
                               District.short_name: "Prairie River Schools"}, force=True)  # fmt: skip


async def test_school_hours_are_checked_and_saved(client: AsyncTestClient) -> None:
    token = await sign_in(client, NORTHGATE_ADMIN)
    page = (await client.get("/staff/admin/schools")).text
    assert "Northgate Middle School" in page and "Lincoln Heights High School" not in page
    hours = {"_csrf_token": token, "timezone": "America/Chicago", "mon_opens": "09:00", "mon_closes": "08:00"}
    bad = await client.post("/staff/admin/schools/northgate-ms", data=hours)
    assert bad.status_code == 422 and "opening time before the closing time" in bad.text
    hours["mon_closes"] = "15:00"
    assert (await client.post("/staff/admin/schools/northgate-ms", data=hours)).status_code == 200
    school = await School.objects().output(load_json=True).where(School.slug == "northgate-ms").first()
    assert school is not None and school.hours == {"mon": ["09:00", "15:00"]}
    other = await client.post("/staff/admin/schools/lincoln-hs", data=hours)
    assert other.status_code == 404
    await School.update(
        {School.hours: {d: ["07:30", "16:00"] for d in ("mon", "tue", "wed", "thu", "fri")}}
    ).where(School.slug == "northgate-ms")


async def test_staff_change_their_own_password(client: AsyncTestClient) -> None:
    token = await sign_in(client, LINCOLN_RESPONDER)
    wrong = await client.post(
        "/staff/account", data={"_csrf_token": token, "current": "nope", "new": "x" * 14}
    )
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    common = await client.post("/staff/account", data={"_csrf_token": token, "current": "lantern-demo-2026",
                                                        "new": "password1234"})  # fmt: skip
    assert common.status_code == 422 and "commonly used" in common.text


async def test_admins_cannot_reset_themselves_or_peer_admins(client: AsyncTestClient) -> None:
    from web.staff.services import add_staff

    token = await sign_in(client, NORTHGATE_ADMIN)
    me = await StaffAccount.objects().where(StaffAccount.email == NORTHGATE_ADMIN).first()
    assert me is not None
    for action in ("password", "two_factor_off", "deactivate"):
        response = await client.post(
            f"/staff/admin/staff/{me.id}", data={"_csrf_token": token, "action": action}
        )
        assert response.status_code == 404, action
    peer_email = "peer.admin@northgate.example"
    if not await StaffAccount.exists().where(StaffAccount.email == peer_email):
        await add_staff(peer_email, "a peer admin password", "school_admin", ["northgate-ms"])
    peer = await StaffAccount.objects().where(StaffAccount.email == peer_email).first()
    assert peer is not None
    response = await client.post(
        f"/staff/admin/staff/{peer.id}", data={"_csrf_token": token, "action": "password"}
    )
    assert response.status_code == 404


async def test_changing_your_password_ends_your_other_sessions(client: AsyncTestClient) -> None:
    from web.staff.services import reset_password

    await sign_in(client, LINCOLN_RESPONDER)
    other_cookie = client.cookies.get("lantern_staff")
    client.cookies.clear()
    token = await sign_in(client, LINCOLN_RESPONDER)
    try:
        done = await client.post("/staff/account", data={"_csrf_token": token, "current": "lantern-demo-2026",
                                                          "new": "a brand new passphrase"})  # fmt: skip
        assert done.status_code == 200 and 'data-testid="saved"' in done.text
        assert (await client.get("/staff", follow_redirects=False)).status_code == 200  # this one stays
        client.cookies.clear()
        client.cookies.set("lantern_staff", other_cookie or "", path="/")
        assert (await client.get("/staff", follow_redirects=False)).status_code == 303
    finally:
        await reset_password(LINCOLN_RESPONDER, "lantern-demo-2026")


TEMPORARY = re.compile(r"(?:[a-hjkmnp-z2-9]{4}-){4}[a-hjkmnp-z2-9]{4}")


async def test_a_temporary_password_is_strong_and_must_be_replaced_at_first_sign_in(
    client: AsyncTestClient,
) -> None:
    """Four words from twenty and a number were about 24 bits, and nothing asked to change them."""
    token = await sign_in(client, DISTRICT)
    made = await client.post("/staff/admin/staff", data={
        "_csrf_token": token, "email": "temp.counselor@lincoln.example", "name": "Temp Counselor",
        "role": "responder", "schools": "lincoln-hs"})  # fmt: skip
    shown = re.search(r"temp\.counselor@lincoln\.example: (\S+?)<", made.text)
    assert shown and TEMPORARY.fullmatch(shown.group(1)), shown  # 31^20: about 99 bits
    temporary = shown.group(1)
    account = (
        await StaffAccount.objects().where(StaffAccount.email == "temp.counselor@lincoln.example").first()
    )
    assert account is not None and account.must_change_password

    client.cookies.clear()
    token = await sign_in(client, "temp.counselor@lincoln.example", temporary)
    for page in ("/staff", "/staff/account", "/staff/two-factor", "/staff/rows"):
        answer = await client.get(page, follow_redirects=False)
        assert answer.status_code == 303, page
        assert answer.headers["location"].startswith("/staff/account/new-password"), page
    htmx = await client.get("/staff/rows", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers.get("hx-redirect", "").startswith("/staff/account/new-password")
    form = await client.get("/staff/account/new-password?next=/staff/account")
    assert form.status_code == 200 and 'name="new"' in form.text
    same = await client.post("/staff/account/new-password", data={
        "_csrf_token": token, "current": temporary, "new": temporary, "next": "/staff/account"})  # fmt: skip
    assert same.status_code == 422 and 'data-testid="new-password-error"' in same.text
    wrong = await client.post("/staff/account/new-password", data={
        "_csrf_token": token, "current": "not it at all", "new": "a brand new passphrase"})  # fmt: skip
    assert wrong.status_code == 422
    assert (await client.get("/staff", follow_redirects=False)).status_code == 303
    done = await client.post("/staff/account/new-password", data={
        "_csrf_token": token, "current": temporary, "new": "a brand new passphrase", "next": "/staff/account",
    }, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/staff/account"
    assert (await client.get("/staff", follow_redirects=False)).status_code == 200
    changed = (
        await AuditEvent.select(AuditEvent.detail)
        .where((AuditEvent.staff == account.id) & (AuditEvent.action == "staff.password_changed"))
        .output(load_json=True)
    )
    assert changed == [{"detail": {"replaced_temporary": True}}]


async def test_a_password_reset_by_an_administrator_must_be_replaced_too(client: AsyncTestClient) -> None:
    from web.staff.services import add_staff

    person = await add_staff("reset.me@lincoln.example", "an own long password", "responder", ["lincoln-hs"])
    token = await sign_in(client, DISTRICT)
    answer = await client.post(
        f"/staff/admin/staff/{person.id}", data={"_csrf_token": token, "action": "password"}
    )
    shown = re.search(r"reset\.me@lincoln\.example: (\S+?)<", answer.text)
    assert shown and TEMPORARY.fullmatch(shown.group(1))
    client.cookies.clear()
    await sign_in(client, "reset.me@lincoln.example", shown.group(1))
    blocked = await client.get("/staff/insights", follow_redirects=False)
    assert blocked.status_code == 303 and blocked.headers["location"].startswith(
        "/staff/account/new-password"
    )
