"""Another site cannot post a public form through a visitor's browser (issue 16, finding 1).

Browsers tell where a post comes from in Sec-Fetch-Site; older ones only in Origin. Each shape a
browser can send is here, with what the visitor sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import report_fields
from web.cases.tables import Report
from web.settings import load_settings

pytestmark = pytest.mark.anyio

EVIL = "https://evil.example"
CROSS_SITE = {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}


@pytest.fixture
def district_site_trusted(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LANTERN_TRUSTED_ORIGINS", "https://www.district.example")
    load_settings.cache_clear()
    yield
    monkeypatch.delenv("LANTERN_TRUSTED_ORIGINS")
    load_settings.cache_clear()


async def test_a_cross_site_report_is_refused_kindly_and_nothing_is_sent(client: AsyncTestClient) -> None:
    response = await client.post(
        "/es/report", data=report_fields(danger_now="yes", category="weapon"), headers=CROSS_SITE
    )
    assert response.status_code == 403
    assert await Report.count() == 0
    assert 'lang="es"' in response.text  # in the language of the page the form was on
    assert "Nothing was sent" in response.text or "No se envió nada" in response.text
    assert 'href="/es/report"' in response.text  # back to the form, on Lantern itself
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://other.district.example", "Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site"},  # an Origin hidden by the other page's referrer policy
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Origin": EVIL, "Sec-Fetch-Site": "something-new"},
        {"Origin": EVIL},  # a browser without Fetch Metadata
        {"Origin": "http://testserver.local.evil.example"},
    ],
    ids=["cross-site", "same-site", "cross-site-no-origin", "null-origin", "unknown-site", "old-browser", "lookalike"],
)  # fmt: skip
async def test_posts_from_other_sites_are_refused(client: AsyncTestClient, headers: dict[str, str]) -> None:
    response = await client.post("/report", data=report_fields(), headers=headers)
    assert response.status_code == 403
    assert await Report.count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "null", "Sec-Fetch-Site": "same-origin"},  # our own page (no-referrer policy: null)
        {"Sec-Fetch-Site": "none"},  # the person sent it themselves (a bookmark, a resend)
        {"Origin": "http://testserver.local"},  # an old browser on Lantern's own page
        {"Origin": "http://127.0.0.1:8000"},  # LANTERN_PUBLIC_URL
        {"Origin": "null"},  # an old browser under our no-referrer policy
        {},  # a browser or client that says nothing
    ],
    ids=["same-origin", "none", "old-browser-own-host", "public-url", "old-browser-null", "no-headers"],
)  # fmt: skip
async def test_posts_from_lantern_itself_still_send(client: AsyncTestClient, headers: dict[str, str]) -> None:
    response = await client.post("/report", data=report_fields(), headers=headers)
    assert response.status_code == 200
    assert re.search(r'data-code="\d{16}"', response.text)
    assert await Report.count() == 1


async def test_a_district_site_named_in_the_settings_may_post(
    client: AsyncTestClient, district_site_trusted: None
) -> None:
    allowed = {"Origin": "https://www.district.example", "Sec-Fetch-Site": "same-site"}
    assert (await client.post("/report", data=report_fields(), headers=allowed)).status_code == 200
    assert (await client.post("/report", data=report_fields(), headers=CROSS_SITE)).status_code == 403
    assert await Report.count() == 1


async def test_every_public_form_refuses_a_cross_site_post(app: Litestar, client: AsyncTestClient) -> None:
    posts = sorted(
        route.path
        for route in app.routes
        if not route.path.startswith("/staff") and "POST" in getattr(route, "methods", set())
    )
    expected = {"/report", "/community", "/check", "/check/reply", "/check/signal", "/check/signal/off"}
    assert expected <= set(posts) and any(p.startswith("/kiosk/enrol") for p in posts)
    for template in posts:
        path = re.sub(r"\{[a-z_]+:str\}", "not-a-token", template)
        response = await client.post(path, data={"anything": "x"}, headers=CROSS_SITE)
        assert response.status_code == 403, (path, response.status_code)
        assert "Nothing was sent" in response.text, path
        back = "/check" if path.startswith("/check") else path
        assert f'href="{back}"' in response.text, path


async def test_a_cross_site_post_with_a_large_body_says_the_connection_closes(
    client: AsyncTestClient,
) -> None:
    # The refusal leaves the body unread, so the server ends the connection after it: the answer must
    # say so, or the browser's next request on the same connection meets a reset.
    body = {"description": "x" * 2_000_000}
    response = await client.post("/report", data=report_fields(**body), headers=CROSS_SITE)
    assert response.status_code == 403
    assert response.headers.get("connection") == "close"
