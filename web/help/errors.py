"""Kind pages for the errors people can meet: a wrong address, too many tries, a form posted from
another site."""

from __future__ import annotations

import msgspec
from litestar import Request, Response
from litestar.exceptions import NotFoundException, SerializationException, TooManyRequestsException
from litestar.response import Template
from litestar.types import ExceptionHandlersMap

from web import i18n
from web.cross_site import CrossSitePost
from web.district.services import last_seen_district
from web.help.forms import UnreadableForm
from web.i18n import N_

_MESSAGES = {
    404: (
        N_("We could not find that page"),
        N_("The link may be old. You can start again from the home page."),
    ),
    400: (
        N_("We could not read that form"),
        N_(
            "Something in the form did not come through right, so nothing was sent. "
            "Please go back and type it again."
        ),
    ),
    403: (
        N_("Nothing was sent"),
        N_(
            "This form came from another website, so Lantern did not take it. Nothing was sent to anyone. "
            "If you want to tell us something, use the form on this site."
        ),
    ),
    429: (
        N_("Please wait a minute"),
        N_("There were many tries in a short time. Wait a minute, then try again. Your code still works."),
    ),
}


def _error_page(request: Request, status_code: int, back: str | None = None) -> Template:
    title, text = _MESSAGES[status_code]
    context = {
        "district": last_seen_district(),
        "request_path": request.url.path,
        "title": title,
        "text": text,
        "back": back,
    }
    return Template(template_name="error.html", context=context, status_code=status_code)


# Litestar calls exception handlers synchronously, so these cannot read the database.
def not_found(request: Request, _exc: Exception) -> Response:
    return _error_page(request, 404)


def too_many(request: Request, _exc: Exception) -> Response:
    page = _error_page(request, 429)
    page.headers["Retry-After"] = "60"
    return page


def cross_site(request: Request, exc: Exception) -> Response:
    return _form_refused(request, 403, exc)


def unreadable_form(request: Request, exc: Exception) -> Response:
    return _form_refused(request, 400, exc)


def _form_refused(request: Request, status_code: int, exc: Exception) -> Response:
    # Maybe refused before any handler ran, so the language may not be chosen yet.
    locale, prefix = i18n.locale_of(request.scope, request.headers.get("accept-language"))
    i18n.set_locale(locale, prefix=prefix)
    path = request.url.path
    # The /check posts (open, reply, notices) all come from the /check page.
    back = "/check" if path.startswith("/check") else path
    page = _error_page(request, status_code, back=back)
    page.headers.update(getattr(exc, "headers", None) or {})
    page.headers["Cache-Control"] = "no-store"
    return page


def bad_json(request: Request, exc: Exception) -> Response:
    # Only a body that does not decode is the sender's fault; failing to encode an answer is ours.
    if isinstance(exc.__cause__, msgspec.DecodeError):
        return Response({"status_code": 400, "detail": "The request body is not valid JSON"}, status_code=400)
    return Response({"status_code": 500, "detail": "Internal Server Error"}, status_code=500)


ERROR_HANDLERS: ExceptionHandlersMap = {
    NotFoundException: not_found,
    TooManyRequestsException: too_many,
    CrossSitePost: cross_site,
    UnreadableForm: unreadable_form,
    SerializationException: bad_json,
}
