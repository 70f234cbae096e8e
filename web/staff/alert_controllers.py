"""Each staff member's alerts: the devices that show them (web push), which reports they want to
hear about, and a test alert. The device list and preferences live on the account page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from web.alerts import outbox
from web.alerts.devices import MAX_DEVICES, alerts_context, endpoint_hash, save_device
from web.alerts.outbox import Message
from web.alerts.tables import AlertPreference, PushDevice
from web.alerts.worker import wake
from web.help.forms import read_form
from web.i18n import N_, gettext
from web.staff import audit
from web.staff.admin_controllers import admin_page
from web.staff.guards import current_staff, require_staff


class StaffAlertsController(Controller):
    path = "/staff/account/alerts"
    guards = [require_staff]

    async def _page(self, request: Request, notice: str | None = None) -> Template:
        account = current_staff(request)
        context = {"error": None, "saved": False, "alerts_notice": notice, **await alerts_context(account)}
        return await admin_page(request, "staff_account.html", context)

    @get("/", name="staff_alerts")
    async def show(self) -> Redirect:
        return Redirect(path="/staff/account#alerts")

    @post("/devices", name="staff_alerts_add_device", status_code=201)
    async def add_device(self, request: Request) -> dict[str, Any]:
        account = current_staff(request)
        data = await request.json()
        if await PushDevice.count().where(PushDevice.staff == account.id) >= MAX_DEVICES:
            oldest = (
                await PushDevice.objects()
                .where(PushDevice.staff == account.id)
                .order_by(PushDevice.created_at)
                .first()
            )
            if oldest is not None:
                await PushDevice.delete().where(PushDevice.id == oldest.id)
        device = await save_device(staff_id=account.id, report_id=None, data=data)
        await audit.record("alerts.device_added", staff=account, label=device.label)
        return {"id": device.id}

    @post("/devices/remove", name="staff_alerts_remove_endpoint", status_code=200)
    async def remove_by_endpoint(self, request: Request) -> dict[str, Any]:
        """This browser turned alerts off: forget its subscription."""
        account = current_staff(request)
        data = await request.json()
        endpoint = str(data.get("endpoint", "")) if isinstance(data, dict) else ""
        await PushDevice.delete().where(
            (PushDevice.staff == account.id) & (PushDevice.endpoint_hash == endpoint_hash(endpoint))
        )
        return {"removed": True}

    @post("/devices/{device_id:int}/remove", name="staff_alerts_remove_device", status_code=200)
    async def remove_device(self, request: Request, device_id: int) -> Template:
        account = current_staff(request)
        device = (
            await PushDevice.objects()
            .where((PushDevice.id == device_id) & (PushDevice.staff == account.id))
            .first()
        )
        if device is None:
            raise NotFoundException()
        await PushDevice.delete().where(PushDevice.id == device.id)
        await audit.record("alerts.device_removed", staff=account, label=device.label)
        return await self._page(request, N_("The device was removed. It will show no more alerts."))

    @post("/preferences", name="staff_alerts_preferences", status_code=200)
    async def preferences(self, request: Request) -> Template:
        account = current_staff(request)
        data, _files = await read_form(request)
        wanted = data.get("every_new_report") == "yes"
        existing = await AlertPreference.objects().where(AlertPreference.staff == account.id).first()
        if existing is None:
            await AlertPreference(staff=account.id, every_new_report=wanted).save()
        else:
            await AlertPreference.update({AlertPreference.every_new_report: wanted}).where(
                AlertPreference.id == existing.id
            )
        return await self._page(request, N_("Saved."))

    @post("/test", name="staff_alerts_test", status_code=200)
    async def test(self, request: Request) -> Template:
        account = current_staff(request)
        devices = await PushDevice.objects().where(PushDevice.staff == account.id)
        message = Message(
            kind="test",
            title=gettext("Test alert from Lantern"),
            body=gettext("Alerts work on this device."),
            url="/staff",
        )
        await outbox.queue_push(devices, message, report_id=None, now=datetime.now(tz=UTC))
        wake()
        return await self._page(request, N_("A test alert is on its way to your devices."))
