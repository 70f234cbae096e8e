"""The single sign-on door: off to the district's OpenID provider, and back (web/staff/oidc.py)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from web import cookies
from web.staff import audit, auth, oidc
from web.staff.guards import safe_next
from web.templating import render

_STATUS = {"unreachable": 503, "unknown": 403, "unverified": 403, "inactive": 403, "wrong_organisation": 403}


async def _failed(request: Request, failure: oidc.SsoFailed) -> Template:
    await oidc.record_failure(failure)
    page = await render(
        request,
        "staff_sso_error.html",
        {
            "message": oidc.MESSAGES[failure.reason],
            "reason": failure.reason,
            "provider": oidc.provider_name(),
        },
        status_code=_STATUS.get(failure.reason, 400),
        no_store=True,
    )
    # Whatever went wrong, this sign-in attempt is over.
    page.cookies.append(oidc.flow_cookie_removal())
    return page


class SingleSignOnController(Controller):
    path = "/staff/sign-in/oidc"

    @get("/", name="staff_sso_start")
    async def start(self, request: Request, next: str = "/staff") -> Response:
        if not oidc.enabled():
            raise NotFoundException()
        try:
            url, flow = await oidc.begin(safe_next(next))
        except oidc.SsoFailed as failure:
            return await _failed(request, failure)
        return Redirect(path=url, status_code=303, cookies=[flow], headers={"Cache-Control": "no-store"})

    @get("/callback", name="staff_sso_callback")
    async def callback(self, request: Request) -> Response:
        if not oidc.enabled():
            raise NotFoundException()
        query = {key: request.query_params.get(key, "") for key in request.query_params}
        try:
            account, next_path = await oidc.finish(query, cookies.read(request.cookies, oidc.FLOW_COOKIE))
        except oidc.SsoFailed as failure:
            return await _failed(request, failure)
        await audit.record("signin.ok", staff=account, method="sso")
        # A session the browser already had (someone else's, or a planted one) ends here.
        await auth.end_session(cookies.read(request.cookies, cookies.STAFF_SESSION))
        token = await auth.start_session(account, second_factor_done=True)
        # A page, not a redirect: the session cookie is SameSite=Strict, and a browser would not send it
        # on a redirect that began on the provider's site. This page's own link is same-site.
        page = await render(request, "staff_sso_done.html", {"next": safe_next(next_path)}, no_store=True)
        max_age = auth.load_settings().staff_absolute_hours * 3600
        page.cookies.extend(
            [
                cookies.make(cookies.STAFF_SESSION, token, max_age),
                oidc.flow_cookie_removal(),
                oidc.signed_in_cookie(True),
            ]
        )
        return page
