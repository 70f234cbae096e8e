"""Path 1, help myself: the resource directory, filtered by need, school and words in the URL."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from web.district.services import list_schools
from web.resources.services import ResourceFilters, find_resources, get_resource
from web.resources.taxonomy import NEED_BY_CODE, NEEDS
from web.templating import render


class ResourcesController(Controller):
    path = "/resources"

    @get("/", name="resources")
    async def list_resources(
        self, request: Request, q: str = "", need: str = "", school: str = ""
    ) -> Template:
        filters = ResourceFilters(words=q.strip()[:100], need=need, school=school)
        results = await find_resources(filters)
        context = {
            "filters": filters,
            "results": results,
            "pinned": [r for r in results if r.pinned_rank is not None],
            "local": [r for r in results if r.pinned_rank is None],
            "needs": NEEDS,
            "needs_by_code": NEED_BY_CODE,
            "schools": await list_schools(),
        }
        return await render(request, "resources.html", context, partial="_resource_results.html")

    @get("/{resource_id:str}", name="resource")
    async def show_resource(self, request: Request, resource_id: str) -> Template:
        resource = await get_resource(resource_id)
        if resource is None:
            raise NotFoundException()
        return await render(request, "resource.html", {"resource": resource, "needs_by_code": NEED_BY_CODE})
