"""Staff single sign-on against a real OpenID provider on loopback: who gets in, and every bad input
(forged, replayed, expired or wrong-audience token, wrong state, provider error, provider down) ending on
a clear page with nobody signed in and an audit line."""

from __future__ import annotations

import html
import json
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from litestar.testing import AsyncTestClient

from tests.e2e.support import free_port
from tests.integration.staff_support import DISTRICT, LINCOLN_RESPONDER, csrf_from
from tests.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_CLIENT_ID,
    OTHER_CLIENT_SECRET,
    RunningProvider,
    asks_for_login,
    confirm_sign_out,
    log_in_at_provider,
    openid_provider,
    path_and_query,
)
from web.demo.seed import DEMO_PASSWORD
from web.district.tables import District
from web.settings import load_settings
from web.staff import oidc
from web.staff.tables import AuditEvent, StaffAccount, StaffSession

pytestmark = pytest.mark.anyio
PUBLIC_URL = "http://127.0.0.1:8000"
CALLBACK = PUBLIC_URL + oidc.CALLBACK_PATH


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningProvider]:
    with openid_provider(PUBLIC_URL) as running:
        yield running


def _configure(**env: str) -> Iterator[None]:
    names = [
        "LANTERN_OIDC_ISSUER",
        "LANTERN_OIDC_CLIENT_ID",
        "LANTERN_OIDC_CLIENT_SECRET",
        "LANTERN_PUBLIC_URL",
        "LANTERN_OIDC_REQUIRED",
        "LANTERN_OIDC_CREATE_DOMAINS",
        "LANTERN_OIDC_NAME",
        "LANTERN_OIDC_PRESET",
        "LANTERN_OIDC_HOSTED_DOMAIN",
        "LANTERN_OIDC_TENANT_ID",
    ]
    before = {name: os.environ.get(name) for name in names}
    os.environ.update(env)
    load_settings.cache_clear()
    oidc.forget_provider()
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        load_settings.cache_clear()
        oidc.forget_provider()


@pytest.fixture
def sso(provider: RunningProvider) -> Iterator[RunningProvider]:
    yield from _with(provider)


def _with(provider: RunningProvider, **extra: str) -> Iterator[RunningProvider]:
    yield from (
        provider
        for _ in _configure(
            LANTERN_OIDC_ISSUER=provider.issuer,
            LANTERN_OIDC_CLIENT_ID=CLIENT_ID,
            LANTERN_OIDC_CLIENT_SECRET=CLIENT_SECRET,
            LANTERN_PUBLIC_URL=PUBLIC_URL,
            LANTERN_OIDC_NAME="Demo District",
            **extra,
        )
    )


async def _start(client: AsyncTestClient) -> str:
    """Presses "Sign in with …" and returns where Lantern sends the browser."""
    page = await client.get("/staff/sign-in")
    assert 'data-testid="sso-sign-in"' in page.text
    response = await client.get("/staff/sign-in/oidc?next=/staff", follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def _sign_in_through_provider(
    client: AsyncTestClient, login: str, browser: httpx.Client | None = None
) -> httpx.Response:
    authorize = await _start(client)
    with httpx.Client() as own:
        back = log_in_at_provider(authorize, login, CALLBACK, browser or own)
    return await client.get(path_and_query(back), follow_redirects=False)


async def _signed_in(client: AsyncTestClient) -> bool:
    return (await client.get("/staff", follow_redirects=False)).status_code == 200


async def _last_failure() -> dict[str, Any] | None:
    return (
        await AuditEvent.select(AuditEvent.detail, AuditEvent.email)
        .where(AuditEvent.action == "signin.sso_failed")
        .order_by(AuditEvent.id, ascending=False)
        .first()
        .output(load_json=True)
    )


async def _refused(client: AsyncTestClient, landed: httpx.Response, status: int, reason: str) -> None:
    """A clear page saying why, nobody signed in, and an audit line naming the reason."""
    assert landed.status_code == status and f'data-reason="{reason}"' in landed.text, landed.status_code
    assert not await _signed_in(client)
    failure = await _last_failure()
    assert failure and failure["detail"]["reason"] == reason


async def test_sign_in_page_offers_the_district_account_first(client: AsyncTestClient, sso: Any) -> None:
    page = (await client.get("/staff/sign-in")).text
    assert "Sign in with Demo District" in page
    assert page.index('data-testid="sso-sign-in"') < page.index('name="password"')


async def test_a_known_verified_email_signs_in(client: AsyncTestClient, sso: Any) -> None:
    landed = await _sign_in_through_provider(client, LINCOLN_RESPONDER)
    assert landed.status_code == 200 and 'data-testid="sso-continue"' in landed.text, landed.text[-1500:]
    assert await _signed_in(client)
    account = await StaffAccount.objects().where(StaffAccount.email == LINCOLN_RESPONDER).first()
    assert account is not None
    ok = (
        await AuditEvent.objects()
        .where(AuditEvent.action == "signin.ok")
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    assert ok is not None and ok.staff == account.id and json.loads(ok.detail) == {"method": "sso"}
    # No token is kept anywhere: only the hash of Lantern's own session token.
    rows = (
        await AuditEvent.select(AuditEvent.detail).where(AuditEvent.staff == account.id).output(as_json=True)
    )
    assert "eyJ" not in rows


async def test_an_unknown_email_gets_no_account(client: AsyncTestClient, sso: Any) -> None:
    landed = await _sign_in_through_provider(client, "stranger@elsewhere.example")
    assert landed.status_code == 403 and 'data-reason="unknown"' in landed.text
    assert "Ask a district administrator to invite you" in landed.text
    assert not await _signed_in(client)
    assert not await StaffAccount.exists().where(StaffAccount.email == "stranger@elsewhere.example")
    failure = await _last_failure()
    assert (
        failure
        and failure["email"] == "stranger@elsewhere.example"
        and failure["detail"]["reason"] == "unknown"
    )


async def test_an_unverified_email_is_refused_even_for_a_real_account(
    client: AsyncTestClient, sso: Any
) -> None:
    landed = await _sign_in_through_provider(client, "unverified:" + LINCOLN_RESPONDER)
    await _refused(client, landed, 403, "unverified")


async def test_a_deactivated_account_cannot_sign_in_through_the_provider(
    client: AsyncTestClient, sso: Any
) -> None:
    await StaffAccount.update({StaffAccount.active: False}).where(StaffAccount.email == LINCOLN_RESPONDER)
    try:
        landed = await _sign_in_through_provider(client, LINCOLN_RESPONDER)
        await _refused(client, landed, 403, "inactive")
    finally:
        await StaffAccount.update({StaffAccount.active: True}).where(StaffAccount.email == LINCOLN_RESPONDER)


async def test_a_replayed_callback_signs_nobody_in(client: AsyncTestClient, sso: Any) -> None:
    authorize = await _start(client)
    flow_cookie = client.cookies.get(oidc.FLOW_COOKIE)
    with httpx.Client() as browser:
        back = path_and_query(log_in_at_provider(authorize, LINCOLN_RESPONDER, CALLBACK, browser))
    assert (await client.get(back, follow_redirects=False)).status_code == 200
    client.cookies.clear()
    # The same browser again: the flow is gone.
    await _refused(client, await client.get(back, follow_redirects=False), 400, "expired")
    # Someone who copied both the address and the flow cookie: the provider will not redeem a code twice.
    assert flow_cookie
    client.cookies.set(oidc.FLOW_COOKIE, flow_cookie)
    await _refused(client, await client.get(back, follow_redirects=False), 400, "token")


async def test_a_callback_from_a_sign_in_started_elsewhere_is_refused(
    client: AsyncTestClient, sso: Any
) -> None:
    """Login CSRF: an attacker's own code and state, sent to someone else's browser."""
    authorize = await _start(client)
    with httpx.Client() as browser:
        back = path_and_query(log_in_at_provider(authorize, DISTRICT, CALLBACK, browser))
    client.cookies.clear()
    await _start(client)  # the victim's browser has a flow of its own, with another state
    await _refused(client, await client.get(back, follow_redirects=False), 400, "state")


async def test_an_error_from_the_provider_is_a_clear_page(client: AsyncTestClient, sso: Any) -> None:
    authorize = await _start(client)
    state = httpx.URL(authorize).params["state"]
    landed = await client.get(
        f"{oidc.CALLBACK_PATH}?error=access_denied&error_description=denied&state={state}",
        follow_redirects=False,
    )
    assert landed.status_code == 400 and 'data-reason="provider_error"' in landed.text
    assert not await _signed_in(client)
    failure = await _last_failure()
    assert failure and failure["detail"] == {"reason": "provider_error", "detail": "access_denied"}
    # Words of someone's choosing in the query string are not written down.
    state = httpx.URL(await _start(client)).params["state"]
    landed = await client.get(
        oidc.CALLBACK_PATH, params={"error": "call 555-0100 jane.doe", "state": state}, follow_redirects=False
    )
    await _refused(client, landed, 400, "provider_error")
    failure = await _last_failure()
    assert failure and failure["detail"]["detail"] == "other"


async def test_a_provider_that_is_down_is_a_clear_page(
    client: AsyncTestClient, provider: RunningProvider
) -> None:
    for _ in _configure(
        LANTERN_OIDC_ISSUER=f"http://127.0.0.1:{free_port()}",
        LANTERN_OIDC_CLIENT_ID=CLIENT_ID,
        LANTERN_OIDC_CLIENT_SECRET=CLIENT_SECRET,
        LANTERN_PUBLIC_URL=PUBLIC_URL,
    ):
        response = await client.get("/staff/sign-in/oidc?next=/staff", follow_redirects=False)
        await _refused(client, response, 503, "unreachable")
        # The password form still works for the break glass.
        page = await client.get("/staff/sign-in")
        signed = await client.post(
            "/staff/sign-in",
            data={"email": DISTRICT, "password": DEMO_PASSWORD, "_csrf_token": csrf_from(page.text)},
            follow_redirects=False,
        )
        assert signed.status_code == 303


def _provider_token(provider: RunningProvider, client_id: str, secret: str, login: str) -> tuple[str, str]:
    """A genuine ID token from the provider for the given application (and the nonce it carries)."""
    nonce = "n-" + str(time.time_ns())
    verifier = "v" * 50
    import base64
    import hashlib

    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = httpx.QueryParams(
        client_id=client_id,
        response_type="code",
        scope="openid email",
        redirect_uri=CALLBACK,
        state="s",
        nonce=nonce,
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    with httpx.Client() as browser:
        back = httpx.URL(log_in_at_provider(f"{provider.issuer}/auth?{query}", login, CALLBACK, browser))
        token = browser.post(
            f"{provider.issuer}/token",
            data={"grant_type": "authorization_code", "code": back.params["code"], "redirect_uri": CALLBACK,
                  "code_verifier": verifier},
            auth=(client_id, secret),
        )  # fmt: skip
    token.raise_for_status()
    return token.json()["id_token"], nonce


async def _check(token: str, nonce: str, now: int | None = None) -> str:
    try:
        await oidc.check_id_token(token, nonce=nonce, access_token=None, settings=load_settings(), now=now)
    except oidc.SsoFailed as failure:
        return failure.reason
    return "accepted"


async def test_id_tokens_are_checked_for_audience_signature_expiry_and_nonce(
    client: AsyncTestClient, sso: RunningProvider
) -> None:
    own, nonce = _provider_token(sso, CLIENT_ID, CLIENT_SECRET, LINCOLN_RESPONDER)
    assert await _check(own, nonce) == "accepted"
    # Signed by the provider itself, but for another application.
    other, other_nonce = _provider_token(sso, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET, LINCOLN_RESPONDER)
    assert await _check(other, other_nonce) == "token"
    # Lantern's own token, with the nonce of another sign-in.
    assert await _check(own, "another nonce") == "token"
    # Its own token an hour after it expired.
    claims = jwt.decode(own, (await oidc._key_set(load_settings()))).claims
    assert await _check(own, nonce, now=int(claims["exp"]) + 3600) == "token"
    # The same claims signed with a key the provider never published.
    forged = jwt.encode({"alg": "RS256", "kid": "forged"}, claims, RSAKey.generate_key(2048))
    assert await _check(forged, nonce) == "token"
    # And with no signature at all.
    unsigned = own.rsplit(".", 1)[0] + "."
    assert await _check(unsigned, nonce) == "token"


async def test_sessions_from_the_provider_end_like_any_other(client: AsyncTestClient, sso: Any) -> None:
    await _sign_in_through_provider(client, LINCOLN_RESPONDER)
    assert await _signed_in(client)
    latest = await StaffSession.objects().order_by(StaffSession.id, ascending=False).first()
    assert latest is not None
    from datetime import timedelta

    idle = timedelta(minutes=load_settings().staff_idle_minutes + 1)
    await StaffSession.update({StaffSession.last_seen_at: latest.last_seen_at - idle}).where(
        StaffSession.id == latest.id
    )
    assert not await _signed_in(client)


async def _password_sign_in(client: AsyncTestClient, email: str) -> httpx.Response:
    page = await client.get("/staff/sign-in")
    return await client.post(
        "/staff/sign-in",
        data={"email": email, "password": DEMO_PASSWORD, "_csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


async def test_sso_required_keeps_passwords_for_district_admins_only(
    client: AsyncTestClient, provider: RunningProvider
) -> None:
    for _ in _with(provider, LANTERN_OIDC_REQUIRED="1"):
        page = (await client.get("/staff/sign-in")).text
        assert "District administrators: sign in with your password" in page
        refused = await _password_sign_in(client, LINCOLN_RESPONDER)
        assert refused.status_code == 403 and "Use the button above" in refused.text
        assert LINCOLN_RESPONDER in refused.text, "the form keeps what was typed"
        assert not await _signed_in(client)
        line = await AuditEvent.objects().order_by(AuditEvent.id, ascending=False).first()
        assert line is not None and line.action == "signin.refused"
        assert json.loads(line.detail) == {"reason": "sso_required"}
        # The break glass: the district administrator still signs in with the password.
        assert (await _password_sign_in(client, DISTRICT)).status_code == 303
        assert await _signed_in(client)
        client.cookies.clear()
        # Everyone else comes in through the provider, whose own second factor counts even where the
        # district requires two-factor sign-in.
        await District.update({District.require_two_factor: True}, force=True)
        try:
            assert (await _sign_in_through_provider(client, LINCOLN_RESPONDER)).status_code == 200
            assert await _signed_in(client)
        finally:
            await District.update({District.require_two_factor: False}, force=True)


async def test_first_sign_in_creates_an_account_only_for_allowed_domains(
    client: AsyncTestClient, provider: RunningProvider
) -> None:
    newcomer = "new.counselor@newschool.example"
    try:
        for _ in _with(provider, LANTERN_OIDC_CREATE_DOMAINS="newschool.example"):
            landed = await _sign_in_through_provider(client, newcomer)
            assert landed.status_code == 200
            account = await StaffAccount.objects().where(StaffAccount.email == newcomer).first()
            assert account is not None and account.role == "responder" and account.active
            assert await account.get_m2m(StaffAccount.schools) == []
            assert await AuditEvent.exists().where(
                (AuditEvent.action == "staff.created_by_sso") & (AuditEvent.staff == account.id)
            )
            client.cookies.clear()
            outsider = await _sign_in_through_provider(client, "someone@newschool.example.evil")
            await _refused(client, outsider, 403, "unknown")
            assert not await StaffAccount.exists().where(
                StaffAccount.email == "someone@newschool.example.evil"
            )
    finally:
        await AuditEvent.delete().where(AuditEvent.email == newcomer)
        await StaffAccount.delete().where(StaffAccount.email == newcomer)


async def test_signing_out_also_ends_the_provider_session(client: AsyncTestClient, sso: Any) -> None:
    with httpx.Client() as browser:
        await _sign_in_through_provider(client, LINCOLN_RESPONDER, browser)
        token = csrf_from((await client.get("/staff")).text)
        out = await client.post("/staff/sign-out", data={"_csrf_token": token}, follow_redirects=False)
        assert out.status_code == 200
        found = re.search(r'href="([^"]+)" data-testid="sso-sign-out"', out.text)
        assert found
        logout = html.unescape(found.group(1))
        assert logout.startswith(sso.issuer + "/session/end?")
        assert not await _signed_in(client)
        # While the provider session lasts, a new sign-in goes straight through without a login form...
        assert not asks_for_login(await _start(client), CALLBACK, browser)
        # ...and once the person confirms the provider's sign-out page, it asks for the login again.
        assert confirm_sign_out(logout, browser).startswith(PUBLIC_URL + "/staff/sign-in")
        assert asks_for_login(await _start(client), CALLBACK, browser)


async def test_a_password_session_signs_out_here_only(client: AsyncTestClient, sso: Any) -> None:
    await _password_sign_in(client, DISTRICT)
    token = csrf_from((await client.get("/staff")).text)
    out = await client.post("/staff/sign-out", data={"_csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/staff/sign-in"


@pytest.fixture(scope="module")
def google_like_provider() -> Iterator[RunningProvider]:
    with openid_provider(PUBLIC_URL, claims_in_id_token=True) as running:
        yield running


@pytest.mark.parametrize(
    ("preset", "setting"), [("google", "LANTERN_OIDC_HOSTED_DOMAIN"), ("entra", "LANTERN_OIDC_TENANT_ID")]
)
async def test_presets_let_in_only_the_districts_own_organisation(
    client: AsyncTestClient, google_like_provider: RunningProvider, preset: str, setting: str
) -> None:
    """Google's hd and Entra's tid: an account of another organisation with a matching email is refused."""
    env = {"LANTERN_OIDC_PRESET": preset, setting: "demo.lantern.example"}
    for _ in _with(google_like_provider, **env):
        assert (await _sign_in_through_provider(client, LINCOLN_RESPONDER)).status_code == 200
        assert await _signed_in(client)
    client.cookies.clear()
    for _ in _with(google_like_provider, **{**env, setting: "another-district.example"}):
        landed = await _sign_in_through_provider(client, LINCOLN_RESPONDER)
        await _refused(client, landed, 403, "wrong_organisation")


async def test_a_tampered_flow_cookie_or_a_next_address_elsewhere_goes_nowhere(
    client: AsyncTestClient, sso: Any
) -> None:
    authorize = await _start(client)
    state = httpx.URL(authorize).params["state"]
    made_up = {"state": state, "nonce": "n", "verifier": "v" * 43, "next": "/staff", "at": time.time()}
    for cookie in ("enc:v1:not-a-sealed-flow", json.dumps(made_up)):
        client.cookies.set(oidc.FLOW_COOKIE, cookie)
        landed = await client.get(
            oidc.CALLBACK_PATH, params={"code": "x", "state": state}, follow_redirects=False
        )
        await _refused(client, landed, 400, "state")
    # After signing in, only a page of the console: never another site.
    client.cookies.clear()
    start = await client.get("/staff/sign-in/oidc?next=//evil.example/staff", follow_redirects=False)
    with httpx.Client() as browser:
        back = log_in_at_provider(start.headers["location"], LINCOLN_RESPONDER, CALLBACK, browser)
    done = await client.get(path_and_query(back), follow_redirects=False)
    assert done.status_code == 200 and "evil.example" not in done.text
    assert 'content="0;url=/staff"' in done.text
