"""The call tree in the console: per school, the ordered contacts alerted when a report is not
acknowledged in time; district admins also keep the district on-call list that comes after."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Template

from web.alerts import escalation
from web.alerts.escalation import LIFE_SAFETY_STEP, OTHER_STEP
from web.alerts.tables import CallTreeTiming, EscalationContact
from web.db import write_transaction
from web.help.forms import read_form
from web.i18n import N_
from web.staff import admin, audit
from web.staff.admin_controllers import admin_page, refuse_unless_admin
from web.staff.guards import current_staff, require_staff
from web.staff.tables import StaffAccount, StaffSchool

DISTRICT = "district"


async def _contacts(school_id: int | None) -> list[dict[str, Any]]:
    where = EscalationContact.school.is_null() if school_id is None else EscalationContact.school == school_id
    return list(
        await EscalationContact.select(
            EscalationContact.id,
            EscalationContact.position,
            EscalationContact.staff.display_name.as_alias("name"),
            EscalationContact.staff.role.as_alias("role"),
        )
        .where(where)
        .order_by(EscalationContact.position)
        .order_by(EscalationContact.id)
    )


async def _minutes(school_id: int | None) -> tuple[int, int]:
    life_safety, other = await escalation.timing(school_id)
    return int(life_safety.total_seconds() // 60), int(other.total_seconds() // 60)


async def _candidates(school_id: int | None) -> list[StaffAccount]:
    """Who may be on a list: people who may work that school's cases (the district list: district admins)."""
    active = (
        await StaffAccount.objects().where(StaffAccount.active == True).order_by(StaffAccount.display_name)
    )
    if school_id is None:
        return [p for p in active if p.role == "district_admin"]
    members = {
        r["staff"] for r in await StaffSchool.select(StaffSchool.staff).where(StaffSchool.school == school_id)
    }
    return [
        p
        for p in active
        if p.role == "district_admin" or (p.id in members and p.role in ("responder", "school_admin"))
    ]


async def _call_list(key: str, name: str | None, school_id: int | None) -> dict[str, Any]:
    """One school's call tree (or the district's, school_id None) as the page shows it."""
    return {
        "key": key,
        "name": name,
        "contacts": await _contacts(school_id),
        "candidates": await _candidates(school_id),
        "timing": await _minutes(school_id),
    }


class EscalationAdminController(Controller):
    path = "/staff/admin/call-tree"
    guards = [require_staff]

    async def _page(self, request: Request, *, error: str | None = None, status_code: int = 200) -> Template:
        account = current_staff(request)
        owners: list[tuple[str, str | None, int | None]] = [
            (s.slug, s.name, s.id) for s in await admin.manageable_schools(account)
        ]
        if account.role == "district_admin":
            owners.append((DISTRICT, None, None))
        lists = [await _call_list(key, name, school_id) for key, name, school_id in owners]
        context = {
            "lists": lists,
            "life_safety_choices": escalation.LIFE_SAFETY_CHOICES,
            "other_step_choices": escalation.OTHER_STEP_CHOICES,
            "error": error,
            "life_safety_minutes": int(LIFE_SAFETY_STEP.total_seconds() // 60),
            "other_hours": int(OTHER_STEP.total_seconds() // 3600),
        }
        return await admin_page(request, "admin_call_tree.html", context, status_code)

    async def _school_id(self, account: StaffAccount, key: str) -> int | None:
        """The school a list belongs to (None: the district list), if this admin may edit it."""
        if key == DISTRICT and account.role == "district_admin":
            return None
        school = next((s for s in await admin.manageable_schools(account) if s.slug == key), None)
        if school is None:
            raise NotFoundException()
        return school.id

    @get("/", name="admin_call_tree")
    async def show(self, request: Request) -> Template:
        await refuse_unless_admin(current_staff(request))
        return await self._page(request)

    @post("/{key:str}/timing", name="admin_call_tree_timing", status_code=200)
    async def change_timing(self, request: Request, key: str) -> Template:
        account = current_staff(request)
        await refuse_unless_admin(account)
        school_id = await self._school_id(account, key)
        data, _files = await read_form(request)
        life_safety, other = str(data.get("life_safety_minutes", "")), str(data.get("other_step_minutes", ""))
        if not (life_safety.isdigit() and int(life_safety) in escalation.LIFE_SAFETY_CHOICES) or not (
            other.isdigit() and int(other) in escalation.OTHER_STEP_CHOICES
        ):
            return await self._page(request, error=N_("Choose one of the times offered."), status_code=422)
        where = CallTreeTiming.school.is_null() if school_id is None else CallTreeTiming.school == school_id
        async with write_transaction(CallTreeTiming._meta.db):
            await CallTreeTiming.delete().where(where)
            await CallTreeTiming(
                school=school_id, life_safety_minutes=int(life_safety), other_step_minutes=int(other)
            ).save()
        await audit.record(
            "admin.call_tree", staff=account, list=key, change="timing", minutes=int(life_safety)
        )
        return await self._page(request)

    @post("/{key:str}", name="admin_call_tree_change", status_code=200)
    async def change(self, request: Request, key: str) -> Template:
        account = current_staff(request)
        await refuse_unless_admin(account)
        school_id = await self._school_id(account, key)
        data, _files = await read_form(request)
        action = str(data.get("action", ""))
        contacts = await _contacts(school_id)
        async with write_transaction(EscalationContact._meta.db):
            if action == "add":
                person = str(data.get("staff", ""))
                allowed = {str(p.id) for p in await _candidates(school_id)}
                if person not in allowed:
                    return await self._page(
                        request, error=N_("Choose someone from the list."), status_code=422
                    )
                if await EscalationContact.exists().where(
                    (EscalationContact.staff == int(person))
                    & (
                        EscalationContact.school.is_null()
                        if school_id is None
                        else EscalationContact.school == school_id
                    )
                ):
                    return await self._page(request)  # already on this list
                await EscalationContact(school=school_id, staff=int(person), position=len(contacts)).save()
            else:
                wanted = str(data.get("contact", ""))
                index = next((i for i, c in enumerate(contacts) if str(c["id"]) == wanted), None)
                if index is None:
                    raise NotFoundException()
                if action == "remove":
                    await EscalationContact.delete().where(EscalationContact.id == contacts[index]["id"])
                    contacts.pop(index)
                elif action == "up" and index > 0:
                    contacts[index - 1], contacts[index] = contacts[index], contacts[index - 1]
                for position, contact in enumerate(contacts):
                    await EscalationContact.update({EscalationContact.position: position}).where(
                        EscalationContact.id == contact["id"]
                    )
        await audit.record("admin.call_tree", staff=account, list=key, change=action)
        return await self._page(request)
