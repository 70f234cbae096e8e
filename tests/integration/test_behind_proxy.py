"""Behind a reverse proxy: the visitor's address (for the in-memory limits) and scheme come from the
proxy's headers only when the proxy is trusted (LANTERN_TRUSTED_PROXIES); over HTTPS every cookie is
Secure and carries the __Host- prefix."""

from __future__ import annotations

import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.support import LanternServer
from tests.integration.kiosk_support import make_link
from tests.integration.staff_support import DISTRICT, csrf_from
from web.app import create_app
from web.demo.seed import DEMO_PASSWORD, seed_demo
from web.district import kiosks
from web.district.tables import Kiosk
from web.settings import load_settings

WRONG_CODE = "0000 0000 0000 0000"


def _checks(server: LanternServer, address: str, times: int) -> list[int]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        return [
            client.post("/check", data={"code": WRONG_CODE}, headers={"X-Forwarded-For": address}).status_code
            for _ in range(times)
        ]


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted proxy", "no proxy set"])
def test_per_address_limits_count_the_visitor_behind_a_trusted_proxy(trusted: bool) -> None:
    overrides = {"LANTERN_CHECK_RATE_PER_MINUTE": "3", "LANTERN_CHECK_MIN_SECONDS": "0"}
    if trusted:
        overrides["LANTERN_TRUSTED_PROXIES"] = "127.0.0.1"
    server = LanternServer.fresh(**overrides).start()
    try:
        assert _checks(server, "203.0.113.7", 4)[-1] == 429  # one visitor over the limit
        other_visitor = _checks(server, "198.51.100.9", 1)[0]
        if trusted:
            assert other_visitor != 429, "another pupil was refused because of the first one"
        else:
            # Without a trusted proxy the header is ignored: it could be forged by anyone.
            assert other_visitor == 429
    finally:
        server.stop()


def _attributes(set_cookie: str, name: str) -> set[str]:
    """The attributes of one cookie in a response's Set-Cookie headers, lower-cased."""
    for header in set_cookie.split(", "):
        if header.startswith(f"{name}="):
            return {part.strip().lower() for part in header.split(";")[1:]}
    raise AssertionError(f"no {name} cookie in {set_cookie!r}")


def _host_prefixed(attributes: set[str]) -> bool:
    """What browsers demand of a __Host- cookie: Secure, Path=/, no Domain."""
    return (
        "secure" in attributes
        and "path=/" in attributes
        and not any(a.startswith("domain") for a in attributes)
    )


@pytest.mark.anyio
async def test_over_https_every_cookie_is_secure_with_the_host_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANTERN_PUBLIC_URL", "https://help.example.org")
    load_settings.cache_clear()
    try:
        async with AsyncTestClient(app=create_app(), base_url="https://testserver.local") as client:
            await seed_demo()
            page = await client.get("/staff/sign-in")
            csrf = _attributes(page.headers["set-cookie"], "__Host-lantern_csrf")
            signed_in = await client.post(
                "/staff/sign-in",
                data={"email": DISTRICT, "password": DEMO_PASSWORD, "_csrf_token": csrf_from(page.text)},
                follow_redirects=False,
            )
            session = _attributes(signed_in.headers["set-cookie"], "__Host-lantern_staff")
            assert (await client.get("/staff")).status_code == 200  # the prefixed cookie is the session
            signed_out = await client.post(
                "/staff/sign-out", data={"_csrf_token": csrf_from(page.text)}, follow_redirects=False
            )
            removal = _attributes(signed_out.headers["set-cookie"], "__Host-lantern_staff")
            link = await make_link(client, DISTRICT, "lincoln-hs")
            await client.get(f"/{link}")
            enrolled = await client.post(f"/{link}", follow_redirects=False)
            kiosk = _attributes(enrolled.headers["set-cookie"], "__Host-lantern_kiosk")
            # A kiosk enrolled while the site still ran on plain HTTP keeps its old cookie, and works.
            device = client.cookies.get("__Host-lantern_kiosk")
            client.cookies.clear()
            client.cookies.set("lantern_kiosk", device or "")
            assert "data-kiosk-idle" in (await client.get("/kiosk")).text
            await Kiosk.delete(force=True)
            kiosks.forget_cached()
        for attributes in (csrf, session, kiosk, removal):
            assert _host_prefixed(attributes), attributes
            assert "httponly" in attributes and "samesite=strict" in attributes, attributes
        assert "max-age=0" in removal
    finally:
        monkeypatch.undo()
        load_settings.cache_clear()
