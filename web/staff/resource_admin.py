"""The resource directory in the console: school and district admins list, add, edit, archive and
restore entries, mark them verified, and read and undo their history (rules in web/resources/editing.py).

School admins work on the entries of their own schools; district-wide entries are listed for them but
kept by the district (see editing.Editor). Everyone else gets "not found", like other admin pages.
"""

from __future__ import annotations

import uuid
from typing import Any

from babel.dates import get_day_names
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from web import i18n
from web.help.forms import read_form
from web.resources import editing
from web.resources.hours import ICAL_DAYS
from web.resources.taxonomy import NEEDS
from web.staff import access, admin, audit
from web.staff.admin_controllers import admin_page, refuse_unless_admin
from web.staff.guards import current_staff, require_staff
from web.staff.tables import StaffAccount

BASE = "/staff/admin/resources"


async def _editor(account: StaffAccount) -> editing.Editor:
    await refuse_unless_admin(account)
    ids = await access.school_ids(account)
    return editing.Editor(account.id, account.display_name or account.email, account.role, frozenset(ids))


async def _refused(account: StaffAccount, resource_id: uuid.UUID | None = None) -> NotFoundException:
    await audit.record("admin.refused", staff=account, resource=str(resource_id) if resource_id else None)
    return NotFoundException()


def _back(data: dict[str, Any], fallback: str) -> str:
    """Where a button sends the admin back to: a console resources page, never elsewhere."""
    target = str(data.get("back", ""))
    return target if target.startswith(BASE) and "//" not in target and "\\" not in target else fallback


class ResourceAdminController(Controller):
    path = BASE
    guards = [require_staff]

    @get("/", name="admin_resources")
    async def list_resources(self, request: Request, q: str = "", show: str = "all") -> Template:
        account = current_staff(request)
        editor = await _editor(account)
        show = show if show in {key for key, _label in editing.SHOW_CHOICES} else "all"
        context = {
            "entries": await editing.list_entries(editor, words=q.strip()[:100], show=show),
            "q": q.strip()[:100],
            "show": show,
            "show_choices": editing.SHOW_CHOICES,
            "notice": request.query_params.get("done", ""),
        }
        return await admin_page(request, "admin_resources.html", context)

    @get("/new", name="admin_resource_new")
    async def new(self, request: Request) -> Template:
        await _editor(current_staff(request))
        return await self._form(request, None, editing.form_from_snapshot(None), {})

    @post("/", name="admin_resource_create", status_code=200)
    async def create(self, request: Request) -> Template | Redirect:
        account = current_staff(request)
        editor = await _editor(account)
        data, _files = await read_form(request)
        form = editing.read_form(data)
        resource_id, errors = await editing.create(editor, form, await self._schools(account))
        if resource_id is None:
            return await self._form(request, None, form, errors, status_code=422)
        await audit.record("resource.created", staff=account, resource=str(resource_id))
        return Redirect(f"{BASE}/{resource_id}?done=created", status_code=303)

    @get("/{resource_id:uuid}", name="admin_resource")
    async def show(self, request: Request, resource_id: uuid.UUID) -> Template:
        account = current_staff(request)
        editor = await _editor(account)
        snapshot = await self._editable(account, editor, resource_id)
        return await self._form(
            request, resource_id, editing.form_from_snapshot(snapshot), {}, snapshot=snapshot,
            notice=request.query_params.get("done", ""),
        )  # fmt: skip

    @post("/{resource_id:uuid}", name="admin_resource_save", status_code=200)
    async def save(self, request: Request, resource_id: uuid.UUID) -> Template | Redirect:
        account = current_staff(request)
        editor = await _editor(account)
        snapshot = await self._editable(account, editor, resource_id)
        data, _files = await read_form(request)
        form = editing.read_form(data)
        try:
            errors, changed = await editing.update(editor, resource_id, form, await self._schools(account))
        except editing.NotAllowed:
            raise await _refused(account, resource_id) from None
        if errors:
            return await self._form(request, resource_id, form, errors, snapshot=snapshot, status_code=422)
        if changed:
            await audit.record("resource.changed", staff=account, resource=str(resource_id))
        return Redirect(f"{BASE}/{resource_id}?done=saved", status_code=303)

    @post("/{resource_id:uuid}/archive", name="admin_resource_archive", status_code=303)
    async def archive(self, request: Request, resource_id: uuid.UUID) -> Redirect:
        return await self._action(request, resource_id, "archive")

    @post("/{resource_id:uuid}/restore", name="admin_resource_restore", status_code=303)
    async def restore(self, request: Request, resource_id: uuid.UUID) -> Redirect:
        return await self._action(request, resource_id, "restore")

    @post("/{resource_id:uuid}/verify", name="admin_resource_verify", status_code=303)
    async def verify(self, request: Request, resource_id: uuid.UUID) -> Redirect:
        return await self._action(request, resource_id, "verify")

    @get("/{resource_id:uuid}/history", name="admin_resource_history")
    async def show_history(self, request: Request, resource_id: uuid.UUID) -> Template:
        account = current_staff(request)
        editor = await _editor(account)
        snapshot = await self._editable(account, editor, resource_id)
        context = {
            "resource_id": resource_id,
            "snapshot": snapshot,
            "changes": await editing.history(resource_id),
            "field_labels": editing.FIELD_LABELS,
            "action_labels": editing.ACTION_LABELS,
            "notice": request.query_params.get("done", ""),
        }
        return await admin_page(request, "admin_resource_history.html", context)

    @post("/{resource_id:uuid}/history/{change_id:int}/undo", name="admin_resource_undo", status_code=303)
    async def undo(self, request: Request, resource_id: uuid.UUID, change_id: int) -> Redirect:
        account = current_staff(request)
        editor = await _editor(account)
        try:
            await editing.undo(editor, resource_id, change_id)
        except editing.NotAllowed:
            raise await _refused(account, resource_id) from None
        await audit.record("resource.undone", staff=account, resource=str(resource_id), change=change_id)
        return Redirect(f"{BASE}/{resource_id}/history?done=undone", status_code=303)

    # ---- helpers ----------------------------------------------------------------------------------

    async def _action(self, request: Request, resource_id: uuid.UUID, action: str) -> Redirect:
        account = current_staff(request)
        editor = await _editor(account)
        data, _files = await read_form(request)
        try:
            if action == "verify":
                await editing.mark_verified(editor, resource_id)
                await audit.record(
                    "resource.changed", staff=account, resource=str(resource_id), what="verified"
                )
            else:
                await editing.set_archived(editor, resource_id, action == "archive")
                event = "resource.archived" if action == "archive" else "resource.changed"
                await audit.record(event, staff=account, resource=str(resource_id), what=f"{action}d")
        except editing.NotAllowed:
            raise await _refused(account, resource_id) from None
        done = {"verify": "verified", "archive": "archived", "restore": "restored"}[action]
        back = _back(data, f"{BASE}/{resource_id}")
        return Redirect(f"{back}{'&' if '?' in back else '?'}done={done}", status_code=303)

    async def _editable(
        self, account: StaffAccount, editor: editing.Editor, resource_id: uuid.UUID
    ) -> dict[str, Any]:
        exists, school = await editing.entry_school(resource_id)
        snapshot = await editing.load_snapshot(resource_id) if exists and editor.may_edit(school) else None
        if snapshot is None:
            raise await _refused(account, resource_id)
        return snapshot

    async def _schools(self, account: StaffAccount) -> dict[str, int]:
        return {school.slug: school.id for school in await admin.manageable_schools(account)}

    async def _form(
        self, request: Request, resource_id: uuid.UUID | None, form: dict[str, Any], errors: dict[str, str], *,
        snapshot: dict[str, Any] | None = None, notice: str = "", status_code: int = 200,
    ) -> Template:  # fmt: skip
        account = current_staff(request)
        rows = {
            "hours": len(form["hours"]) + editing.SPARE_ROWS,
            "phones": len(form["phones"]) + editing.SPARE_ROWS,
            "closures": len(form["closures"]) + editing.SPARE_ROWS,
        }
        context = {
            "resource_id": resource_id,
            "form": form,
            "errors": errors,
            "snapshot": snapshot,
            "notice": notice,
            "rows": rows,
            "needs": NEEDS,
            "phone_types": editing.PHONE_TYPES,
            "days": ICAL_DAYS,
            "day_names": [get_day_names("abbreviated", locale=i18n.current_locale())[i] for i in range(7)],
            "schools": await admin.manageable_schools(account),
            "district_wide": account.role == "district_admin",
            "languages": i18n.display_names(),
            "stale_before": editing.stale_before(await editing.today()).isoformat(),
        }
        return await admin_page(request, "admin_resource_edit.html", context, status_code)
