"""Administration pages: staff accounts, schools and district settings (behind the staff guard)."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from babel.dates import get_day_names
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from web import i18n
from web.alerts.devices import alerts_context
from web.cases.categories import CATEGORIES
from web.district.services import enabled_keys, get_district, weekly_hours
from web.district.tables import School
from web.help.forms import read_form
from web.i18n import N_
from web.staff import admin, audit, two_factor
from web.staff.guards import current_staff, require_staff, safe_next
from web.staff.services import StaffError, change_own_password
from web.staff.tables import StaffAccount
from web.templating import render

TIMEZONES = sorted(zone for zone in available_timezones() if zone.startswith(("America/", "Pacific/", "US/")))


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value else []


async def admin_page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Template:
    return await render(
        request,
        template,
        {"staff": current_staff(request), **context},
        status_code=status_code,
        no_store=True,
    )


async def refuse_unless_admin(account: StaffAccount) -> None:
    if account.role not in ("district_admin", "school_admin"):
        await audit.record("admin.refused", staff=account)
        raise NotFoundException()


class StaffAdminController(Controller):
    path = "/staff/admin/staff"
    guards = [require_staff]

    @get("/", name="admin_staff")
    async def list_staff(self, request: Request) -> Template:
        await refuse_unless_admin(current_staff(request))
        return await self._list(request)

    async def _list(
        self, request: Request, *, notice: str | None = None, error: str | None = None,
        form: dict[str, Any] | None = None, status_code: int = 200,
    ) -> Template:  # fmt: skip
        account = current_staff(request)
        context = {
            "people": await admin.visible_staff(account),
            "schools": await admin.manageable_schools(account),
            "roles": admin.grantable_roles(account),
            "notice": notice,
            "error": error,
            "form": form or {},
        }
        return await admin_page(request, "admin_staff.html", context, status_code)

    @post("/", name="admin_staff_invite", status_code=200)
    async def invite(self, request: Request) -> Template:
        account = current_staff(request)
        await refuse_unless_admin(account)
        data, _files = await read_form(request)
        email, name, role = str(data.get("email", "")), str(data.get("name", "")), str(data.get("role", ""))
        schools = _as_list(data.get("schools"))
        form: dict[str, Any] = {"email": email, "name": name, "role": role, "schools": schools}
        try:
            password = await admin.invite(account, email=email, name=name, role=role, school_slugs=schools)
        except admin.AdminError as problem:
            return await self._list(request, error=str(problem), form=form, status_code=422)
        return await self._list(request, notice=f"{email}: {password}")

    @post("/{staff_id:int}", name="admin_staff_change", status_code=200)
    async def change(self, request: Request, staff_id: int) -> Template:
        account = current_staff(request)
        await refuse_unless_admin(account)
        person = await StaffAccount.objects().where(StaffAccount.id == staff_id).first()
        if person is None or not await admin.may_manage(account, person):
            await audit.record("admin.refused", staff=account, account=staff_id)
            raise NotFoundException()
        data, _files = await read_form(request)
        action = str(data.get("action", ""))
        try:
            if action == "access":
                await admin.update_access(
                    account,
                    person,
                    role=str(data.get("role", "")),
                    school_slugs=_as_list(data.get("schools")),
                )
                return await self._list(request)
            if action in ("deactivate", "activate"):
                await admin.set_active(account, person, action == "activate")
                return await self._list(request)
            if action == "two_factor_off":
                await two_factor.turn_off(account, person)
                return await self._list(request)
            if action == "password":
                password = await admin.new_password_for(account, person)
                return await self._list(request, notice=f"{person.email}: {password}")
        except (admin.AdminError, StaffError) as problem:
            return await self._list(request, error=str(problem), status_code=422)
        return await self._list(request, error=N_("Unknown action."), status_code=422)


class DistrictAdminController(Controller):
    path = "/staff/admin"
    guards = [require_staff]

    @get("/district", name="admin_district")
    async def show_district(self, request: Request) -> Template:
        return await self._district(request)

    async def _district(
        self, request: Request, *, problems: dict[str, str] | None = None, form: dict[str, Any] | None = None,
        saved: bool = False, status_code: int = 200,
    ) -> Template:  # fmt: skip
        account = current_staff(request)
        if account.role != "district_admin":
            await audit.record("admin.refused", staff=account)
            raise NotFoundException()
        district = await get_district()
        values = form or {
            "name": district.name, "short_name": district.short_name, "brand_color": district.brand_color,
            "emergency_number": district.emergency_number, "crisis_text_number": district.crisis_text_number,
            "crisis_text_keyword": district.crisis_text_keyword, "lifeline_number": district.lifeline_number,
            "timezone": district.timezone, "police_non_emergency_number": district.police_non_emergency_number,
            "life_safety_protocol": district.life_safety_protocol, "categories": enabled_keys(district) or [c.key for c in CATEGORIES],
            "require_two_factor": "yes" if district.require_two_factor else "",
            "retention_days": str(district.retention_days),
        }  # fmt: skip
        context = {"values": values, "problems": problems or {}, "saved": saved, "categories": CATEGORIES,
                   "timezones": TIMEZONES}  # fmt: skip
        return await admin_page(request, "admin_district.html", context, status_code)

    @post("/district", name="admin_district_save", status_code=200)
    async def save_district(self, request: Request) -> Template:
        account = current_staff(request)
        data, _files = await read_form(request)
        categories = _as_list(data.get("categories"))
        try:
            problems = await admin.update_district(account, data, categories)
        except admin.AdminError:
            await audit.record("admin.refused", staff=account)
            raise NotFoundException() from None
        form = {**{k: str(v) for k, v in data.items() if isinstance(v, str)}, "categories": categories}
        if problems:
            return await self._district(request, problems=problems, form=form, status_code=422)
        return await self._district(request, saved=True)

    @get("/schools", name="admin_schools")
    async def show_schools(self, request: Request) -> Template:
        return await self._schools(request)

    async def _schools(
        self, request: Request, *, problems: dict[str, dict[str, str]] | None = None, saved: str = "",
        typed: dict[str, dict[str, str]] | None = None, status_code: int = 200,
    ) -> Template:  # fmt: skip
        account = current_staff(request)
        await refuse_unless_admin(account)
        schools = await admin.manageable_schools(account)
        context = {
            "schools": [(school, weekly_hours(school)) for school in schools],
            "weekdays": admin.WEEKDAYS,
            "day_names": [get_day_names("wide", locale=i18n.current_locale())[i] for i in range(7)],
            "timezones": TIMEZONES,
            "problems": problems or {},
            "typed": typed or {},
            "saved": saved,
        }
        return await admin_page(request, "admin_schools.html", context, status_code)

    @post("/schools/{slug:str}", name="admin_school_save", status_code=200)
    async def save_school(self, request: Request, slug: str) -> Template:
        account = current_staff(request)
        await refuse_unless_admin(account)
        school = await School.objects().output(load_json=True).where(School.slug == slug).first()
        if school is None:
            raise NotFoundException()
        data, _files = await read_form(request)
        try:
            problems = await admin.update_school_hours(account, school, data)
        except admin.AdminError:
            await audit.record("admin.refused", staff=account, school=slug)
            raise NotFoundException() from None
        if problems:
            typed = {k: str(v) for k, v in data.items() if isinstance(v, str)}
            return await self._schools(
                request, problems={slug: problems}, typed={slug: typed}, status_code=422
            )
        return await self._schools(request, saved=slug)


class TwoFactorController(Controller):
    """Setting up two-factor sign-in; reachable before enrolment when the district requires it."""

    path = "/staff/two-factor"
    guards = [require_staff]
    opt = {"enrolment_page": True}

    @get("/", name="staff_two_factor")
    async def show(self, request: Request) -> Template:
        account = current_staff(request)
        if account.totp_enabled:
            return await admin_page(request, "staff_two_factor.html", {"enabled": True})
        return await _enrol_page(request, account, await two_factor.pending_secret(account), error=None)

    @post("/", name="staff_two_factor_confirm", status_code=200)
    async def confirm(self, request: Request) -> Template:
        account = current_staff(request)
        data, _files = await read_form(request)
        if await two_factor.confirm_enrolment(account, str(data.get("code", ""))):
            return await admin_page(request, "staff_two_factor.html", {"enabled": True, "just_enabled": True})
        secret = await two_factor.pending_secret(account)
        return await _enrol_page(
            request, account, secret, error=N_("That code did not work. Try the newest one."), status_code=422
        )


async def _enrol_page(
    request: Request, account: StaffAccount, secret: str, *, error: str | None, status_code: int = 200
) -> Template:
    district = await get_district()
    context = {
        "enabled": False,
        "qr": two_factor.enrolment_qr(account, secret, district.short_name),
        "secret": secret,
        "error": error,
        "required": district.require_two_factor,
    }
    return await admin_page(request, "staff_two_factor.html", context, status_code)


async def _change_password(request: Request, data: dict[str, Any]) -> str | None:
    """The signed-in staff member's own new password (this session stays); why not, or None."""
    try:
        await change_own_password(
            current_staff(request), str(data.get("current", "")), str(data.get("new", "")),
            keep_session=request.state.staff_session,
        )  # fmt: skip
    except StaffError as problem:
        return str(problem)
    return None


class AccountController(Controller):
    """Every staff member's own account: change the password."""

    path = "/staff/account"
    guards = [require_staff]

    @get("/", name="staff_account")
    async def show(self, request: Request) -> Template:
        context = {"error": None, "saved": False, **await alerts_context(current_staff(request))}
        return await admin_page(request, "staff_account.html", context)

    @post("/", name="staff_account_save", status_code=200)
    async def save(self, request: Request) -> Template:
        account = current_staff(request)
        data, _files = await read_form(request)
        problem = await _change_password(request, data)
        if problem:
            context = {"error": problem, "saved": False, **await alerts_context(account)}
            return await admin_page(request, "staff_account.html", context, 422)
        context = {"error": None, "saved": True, **await alerts_context(account)}
        return await admin_page(request, "staff_account.html", context)


class NewPasswordController(Controller):
    """After a temporary password from an administrator, the one page open until a new one is chosen
    (require_staff sends every other staff page here)."""

    path = "/staff/account/new-password"
    guards = [require_staff]
    opt = {"new_password_page": True}

    @get("/", name="staff_new_password")
    async def show(self, request: Request, next: str = "/staff") -> Template | Redirect:
        if not current_staff(request).must_change_password:
            return Redirect(path=safe_next(next), status_code=303)
        return await admin_page(request, "staff_new_password.html", {"error": None, "next": safe_next(next)})

    @post("/", name="staff_new_password_save", status_code=200)
    async def save(self, request: Request) -> Template | Redirect:
        data, _files = await read_form(request)
        next_path = safe_next(str(data.get("next", "/staff")))
        problem = await _change_password(request, data)
        if problem:
            context = {"error": problem, "next": next_path}
            return await admin_page(request, "staff_new_password.html", context, 422)
        return Redirect(path=next_path, status_code=303)


ADMIN_CONTROLLERS = [
    StaffAdminController,
    DistrictAdminController,
    TwoFactorController,
    AccountController,
    NewPasswordController,
]
