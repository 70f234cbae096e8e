"""Path 1, help myself: the resource directory, filtered by need, school, words, open now and nearness
in the URL (`?q=fod&need=food&school=lincoln-hs&open=now&near=66102`)."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Template

from web import i18n
from web.district.services import list_schools
from web.page_cache import PAGE_SECONDS
from web.resources.places import zip_centroids
from web.resources.services import ResourceFilters, get_resource, near_point, search_resources
from web.resources.taxonomy import NEED_BY_CODE, NEEDS
from web.templating import render


def address_without_words(path: str, filters: ResourceFilters) -> str:
    """The address htmx shows for a directory it swapped in: the need, the school and "open now",
    never the words searched nor the place given, so a shared device's history list keeps neither.
    (Without JavaScript the form's GET puts them in the address; the README says so.)"""
    kept = {"need": filters.need, "school": filters.school, "open": "now" if filters.open_now else ""}
    query = urlencode({name: value for name, value in kept.items() if value})
    return f"{path}?{query}" if query else path


class ResourcesController(Controller):
    path = "/resources"

    @get("/", name="resources", cache=PAGE_SECONDS)
    async def list_resources(
        self,
        request: Request,
        q: str = "",
        need: str = "",
        school: str = "",
        open_now: str = Parameter(query="open", default=""),
        near: str = "",
    ) -> Template:
        filters = ResourceFilters(
            words=q.strip()[:100],
            need=need,
            school=school,
            open_now=open_now == "now",
            near=near.strip()[:60],
        )
        found = await search_resources(filters)
        results = found.views
        context = {
            "filters": filters,
            "results": results,
            "total": found.total,
            "pinned": [r for r in results if r.pinned_rank is not None],
            "local": [r for r in results if r.pinned_rank is None],
            "needs": NEEDS,
            "needs_by_code": NEED_BY_CODE,
            "schools": await list_schools(),
            "zip_codes": sorted(zip_centroids()),
            "near_unknown": bool(filters.near) and await near_point(filters.near) is None,
        }
        page = await render(request, "resources.html", context, partial="_resource_results.html")
        if request.headers.get("hx-request") == "true":
            page.headers["HX-Replace-Url"] = address_without_words(i18n.link_prefix() + "/resources", filters)
        return page

    @get("/{resource_id:str}", name="resource", cache=PAGE_SECONDS)
    async def show_resource(self, request: Request, resource_id: str) -> Template:
        resource = await get_resource(resource_id)
        if resource is None:
            raise NotFoundException()
        return await render(request, "resource.html", {"resource": resource, "needs_by_code": NEED_BY_CODE})
