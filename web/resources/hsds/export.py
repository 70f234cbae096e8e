"""The directory as HSDS 3.0 records: one flat list per table, as in the tabular data package.

`directory_records()` reads the tables (all of them, or what hangs on some services) and gives the
records the JSON and CSV forms write and the API nests. Records are ordered by id, so two exports of
the same directory are byte for byte the same.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Or, Where

from web.district.tables import School
from web.resources.hsds import mapping
from web.resources.hsds.mapping import TABLE_MAPS, Field
from web.resources.hsds.schema import KEPT_TABLES, required_fields
from web.resources.tables import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
)

Records = dict[str, list[dict[str, Any]]]
_PLAIN_NUMBER = re.compile(r"0|[1-9][0-9]{0,14}")


def iso_datetime(value: datetime) -> str:
    """UTC with a Z; milliseconds as HSDS asks, microseconds when the value has them."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    spec = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
    return value.isoformat(timespec=spec).replace("+00:00", "Z")


def hsds_value(field: Field, value: Any) -> Any:
    if value is None:
        return None
    if field.kind == "id":
        return str(value)
    if field.kind == "int":
        return int(value)
    if field.kind == "decimal":
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if field.kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if field.kind == "datetime":
        return iso_datetime(value) if isinstance(value, datetime) else str(value)
    return value


def to_record(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """A Lantern row as an HSDS record: empty optional fields are left out."""
    required = set(required_fields(table, tabular=True))
    record: dict[str, Any] = {}
    for field in TABLE_MAPS[table].fields:
        value = hsds_value(field, row.get(field.column))
        if value is None or (value == "" and field.hsds not in required):
            continue
        record[field.hsds] = value
    return record


def _in(column: Column, values: Collection[Any]) -> Where | None:
    return column.is_in(list(values)) if values else None


def _any(*conditions: Where | None) -> Any:
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    combined: Any = present[0]
    for condition in present[1:]:
        combined = Or(combined, condition)
    return combined


async def _select(table: Any, condition: Any = True) -> list[dict[str, Any]]:
    """Rows of `table` (all when condition is True; none when it is None), ordered by id."""
    if condition is None:
        return []
    query = table.select()
    if condition is not True:
        query = query.where(condition)
    rows: list[dict[str, Any]] = await query.order_by(table.id)
    return rows


async def directory_rows(
    service_ids: Collection[uuid.UUID] | None = None, organization_ids: Collection[uuid.UUID] = ()
) -> dict[str, list[dict[str, Any]]]:
    """The rows of every directory table; with service_ids, only those services and what they use
    (plus the phones and locations of organization_ids)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    everything = service_ids is None
    rows["service"] = await _select(Service, True if everything else _in(Service.id, service_ids or ()))
    ids = [row["id"] for row in rows["service"]]
    org_ids = {row["organization"] for row in rows["service"]} | set(organization_ids)
    rows["organization"] = await _select(Organization, True if everything else _in(Organization.id, org_ids))
    rows["service_at_location"] = await _select(
        ServiceAtLocation, True if everything else _in(ServiceAtLocation.service, ids)
    )
    sal_ids = [row["id"] for row in rows["service_at_location"]]
    location_ids = {row["location"] for row in rows["service_at_location"]}
    rows["location"] = await _select(
        Location,
        True
        if everything
        else _any(_in(Location.id, location_ids), _in(Location.organization, organization_ids)),
    )
    location_ids = {row["id"] for row in rows["location"]}
    rows["address"] = await _select(Address, True if everything else _in(Address.location, location_ids))
    rows["phone"] = await _select(
        Phone,
        True
        if everything
        else _any(
            _in(Phone.service, ids),
            _in(Phone.location, location_ids),
            _in(Phone.organization, organization_ids),
        ),
    )
    phone_ids = [row["id"] for row in rows["phone"]]
    rows["schedule"] = await _select(
        Schedule,
        True
        if everything
        else _any(
            _in(Schedule.service, ids),
            _in(Schedule.location, location_ids),
            _in(Schedule.service_at_location, sal_ids),
        ),
    )
    rows["language"] = await _select(
        Language,
        True
        if everything
        else _any(
            _in(Language.service, ids), _in(Language.location, location_ids), _in(Language.phone, phone_ids)
        ),
    )
    linked = {str(row["id"]) for table in rows.values() for row in table}
    rows["attribute"] = await _select(Attribute, True if everything else _in(Attribute.link_id, linked))
    term_ids = {row["taxonomy_term"] for row in rows["attribute"]}
    rows["taxonomy_term"] = await _select(
        TaxonomyTerm, True if everything else _in(TaxonomyTerm.id, term_ids)
    )
    taxonomy_ids = {row["taxonomy"] for row in rows["taxonomy_term"] if row["taxonomy"]}
    rows["taxonomy"] = await _select(Taxonomy, True if everything else _in(Taxonomy.id, taxonomy_ids))
    rows["translation"] = await _select(
        ServiceTranslation, True if everything else _in(ServiceTranslation.service, ids)
    )
    return rows


async def directory_records(
    service_ids: Collection[uuid.UUID] | None = None, organization_ids: Collection[uuid.UUID] = ()
) -> Records:
    """The directory (or part of it, see directory_rows) as HSDS records, Lantern's own fields
    carried as attributes of the Lantern extensions taxonomy."""
    rows = await directory_rows(service_ids, organization_ids)
    schools = {row["id"]: row["slug"] for row in await School.select(School.id, School.slug)}
    return records_from_rows(rows, schools)


def records_from_rows(rows: dict[str, list[dict[str, Any]]], schools: dict[int, str]) -> Records:
    records: Records = {
        table: [to_record(table, row) for row in rows.get(table, [])] for table in KEPT_TABLES
    }
    extensions: list[tuple[str, str, str, str]] = []  # (entity, link id, code, value)
    for row in rows.get("service", []):
        link = str(row["id"])
        if row["school"] is not None:
            extensions.append(
                ("service", link, mapping.SCHOOL, schools.get(row["school"], str(row["school"])))
            )
        if row["pinned_rank"] is not None:
            extensions.append(("service", link, mapping.PINNED_RANK, str(row["pinned_rank"])))
        if row["is_sample"]:
            extensions.append(("service", link, mapping.SAMPLE, "true"))
    for row in rows.get("translation", []):
        link, locale = str(row["service"]), row["locale"]
        extensions.append(("service", link, mapping.NAME_IN + locale, row["name"]))
        if row["description"]:
            extensions.append(("service", link, mapping.DESCRIPTION_IN + locale, row["description"]))
    by_phone = {record["id"]: record for record in records["phone"]}
    for row in rows.get("phone", []):
        link = str(row["id"])
        if row["text_keyword"] is not None:
            extensions.append(("phone", link, mapping.TEXT_KEYWORD, row["text_keyword"]))
        extension = row["extension"]
        if extension is not None and extension != "":
            if _PLAIN_NUMBER.fullmatch(extension):
                by_phone[link]["extension"] = int(extension)
            else:
                extensions.append(("phone", link, mapping.PHONE_EXTENSION, extension))
    for row in rows.get("schedule", []):
        extensions.append(("schedule", str(row["id"]), mapping.TIMEZONE, row["timezone_name"]))
    _add_extensions(records, extensions)
    for table in records:
        records[table].sort(key=lambda record: str(record.get("id", "")))
    return records


def _add_extensions(records: Records, extensions: Iterable[tuple[str, str, str, str]]) -> None:
    codes: set[str] = set()
    for entity, link, code, value in extensions:
        codes.add(code)
        records["attribute"].append(
            {
                "id": str(mapping.extension_attribute_id(entity, link, code)),
                "link_id": link,
                "taxonomy_term_id": str(mapping.extension_term_id(code)),
                "link_entity": entity,
                "value": value,
            }
        )
    if not codes:
        return
    records["taxonomy"].append(
        {
            "id": str(mapping.EXTENSION_TAXONOMY_ID),
            "name": mapping.EXTENSION_TAXONOMY_NAME,
            "description": "Fields of Lantern's own that HSDS 3.0 has no place for, carried as attributes.",
        }
    )
    for code in sorted(codes):
        name, description = mapping.extension_term_text(code)
        records["taxonomy_term"].append(
            {
                "id": str(mapping.extension_term_id(code)),
                "code": code,
                "name": name,
                "description": description,
                "taxonomy_id": str(mapping.EXTENSION_TAXONOMY_ID),
            }
        )


def counts(records: Records) -> dict[str, int]:
    return {table: len(rows) for table, rows in records.items()}
