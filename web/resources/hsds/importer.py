"""Importing an HSDS 3.0 data package into the directory: everything is checked first, then written in
one transaction, or nothing is written at all.

What happens to the directory already there (`mode`):

- "new" (the default): the import is refused when the directory has any entry, so a mistaken import
  cannot mix two directories or wipe one.
- "replace": the directory is emptied and filled from the package, in the same transaction. Records
  keep their HSDS ids, so links to them (a resource sent to a reporter) still work when the same
  entries come back.
- "merge": records are added, and a record whose id is already in the directory is overwritten with the
  package's version. Nothing is deleted, except that a service in the package brings its own
  translations (a service's name in other languages), replacing the ones it had.

Problems are errors (nothing is written) or warnings (the import goes ahead). Errors: a record breaks the
HSDS schema in a field Lantern keeps, a value does not fit (a date that is not a date, a name longer
than the column), an id is used twice, or a record needs another that is missing (a service without
its organization). Warnings: tables and fields Lantern does not keep, a schema problem in such a field,
an optional link to a record that is not there (left empty), and records linked only to things Lantern
does not keep.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from piccolo.columns import Column, Varchar
from piccolo.table import Table

from web.db import write_transaction
from web.district.tables import District, School
from web.resources import search_index
from web.resources.hsds import mapping
from web.resources.hsds.csv_package import read_csv_package
from web.resources.hsds.export import directory_records
from web.resources.hsds.json_package import read_json_package
from web.resources.hsds.mapping import TABLE_MAPS, Field, TableMap, kept_fields
from web.resources.hsds.nesting import Nester
from web.resources.hsds.package import Package, Problem, Record, detect_format
from web.resources.hsds.schema import KEPT_TABLES, check, describe_value
from web.resources.links import is_safe_link
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

DEFAULT_TIMEZONE = "America/Chicago"
# Addresses a page may show as a link: only web pages, phone numbers and email (web/resources/links.py).
LINK_FIELDS = frozenset(
    {("service", "url"), ("organization", "website"), ("taxonomy", "uri"), ("taxonomy_term", "term_uri")}
)
# Links a record cannot do without (the others are left empty when they point nowhere).
REQUIRED_LINKS = frozenset(
    {
        ("service", "organization_id"),
        ("address", "location_id"),
        ("service_at_location", "service_id"),
        ("service_at_location", "location_id"),
        ("attribute", "taxonomy_term_id"),
    }
)
# Required text that may not be left empty either (descriptions may).
NOT_BLANK: dict[str, tuple[str, ...]] = {
    "organization": ("name",),
    "service": ("name",),
    "taxonomy": ("name",),
    "taxonomy_term": ("name",),
    "phone": ("number",),
    "address": ("address_1", "city"),
}
_BATCH = 50
_SIX_PLACES = Decimal("0.000001")


class ImportMode(StrEnum):
    NEW = "new"
    REPLACE = "replace"
    MERGE = "merge"


@dataclass
class ImportReport:
    source: str
    mode: ImportMode
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Rows per table that were written (or would be, when only checking).
    counts: dict[str, int] = field(default_factory=dict)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def read_package(path: Path, fmt: str = "auto") -> Package:
    kind = detect_format(path) if fmt == "auto" else fmt
    if kind == "json":
        if not path.is_file():
            package = Package(source=str(path))
            package.errors.append(Problem(str(path), "is not a file"))
            return package
        return read_json_package(path)
    return read_csv_package(path)


async def import_path(
    path: Path, *, fmt: str = "auto", mode: ImportMode = ImportMode.NEW, check_only: bool = False
) -> ImportReport:
    return await import_package(read_package(path, fmt), mode=mode, check_only=check_only)


async def import_package(
    package: Package, *, mode: ImportMode = ImportMode.NEW, check_only: bool = False
) -> ImportReport:
    report = ImportReport(source=package.source, mode=mode)
    report.errors.extend(package.errors)
    report.warnings.extend(package.warnings)
    plan = _Plan(report, mode)
    await plan.prepare(package)
    if mode == ImportMode.NEW:
        existing = await _directory_size()
        if existing:
            report.errors.append(
                Problem(
                    "the directory",
                    f"already has {existing}. Use --replace to replace it with this package, or --merge "
                    "to add the package's records and update those with the same id.",
                )
            )
    report.counts = plan.counts()
    if report.errors or check_only:
        return report
    await plan.write()
    report.written = True
    return report


async def _directory_size() -> str:
    parts = []
    for table, one, many in (
        (Service, "service", "services"),
        (Organization, "organization", "organizations"),
        (Taxonomy, "taxonomy", "taxonomies"),
    ):
        count = await table.count()
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    return ", ".join(parts)


@dataclass
class _Row:
    record: Record
    values: dict[str, Any]


class _Plan:
    """Checks a package and turns it into rows; writes them when asked."""

    def __init__(self, report: ImportReport, mode: ImportMode) -> None:
        self.report = report
        self.mode = mode
        self.rows: dict[str, list[_Row]] = {table: [] for table in KEPT_TABLES}
        self.translations: dict[tuple[uuid.UUID, str], dict[str, Any]] = {}
        self.db_ids: dict[str, set[str]] = {table: set() for table in KEPT_TABLES}
        self.schools: dict[str, int] = {}
        self.timezone = DEFAULT_TIMEZONE
        self._index: dict[str, dict[str, _Row]] = {}
        # (record, field) pairs already reported, so one mistake gives one message.
        self._flagged: set[tuple[int, str]] = set()
        # Every id each table has in the package, including records that failed their own checks:
        # a link to one of those is not reported again.
        self.present: dict[str, set[str]] = {table: set() for table in KEPT_TABLES}

    def error(self, record: Record | None, message: str, field: str | None = None, where: str = "") -> None:
        self.report.errors.append(
            Problem(record.where if record else where, message, record.id if record else None, field)
        )

    def warn(self, record: Record | None, message: str, field: str | None = None, where: str = "") -> None:
        self.report.warnings.append(
            Problem(record.where if record else where, message, record.id if record else None, field)
        )

    def counts(self) -> dict[str, int]:
        counts = {table: len(rows) for table, rows in self.rows.items()}
        counts["service translation"] = len(self.translations)
        return counts

    # ---- checking ---------------------------------------------------------------------------------

    async def prepare(self, package: Package) -> None:
        self.schools = {row["slug"]: row["id"] for row in await School.select(School.id, School.slug)}
        district = await District.select(District.timezone).first()
        if district and district["timezone"]:
            self.timezone = district["timezone"]
        if self.mode == ImportMode.MERGE:
            for table in KEPT_TABLES:
                model = TABLE_MAPS[table].table
                key = model._meta.primary_key
                self.db_ids[table] = {str(row[key._meta.name]) for row in await model.select(key)}
        for table, dropped in package.records.items():
            if table not in KEPT_TABLES:
                self.warn(
                    None,
                    f"{len(dropped)} {table} record{'s' if len(dropped) != 1 else ''} not read: "
                    f"Lantern does not keep {table} records",
                    where=package.source,
                )
        records = {table: package.records.get(table, []) for table in KEPT_TABLES}
        ext_terms = self._take_extension_terms(records)
        for table, rows in records.items():
            self.present[table] = {record.id.lower() for record in rows if record.id}
        self._check_schema(records)
        self._check_unique_ids(records)
        converted = {table: self._convert_all(TABLE_MAPS[table], records[table]) for table in KEPT_TABLES}
        self._resolve_links(converted, ext_terms)
        await self._check_term_codes()
        self._check_term_cycles()

    def _take_extension_terms(self, records: dict[str, list[Record]]) -> dict[str, str]:
        """Lantern's extension taxonomy and terms are read, not stored: term id → code."""
        terms = {}
        kept_terms = []
        for record in records["taxonomy_term"]:
            code = record.data.get("code")
            if mapping.is_extension_term(record.id, code if isinstance(code, str) else None):
                terms[str(record.id).lower()] = str(code)
            else:
                kept_terms.append(record)
        records["taxonomy_term"] = kept_terms
        ext_taxonomy = str(mapping.EXTENSION_TAXONOMY_ID)
        records["taxonomy"] = [r for r in records["taxonomy"] if r.id != ext_taxonomy]
        return terms

    def _check_schema(self, records: dict[str, list[Record]]) -> None:
        not_kept: dict[str, Counter[str]] = defaultdict(Counter)
        for table, rows in records.items():
            kept = kept_fields(table)
            for record in rows:
                for issue in check(table, record.data, tabular=record.tabular):
                    head = issue.field.split(".")[0].split("[")[0]
                    if not head or head in kept:
                        self.error(record, issue.message, issue.field)
                        self._flagged.add((id(record), head))
                    else:
                        self.warn(record, f"{issue.message} (Lantern does not keep this field)", issue.field)
                for name, value in record.data.items():
                    if name not in kept and value not in (None, "", [], {}):
                        not_kept[table][name] += 1
                for name in NOT_BLANK.get(table, ()):
                    if record.data.get(name) == "" and (id(record), name) not in self._flagged:
                        self.error(record, "is required but empty", name)
                        self._flagged.add((id(record), name))
        for table, fields in not_kept.items():
            listed = ", ".join(
                f"{name} ({n} record{'s' if n != 1 else ''})" for name, n in sorted(fields.items())
            )
            self.warn(None, f"fields Lantern does not keep were not read: {listed}", where=table)

    def _check_unique_ids(self, records: dict[str, list[Record]]) -> None:
        for rows in records.values():
            first: dict[str, Record] = {}
            for record in rows:
                if record.id is None:
                    continue
                key = record.id.lower()
                if key in first:
                    self.error(record, f"has the same id as {first[key].where}", "id")
                else:
                    first[key] = record

    def _convert_all(self, table_map: TableMap, records: list[Record]) -> list[_Row]:
        converted = []
        for record in records:
            values = self._convert(table_map, record)
            if values is not None:
                converted.append(_Row(record, values))
        return converted

    def _convert(self, table_map: TableMap, record: Record) -> dict[str, Any] | None:
        if not isinstance(record.data.get("id"), str):
            return None  # the schema check has said why
        values: dict[str, Any] = {}
        good = True
        for spec in table_map.fields:
            column = table_map.table._meta.get_column_by_name(spec.column)
            raw = record.data.get(spec.hsds)
            if raw is None or (raw == "" and (spec.kind != "text" or column._meta.null)):
                values[spec.column] = (
                    None if column._meta.null else _absent(table_map.name, spec.column, column)
                )
                continue
            try:
                value = _value(spec, raw)
            except _Unfit as unfit:
                if (id(record), spec.hsds) not in self._flagged:  # else the schema check has said it
                    self.error(record, str(unfit), spec.hsds)
                good = False
                continue
            if (table_map.name, spec.hsds) in LINK_FIELDS and not is_safe_link(value):
                self.error(
                    record,
                    "should be a web address starting with https:// or http://, or a tel: or mailto: link; "
                    f"not {describe_value(value)}",
                    spec.hsds,
                )
                good = False
                continue
            # An attribute's value is checked once it is known whether it is one of Lantern's fields.
            long_value_ok = (table_map.name, spec.hsds) == ("attribute", "value")
            limit = _max_length(column)
            if limit is not None and isinstance(value, str) and len(value) > limit and not long_value_ok:
                self.error(
                    record,
                    f"is {len(value)} characters long; Lantern keeps at most {limit}",
                    spec.hsds,
                )
                good = False
            values[spec.column] = value
        if values.get("id") is None:
            return None  # the schema check has said why
        good = self._convert_special(table_map.name, record, values) and good
        return values if good else None

    def _convert_special(self, table: str, record: Record, values: dict[str, Any]) -> bool:
        data = record.data
        if table == "service":
            if values["fees_description"] is None and isinstance(data.get("fees"), str) and data["fees"]:
                values["fees_description"] = data["fees"]
            if values["last_modified"] is None:
                values["last_modified"] = datetime.now(tz=UTC)
            values.update(school=None, pinned_rank=None, is_sample=False)
        elif table == "phone":
            extension = data.get("extension")
            values["extension"] = None
            if isinstance(extension, int | float) and not isinstance(extension, bool):
                values["extension"] = str(int(extension)) if float(extension).is_integer() else str(extension)
            values["text_keyword"] = None
        elif table == "schedule":
            values["timezone_name"] = self._zone_from_offset(record, data.get("timezone"))
        elif table == "attribute" and values["link_id"]:
            try:
                values["link_id"] = str(uuid.UUID(values["link_id"]))
            except ValueError:
                pass  # the schema check has said so
        elif table == "taxonomy_term" and not values.get("code"):
            values["code"] = str(values["id"])
            self.warn(record, "has no code; its id is used as its code", "code")
        return True

    def _zone_from_offset(self, record: Record, offset: Any) -> str:
        if offset is None or isinstance(offset, bool) or not isinstance(offset, int | float):
            return self.timezone
        if float(offset).is_integer() and -12 <= offset <= 14:
            hours = int(offset)
            # The Etc zones count the other way round: Etc/GMT+5 is five hours behind UTC.
            return "Etc/UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
        self.warn(record, f"UTC offset {offset} has no fixed time zone; {self.timezone} is used", "timezone")
        return self.timezone

    # ---- links between records --------------------------------------------------------------------

    def _known(self, table: str, accepted: dict[str, set[str]]) -> set[str]:
        return accepted.get(table, set()) | self.db_ids.get(table, set())

    def _resolve_links(self, converted: dict[str, list[_Row]], ext_terms: dict[str, str]) -> None:
        accepted: dict[str, set[str]] = {}
        sal_targets = {
            str(row.values["id"]): (row.values["service"], row.values["location"])
            for row in converted["service_at_location"]
        }
        for table in KEPT_TABLES:
            table_map = TABLE_MAPS[table]
            if table == "taxonomy_term":
                # A term's parent is another term of the same package.
                accepted[table] = {str(row.values["id"]) for row in converted[table]}
            rows = []
            for row in converted[table]:
                if table == "attribute":
                    keep = self._resolve_attribute(row, accepted, ext_terms)
                else:
                    if table == "phone":
                        _phone_from_service_at_location(row, sal_targets)
                    keep = self._resolve_row(table_map, row, accepted)
                if keep:
                    rows.append(row)
            self.rows[table] = rows
            accepted[table] = {str(row.values["id"]) for row in self.rows[table]}

    def _resolve_row(self, table_map: TableMap, row: _Row, accepted: dict[str, set[str]]) -> bool:
        for spec in table_map.fields:
            if spec.refers_to is None or spec.hsds == "id":
                continue
            target = row.values.get(spec.column)
            required = (table_map.name, spec.hsds) in REQUIRED_LINKS
            if target is None:
                if required:
                    self.error(
                        row.record,
                        f"is needed: every {table_map.name} belongs to {_a(spec.refers_to)}",
                        spec.hsds,
                    )
                    return False
                continue
            if str(target) in self._known(spec.refers_to, accepted):
                continue
            if str(target) in self.present[spec.refers_to]:
                return False  # that record has its own error
            if not required:
                self.warn(
                    row.record,
                    f"names {spec.refers_to} {target}, which is not in the package; the link was left empty",
                    spec.hsds,
                )
                row.values[spec.column] = None
            else:
                elsewhere = " or the directory" if self.mode == ImportMode.MERGE else ""
                self.error(
                    row.record,
                    f"names {spec.refers_to} {target}, which is not in the package{elsewhere}",
                    spec.hsds,
                )
                return False
        links = [s.column for s in table_map.fields if s.refers_to and s.refers_to != table_map.name]
        if table_map.name in ("phone", "schedule", "language") and all(
            row.values.get(c) is None for c in links
        ):
            self.warn(row.record, "is linked to nothing Lantern keeps, so it was not imported")
            return False
        return True

    def _resolve_attribute(self, row: _Row, accepted: dict[str, set[str]], ext_terms: dict[str, str]) -> bool:
        values = row.values
        term = str(values["taxonomy_term"]) if values["taxonomy_term"] else None
        if term is None:
            if (id(row.record), "taxonomy_term_id") not in self._flagged:
                self.error(row.record, "is needed: every attribute names a taxonomy term", "taxonomy_term_id")
            return False
        if term in ext_terms:
            self._apply_extension(row, ext_terms[term])
            return False
        if term not in self._known("taxonomy_term", accepted):
            if term not in self.present["taxonomy_term"]:
                elsewhere = " or the directory" if self.mode == ImportMode.MERGE else ""
                self.error(
                    row.record,
                    f"names taxonomy_term {term}, which is not in the package{elsewhere}",
                    "taxonomy_term_id",
                )
            return False
        limit = _max_length(Attribute.value)
        if limit is not None and isinstance(values["value"], str) and len(values["value"]) > limit:
            self.error(
                row.record,
                f"is {len(values['value'])} characters long; Lantern keeps at most {limit}",
                "value",
            )
            return False
        entity = values["link_entity"]
        if entity not in KEPT_TABLES:
            self.warn(
                row.record, f'is attached to a "{entity}", which Lantern does not keep; it was not imported'
            )
            return False
        link = values["link_id"]
        if link not in self._known(entity, accepted):
            if link not in self.present[entity]:
                elsewhere = " or the directory" if self.mode == ImportMode.MERGE else ""
                self.error(
                    row.record, f"names {entity} {link}, which is not in the package{elsewhere}", "link_id"
                )
            return False
        return True

    def _apply_extension(self, row: _Row, code: str) -> None:
        record, values = row.record, row.values
        entity = values["link_entity"]
        wanted = "service" if code.startswith((mapping.NAME_IN, mapping.DESCRIPTION_IN)) else None
        wanted = wanted or mapping.EXTENSION_ENTITY.get(code)
        if wanted is None:
            self.warn(
                record, f'uses the Lantern field "{code}", which this version does not know; it was not read'
            )
            return
        if entity != wanted:
            self.warn(record, f"{code} belongs on {_a(wanted)}, not on {_a(str(entity))}; it was not read")
            return
        if wanted not in self._index:
            self._index[wanted] = {str(r.values["id"]): r for r in self.rows[wanted]}
        target = self._index[wanted].get(values["link_id"])
        if target is None and values["link_id"] in self.present[wanted]:
            return  # that record has its own error
        if target is None:
            self.warn(
                record, f"sets {code} on {entity} {values['link_id']}, which is not in the package; not read"
            )
            return
        text = values["value"] if isinstance(record.data.get("value"), str) else None
        if text is None:
            self.error(record, f"needs a value for {code}", "value")
            return
        try:
            self._set_extension(target, code, text)
        except _Unfit as unfit:
            self.error(record, str(unfit), "value")

    def _set_extension(self, target: _Row, code: str, text: str) -> None:
        values = target.values
        if code == mapping.SCHOOL:
            if text not in self.schools:
                known = ", ".join(sorted(self.schools)) or "none yet"
                raise _Unfit(
                    f'names the school "{text}", which this district does not have (schools: {known})'
                )
            values["school"] = self.schools[text]
        elif code == mapping.PINNED_RANK:
            if not text.strip().lstrip("-").isdigit():
                raise _Unfit(f"should be a whole number, not {describe_value(text)}")
            values["pinned_rank"] = int(text)
        elif code == mapping.SAMPLE:
            if text not in ("true", "false"):
                raise _Unfit(f"should be true or false, not {describe_value(text)}")
            values["is_sample"] = text == "true"
        elif code == mapping.TEXT_KEYWORD:
            values["text_keyword"] = _fit(text, 40)
        elif code == mapping.PHONE_EXTENSION:
            values["extension"] = _fit(text, 20)
        elif code == mapping.TIMEZONE:
            try:
                ZoneInfo(text)
            except (ZoneInfoNotFoundError, ValueError, OSError) as error:
                raise _Unfit(
                    f"{describe_value(text)} is not a time zone name (like America/Chicago)"
                ) from error
            values["timezone_name"] = _fit(text, 64)
        else:
            what = "name" if code.startswith(mapping.NAME_IN) else "description"
            locale = _fit(code.split(":", 2)[2], 10)
            entry = self.translations.setdefault((values["id"], locale), {"name": None, "description": ""})
            entry[what] = _fit(text, 300) if what == "name" else text

    async def _check_term_codes(self) -> None:
        seen: dict[str, _Row] = {}
        for row in self.rows["taxonomy_term"]:
            code = row.values["code"]
            if code in seen:
                self.error(row.record, f'has the same code as {seen[code].record.where} ("{code}")', "code")
            seen[code] = row
        if self.mode == ImportMode.MERGE and seen:
            ids = {row.values["id"] for row in self.rows["taxonomy_term"]}
            for term in await TaxonomyTerm.select(TaxonomyTerm.id, TaxonomyTerm.code).where(
                TaxonomyTerm.code.is_in(list(seen))
            ):
                if term["id"] not in ids:
                    self.error(
                        seen[term["code"]].record,
                        f'has the same code as the term {term["id"]} already in the directory ("{term["code"]}")',
                        "code",
                    )
        for (service_id, locale), entry in self.translations.items():
            if entry["name"] is None:
                self.error(
                    None,
                    f"has a {locale} description but no {locale} name (lantern:name:{locale})",
                    where=f"service {service_id}",
                )

    def _check_term_cycles(self) -> None:
        parents = {row.values["id"]: row.values["parent"] for row in self.rows["taxonomy_term"]}
        by_id = {row.values["id"]: row for row in self.rows["taxonomy_term"]}
        for start in parents:
            seen = {start}
            current = parents.get(start)
            while current is not None and current in parents:
                if current in seen:
                    self.error(
                        by_id[start].record,
                        "is its own ancestor (its parents go round in a circle)",
                        "parent_id",
                    )
                    break
                seen.add(current)
                current = parents.get(current)

    # ---- writing ----------------------------------------------------------------------------------

    async def write(self) -> None:
        async with write_transaction(Organization._meta.db):
            services = [row.values["id"] for row in self.rows["service"]]
            before = await _fingerprints(services)
            if self.mode == ImportMode.REPLACE:
                await clear_directory()
            parents: dict[uuid.UUID, uuid.UUID] = {}
            for table in KEPT_TABLES:
                model = TABLE_MAPS[table].table
                rows = [dict(row.values) for row in self.rows[table]]
                if table == "taxonomy_term":
                    # Parents are set once every term is there, whatever order the terms came in.
                    for values in rows:
                        if values["parent"] is not None:
                            parents[values["id"]] = values["parent"]
                        values["parent"] = None
                await _upsert(model, rows, self.db_ids[table])
            for term, parent in parents.items():
                await TaxonomyTerm.update({TaxonomyTerm.parent: parent}).where(TaxonomyTerm.id == term)
            for start in range(0, len(services), _BATCH):
                chunk = services[start : start + _BATCH]
                await ServiceTranslation.delete().where(ServiceTranslation.service.is_in(chunk))
            translations = [
                ServiceTranslation(
                    id=uuid.uuid5(mapping.LANTERN_NAMESPACE, f"hsds/translation/{service}/{locale}"),
                    service=service,
                    locale=locale,
                    name=entry["name"],
                    description=entry["description"],
                )
                for (service, locale), entry in sorted(
                    self.translations.items(), key=lambda item: str(item[0])
                )
            ]
            for start in range(0, len(translations), _BATCH):
                await ServiceTranslation.insert(*translations[start : start + _BATCH])
            await self._touch_changed(before)
            # The words people search by, in the same transaction (the rest drop out with their service).
            await search_index.refresh(services)

    async def _touch_changed(self, before: dict[uuid.UUID, tuple[str, datetime]]) -> None:
        """A service the import changed gets a new last_modified, unless the package gave it a later one
        (an edited spreadsheet keeps its old dates; the HSDS API's modified_after must still see the
        change). A service that comes back as it was keeps its date."""
        if not before:
            return
        after = await _fingerprints(list(before))
        now = datetime.now(tz=UTC)
        given = {row.values["id"]: row.values["last_modified"] for row in self.rows["service"]}
        for service, (fingerprint, modified) in before.items():
            if after.get(service, (fingerprint,))[0] != fingerprint and given[service] <= modified:
                await Service.update({Service.last_modified: now}).where(Service.id == service)


async def _fingerprints(services: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, datetime]]:
    """For the services already in the directory: a digest of everything about each (but its date),
    and its last_modified."""
    if not services:
        return {}
    rows = await Service.select(Service.id, Service.last_modified).where(Service.id.is_in(services))
    if not rows:
        return {}
    nester = Nester(await directory_records(service_ids=[row["id"] for row in rows]))
    digests = {}
    for row in rows:
        nested = nester.service(nester.by_id["service"][str(row["id"])])
        nested.pop("last_modified", None)
        text = json.dumps(nested, sort_keys=True, ensure_ascii=False)
        digests[row["id"]] = (hashlib.sha256(text.encode()).hexdigest(), row["last_modified"])
    return digests


async def _upsert(model: type[Table], rows: list[dict[str, Any]], existing: set[str]) -> None:
    new = [values for values in rows if str(values["id"]) not in existing]
    for start in range(0, len(new), _BATCH):
        await model.insert(*[model(**values) for values in new[start : start + _BATCH]])
    for values in rows:
        if str(values["id"]) in existing:
            changes: dict[Column | str, Any] = {
                model._meta.get_column_by_name(name): value for name, value in values.items() if name != "id"
            }
            await model.update(changes).where(model._meta.primary_key == values["id"])


async def clear_directory() -> None:
    """Delete every directory row (call inside a transaction)."""
    for model in (
        Attribute,
        ServiceTranslation,
        Language,
        Schedule,
        Phone,
        Address,
        ServiceAtLocation,
        Service,
    ):
        await model.delete(force=True)
    await Location.delete(force=True)
    await Organization.delete(force=True)
    await TaxonomyTerm.update({TaxonomyTerm.parent: None}, force=True)
    await TaxonomyTerm.delete(force=True)
    await Taxonomy.delete(force=True)


def _phone_from_service_at_location(row: _Row, sal_targets: dict[str, tuple[Any, Any]]) -> None:
    """HSDS can tie a phone to a service at a location; Lantern ties it to the service and location."""
    sal = row.record.data.get("service_at_location_id")
    if isinstance(sal, str) and sal in sal_targets:
        service, location = sal_targets[sal]
        if row.values.get("service") is None:
            row.values["service"] = service
        if row.values.get("location") is None:
            row.values["location"] = location


class _Unfit(ValueError):
    """A value that cannot become a Lantern column value; the message says why, in plain words."""


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _max_length(column: Column) -> int | None:
    return column.length if isinstance(column, Varchar) and column.length else None


def _fit(text: str, length: int) -> str:
    if len(text) > length:
        raise _Unfit(f"is {len(text)} characters long; Lantern keeps at most {length}")
    return text


def _absent(table: str, column_name: str, column: Any) -> Any:
    """The value of a column the package left empty (its column cannot be NULL)."""
    if (table, column_name) == ("schedule", "byday"):
        return ""  # no days given is not "every day"
    if (table, column_name) == ("service", "last_modified"):
        return None  # set to the time of the import
    default = column.default
    return default() if callable(default) else default


def _value(spec: Field, raw: Any) -> Any:
    kind = spec.kind
    if kind == "id":
        if not isinstance(raw, str):
            raise _Unfit(f"should be a UUID identifier, not {describe_value(raw)}")
        try:
            return uuid.UUID(raw)
        except ValueError as error:
            raise _Unfit(f"should be a UUID identifier, not {describe_value(raw)}") from error
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not float(raw).is_integer():
            raise _Unfit(f"should be a whole number, not {describe_value(raw)}")
        return int(raw)
    if kind == "decimal":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise _Unfit(f"should be a number, not {describe_value(raw)}")
        try:
            number = Decimal(str(raw)).quantize(_SIX_PLACES)
        except InvalidOperation as error:
            raise _Unfit(f"should be a number, not {describe_value(raw)}") from error
        if abs(number) >= 1000:
            raise _Unfit(f"should be between -999.999999 and 999.999999, not {raw}")
        return number
    if not isinstance(raw, str):
        raise _Unfit(f"should be text, not {describe_value(raw)}")
    if kind == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError as error:
            raise _Unfit(f"should be a date like 2024-05-01, not {describe_value(raw)}") from error
    if kind == "datetime":
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError as error:
            raise _Unfit(
                f"should be a date and time like 2024-05-01T09:30:00Z, not {describe_value(raw)}"
            ) from error
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if kind == "time":
        try:
            moment_of_day = time.fromisoformat(raw)
        except ValueError as error:
            raise _Unfit(f"should be a time like 09:00 or 17:30:00, not {describe_value(raw)}") from error
        if moment_of_day.tzinfo is not None:
            raise _Unfit("should be a local time like 09:00 (the time zone is given apart)")
        return raw
    return raw
