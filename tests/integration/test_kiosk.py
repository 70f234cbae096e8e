"""Kiosks: an admin's one-time link enrols one device to one school; a kiosk never shows staff
pages; its reports are marked as from the kiosk; a switched-off kiosk is an ordinary browser."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from tests.integration.kiosk_support import enrol, make_link
from tests.integration.staff_support import DISTRICT, LINCOLN_RESPONDER, NORTHGATE_ADMIN, sign_in
from web import cookies
from web.cases.tables import Report
from web.district import kiosks
from web.district.tables import Kiosk

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
async def no_kiosks(client: AsyncTestClient) -> None:
    await Kiosk.delete(force=True)
    kiosks.forget_cached()


async def test_link_enrols_one_device_once_and_opens_the_kiosk_home(client: AsyncTestClient) -> None:
    path = await make_link(client, DISTRICT, "lincoln-hs", locale="es")
    assert await enrol(client, path) == "/es/kiosk"
    home = await client.get("/es/kiosk")
    assert home.status_code == 200
    assert 'data-kiosk-idle="60"' in home.text and 'data-kiosk-home="/es/kiosk"' in home.text
    assert 'hx-replace-url="true"' in home.text  # no trail of pages in the back history
    # Quick exit on a kiosk goes back to the kiosk home (kiosk.js clears everything on the way).
    assert re.search(r'class="quick-exit" href="/es/kiosk"', home.text)

    device_cookie = client.cookies.get(cookies.KIOSK)
    client.cookies.clear()
    again = await client.post(f"/{path}", follow_redirects=False)
    assert again.status_code == 404  # the link is spent: it cannot enrol a second device
    assert not again.cookies.get(cookies.KIOSK)
    stored = await Kiosk.objects().first()
    assert (
        stored is not None
        and device_cookie not in stored.token_hash
        and path.split("/")[-1] not in stored.token_hash
    )


async def test_a_kiosk_never_shows_staff_pages(client: AsyncTestClient) -> None:
    await enrol(client, await make_link(client, DISTRICT, "lincoln-hs"))
    for path in ("/staff", "/staff/sign-in", "/staff/admin/kiosks"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 404, path


async def test_reports_from_a_kiosk_are_marked_and_start_at_its_school(client: AsyncTestClient) -> None:
    await enrol(client, await make_link(client, DISTRICT, "northgate-ms"))
    form = await client.get("/report")
    assert re.search(r'<option value="northgate-ms"\s+selected', form.text)
    response = await client.post("/report", data=report_fields(place="northgate-ms"))
    assert response.status_code == 200
    report = await Report.objects().first()
    assert report is not None and report.source == "kiosk"


async def test_switched_off_kiosk_is_an_ordinary_browser(client: AsyncTestClient) -> None:
    await enrol(client, await make_link(client, DISTRICT, "lincoln-hs"))
    cookie = client.cookies.get(cookies.KIOSK)
    token = await sign_in_elsewhere(client, DISTRICT)
    kiosk = await Kiosk.objects().first()
    assert kiosk is not None
    response = await client.post(f"/staff/admin/kiosks/{kiosk.id}/revoke", data={"_csrf_token": token})
    assert response.status_code == 200 and "Switched off" in response.text
    client.cookies.clear()
    client.cookies.set(cookies.KIOSK, cookie or "")
    assert (await client.get("/kiosk", follow_redirects=False)).status_code == 303
    assert (await client.get("/staff/sign-in")).status_code == 200


async def sign_in_elsewhere(client: AsyncTestClient, email: str) -> str:
    client.cookies.clear()
    return await sign_in(client, email)


async def test_school_admins_make_links_only_for_their_schools(client: AsyncTestClient) -> None:
    token = await sign_in(client, NORTHGATE_ADMIN)
    page = await client.get("/staff/admin/kiosks")
    assert 'value="northgate-ms"' in page.text and 'value="lincoln-hs"' not in page.text
    refused = await client.post(
        "/staff/admin/kiosks", data={"school": "lincoln-hs", "label": "Library", "_csrf_token": token}
    )
    assert refused.status_code == 422
    assert 'value="Library"' in refused.text  # what was typed is kept
    assert await Kiosk.count() == 0


async def test_responders_cannot_manage_kiosks(client: AsyncTestClient) -> None:
    await sign_in(client, LINCOLN_RESPONDER)
    assert (await client.get("/staff/admin/kiosks")).status_code == 404


async def test_a_kiosk_link_older_than_a_week_is_dead(client: AsyncTestClient) -> None:
    from datetime import UTC, datetime, timedelta

    path = await make_link(client, DISTRICT, "lincoln-hs")
    await Kiosk.update({Kiosk.enrol_by: datetime.now(tz=UTC) - timedelta(minutes=1)}, force=True)
    page = await client.get(f"/{path}")
    assert page.status_code == 404 and 'data-testid="kiosk-link-dead"' in page.text
