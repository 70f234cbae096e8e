"""Kiosk mode for shared devices: enrolment by a link from the console, a large three-path home,
and the rules every page follows on a kiosk (no staff pages; reports marked as from the kiosk).

The reset after inactivity happens on the device (static/js/kiosk.js): forms, history, storage and
caches are cleared and the kiosk home opens again in its own language.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from litestar.types import ASGIApp, Receive, Scope, Send

from web import cookies, i18n
from web.district import kiosks
from web.district.kiosks import KioskView
from web.district.tables import Kiosk, School
from web.templating import render


def home_path(kiosk: KioskView) -> str:
    prefix = "" if kiosk.locale == i18n.DEFAULT_LOCALE else f"/{kiosk.locale}"
    return f"{prefix}/kiosk"


def kiosk_middleware(app: ASGIApp) -> ASGIApp:
    """Before any guard or handler: note the kiosk a request comes from, and never show a kiosk
    the staff side (not even the sign-in page)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request: Request[Any, Any, Any] = Request(scope)
            # A kiosk enrolled before the site was told it is on HTTPS keeps working.
            kiosk = await kiosks.for_device(cookies.read(request.cookies, cookies.KIOSK, older_name_too=True))
            if kiosk is not None:
                scope.setdefault("state", {})[kiosks.SCOPE_KEY] = kiosk
                if request.url.path == "/staff" or request.url.path.startswith("/staff/"):
                    raise NotFoundException()
        await app(scope, receive, send)

    return middleware


class KioskController(Controller):
    path = "/kiosk"

    @get("/", name="kiosk_home")
    async def home(self, request: Request) -> Template | Redirect:
        kiosk = kiosks.kiosk_of(request.scope)
        if kiosk is None:
            return Redirect(path=f"{i18n.link_prefix()}/", status_code=303)
        return await render(request, "kiosk.html", {"kiosk": kiosk})

    @get("/enrol/{token:str}", name="kiosk_enrol")
    async def show_enrol(self, request: Request, token: str) -> Template:
        pending = await kiosks.pending(token)
        context = {"pending": pending, "token": token, "school": await _school_name(pending)}
        return await render(
            request, "kiosk_enrol.html", context, status_code=200 if pending else 404, no_store=True
        )

    @post("/enrol/{token:str}", name="kiosk_enrol_confirm", status_code=303)
    async def enrol(self, request: Request, token: str) -> Template | Redirect:
        device_token = await kiosks.enrol(token)
        if device_token is None:
            context = {"pending": None, "token": token, "school": None}
            return await render(request, "kiosk_enrol.html", context, status_code=404, no_store=True)
        kiosks.forget_cached()
        kiosk = await kiosks.for_device(device_token)
        assert kiosk is not None
        cookie = cookies.make(cookies.KIOSK, device_token, kiosks.COOKIE_MAX_AGE)
        return Redirect(path=home_path(kiosk), status_code=303, cookies=[cookie])


async def _school_name(kiosk: Kiosk | None) -> str | None:
    if kiosk is None:
        return None
    school = await School.objects().where(School.id == kiosk.school).first()
    return school.name if school else None
