"""The read-only Open Referral HSDS 3.0 API over the resource directory (no sign-in).

Follows the HSDS API reference (schema/openapi.json upstream): /services, /organizations, /taxonomies,
/taxonomy_terms and /service_at_locations, each a paginated list and a record by id. Lists take `page`
and `per_page` and answer with the reference's Page fields and `contents`; services (and
service_at_locations) filter by `taxonomy_term_id`, `taxonomy_id`, `organization_id`, `modified_after`
and `search`. `format=ndjson` streams every match, one JSON record per line, without pages. Only the
directory is served: nothing about reports, staff or the people who use Lantern.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.status_codes import HTTP_404_NOT_FOUND

from web.resources.hsds import reader
from web.resources.hsds.reader import Page, PageRequest, ServiceFilters
from web.resources.hsds.schema import HSDS_VERSION, OPENAPI_URL

MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 50
# Far past any directory's last page, and small enough that the row offset fits the database's integers.
MAX_PAGE = 1_000_000


def _not_found(_request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    detail = getattr(exc, "detail", "") or "Not found"
    return Response({"status_code": 404, "detail": detail}, status_code=HTTP_404_NOT_FOUND)


def _paging(page: int, per_page: int) -> PageRequest:
    if not 1 <= page <= MAX_PAGE:
        raise ValidationException(f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationException(f"per_page must be between 1 and {MAX_PER_PAGE}")
    return PageRequest(page=page, per_page=per_page)


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "+"))
    except ValueError as error:
        raise ValidationException(
            "modified_after must be a date or date and time, like 2024-05-01T09:30:00Z"
        ) from error
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _format(fmt: str) -> str:
    fmt = (fmt or "json").lower()
    if fmt not in ("json", "ndjson"):
        raise ValidationException("format must be json or ndjson")
    return fmt


async def _answer(
    fmt: str, paging: PageRequest, fetch: Callable[[PageRequest], Awaitable[Page]]
) -> Response[Any]:
    if _format(fmt) == "ndjson":
        first = await fetch(PageRequest(1, MAX_PER_PAGE))
        contents = list(first.contents)
        number = 2
        while len(contents) < first.total_items:
            more = await fetch(PageRequest(number, MAX_PER_PAGE))
            if not more.contents:
                break
            contents.extend(more.contents)
            number += 1
        body = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in contents)
        return Response(body, media_type="application/x-ndjson")
    return Response((await fetch(paging)).as_json())


def _found(record: dict[str, Any] | None, what: str) -> Response[Any]:
    if record is None:
        raise NotFoundException(f"No {what} with that id")
    return Response(record)


class HsdsController(Controller):
    path = "/api/hsds"
    exception_handlers = {NotFoundException: _not_found}

    @get("/", name="hsds_api")
    async def about(self) -> Response[Any]:
        """What this API is: HSDS version and the API description it follows."""
        return Response({"version": HSDS_VERSION, "openapi_url": OPENAPI_URL})

    @get("/services", name="hsds_services")
    async def services(
        self,
        search: str = "",
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
        format: str = "json",
        taxonomy_term_id: str = "",
        taxonomy_id: str = "",
        organization_id: str = "",
        modified_after: str | None = None,
        minimal: bool = False,
        full: bool = False,
    ) -> Response[Any]:
        filters = ServiceFilters(
            search=search.strip()[:200],
            taxonomy_term_id=taxonomy_term_id.strip(),
            taxonomy_id=taxonomy_id.strip(),
            organization_id=organization_id.strip(),
            modified_after=_moment(modified_after),
        )

        async def fetch(request: PageRequest) -> Page:
            return await reader.service_page(filters, request, full=full, minimal=minimal)

        return await _answer(format, _paging(page, per_page), fetch)

    @get("/services/{service_id:str}", name="hsds_service")
    async def service(self, service_id: str) -> Response[Any]:
        return _found(await reader.service_detail(service_id), "service")

    @get("/organizations", name="hsds_organizations")
    async def organizations(
        self,
        search: str = "",
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
        format: str = "json",
        full: bool = False,
        full_service: bool = False,
    ) -> Response[Any]:
        async def fetch(request: PageRequest) -> Page:
            return await reader.organization_page(
                search.strip()[:200], request, full=full or full_service, full_service=full_service
            )

        return await _answer(format, _paging(page, per_page), fetch)

    @get("/organizations/{organization_id:str}", name="hsds_organization")
    async def organization(self, organization_id: str, full_service: bool = False) -> Response[Any]:
        return _found(
            await reader.organization_detail(organization_id, full_service=full_service), "organization"
        )

    @get("/taxonomies", name="hsds_taxonomies")
    async def taxonomies(
        self,
        search: str = "",
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
        format: str = "json",
    ) -> Response[Any]:
        async def fetch(request: PageRequest) -> Page:
            return await reader.taxonomy_page(search.strip()[:200], request)

        return await _answer(format, _paging(page, per_page), fetch)

    @get("/taxonomies/{taxonomy_id:str}", name="hsds_taxonomy")
    async def taxonomy(self, taxonomy_id: str) -> Response[Any]:
        return _found(await reader.taxonomy_detail(taxonomy_id), "taxonomy")

    @get("/taxonomy_terms", name="hsds_taxonomy_terms")
    async def taxonomy_terms(
        self,
        search: str = "",
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
        format: str = "json",
        taxonomy_id: str = "",
        parent_id: str = "",
        top_only: bool = False,
    ) -> Response[Any]:
        async def fetch(request: PageRequest) -> Page:
            return await reader.taxonomy_term_page(
                request,
                search=search.strip()[:200],
                taxonomy_id=taxonomy_id.strip(),
                parent_id=parent_id.strip(),
                top_only=top_only,
            )

        return await _answer(format, _paging(page, per_page), fetch)

    @get("/taxonomy_terms/{term_id:str}", name="hsds_taxonomy_term")
    async def taxonomy_term(self, term_id: str) -> Response[Any]:
        return _found(await reader.taxonomy_term_detail(term_id), "taxonomy term")

    @get("/service_at_locations", name="hsds_service_at_locations")
    async def service_at_locations(
        self,
        search: str = "",
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
        format: str = "json",
        taxonomy_term_id: str = "",
        taxonomy_id: str = "",
        organization_id: str = "",
        modified_after: str | None = None,
        full: bool = False,
    ) -> Response[Any]:
        filters = ServiceFilters(
            search=search.strip()[:200],
            taxonomy_term_id=taxonomy_term_id.strip(),
            taxonomy_id=taxonomy_id.strip(),
            organization_id=organization_id.strip(),
            modified_after=_moment(modified_after),
        )

        async def fetch(request: PageRequest) -> Page:
            return await reader.service_at_location_page(filters, request, full=full)

        return await _answer(format, _paging(page, per_page), fetch)

    @get("/service_at_locations/{sal_id:str}", name="hsds_service_at_location")
    async def service_at_location(self, sal_id: str) -> Response[Any]:
        return _found(await reader.service_at_location_detail(sal_id), "service_at_location")
