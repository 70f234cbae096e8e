"""Everything behind staff sign-in: the live queue and case work. Sign-in itself is the only open door."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.exceptions import NotFoundException
from litestar.params import Dependency
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage, Template

from web import cookies, i18n, live
from web.cases import casework, services, workflow
from web.cases.categories import BY_KEY, CATEGORIES
from web.district.services import list_schools
from web.help.forms import read_form
from web.i18n import N_
from web.resources.services import language_name, resources_for_school
from web.settings import load_settings
from web.staff import access, audit, auth, oidc, two_factor
from web.staff.guards import current_staff, require_password_step, require_staff, safe_next
from web.templating import render

NO_STORE = {"Cache-Control": "no-store"}
SOURCES = {"student": N_("Student app"), "community": N_("Community page"), "kiosk": N_("Kiosk")}
TIMELINE_WORDS = {
    "case.created": N_("Report received"),
    "case.acknowledged": N_("Acknowledged"),
    "case.assigned": N_("Assigned"),
    "case.status": N_("Status changed"),
    "case.message": N_("Message sent to the reporter"),
    "case.note": N_("Internal note added"),
    "case.reporter_replied": N_("The reporter replied"),
    "case.disclosed": N_("Shared outside the team (disclosure recorded)"),
    "case.support_added": N_("Support action added"),
    "case.support_done": N_("Support action done"),
    "case.escalated": N_("Not acknowledged in time: alert sent to the next contact"),
    "case.legal_hold": N_("Legal hold placed or lifted"),
}
KEEPALIVE_SECONDS = 15
SIGN_IN_MAX_BYTES = 16 * 1024
SESSION_RECHECK_SECONDS = 30


class SignInController(Controller):
    path = "/staff"

    @get("/sign-in", name="staff_sign_in")
    async def show_sign_in(self, request: Request, next: str = "/staff") -> Template:
        return await _sign_in_page(request, email="", error=None, next_path=next)

    # A sign-in form is a few hundred bytes: a larger body is refused before it is read.
    @post("/sign-in", name="staff_sign_in_submit", status_code=200, request_max_body_size=SIGN_IN_MAX_BYTES)
    async def sign_in(self, request: Request) -> Response:
        data, _files = await read_form(request)
        email = str(data.get("email", "")).strip()
        next_path = safe_next(str(data.get("next", "/staff")))
        if len(email) > auth.MAX_EMAIL_LENGTH:
            # Before anything else: neither counted nor audited.
            return await _sign_in_page(
                request, email=email, error=N_("That email is too long to be an account's. Check it and try again."),
                next_path=next_path, status_code=422,
            )  # fmt: skip
        try:
            address = request.client.host if request.client else "unknown"
            device = cookies.read(request.cookies, cookies.STAFF_DEVICE)
            account = await auth.sign_in(email, str(data.get("password", "")), address, device)
        except auth.SignInRefused:
            return await _sign_in_page(
                request, email=email, error=N_("Too many tries. Wait 15 minutes, or ask an administrator."),
                next_path=next_path, status_code=429,
            )  # fmt: skip
        if account is None:
            return await _sign_in_page(
                request, email=email, error=N_("That email and password do not match an active account."),
                next_path=next_path, status_code=422,
            )  # fmt: skip
        if not oidc.password_allowed(account):
            await audit.record("signin.refused", staff=account, reason="sso_required")
            return await _sign_in_page(
                request, email=email, error=N_("Your district signs in with its own accounts. Use the button above."),
                next_path=next_path, status_code=403,
            )  # fmt: skip
        # A session the browser already had (someone else's, or a planted one) ends here.
        await auth.end_session(cookies.read(request.cookies, cookies.STAFF_SESSION))
        token = await auth.start_session(account)
        target = f"/staff/sign-in/code?next={next_path}" if account.totp_enabled else next_path
        response = _with_session_cookie(Redirect(path=target, status_code=303), request, token)
        mark = auth.device_mark(account.email, cookies.read(request.cookies, cookies.STAFF_DEVICE))
        response.set_cookie(cookies.make(cookies.STAFF_DEVICE, mark, auth.DEVICE_MARK_DAYS * 86400))
        return response

    @get("/sign-in/code", name="staff_sign_in_code", guards=[require_password_step])
    async def show_code(self, request: Request, next: str = "/staff") -> Template:
        return await _code_page(request, error=None, next_path=next)

    @post("/sign-in/code", name="staff_sign_in_code_submit", guards=[require_password_step], status_code=200)
    async def submit_code(self, request: Request) -> Response:
        data, _files = await read_form(request)
        next_path = safe_next(str(data.get("next", "/staff")))
        account = current_staff(request)
        outcome = await two_factor.try_code(account, str(data.get("code", "")))
        if outcome is two_factor.CodeOutcome.LOCKED:
            # Too many tries: this half-signed-in session ends; start again with the password.
            await auth.end_session(cookies.read(request.cookies, cookies.STAFF_SESSION))
            await audit.record("signin.second_factor_locked", staff=account)
            return _with_session_cookie(Redirect(path="/staff/sign-in", status_code=303), request, None)
        if outcome is two_factor.CodeOutcome.WRONG:
            return await _code_page(
                request, error=N_("That code did not work. Use the newest code from your app."),
                next_path=next_path, status_code=422,
            )  # fmt: skip
        token = await auth.confirm_second_factor(account, request.state.staff_session)
        return _with_session_cookie(Redirect(path=next_path, status_code=303), request, token)

    @post("/sign-out", name="staff_sign_out", status_code=303)
    async def sign_out(self, request: Request) -> Redirect | Template:
        await auth.end_session(cookies.read(request.cookies, cookies.STAFF_SESSION))
        gone = [cookies.removal(cookies.STAFF_SESSION), oidc.signed_in_cookie(False)]
        # Signed in through the provider: sign out there too, where it offers that. A page that moves
        # on by itself, as the form's CSP (form-action 'self') stops a redirect to another site.
        if cookies.read(request.cookies, oidc.SIGNED_IN_COOKIE) and oidc.enabled():
            provider_logout = await oidc.logout_url(load_settings())
            if provider_logout:
                page = await render(
                    request, "staff_sso_signed_out.html", {"logout_url": provider_logout,
                    "provider": oidc.provider_name()}, no_store=True,
                )  # fmt: skip
                page.cookies.extend(gone)
                return page
        return Redirect(path="/staff/sign-in", status_code=303, cookies=gone)


def _with_session_cookie(response: Redirect, request: Request, token: str | None) -> Redirect:
    """Set (or, with no token, remove) the staff session cookie (web/cookies.py)."""
    if token is None:
        response.set_cookie(cookies.removal(cookies.STAFF_SESSION))
    else:
        max_age = load_settings().staff_absolute_hours * 3600
        response.set_cookie(cookies.make(cookies.STAFF_SESSION, token, max_age))
    return response


async def _code_page(
    request: Request, *, error: str | None, next_path: str, status_code: int = 200
) -> Template:
    return await render(
        request,
        "staff_sign_in_code.html",
        {"error": error, "next": safe_next(next_path)},
        status_code=status_code,
        no_store=True,
    )


async def _sign_in_page(
    request: Request, *, email: str, error: str | None, next_path: str, status_code: int = 200
) -> Template:
    context: dict[str, Any] = {"email": email, "error": error, "next": safe_next(next_path)}
    if oidc.enabled():
        context.update(sso_name=oidc.provider_name(), sso_required=load_settings().oidc_required)
    return await render(request, "staff_sign_in.html", context, status_code=status_code, no_store=True)


class QueueController(Controller):
    path = "/staff"
    guards = [require_staff]

    @get("/", name="staff_queue")
    async def show_queue(self, request: Request) -> Template | Redirect:
        if current_staff(request).role == "analyst":
            return Redirect(path="/staff/insights")  # analysts never see cases; their page is the figures
        # The filter form asks for /staff?… with htmx (so the filters land in the address bar) and
        # gets only the rows back.
        htmx = getattr(request, "htmx", None)
        return await _queue_page(
            request, "_queue_rows.html" if htmx and not htmx.boosted else "staff_queue.html"
        )

    @get("/rows", name="staff_queue_rows")
    async def queue_rows(self, request: Request) -> Template:
        return await _queue_page(request, "_queue_rows.html")

    @get("/events", name="staff_events")
    async def events(
        self,
        request: Request,
        channels: Annotated[ChannelsPlugin, Dependency(skip_validation=True)],
        case: str = "",
    ) -> ServerSentEvent:
        """Server-sent events: ids and kinds only, never case content, and only for cases of this staff
        member's schools. The queue page gets a `queue` event for every change; a case page
        (`?case=ID`) gets `case-ID` events for its own case only, so each stream carries one event per
        change it cares about."""
        account = current_staff(request)
        if account.role not in access.CASE_ROLES:
            raise NotFoundException()  # analysts see aggregates only, never case events
        # What this stream may show; refreshed at each session check, as roles and schools can change.
        reach: dict[str, Any] = {
            "all": await access.sees_all_schools(account),
            "schools": set(await access.school_ids(account)),
        }
        # Subscribe before answering, or an event between now and the first read is lost.
        subscriber = await channels.subscribe([live.CHANNEL])

        token = cookies.read(request.cookies, cookies.STAFF_SESSION)

        async def stream() -> AsyncGenerator[ServerSentEventMessage, None]:
            inbox: asyncio.Queue[bytes] = asyncio.Queue()
            checked = time.monotonic()
            try:
                async with subscriber.run_in_background(inbox.put):
                    yield ServerSentEventMessage(event="hello", data="{}")
                    while True:
                        try:
                            raw = await asyncio.wait_for(inbox.get(), KEEPALIVE_SECONDS)
                        except TimeoutError:
                            raw = None
                        # A session that ended (sign-out, timeout, deactivation) stops the stream.
                        if time.monotonic() - checked >= SESSION_RECHECK_SECONDS or raw is None:
                            signed_in = await auth.resume_session(token)
                            if signed_in is None or signed_in.account.role not in access.CASE_ROLES:
                                return
                            reach["all"] = await access.sees_all_schools(signed_in.account)
                            reach["schools"] = set(await access.school_ids(signed_in.account))
                            checked = time.monotonic()
                        if raw is None:
                            yield ServerSentEventMessage(comment="keep-alive", data=None)
                            continue
                        event = json.loads(raw)
                        if (
                            not reach["all"]
                            and event.get("school") not in reach["schools"]
                            and not await access.hosts_case(str(event.get("case", "")), reach["schools"])
                        ):
                            continue
                        if not case:
                            yield ServerSentEventMessage(event="queue", data=raw.decode())
                        elif event.get("case") == case:
                            yield ServerSentEventMessage(event=f"case-{case}", data=raw.decode())
            finally:
                await channels.unsubscribe(subscriber)

        return ServerSentEvent(stream(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _queue_filters(request: Request) -> casework.QueueFilters:
    query = request.query_params
    return casework.QueueFilters(
        school=query.get("school", ""),
        category=query.get("category", ""),
        status=query.get("status", "open"),
        mine=query.get("mine") == "1",
        unassigned=query.get("unassigned") == "1",
    )


async def _queue_page(request: Request, template: str) -> Template:
    account = current_staff(request)
    filters = _queue_filters(request)
    rows = await casework.queue(account, filters)
    context: dict[str, Any] = {
        "staff": account,
        "filters": filters,
        "rows": rows,
        "urgent": sum(1 for row in rows if row.urgent_unacknowledged),
        "schools": await list_schools(),
        "categories": CATEGORIES,
        "statuses": workflow.STATUSES,
    }
    return await render(request, template, context, no_store=True)


class CaseController(Controller):
    path = "/staff/cases/{public_id:str}"
    guards = [require_staff]

    @get("/", name="staff_case")
    async def show_case(self, request: Request, public_id: str) -> Template:
        report = await casework.open_case(current_staff(request), public_id)
        return await _case_page(request, report, "staff_case.html")

    @get("/live", name="staff_case_live")
    async def case_live(self, request: Request, public_id: str) -> Template:
        report = await casework.open_case(current_staff(request), public_id)
        return await _case_page(request, report, "_staff_case_live.html")

    @get("/photos/{photo_id:str}", name="staff_case_photo")
    async def photo(self, request: Request, public_id: str, photo_id: str) -> Response[bytes]:
        account = current_staff(request)
        report = await access.case_for(account, public_id)
        photo = await services.photo_of(report, photo_id)
        if photo is None:
            raise NotFoundException()
        await audit.record("case.photo_viewed", staff=account, case=report)
        return Response(
            photo.data,
            media_type=photo.content_type,
            headers={**NO_STORE, "Content-Disposition": "inline", "X-Content-Type-Options": "nosniff"},
        )

    @get("/summary", name="staff_case_summary")
    async def summary(self, request: Request, public_id: str) -> Template:
        """A printable summary for sharing with law enforcement or a partner (the sharing itself is
        recorded as a disclosure on the case)."""
        account = current_staff(request)
        report = await access.case_for(account, public_id)
        await audit.record("case.summary_viewed", staff=account, case=report)
        return await _case_page(request, report, "staff_case_summary.html")

    @post("/act", name="staff_case_act", status_code=200)
    async def act(self, request: Request, public_id: str) -> Response:
        """Every case action posts here with its `action`; the services own the rules."""
        account = current_staff(request)
        report = await access.case_for(account, public_id)
        data, _files = await read_form(request)
        action = str(data.get("action", ""))
        try:
            if action == "acknowledge":
                await casework.acknowledge(account, report)
            elif action == "assign":
                raw = str(data.get("assignee", ""))
                await casework.assign(account, report, int(raw) if raw.isdigit() else None)
            elif action == "status":
                await casework.set_status(
                    account, report, str(data.get("status", "")), str(data.get("disposition", ""))
                )
            elif action == "message":
                await casework.message_reporter(account, report, str(data.get("body", "")))
            elif action == "note":
                await casework.add_note(account, report, str(data.get("body", "")))
            elif action == "disclose":
                await casework.record_disclosure(
                    account, report,
                    kind=str(data.get("recipient_kind", "")), recipient=str(data.get("recipient", "")),
                    organization=str(data.get("organization", "")), what=str(data.get("what", "")),
                    why=str(data.get("why", "")),
                )  # fmt: skip
            elif action == "support":
                owner = str(data.get("owner", ""))
                await casework.add_support_action(
                    account, report,
                    kind=str(data.get("kind", "")), details=str(data.get("details", "")),
                    owner_id=int(owner) if owner.isdigit() else None, follow_up_on=str(data.get("follow_up_on", "")),
                )  # fmt: skip
            elif action == "link":
                first_case = str(data.get("first_case", ""))
                if data.get("confirmed") != "yes":
                    # Resolving a case is a step of its own: the choice is shown back for a second look.
                    first = await casework.duplicate_target(account, report, first_case)
                    return await _case_page(
                        request, report, "staff_case.html", pending_link=first, partial=LIVE_PART
                    )
                await casework.link_duplicate(account, report, first_case)
            elif action == "send_resource":
                await casework.send_resource(
                    account, report, str(data.get("resource_id", "")), str(data.get("body", ""))
                )
            elif action == "legal_hold":
                await casework.set_legal_hold(account, report, str(data.get("hold", "")) == "on")
            elif action == "support_done":
                raw_id = str(data.get("support_id", ""))
                await casework.complete_support_action(
                    account, report, int(raw_id) if raw_id.isdigit() else -1
                )
            else:
                raise casework.CaseRuleError("Unknown action.")
        except casework.CaseRuleError as problem:
            report = await access.case_for(account, public_id)
            draft = {key: str(value) for key, value in data.items() if isinstance(value, str)}
            draft[action] = str(data.get("body", ""))
            return await _case_page(
                request, report, "staff_case.html", error=problem.message, draft=draft, status_code=422,
                partial=LIVE_PART,
            )  # fmt: skip
        if request.headers.get("hx-request"):
            report = await access.case_for(account, public_id)
            return await _case_page(request, report, "_staff_case_live.html")
        return Redirect(path=f"/staff/cases/{public_id}", status_code=303)


# What an htmx case action swaps (#case-live); the whole page answers a form sent without JavaScript.
LIVE_PART = "_staff_case_live.html"


async def _case_page(
    request: Request,
    report: Any,
    template: str,
    *,
    error: str | None = None,
    draft: dict[str, str] | None = None,
    status_code: int = 200,
    pending_link: Any = None,
    partial: str | None = None,
) -> Template:
    school = await casework.school_of(report)
    context = {
        "staff": current_staff(request),
        "report": report,
        "school": school,
        "hosts": await casework.host_schools(report),
        "entries": await services.conversation(report, include_notes=True),
        "photos": await services.photos_listed(report),
        "timeline": await audit.case_timeline(report),
        "assignable": await casework.assignable_staff(report),
        "moves": workflow.MOVES.get(report.status, ()),
        "statuses": workflow.STATUSES,
        "dispositions": workflow.DISPOSITIONS,
        "error": error,
        "draft": draft or {},
        "pending_link": pending_link,
        "categories_by_key": BY_KEY,
        "roles": services.ROLES,
        "sources": SOURCES,
        "language_name": lambda code: language_name(code, i18n.current_locale()),
        "timeline_words": TIMELINE_WORDS,
        "disclosures": await casework.disclosures(report),
        "support": await casework.support_actions(report),
        "recipient_kinds": workflow.RECIPIENT_KINDS,
        "support_kinds": workflow.SUPPORT_KINDS,
        "today": datetime.now(tz=UTC).date(),
        "linked": await casework.linked_reports(current_staff(request), report),
        "link_candidates": await casework.link_candidates(current_staff(request), report),
        "directory": await resources_for_school(school.slug if school else None),
    }
    return await render(request, template, context, partial=partial, status_code=status_code, no_store=True)


class AuditController(Controller):
    """District admins browse the audit log; nobody else may."""

    path = "/staff/audit"
    guards = [require_staff]

    @get("/", name="staff_audit")
    async def browse(self, request: Request) -> Template:
        account = current_staff(request)
        if account.role != "district_admin":
            await audit.record("audit.refused", staff=account)
            raise NotFoundException()
        query = request.query_params
        case_raw, before_raw = query.get("case", "").strip(), query.get("before", "")
        rows = await audit.browse(
            action=query.get("action", "")[:40],
            email=query.get("email", "")[:254],
            case_uuid=_uuid_or_none(case_raw),
            before_id=int(before_raw) if before_raw.isdigit() else None,
        )
        context = {
            "staff": account,
            "rows": rows,
            "filters": {"action": query.get("action", ""), "email": query.get("email", ""), "case": case_raw},
            "next_before": rows[-1]["id"] if len(rows) == audit.PAGE_SIZE else None,
        }
        return await render(request, "staff_audit.html", context, no_store=True)


def _uuid_or_none(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


STAFF_CONTROLLERS = [SignInController, QueueController, CaseController, AuditController]
