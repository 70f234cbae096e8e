"""Signing staff in through the real form (with its CSRF token) for integration tests."""

from __future__ import annotations

import re

import httpx
from litestar.testing import AsyncTestClient

from web.demo.seed import DEMO_PASSWORD

DISTRICT = "district@demo.lantern.example"
LINCOLN_RESPONDER = "counselor.lincoln@demo.lantern.example"
NORTHGATE_ADMIN = "principal.northgate@demo.lantern.example"


def csrf_from(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def sign_in(client: AsyncTestClient, email: str, password: str = DEMO_PASSWORD) -> str:
    """Signs in and returns a CSRF token for later posts."""
    page = await client.get("/staff/sign-in")
    token = csrf_from(page.text)
    response = await client.post(
        "/staff/sign-in",
        data={"email": email, "password": password, "_csrf_token": token, "next": "/staff"},
        follow_redirects=False,
    )
    assert response.status_code == 303, (
        response.status_code,
        re.findall(r'data-testid="sign-in-error">([^<]*)', response.text),
    )
    return token


def signed_in_cookies(base: str) -> httpx.Cookies:
    """The district admin signed in on a running server (at base), as cookies for other clients."""
    with httpx.Client(base_url=base) as client:
        page = client.get("/staff/sign-in")
        token = csrf_from(page.text)
        answer = client.post(
            "/staff/sign-in",
            data={"email": DISTRICT, "password": DEMO_PASSWORD, "_csrf_token": token, "next": "/staff"},
        )
        assert answer.status_code in (200, 303), answer.status_code
        return client.cookies
