"""The home page and the crisis-counselor path: no forms, just clear ways to reach help."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from web.resources.services import load_resources
from web.templating import render


class HomeController(Controller):
    @get("/", name="home")
    async def show_home(self, request: Request) -> Template:
        return await render(request, "home.html", {})

    @get("/counselor", name="counselor")
    async def show_counselor(self, request: Request) -> Template:
        pinned = [r for r in await load_resources() if r.pinned_rank is not None]
        return await render(request, "counselor.html", {"national_lines": pinned})
