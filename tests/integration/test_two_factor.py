"""Two-factor sign-in: enrolment, the code step, no reuse of a code, the district requirement."""

from __future__ import annotations

import re

import pyotp
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.staff_support import DISTRICT, LINCOLN_RESPONDER, csrf_from, sign_in
from web.district.tables import District
from web.staff.tables import AuditEvent, StaffAccount

pytestmark = pytest.mark.anyio


async def _reset(email: str) -> None:
    await StaffAccount.update(
        {StaffAccount.totp_enabled: False, StaffAccount.totp_secret: None, StaffAccount.totp_last_step: None}
    ).where(StaffAccount.email == email)


async def test_enrol_then_sign_in_needs_a_fresh_code(client: AsyncTestClient) -> None:
    await _reset(LINCOLN_RESPONDER)
    token = await sign_in(client, LINCOLN_RESPONDER)
    page = (await client.get("/staff/two-factor")).text
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7]+)<', page)
    assert secret
    totp = pyotp.TOTP(secret.group(1))
    wrong = await client.post("/staff/two-factor", data={"_csrf_token": token, "code": "000000"})
    assert wrong.status_code == 422
    first_code = totp.now()
    ok = await client.post("/staff/two-factor", data={"_csrf_token": token, "code": first_code})
    assert ok.status_code == 200 and 'data-testid="two-factor-on"' in ok.text
    try:
        client.cookies.clear()
        page = await client.get("/staff/sign-in")
        response = await client.post(
            "/staff/sign-in",
            data={
                "email": LINCOLN_RESPONDER,
                "password": "lantern-demo-2026",
                "_csrf_token": csrf_from(page.text),
            },
            follow_redirects=False,
        )
        assert response.headers["location"].startswith("/staff/sign-in/code")
        # Password alone is not enough.
        assert (
            (await client.get("/staff", follow_redirects=False))
            .headers["location"]
            .startswith("/staff/sign-in/code")
        )
        code_page = await client.get("/staff/sign-in/code")
        token = csrf_from(code_page.text)
        reused = await client.post("/staff/sign-in/code", data={"_csrf_token": token, "code": first_code})
        assert reused.status_code == 422, "a code already used at enrolment must not work again"
        assert await AuditEvent.count().where(AuditEvent.action == "signin.second_factor_failed") >= 1
        # A code of the next time step is fresh (the window allows one step of clock drift).
        import time

        fresh_code = totp.at(int(time.time()) + totp.interval)
        done = await client.post(
            "/staff/sign-in/code", data={"_csrf_token": token, "code": fresh_code}, follow_redirects=False
        )
        assert done.status_code == 303
        assert (await client.get("/staff", follow_redirects=False)).status_code == 200
    finally:
        await _reset(LINCOLN_RESPONDER)


async def test_district_requirement_sends_unenrolled_staff_to_set_it_up(client: AsyncTestClient) -> None:
    await _reset(DISTRICT)
    await District.update({District.require_two_factor: True}, force=True)
    try:
        await sign_in(client, DISTRICT)
        blocked = await client.get("/staff", follow_redirects=False)
        assert blocked.status_code == 303 and blocked.headers["location"] == "/staff/two-factor"
        assert (await client.get("/staff/two-factor")).status_code == 200
    finally:
        await District.update({District.require_two_factor: False}, force=True)
        await _reset(DISTRICT)


async def test_wrong_codes_are_limited_and_a_right_code_gets_a_new_session(client: AsyncTestClient) -> None:
    import time

    from web.staff import auth

    await _reset(LINCOLN_RESPONDER)
    secret = pyotp.random_base32()
    await StaffAccount.update({StaffAccount.totp_secret: secret, StaffAccount.totp_enabled: True}).where(
        StaffAccount.email == LINCOLN_RESPONDER
    )
    auth._failures.clear()
    try:
        page = await client.get("/staff/sign-in")
        await client.post(
            "/staff/sign-in",
            data={
                "email": LINCOLN_RESPONDER,
                "password": "lantern-demo-2026",
                "_csrf_token": csrf_from(page.text),
            },
            follow_redirects=False,
        )
        half_way = client.cookies.get("lantern_staff")
        token = csrf_from((await client.get("/staff/sign-in/code")).text)
        totp = pyotp.TOTP(secret)
        good = totp.at(int(time.time()) + totp.interval)
        done = await client.post(
            "/staff/sign-in/code", data={"_csrf_token": token, "code": good}, follow_redirects=False
        )
        assert done.status_code == 303
        assert client.cookies.get("lantern_staff") != half_way, "the session token changes at the code step"
        client.cookies.clear()
        client.cookies.set("lantern_staff", half_way or "", path="/")
        assert (await client.get("/staff", follow_redirects=False)).status_code == 303
        # Five wrong codes end a half-way session.
        client.cookies.clear()
        page = await client.get("/staff/sign-in")
        await client.post(
            "/staff/sign-in",
            data={
                "email": LINCOLN_RESPONDER,
                "password": "lantern-demo-2026",
                "_csrf_token": csrf_from(page.text),
            },
            follow_redirects=False,
        )
        token = csrf_from((await client.get("/staff/sign-in/code")).text)
        for _ in range(5):
            wrong = await client.post("/staff/sign-in/code", data={"_csrf_token": token, "code": "000000"})
            assert wrong.status_code == 422
        locked = await client.post("/staff/sign-in/code", data={"_csrf_token": token, "code": "000000"},
                                   follow_redirects=False)  # fmt: skip
        assert locked.status_code == 303 and locked.headers["location"] == "/staff/sign-in"
        assert await AuditEvent.count().where(AuditEvent.action == "signin.second_factor_locked") == 1
    finally:
        auth._failures.clear()
        await _reset(LINCOLN_RESPONDER)
