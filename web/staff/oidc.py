"""Staff single sign-on with the district's OpenID provider (Google Workspace, Microsoft Entra ID, or any
OpenID Connect issuer): the authorization code flow with PKCE, state and nonce.

Authlib builds the authorization URL and redeems the code; joserfc (which Authlib uses) checks the ID
token's signature against the issuer's published keys, and Authlib's CodeIDToken its `iss`, `aud`,
expiry, `azp` and nonce. Nothing here parses or checks a token by hand.

What the flow must remember between leaving for the provider and coming back (state, nonce, PKCE
verifier, where to go next) travels in one cookie sealed with the installation's data key, SameSite=Lax
so that the provider's redirect brings it back, and it is removed on the way back: a callback replayed
finds nothing to match. Tokens are never stored: once the ID token has named a verified email, the
staff member gets an ordinary Lantern session, with its idle and absolute timeouts.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from litestar.datastructures import Cookie

from web import cookies, crypto
from web.i18n import N_
from web.settings import Settings, load_settings
from web.staff import audit
from web.staff.services import add_staff
from web.staff.tables import ROLES, StaffAccount

CALLBACK_PATH = "/staff/sign-in/oidc/callback"
FLOW_COOKIE = "lantern_sso"
# Set after a single sign-on, so that signing out also signs out of the provider.
SIGNED_IN_COOKIE = "lantern_sso_session"
FLOW_SECONDS = 10 * 60
_SEAL_CONTEXT = "staff.sso_flow"
# Discovery and keys are fetched again after this long (a provider rotates its keys).
_METADATA_SECONDS = 60 * 60
# RFC 6749 4.1.2.1 and OpenID Connect Core 3.1.2.6.
_PROVIDER_ERRORS = frozenset(
    {
        "invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type",
        "invalid_scope", "server_error", "temporarily_unavailable", "interaction_required",
        "login_required", "account_selection_required", "consent_required", "invalid_request_uri",
        "invalid_request_object", "request_not_supported", "request_uri_not_supported",
        "registration_not_supported",
    }
)  # fmt: skip
_PRESET_NAMES = {"google": "Google", "entra": "Microsoft"}

# What the person is told, by reason (the audit line names the reason).
MESSAGES = {
    "expired": N_("This sign-in took too long or was already used. Start again."),
    "state": N_("This sign-in did not start here, so it was stopped. Start again from this page."),
    "provider_error": N_("Your district account did not let you sign in. Try again, or ask your IT team."),
    "unreachable": N_(
        "Your district sign-in service cannot be reached right now. Try again in a few minutes."
    ),
    "token": N_("Your district sign-in could not be checked, so nobody was signed in. Start again."),
    "unverified": N_("Your district account has no verified email address. Ask your IT team."),
    "wrong_organisation": N_(
        "That account does not belong to this district. Sign in with your district account."
    ),
    "unknown": N_("There is no Lantern account for that email. Ask a district administrator to invite you."),
    "inactive": N_("That Lantern account is turned off. Ask a district administrator."),
}


class SsoFailed(Exception):
    """Single sign-on stopped; `reason` is a key of MESSAGES."""

    def __init__(self, reason: str, *, email: str | None = None, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.email = email
        self.detail = detail


def enabled(settings: Settings | None = None) -> bool:
    settings = settings or load_settings()
    return bool(settings.oidc_issuer and settings.oidc_client_id)


def provider_name(settings: Settings | None = None) -> str:
    settings = settings or load_settings()
    return settings.oidc_name or _PRESET_NAMES.get(settings.oidc_preset, "") or N_("your district account")


def password_allowed(account: StaffAccount, settings: Settings | None = None) -> bool:
    """With single sign-on required, only district administrators keep their password (and TOTP): the
    way in when the provider is down."""
    settings = settings or load_settings()
    return not (enabled(settings) and settings.oidc_required) or account.role == "district_admin"


def redirect_uri(settings: Settings) -> str:
    return settings.public_url + CALLBACK_PATH


@dataclass
class _Cached:
    at: float
    value: dict[str, Any]


_metadata: dict[str, _Cached] = {}
_jwks: dict[str, _Cached] = {}


async def _get_json(url: str, settings: Settings) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=settings.oidc_timeout_seconds) as http:
            response = await http.get(url)
            response.raise_for_status()
            body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SsoFailed("unreachable", detail=type(exc).__name__) from exc
    if not isinstance(body, dict):
        raise SsoFailed("unreachable", detail="not_json_object")
    return body


async def metadata(settings: Settings) -> dict[str, Any]:
    """The issuer's discovery document; its `issuer` must be exactly the one configured."""
    cached = _metadata.get(settings.oidc_issuer)
    if cached and time.monotonic() - cached.at < _METADATA_SECONDS:
        return cached.value
    found = await _get_json(settings.oidc_issuer + "/.well-known/openid-configuration", settings)
    if found.get("issuer") != settings.oidc_issuer or not all(
        isinstance(found.get(key), str) for key in ("authorization_endpoint", "token_endpoint", "jwks_uri")
    ):
        raise SsoFailed("unreachable", detail="discovery_mismatch")
    _metadata[settings.oidc_issuer] = _Cached(time.monotonic(), found)
    return found


async def _key_set(settings: Settings, *, fresh: bool = False) -> KeySet:
    meta = await metadata(settings)
    cached = _jwks.get(meta["jwks_uri"])
    if fresh or not cached or time.monotonic() - cached.at >= _METADATA_SECONDS:
        cached = _Cached(time.monotonic(), await _get_json(meta["jwks_uri"], settings))
        _jwks[meta["jwks_uri"]] = cached
    try:
        return KeySet.import_key_set(cached.value)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise SsoFailed("unreachable", detail="bad_jwks") from exc


def forget_provider() -> None:
    """Drop the cached discovery document and keys (tests point the settings at another provider)."""
    _metadata.clear()
    _jwks.clear()


def _client(settings: Settings) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        scope="openid email profile",
        redirect_uri=redirect_uri(settings),
        code_challenge_method="S256",
        timeout=settings.oidc_timeout_seconds,
    )


def _cookie(base: str, value: str, max_age: int) -> Cookie:
    # Lax, unlike the other staff cookies: the provider's redirect back is a navigation from its site.
    return Cookie(
        key=cookies.name(base),
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookies.secure(),
    )


def flow_cookie_removal() -> Cookie:
    return _cookie(FLOW_COOKIE, "", 0)


def signed_in_cookie(value: bool) -> Cookie:
    return _cookie(
        SIGNED_IN_COOKIE, "1" if value else "", load_settings().staff_absolute_hours * 3600 if value else 0
    )


async def begin(next_path: str) -> tuple[str, Cookie]:
    """Where to send the browser, and the cookie that remembers this sign-in until it comes back."""
    settings = load_settings()
    meta = await metadata(settings)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)
    extra: dict[str, str] = {"nonce": nonce}
    if settings.oidc_preset == "google" and settings.oidc_hosted_domain:
        extra["hd"] = settings.oidc_hosted_domain  # only shows the district's accounts; checked on return
    async with _client(settings) as client:
        url, _state = client.create_authorization_url(
            meta["authorization_endpoint"], state=state, code_verifier=verifier, **extra
        )
    flow = {"state": state, "nonce": nonce, "verifier": verifier, "next": next_path, "at": int(time.time())}
    sealed = crypto.seal(json.dumps(flow), _SEAL_CONTEXT)
    return url, _cookie(FLOW_COOKIE, sealed, FLOW_SECONDS)


def _open_flow(sealed: str | None) -> dict[str, Any]:
    if not sealed:
        raise SsoFailed("expired", detail="no_flow")
    # Sealed by this installation only: crypto.open_ would read an unsealed value as it is.
    if not crypto.is_sealed(sealed):
        raise SsoFailed("state", detail="flow_unsealed")
    try:
        flow = json.loads(crypto.open_(sealed, _SEAL_CONTEXT))
    except Exception as exc:  # a cookie that does not open is someone else's or tampered with
        raise SsoFailed("state", detail="flow_unreadable") from exc
    if not isinstance(flow, dict) or time.time() - float(flow.get("at", 0)) > FLOW_SECONDS:
        raise SsoFailed("expired", detail="flow_too_old")
    return flow


async def check_id_token(
    id_token: str, *, nonce: str, access_token: str | None, settings: Settings, now: int | None = None
) -> dict[str, Any]:
    """The ID token's claims once its signature (the issuer's keys), issuer, audience, expiry and nonce
    are right; SsoFailed("token") otherwise."""
    meta = await metadata(settings)
    algorithms = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
    registry = JWSRegistry(algorithms=[a for a in algorithms if a != "none"])
    try:
        try:
            decoded = jwt.decode(id_token, await _key_set(settings), registry=registry)
        except JoseError as exc:
            if exc.error != "invalid_key_id":
                raise
            decoded = jwt.decode(id_token, await _key_set(settings, fresh=True), registry=registry)
        params: dict[str, Any] = {"nonce": nonce, "client_id": settings.oidc_client_id}
        if access_token:
            params["access_token"] = access_token
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": settings.oidc_issuer},
                "aud": {"essential": True, "value": settings.oidc_client_id},
                "exp": {"essential": True},
                "nonce": {"essential": True, "value": nonce},
            },
            params,
        )
        claims.validate(now=now, leeway=60)
    except (JoseError, ValueError, TypeError) as exc:
        raise SsoFailed("token", detail=getattr(exc, "error", type(exc).__name__)) from exc
    return dict(claims)


def _check_organisation(claims: dict[str, Any], settings: Settings) -> None:
    if settings.oidc_preset == "google" and settings.oidc_hosted_domain:
        if str(claims.get("hd", "")).lower() != settings.oidc_hosted_domain:
            raise SsoFailed("wrong_organisation", email=claims.get("email"), detail="hd")
    if settings.oidc_preset == "entra" and settings.oidc_tenant_id:
        if str(claims.get("tid", "")).lower() != settings.oidc_tenant_id:
            raise SsoFailed("wrong_organisation", email=claims.get("email"), detail="tid")


async def _account_for(claims: dict[str, Any], settings: Settings) -> StaffAccount:
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified") is True
    if settings.oidc_preset == "entra":
        # Entra ID sends no email_verified; its optional claim xms_edov says the tenant owns the domain.
        verified = verified or claims.get("xms_edov") in (True, "1", 1)
    if not email or not verified:
        raise SsoFailed("unverified", email=email or None)
    _check_organisation(claims, settings)
    account = await StaffAccount.objects().where(StaffAccount.email == email).first()
    if account is None:
        domain = email.rpartition("@")[2]
        if domain not in settings.oidc_create_domains or settings.oidc_default_role not in ROLES:
            raise SsoFailed("unknown", email=email)
        account = await _create(email, claims, settings)
    if not account.active:
        raise SsoFailed("inactive", email=email)
    return account


async def _create(email: str, claims: dict[str, Any], settings: Settings) -> StaffAccount:
    """A first sign-in from an allowed domain: the default role and no schools until an admin assigns
    them. The password is random and never shown: this account signs in through the provider."""
    name = str(claims.get("name") or "")[:100]
    account = await add_staff(email, secrets.token_urlsafe(32), settings.oidc_default_role, [], name)
    await audit.record("staff.created_by_sso", staff=account, role=settings.oidc_default_role)
    return account


async def finish(query: dict[str, str], sealed_flow: str | None) -> tuple[StaffAccount, str]:
    """The account the provider vouched for and where to go next; SsoFailed for anything else."""
    settings = load_settings()
    flow = _open_flow(sealed_flow)
    if not hmac.compare_digest(str(query.get("state", "")), str(flow["state"])):
        raise SsoFailed("state", detail="state_mismatch")
    if query.get("error"):
        # Only the codes the standards define reach the audit log: the query string is anyone's to write.
        error = query["error"] if query["error"] in _PROVIDER_ERRORS else "other"
        raise SsoFailed("provider_error", detail=error)
    # RFC 9207: a response naming another issuer is a mix-up, whatever it carries.
    if "iss" in query and query["iss"] != settings.oidc_issuer:
        raise SsoFailed("state", detail="issuer_mismatch")
    code = query.get("code", "")
    if not code:
        raise SsoFailed("provider_error", detail="no_code")
    meta = await metadata(settings)
    try:
        async with _client(settings) as client:
            token = await client.fetch_token(
                meta["token_endpoint"],
                code=code,
                code_verifier=flow["verifier"],
                grant_type="authorization_code",
            )
    except httpx.HTTPError as exc:
        raise SsoFailed("unreachable", detail=type(exc).__name__) from exc
    except AuthlibBaseError as exc:
        raise SsoFailed("token", detail=str(exc.error)[:40]) from exc
    except ValueError as exc:
        raise SsoFailed("token", detail="bad_token_response") from exc
    if not isinstance(token.get("id_token"), str):
        raise SsoFailed("token", detail="no_id_token")
    claims = await check_id_token(
        token["id_token"], nonce=str(flow["nonce"]), access_token=token.get("access_token"), settings=settings
    )
    if "email" not in claims and isinstance(token.get("access_token"), str):
        claims = await _with_userinfo(claims, token["access_token"], settings)
    return await _account_for(claims, settings), str(flow.get("next", "/staff"))


async def _with_userinfo(claims: dict[str, Any], access_token: str, settings: Settings) -> dict[str, Any]:
    """Providers that keep the email out of the ID token give it at the userinfo endpoint; it counts
    only for the same `sub` (OpenID Connect Core 5.3.2)."""
    meta = await metadata(settings)
    endpoint = meta.get("userinfo_endpoint")
    if not isinstance(endpoint, str):
        return claims
    try:
        async with httpx.AsyncClient(timeout=settings.oidc_timeout_seconds) as http:
            response = await http.get(endpoint, headers={"Authorization": f"Bearer {access_token}"})
            response.raise_for_status()
            info = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SsoFailed("unreachable", detail="userinfo") from exc
    if not isinstance(info, dict) or info.get("sub") != claims.get("sub"):
        raise SsoFailed("token", detail="userinfo_sub")
    return {**claims, **{k: info[k] for k in ("email", "email_verified", "name") if k in info}}


async def record_failure(failure: SsoFailed) -> None:
    await audit.record("signin.sso_failed", email=failure.email, reason=failure.reason, detail=failure.detail)


async def logout_url(settings: Settings) -> str | None:
    """The provider's RP-initiated logout, when it offers one; back to the sign-in page afterwards."""
    try:
        meta = await metadata(settings)
    except SsoFailed:
        return None
    endpoint = meta.get("end_session_endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        return None
    query = urlencode(
        {
            "client_id": settings.oidc_client_id,
            "post_logout_redirect_uri": settings.public_url + "/staff/sign-in",
        }
    )
    return endpoint + ("&" if "?" in endpoint else "?") + query
