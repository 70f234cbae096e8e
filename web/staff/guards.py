"""The guard every staff page sits behind, and how a refused request is answered."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect

from web.staff.auth import COOKIE_NAME, resume_session
from web.staff.tables import StaffAccount


async def require_staff(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    signed_in = await resume_session(connection.cookies.get(COOKIE_NAME))
    if signed_in is None:
        raise NotAuthorizedException()
    connection.state.staff = signed_in.account


def current_staff(request: Request) -> StaffAccount:
    """The signed-in staff member (set by require_staff)."""
    return request.state.staff


def to_sign_in(request: Request, _exc: Exception) -> Response:
    """Not signed in (or timed out): go to the sign-in page, and come back here after."""
    target = "/staff/sign-in"
    if request.method == "GET" and request.url.path != "/staff/events":
        target += f"?next={request.url.path}"
    if request.headers.get("hx-request"):
        return Response(content=b"", status_code=401, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)
