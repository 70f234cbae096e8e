"""The home page and the crisis-counselor path: no forms, just clear ways to reach help."""

from __future__ import annotations

import re

from litestar import Controller, Request, Response, get
from litestar.response import Redirect, Template

from web import i18n
from web.district.services import get_district
from web.page_cache import PAGE_SECONDS
from web.resources.services import load_resources
from web.templating import render


class HomeController(Controller):
    @get("/", name="home", cache=PAGE_SECONDS)
    async def show_home(self, request: Request) -> Template | Redirect:
        # A first visit to the bare address goes to the browser's language, if we have it; the
        # language is then in every link (and stays when a page is saved for offline use or shared).
        if not i18n.link_prefix() and i18n.current_locale() != i18n.DEFAULT_LOCALE:
            return Redirect(
                path=f"/{i18n.current_locale()}/", status_code=302, headers={"Vary": "Accept-Language"}
            )
        page = await render(request, "home.html", {})
        page.headers["Vary"] = "Accept-Language"
        return page

    @get("/brand.css", name="brand_css", include_in_schema=False)
    async def brand_css(self) -> Response[str]:
        """The district's colour as a stylesheet (inline styles are barred by our CSP)."""
        colour = (await get_district()).brand_color
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour or ""):
            colour = "#1d4e89"
        return Response(
            f":root {{ --brand: {colour}; }}\n",
            media_type="text/css",
            headers={"Cache-Control": "no-cache"},
        )

    @get("/counselor", name="counselor", cache=PAGE_SECONDS)
    async def show_counselor(self, request: Request) -> Template:
        pinned = [r for r in await load_resources() if r.pinned_rank is not None]
        return await render(request, "counselor.html", {"national_lines": pinned})
