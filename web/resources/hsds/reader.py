"""What the read-only HSDS API serves: pages and single records of the directory, nothing else.

Lists are ordered by name, then id, so pages stay stable. A page says where it is as the HSDS API
reference's Page schema does (total_items, total_pages, page_number, size, first_page, last_page,
empty) with the records in `contents`.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns.combination import And, Or

from web.resources.hsds.export import directory_records, to_record
from web.resources.hsds.nesting import Json, Nester
from web.resources.tables import Attribute, Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page:
    contents: list[Json]
    total_items: int
    request: PageRequest

    def as_json(self) -> Json:
        total_pages = math.ceil(self.total_items / self.request.per_page)
        return {
            "total_items": self.total_items,
            "total_pages": total_pages,
            "page_number": self.request.page,
            "size": len(self.contents),
            "first_page": self.request.page == 1,
            "last_page": self.request.page >= total_pages,
            "empty": not self.contents,
            "contents": self.contents,
        }


@dataclass(frozen=True)
class ServiceFilters:
    search: str = ""
    taxonomy_term_id: str = ""
    taxonomy_id: str = ""
    organization_id: str = ""
    modified_after: datetime | None = None


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


_NOTHING = object()  # a filter nothing can match


def _all(conditions: list[Any]) -> Any:
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = And(combined, condition)
    return combined


def _listed() -> Any:
    # What the public directory shows: an archived (or otherwise not active) entry is not served.
    return Service.status == "active"


async def _service_condition(filters: ServiceFilters) -> Any:
    """A where-clause on Service (only listed entries), or _NOTHING."""
    conditions: list[Any] = [_listed()]
    if filters.search:
        pattern = f"%{filters.search}%"
        conditions.append(Or(Service.name.ilike(pattern), Service.description.ilike(pattern)))
    if filters.organization_id:
        organization = _uuid(filters.organization_id)
        if organization is None:
            return _NOTHING
        conditions.append(Service.organization == organization)
    if filters.modified_after is not None:
        conditions.append(Service.last_modified >= filters.modified_after)
    if filters.taxonomy_term_id or filters.taxonomy_id:
        terms: list[uuid.UUID] = []
        if filters.taxonomy_term_id:
            term = _uuid(filters.taxonomy_term_id)
            terms = [term] if term else []
        if filters.taxonomy_id:
            taxonomy = _uuid(filters.taxonomy_id)
            in_taxonomy = (
                [
                    row["id"]
                    for row in await TaxonomyTerm.select(TaxonomyTerm.id).where(
                        TaxonomyTerm.taxonomy == taxonomy
                    )
                ]
                if taxonomy
                else []
            )
            terms = [t for t in terms if t in in_taxonomy] if filters.taxonomy_term_id else in_taxonomy
        if not terms:
            return _NOTHING
        links = await Attribute.select(Attribute.link_id).where(
            (Attribute.link_entity == "service") & Attribute.taxonomy_term.is_in(terms)
        )
        services = {found for found in (_uuid(row["link_id"]) for row in links) if found is not None}
        if not services:
            return _NOTHING
        conditions.append(Service.id.is_in(sorted(services)))
    return _all(conditions)


async def _page_ids(
    table: Any, condition: Any, request: PageRequest, order: list[Any]
) -> tuple[list[Any], int]:
    if condition is _NOTHING:
        return [], 0
    count_query = table.count()
    select = table.select(table.id)
    if condition is not None:
        count_query = count_query.where(condition)
        select = select.where(condition)
    total = await count_query
    rows = await select.order_by(*order).limit(request.per_page).offset(request.offset)
    return [row["id"] for row in rows], total


async def service_page(
    filters: ServiceFilters, request: PageRequest, *, full: bool = False, minimal: bool = False
) -> Page:
    condition = await _service_condition(filters)
    ids, total = await _page_ids(Service, condition, request, [Service.name, Service.id])
    if minimal:
        rows = (
            await Service.select(Service.id, Service.last_modified).where(Service.id.is_in(ids))
            if ids
            else []
        )
        by_id = {row["id"]: to_record("service", row) for row in rows}
        return Page([{"id": str(key), **_modified(by_id[key])} for key in ids], total, request)
    records = await directory_records(service_ids=ids) if ids else {}
    nester = Nester(records)
    services = nester.by_id.get("service", {})
    contents = [
        nester.service(services[str(key)]) if full else nester.service_brief(services[str(key)])
        for key in ids
    ]
    return Page(contents, total, request)


def _modified(record: Json) -> Json:
    return {"last_modified": record["last_modified"]} if "last_modified" in record else {}


async def service_detail(service_id: str) -> Json | None:
    key = _uuid(service_id)
    if key is None or not await Service.exists().where((Service.id == key) & _listed()):
        return None
    nester = Nester(await directory_records(service_ids=[key]))
    return nester.service(nester.by_id["service"][str(key)])


async def organization_page(search: str, request: PageRequest, *, full: bool, full_service: bool) -> Page:
    condition = None
    if search:
        pattern = f"%{search}%"
        condition = Or(Organization.name.ilike(pattern), Organization.description.ilike(pattern))
    ids, total = await _page_ids(Organization, condition, request, [Organization.name, Organization.id])
    if not ids:
        return Page([], total, request)
    if not full:
        rows = {row["id"]: row for row in await Organization.select().where(Organization.id.is_in(ids))}
        return Page([to_record("organization", rows[key]) for key in ids], total, request)
    nester = await _organizations_nester(ids)
    services = "full" if full_service else "brief"
    contents = [nester.organization(nester.by_id["organization"][str(key)], services=services) for key in ids]
    return Page(contents, total, request)


async def _organizations_nester(ids: list[uuid.UUID]) -> Nester:
    offered = await Service.select(Service.id).where(Service.organization.is_in(ids) & _listed())
    return Nester(await directory_records(service_ids=[row["id"] for row in offered], organization_ids=ids))


async def organization_detail(organization_id: str, *, full_service: bool) -> Json | None:
    key = _uuid(organization_id)
    if key is None or not await Organization.exists().where(Organization.id == key):
        return None
    nester = await _organizations_nester([key])
    return nester.organization(
        nester.by_id["organization"][str(key)], services="full" if full_service else "brief"
    )


async def taxonomy_page(search: str, request: PageRequest) -> Page:
    condition = None
    if search:
        pattern = f"%{search}%"
        condition = Or(Taxonomy.name.ilike(pattern), Taxonomy.description.ilike(pattern))
    ids, total = await _page_ids(Taxonomy, condition, request, [Taxonomy.name, Taxonomy.id])
    rows = {row["id"]: row for row in await Taxonomy.select().where(Taxonomy.id.is_in(ids))} if ids else {}
    return Page([to_record("taxonomy", rows[key]) for key in ids], total, request)


async def taxonomy_detail(taxonomy_id: str) -> Json | None:
    key = _uuid(taxonomy_id)
    row = await Taxonomy.select().where(Taxonomy.id == key).first() if key else None
    return to_record("taxonomy", row) if row else None


async def taxonomy_term_page(
    request: PageRequest,
    *,
    search: str = "",
    taxonomy_id: str = "",
    parent_id: str = "",
    top_only: bool = False,
) -> Page:
    conditions: list[Any] = []
    if search:
        pattern = f"%{search}%"
        conditions.append(Or(TaxonomyTerm.name.ilike(pattern), TaxonomyTerm.description.ilike(pattern)))
    for text, column in ((taxonomy_id, TaxonomyTerm.taxonomy), (parent_id, TaxonomyTerm.parent)):
        if text:
            key = _uuid(text)
            if key is None:
                return Page([], 0, request)
            conditions.append(column == key)
    if top_only:
        conditions.append(TaxonomyTerm.parent.is_null())
    ids, total = await _page_ids(
        TaxonomyTerm, _all(conditions), request, [TaxonomyTerm.name, TaxonomyTerm.id]
    )
    return Page(await _terms(ids), total, request)


async def _terms(ids: list[uuid.UUID]) -> list[Json]:
    if not ids:
        return []
    rows = {row["id"]: row for row in await TaxonomyTerm.select().where(TaxonomyTerm.id.is_in(ids))}
    taxonomy_ids = {row["taxonomy"] for row in rows.values() if row["taxonomy"]}
    taxonomies = (
        {row["id"]: row for row in await Taxonomy.select().where(Taxonomy.id.is_in(list(taxonomy_ids)))}
        if taxonomy_ids
        else {}
    )
    terms = []
    for key in ids:
        record = to_record("taxonomy_term", rows[key])
        taxonomy = taxonomies.get(rows[key]["taxonomy"])
        if taxonomy is not None:
            record["taxonomy_detail"] = to_record("taxonomy", taxonomy)
        terms.append(record)
    return terms


async def taxonomy_term_detail(term_id: str) -> Json | None:
    key = _uuid(term_id)
    if key is None:
        return None
    found = await _terms([key]) if await TaxonomyTerm.exists().where(TaxonomyTerm.id == key) else []
    return found[0] if found else None


async def service_at_location_page(
    filters: ServiceFilters, request: PageRequest, *, full: bool = False
) -> Page:
    service_condition = await _service_condition(filters)
    if service_condition is _NOTHING:
        return Page([], 0, request)
    matching = await Service.select(Service.id).where(service_condition)
    if not matching:
        return Page([], 0, request)
    condition = ServiceAtLocation.service.is_in([row["id"] for row in matching])
    ids, total = await _page_ids(
        ServiceAtLocation, condition, request, [ServiceAtLocation.service.name, ServiceAtLocation.id]
    )
    return Page(await _service_at_locations(ids, full=full), total, request)


async def _service_at_locations(ids: list[uuid.UUID], *, full: bool) -> list[Json]:
    if not ids:
        return []
    links = await ServiceAtLocation.select(ServiceAtLocation.id, ServiceAtLocation.service).where(
        ServiceAtLocation.id.is_in(ids)
    )
    nester = Nester(await directory_records(service_ids=sorted({row["service"] for row in links}, key=str)))
    sals = nester.by_id.get("service_at_location", {})
    return [nester.service_at_location(sals[str(key)], service="full" if full else "brief") for key in ids]


async def service_at_location_detail(sal_id: str) -> Json | None:
    key = _uuid(sal_id)
    if key is None:
        return None
    link = (
        await ServiceAtLocation.select(ServiceAtLocation.service).where(ServiceAtLocation.id == key).first()
    )
    if link is None or not await Service.exists().where((Service.id == link["service"]) & _listed()):
        return None
    return (await _service_at_locations([key], full=True))[0]
