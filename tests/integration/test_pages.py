"""Every public route answers, as a full page and as an htmx swap, with the safety pieces on it."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from web.page_cache import forget_public_pages
from web.resources.services import load_resources

pytestmark = pytest.mark.anyio

PAGES = {
    "/": "home",
    "/resources": "resources",
    "/resources?need=food": "resources",
    "/resources?q=pantry&school=lincoln-hs": "resources",
    "/counselor": "counselor",
    "/report": "report",
    "/community": "community",
    "/check": "check",
}


@pytest.mark.parametrize("path", PAGES)
async def test_full_page_has_quick_exit_and_911(client: AsyncTestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    html = response.text
    assert f'<body id="{PAGES[path]}"' in html
    assert 'data-testid="quick-exit"' in html
    assert "If someone is in danger right now, call" in html
    assert 'href="tel:911"' in html
    assert '<html lang="en" dir="ltr"' in html


@pytest.mark.parametrize("path", PAGES)
async def test_no_third_party_requests_from_any_page(client: AsyncTestClient, path: str) -> None:
    html = (await client.get(path)).text
    # Anything the browser would fetch by itself: scripts, styles, images, frames, icons.
    fetched = re.findall(r'<(?:script|img|iframe|source)[^>]+src="([^"]+)"', html)
    fetched += re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert fetched, "expected the page to load its own CSS and JS"
    assert all(url.startswith("/") and not url.startswith("//") for url in fetched), fetched


async def test_security_headers(client: AsyncTestClient) -> None:
    response = await client.get("/")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "marker", "full_page_only"),
    [
        ("/resources?need=food", 'data-testid="results-count"', '<nav class="need-grid"'),
        ("/report", 'id="report-form"', "<h1>"),
        ("/check", 'id="check-form"', "<nav"),
    ],
)
async def test_htmx_request_gets_only_the_partial(
    client: AsyncTestClient, path: str, marker: str, full_page_only: str
) -> None:
    response = await client.get(path, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert marker in response.text
    assert "<html" not in response.text
    assert full_page_only not in response.text


async def test_htmx_boosted_navigation_gets_the_full_page(client: AsyncTestClient) -> None:
    response = await client.get("/report", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in response.text


async def test_healthz(client: AsyncTestClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_counselor_page_one_tap_links(client: AsyncTestClient) -> None:
    html = (await client.get("/counselor")).text
    assert 'href="sms:741741?body=HOME"' in html
    assert 'href="tel:988"' in html and 'href="sms:988"' in html
    assert "AYUDA" in html and "442-AYUDAME" in html
    assert "marca 2" in html  # 988 in Spanish: press 2
    assert 'href="/report"' in html
    assert 'When to call <bdi dir="ltr">911</bdi> instead' in html


async def test_counselor_numbers_come_from_the_district(client: AsyncTestClient) -> None:
    from web.district.tables import District

    await District.update({District.crisis_text_keyword: "HELLO"}, force=True)
    forget_public_pages()  # as the admin console does when it saves (this edit bypassed it)
    try:
        html = (await client.get("/counselor")).text
        assert 'href="sms:741741?body=HELLO"' in html
    finally:
        await District.update({District.crisis_text_keyword: "HOME"}, force=True)


async def test_resource_page_and_not_found(client: AsyncTestClient) -> None:
    resources = await load_resources()
    pantry = next(r for r in resources if r.address_lines and r.is_sample and "food" in r.needs)
    html = (await client.get(f"/resources/{pantry.id}")).text
    assert pantry.name in html
    assert 'data-testid="map-link"' in html
    assert "Sample for this demo" in html
    assert (await client.get("/resources/not-a-resource")).status_code == 404
    assert (await client.get("/resources/6f1c0d1e-2b7a-4d55-9a43-6c1f4a1b9e10")).status_code == 404


async def test_brand_colour_comes_from_the_district(client: AsyncTestClient) -> None:
    from web.district.tables import District

    await District.update({District.brand_color: "#7a1f5c"}, force=True)
    try:
        css = await client.get("/brand.css")
        assert css.headers["content-type"].startswith("text/css")
        assert "--brand: #7a1f5c;" in css.text
        await District.update({District.brand_color: "red;}a{"}, force=True)
        assert "--brand: #1d4e89;" in (await client.get("/brand.css")).text
    finally:
        await District.update({District.brand_color: "#1d4e89"}, force=True)
