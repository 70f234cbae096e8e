"""The guard every staff page sits behind, and how a refused request is answered."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect

from web import cookies
from web.district.tables import District
from web.staff import oidc
from web.staff.auth import SignedIn, resume_session
from web.staff.tables import StaffAccount


class SecondFactorNeeded(NotAuthorizedException):
    """Signed in with a password; the one-time code is still to come."""


class PasswordChangeNeeded(NotAuthorizedException):
    """Signed in with a temporary password from an administrator: a password of their own comes first."""


class EnrolmentNeeded(NotAuthorizedException):
    """The district requires two-factor sign-in and this account has not set it up yet."""


async def _signed_in(connection: ASGIConnection[Any, Any, Any, Any]) -> SignedIn:
    signed_in = await resume_session(cookies.read(connection.cookies, cookies.STAFF_SESSION))
    if signed_in is None:
        raise NotAuthorizedException()
    connection.state.staff = signed_in.account
    connection.state.staff_session = signed_in.session_id
    return signed_in


async def require_staff(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    signed_in = await _signed_in(connection)
    if not signed_in.verified:
        raise SecondFactorNeeded()
    if signed_in.account.must_change_password:
        if handler.opt.get("new_password_page"):
            return
        raise PasswordChangeNeeded()
    if handler.opt.get("enrolment_page") or signed_in.account.totp_enabled:
        return
    district = await District.objects().first()
    # Where only single sign-on lets this account in, the second factor is the provider's.
    if district is not None and district.require_two_factor and oidc.password_allowed(signed_in.account):
        raise EnrolmentNeeded()


async def require_password_step(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """For the one-time-code page: a session that has passed the password, verified or not."""
    await _signed_in(connection)


def safe_next(path: str) -> str:
    # Only back into the console, never to another site.
    return path if path.startswith("/staff") and not path.startswith("//") else "/staff"


def current_staff(request: Request) -> StaffAccount:
    """The signed-in staff member (set by require_staff)."""
    return request.state.staff


def _return_path(request: Request) -> str | None:
    """Where to come back to after signing in: the page itself, never a fragment or the event stream."""
    if request.headers.get("hx-request"):
        current = urlsplit(request.headers.get("hx-current-url", ""))
        path = current.path + (f"?{current.query}" if current.query else "")
    elif request.method == "GET":
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        return None
    path = re.sub(r"^/staff/rows(\?|$)", r"/staff\1", path)
    path = re.sub(r"^(/staff/cases/[^/?]+)/(live|photos/[^/?]+)$", r"\1", path)
    if not path.startswith("/staff") or path.startswith(("/staff/events", "/staff/sign-in")):
        return None
    return path


def to_sign_in(request: Request, exc: Exception) -> Response:
    """Not signed in (or timed out): go to the sign-in page, and come back here after. Half-way
    through a two-factor sign-in: to the code page; with a temporary password: to choosing a new one;
    not enrolled where it is required: to enrolment."""
    back = _return_path(request)
    if isinstance(exc, SecondFactorNeeded):
        target = "/staff/sign-in/code"
    elif isinstance(exc, PasswordChangeNeeded):
        target = "/staff/account/new-password"
    elif isinstance(exc, EnrolmentNeeded):
        target, back = "/staff/two-factor", None
    else:
        target = "/staff/sign-in"
    if back:
        target += "?next=" + quote(back, safe="/")
    if request.headers.get("hx-request"):
        return Response(content=b"", status_code=401, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)
