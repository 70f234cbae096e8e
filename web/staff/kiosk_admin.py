"""Kiosks in the console: school and district admins make enrolment links for shared devices,
see which devices are enrolled, and switch one off (a lost or moved device)."""

from __future__ import annotations

from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Template

from web import i18n
from web.district import kiosks
from web.district.tables import Kiosk
from web.help.forms import read_form
from web.i18n import N_
from web.staff import admin, audit
from web.staff.admin_controllers import admin_page, refuse_unless_admin
from web.staff.guards import current_staff, require_staff


class KioskAdminController(Controller):
    path = "/staff/admin/kiosks"
    guards = [require_staff]

    @get("/", name="admin_kiosks")
    async def list_kiosks(self, request: Request) -> Template:
        await refuse_unless_admin(current_staff(request))
        return await self._list(request)

    async def _list(
        self, request: Request, *, link: str | None = None, qr: str | None = None,
        error: str | None = None, form: dict[str, Any] | None = None, status_code: int = 200,
    ) -> Template:  # fmt: skip
        account = current_staff(request)
        schools = await admin.manageable_schools(account)
        context = {
            "kiosks": await kiosks.list_for([s.id for s in schools]),
            "schools": schools,
            "idle_choices": kiosks.IDLE_CHOICES,
            "languages": i18n.display_names(),
            "link": link,
            "qr": qr,
            "error": error,
            "form": form or {},
        }
        return await admin_page(request, "admin_kiosks.html", context, status_code)

    @post("/", name="admin_kiosk_create", status_code=200)
    async def create(self, request: Request) -> Template:
        account = current_staff(request)
        await refuse_unless_admin(account)
        data, _files = await read_form(request)
        form = {k: str(data.get(k, "")) for k in ("school", "label", "idle_seconds", "locale")}
        school = next((s for s in await admin.manageable_schools(account) if s.slug == form["school"]), None)
        if school is None or not form["label"].strip():
            error = N_(
                "Choose a school and give the device a name people will recognize, like “Library, 2nd floor”."
            )
            return await self._list(request, error=error, form=form, status_code=422)
        idle = int(form["idle_seconds"]) if form["idle_seconds"].isdigit() else 60
        token = await kiosks.create(school, form["label"], idle, form["locale"])
        await audit.record(
            "kiosk.created", staff=account, school=school.slug, label=form["label"].strip()[:100]
        )
        link = f"{request.base_url}".rstrip("/") + f"/kiosk/enrol/{token}"
        qr = segno.make(link, error="m").svg_data_uri(scale=4, border=2)
        return await self._list(request, link=link, qr=qr)

    @post("/{kiosk_id:int}/revoke", name="admin_kiosk_revoke", status_code=200)
    async def revoke(self, request: Request, kiosk_id: int) -> Template:
        account = current_staff(request)
        await refuse_unless_admin(account)
        kiosk = await Kiosk.objects().where(Kiosk.id == kiosk_id).first()
        mine = {s.id for s in await admin.manageable_schools(account)}
        if kiosk is None or kiosk.school not in mine:
            raise NotFoundException()
        await kiosks.revoke(kiosk.id)
        await audit.record("kiosk.revoked", staff=account, label=kiosk.label)
        return await self._list(request)
