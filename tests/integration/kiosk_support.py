"""Enrolling a kiosk through the console, as a school admin does, for tests that need one."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar.testing import AsyncTestClient

from tests.integration.staff_support import DISTRICT, sign_in
from web import cookies
from web.district import kiosks
from web.district.tables import Kiosk


async def make_link(client: AsyncTestClient, email: str, school: str, locale: str = "en") -> str:
    token = await sign_in(client, email)
    response = await client.post(
        "/staff/admin/kiosks",
        data={
            "school": school,
            "label": "Library",
            "idle_seconds": "60",
            "locale": locale,
            "_csrf_token": token,
        },
    )
    assert response.status_code == 200, response.text[:500]
    link = re.search(r'data-testid="kiosk-link-url">([^<]+)<', response.text)
    assert link, "no set-up link on the page"
    client.cookies.clear()
    return link.group(1).split("://", 1)[1].split("/", 1)[1]


async def enrol(client: AsyncTestClient, path: str) -> str:
    """Opens the link and confirms; returns where the kiosk was sent."""
    assert (await client.get(f"/{path}")).status_code == 200
    response = await client.post(f"/{path}", follow_redirects=False)
    assert response.status_code == 303
    assert client.cookies.get(cookies.name(cookies.KIOSK))
    return response.headers["location"]


@asynccontextmanager
async def enrolled_kiosk(client: AsyncTestClient, school: str = "lincoln-hs") -> AsyncIterator[None]:
    """The client is a kiosk of the school inside the block, an ordinary browser again after it."""
    await enrol(client, await make_link(client, DISTRICT, school))
    try:
        yield
    finally:
        client.cookies.clear()
        await Kiosk.delete(force=True)
        kiosks.forget_cached()
