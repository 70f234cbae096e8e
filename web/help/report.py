"""Path 3, help from my school or community: the report form, its receipt, and the community page."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfoNotFoundError

from litestar import Controller, Request, get, post
from litestar.response import Template

from web import i18n, limits
from web.alerts import signals, vapid
from web.cases import services as cases
from web.cases.categories import enabled
from web.district.kiosks import kiosk_of
from web.district.services import (
    NextReading,
    enabled_keys,
    get_district,
    list_schools,
    next_reading,
    weekly_hours,
)
from web.district.tables import School
from web.help import flood, urgency
from web.help.forms import read_form, read_photos
from web.i18n import N_
from web.templating import render


class ReportController(Controller):
    """The same flow twice: /report for students, /community framed for neighbours and families."""

    @get("/report", name="report")
    async def show_report(self, request: Request) -> Template:
        return await _form_page(request, cases.ReportForm(), {}, source="student")

    @get("/community", name="community")
    async def show_community(self, request: Request) -> Template:
        return await _form_page(request, cases.ReportForm(), {}, source="community")

    @post("/report", name="report_submit", status_code=200)
    async def submit_report(self, request: Request) -> Template:
        return await _submit(request, source="student")

    @post("/community", name="community_submit", status_code=200)
    async def submit_community(self, request: Request) -> Template:
        return await _submit(request, source="community")


async def _form_page(
    request: Request, form: cases.ReportForm, errors: dict[str, str], *, source: str, status_code: int = 200
) -> Template:
    district = await get_district()
    kiosk = kiosk_of(request.scope)
    if kiosk and not form.place:
        form.place = kiosk.school_slug  # a kiosk stands in one school; the reporter may still change it
    context = {
        "form": form,
        "errors": errors,
        "source": source,
        "action": i18n.link_prefix() + ("/community" if source == "community" else "/report"),
        "categories": enabled(enabled_keys(district)),
        "schools": await list_schools(),
        "roles": cases.ROLES,
        "held_photos": len(form.upload_tokens),
        "pow_challenge": flood.new_challenge() if source == "community" else None,
    }
    template = "community.html" if source == "community" else "report.html"
    return await render(
        request, template, context, partial="_report_form.html", status_code=status_code, no_store=True
    )


TOO_MANY = N_(
    "Many reports were sent from this network just now. Please wait a few minutes, then press Send again."
)


async def _within_limits(
    request: Request, data: dict[str, object], source: str, *, life_safety: bool
) -> bool:
    """The per-address limit on every form (far higher for someone in danger now), and on the community
    form the proof-of-work, or one of the few reports an address may send without one. Addresses are
    counted under a keyed hash (web/limits.py), never stored."""
    address = limits.client_address(request)
    if source == "community" and not (
        await flood.solved(str(data.get("pow_challenge", "")), str(data.get("pow_nonce", "")))
        or await limits.unsolved_allowed(address)
    ):
        return False
    return await limits.report_allowed(address, life_safety=life_safety)


def _reading(school: School | None) -> NextReading | None:
    """When the school will likely read it; never a reason to fail after the report is stored."""
    if school is None:
        return None
    try:
        return next_reading(weekly_hours(school), school.timezone, datetime.now(tz=UTC))
    except (ValueError, KeyError, IndexError, TypeError, ZoneInfoNotFoundError):
        return None


async def _submit(request: Request, *, source: str) -> Template:
    if kiosk_of(request.scope):
        source = "kiosk"
    data, uploads = await read_form(request)
    form = cases.ReportForm.from_data(data)
    await cases.purge_pending_uploads()
    form.upload_tokens = await cases.still_held(form.upload_tokens)
    if not await _within_limits(request, data, source, life_safety=form.life_safety):
        # Refused before any photo is decoded or kept, so that a flood stays cheap. With JavaScript the
        # page stays as it is, photos included, and says to wait; without, the words come back.
        page = await _form_page(request, form, {"send": TOO_MANY}, source=source, status_code=429)
        page.headers["Retry-After"] = "60"
        return page
    district = await get_district()
    schools = await list_schools()
    errors = cases.validate_report(form, {s.slug for s in schools}, enabled_keys(district))
    batch = await read_photos(request, uploads, already_held=len(form.upload_tokens))
    if batch.error:
        errors["photos"] = batch.error
    if errors:
        # Keep every usable photo: browsers cannot put a file back into a file input.
        form.upload_tokens += await cases.hold_photos(batch.photos)
        return await _form_page(request, form, errors, source=source, status_code=422)

    submitted = await cases.submit_report(form, batch.photos, source=source, locale=i18n.current_locale())
    school = next((s for s in schools if s.id == submitted.report.school), None)
    reading = _reading(school)
    context = {
        **await urgency.receipt_context(submitted.report, form.event_date, school, reading),
        "code": submitted.code,
        "report": submitted.report,
        "school": school,
        "reading": reading,
        "source": source,
        "repeated": submitted.repeated,
        "code_replaced": submitted.code_replaced,
        # The notice may be turned on only by whoever holds the code.
        "signal_token": None
        if kiosk_of(request.scope) or not submitted.code
        else signals.token_for(submitted.report),
        "vapid_public_key": vapid.public_key(),
    }
    page = await render(request, "receipt.html", context, partial="_receipt.html", no_store=True)
    # The form asked to swap itself; the receipt takes the whole main area instead.
    page.headers.update({"HX-Retarget": "#main", "HX-Reswap": "innerHTML show:window:top"})
    return page
