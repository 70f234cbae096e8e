"""/check: a reporter comes back with their receipt code to read replies and write back.

The code travels only in POST bodies (never in a URL, a cookie or storage on the device), and every
action checks it again. Every failed attempt is equally slow and counts against the same limit.
A well-formed code that opens nothing gets one generic answer; a code that cannot be one as typed (a
wrong length, a letter, a check digit that does not fit) is told what looks wrong, which depends only
on what was typed, never on what is stored.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from web import limits
from web.alerts import signals, vapid
from web.cases import receipts, workflow
from web.cases import services as cases
from web.cases.tables import Report
from web.district.kiosks import kiosk_of
from web.help.forms import read_form, read_photos
from web.i18n import N_
from web.resources.services import ResourceView, load_resources
from web.resources.taxonomy import NEED_BY_CODE
from web.settings import load_settings
from web.templating import render

REPLY_MAX = 5000
NOT_FOUND = N_(
    "We could not open a report with that code. Check the numbers and try again. "
    "If you lost your code, you can send a new report."
)
TOO_MANY = N_(
    "There were many tries from this network in a short time. Wait a minute, then press Open again. "
    "Your code still works."
)
MISREAD = {
    receipts.Misread.EMPTY: N_("Please type the code you got when you sent your report."),
    receipts.Misread.NOT_DIGITS: N_("A code has only the numbers 0 to 9. Please check what you typed."),
    receipts.Misread.LENGTH: N_(
        "A code has 16 digits, and this has %(count)s. Check that no digit is missing or extra."
    ),
    receipts.Misread.CHECK_DIGIT: N_(
        "One digit looks wrong, or two digits are swapped. Please check your code again, digit by digit."
    ),
}


class CheckController(Controller):
    path = "/check"

    # Opening the page is free; only code attempts count against the rate limit.
    @get("/", name="check", opt={"skip_rate_limit": True})
    async def show_check(self, request: Request) -> Template:
        return await _page(request, {"code_error": None, "code_error_count": 0, "raw_code": ""})

    # Code attempts count in the handler, after the form is read, so that a refusal can give back the
    # code and any reply as typed (the limit's own error page would lose them without JavaScript).
    @post("/", name="check_open", status_code=200, opt={"skip_rate_limit": True})
    async def open_case(self, request: Request) -> Template:
        data, _uploads = await read_form(request)
        raw = str(data.get("code", ""))
        kept = str(data.get("kept_reply", ""))[:REPLY_MAX]
        if not await limits.check_allowed(limits.client_address(request)):
            return await _too_many(request, raw, kept)
        report = await _lookup(raw)
        if report is None:
            return await _page(
                request, {**_why_not(raw), "raw_code": raw, "kept_reply": kept}, status_code=422
            )
        return await _case_page(request, report, raw, draft=Draft(body=kept) if kept else None)

    @post("/signal", name="check_signal_on", status_code=200)
    async def signal_on(self, request: Request) -> Response[dict[str, bool]]:
        """The installed app asks for a content-free notice when the school writes back."""
        data = await request.json()
        report = await signals.report_for(str(data.get("token", ""))) if isinstance(data, dict) else None
        if report is None:
            return Response({"on": False}, status_code=404)
        await signals.turn_on(report, data.get("subscription"))
        return Response({"on": True})

    @post("/signal/off", name="check_signal_off", status_code=200)
    async def signal_off(self, request: Request) -> Response[dict[str, bool]]:
        data = await request.json()
        report = await signals.report_for(str(data.get("token", ""))) if isinstance(data, dict) else None
        if report is None:
            return Response({"on": False}, status_code=404)
        await signals.turn_off(report, str(data.get("endpoint", "")))
        return Response({"on": False})

    @post("/reply", name="check_reply", status_code=200, opt={"skip_rate_limit": True})
    async def reply(self, request: Request) -> Template:
        data, uploads = await read_form(request)
        raw = str(data.get("code", ""))
        body = str(data.get("body", "")).replace("\r\n", "\n").strip()
        if not await limits.check_allowed(limits.client_address(request)):
            return await _too_many(request, raw, body[:REPLY_MAX])
        report = await _lookup(raw)
        if report is None:
            context = {"code_error": NOT_FOUND, "code_error_count": 0, "raw_code": "", "kept_reply": body}
            return await _page(request, context, status_code=422)
        key = cases.form_key(data.get("reply_key"))
        held = await cases.still_held(data.get("upload_token", []))
        batch = await read_photos(request, uploads, already_held=len(held))
        error = batch.error
        if not error and not body and not batch.photos and not held:
            error = N_("Please write a message or add a picture.")
        if not error and len(body) > REPLY_MAX:
            error = N_("This is longer than we can take. Please make it shorter.")
        if not error:
            try:
                await cases.add_reporter_message(report, body, batch.photos, key=key, upload_tokens=held)
                return await _case_page(request, report, raw, sent=True)
            except cases.ReportClosed:
                error = N_(
                    "This report is closed. To tell your school something new, please send a new report."
                )
        # Keep the pictures that were fine: a file input cannot be filled in again.
        held += await cases.hold_photos(batch.photos)
        draft = Draft(body=body, key=key, upload_tokens=held)
        return await _case_page(request, report, raw, reply_error=error, draft=draft, status_code=422)


@dataclass(frozen=True)
class Draft:
    """A reply sent back for a fix, with everything it carried."""

    body: str = ""
    key: str = field(default_factory=lambda: cases.form_key(None))
    upload_tokens: list[str] = field(default_factory=list)


async def _sent_resources(entries: list[cases.ConversationEntry]) -> dict[str, ResourceView]:
    """The directory entries staff sent, by id, to show as cards."""
    wanted = [uuid.UUID(e.message.resource_id) for e in entries if e.message.resource_id]
    return {view.id: view for view in await load_resources(wanted)} if wanted else {}


def _why_not(raw: str) -> dict[str, object]:
    """The words for a code that opened nothing: what looks wrong in it, or the generic answer."""
    misread = receipts.misread(raw)
    if misread is None:
        return {"code_error": NOT_FOUND, "code_error_count": 0}
    return {"code_error": MISREAD[misread[0]], "code_error_count": misread[1]}


async def _lookup(raw: str) -> Report | None:
    started = time.monotonic()
    report = await cases.find_by_code(raw)
    if report is None:
        # Every failure takes the same time, whatever made it fail.
        await anyio.sleep(max(0.0, load_settings().check_min_seconds - (time.monotonic() - started)))
    return report


async def _too_many(request: Request, raw: str, kept_reply: str) -> Template:
    context = {"code_error": TOO_MANY, "code_error_count": 0, "raw_code": raw, "kept_reply": kept_reply}
    page = await _page(request, context, status_code=429)
    page.headers["Retry-After"] = "60"
    return page


async def _page(request: Request, context: dict, status_code: int = 200) -> Template:
    return await render(
        request, "check.html", context, partial="_check_area.html", status_code=status_code, no_store=True
    )


async def _case_page(
    request: Request,
    report: Report,
    raw_code: str,
    *,
    reply_error: str | None = None,
    draft: Draft | None = None,
    sent: bool = False,
    status_code: int = 200,
) -> Template:
    entries = await cases.conversation(report)
    await cases.mark_read_by_reporter(report)
    context = {
        "report": report,
        "entries": entries,
        "raw_code": raw_code,
        "reply_error": reply_error,
        "draft": draft or Draft(),
        "sent": sent,
        "status_words": workflow.REPORTER_WORDS[workflow.reporter_state(report.status)],
        "reporter_state": workflow.reporter_state(report.status),
        "first_photos": await cases.first_photos(report),
        "sent_resources": await _sent_resources(entries),
        "needs_by_code": NEED_BY_CODE,
        # Never offered on a shared kiosk; a closed case has nothing more to say.
        "signal_token": None
        if report.status == "closed" or kiosk_of(request.scope)
        else signals.token_for(report),
        "vapid_public_key": vapid.public_key(),
    }
    return await render(
        request, "case.html", context, partial="_case.html", status_code=status_code, no_store=True
    )
