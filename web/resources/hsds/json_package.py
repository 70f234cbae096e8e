"""The JSON form of HSDS.

Lantern writes the tabular layout the HSDS schema compiled/tabular.json describes: one object with a
list of flat records per table ({"organization": [...], "service": [...], ...}), the same records as
the CSV files. It reads that layout (tables named "service" or "services.csv", as in the official
tabular.json example) and also nested documents as HSDS APIs serve them: one service, organization or
service_at_location with everything nested in it, a list of them, or an API page with "contents". Nested
records are taken out into their tables; a record met twice (a phone under its service and again under
its location) is read once, its links from both places combined.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from web.resources.hsds.export import Records
from web.resources.hsds.package import Package, Problem, Record
from web.resources.hsds.schema import KEPT_TABLES, nested_relations, scalar_fields, table_for_key


def write_json_package(records: Records, path: Path) -> Path:
    data = {table: records.get(table, []) for table in KEPT_TABLES}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_json_package(path: Path) -> Package:
    package = Package(source=str(path))
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        package.errors.append(Problem(name, "is not UTF-8 text"))
        return package
    except json.JSONDecodeError as error:
        package.errors.append(
            Problem(f"{name} line {error.lineno} column {error.colno}", f"is not valid JSON: {error.msg}")
        )
        return package
    if _is_tabular(data):
        _read_tabular(package, data, name)
    else:
        _read_nested(package, data, name)
    if not package.records and not package.errors:
        package.errors.append(Problem(name, "has no HSDS records"))
    return package


def _is_tabular(data: Any) -> bool:
    if not isinstance(data, dict) or "id" in data:
        return False
    return any(table_for_key(key) and isinstance(value, list) for key, value in data.items())


def _read_tabular(package: Package, data: dict[str, Any], name: str) -> None:
    for key, rows in data.items():
        table = table_for_key(key)
        if table is None:
            package.warnings.append(Problem(name, f'"{key}" is not an HSDS table; it was not read'))
            continue
        if not isinstance(rows, list):
            package.errors.append(Problem(f"{name}: {key}", "should be a list of records"))
            continue
        for index, row in enumerate(rows):
            where = f"{name}: {key} record {index + 1}"
            if not isinstance(row, dict):
                package.errors.append(Problem(where, "should be an object with the record's fields"))
                continue
            package.add(Record(table, dict(row), where))


def _kind(item: dict[str, Any]) -> str:
    if {"status", "organization", "organization_id", "service_at_locations"} & item.keys():
        return "service"
    if {"services", "name"} & item.keys():
        return "organization"
    if {"location", "location_id", "service", "service_id"} & item.keys():
        return "service_at_location"
    return "service"


def _read_nested(package: Package, data: Any, name: str) -> None:
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        items, label = data["contents"], "contents"
    elif isinstance(data, list):
        items, label = data, ""
    else:
        items, label = [data], None
    seen: dict[tuple[str, str], Record] = {}
    for index, item in enumerate(items):
        where = name if label is None else f"{name}: {label}[{index}]"
        if not isinstance(item, dict):
            package.errors.append(
                Problem(where, "should be an HSDS service, organization or service_at_location")
            )
            continue
        _flatten(package, item, _kind(item), where, seen)


def _flatten(
    package: Package, obj: dict[str, Any], table: str, where: str, seen: dict[tuple[str, str], Record]
) -> str | None:
    relations = nested_relations(table)
    own = scalar_fields(table)
    record = {key: value for key, value in obj.items() if key not in relations}
    record_id = record.get("id") if isinstance(record.get("id"), str) else None
    for key, (child, many) in relations.items():
        value = obj.get(key)
        if value is None:
            continue
        place = f"{where} → {key}"
        if many:
            if not isinstance(value, list):
                package.errors.append(Problem(place, "should be a list"))
                continue
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    package.errors.append(Problem(f"{place}[{index}]", "should be an object"))
                    continue
                item = dict(item)
                if record_id:
                    _link_child(item, child, table, record_id)
                _flatten(package, item, child, f"{place}[{index}]", seen)
        else:
            if not isinstance(value, dict):
                package.errors.append(Problem(place, "should be an object"))
                continue
            child_id = _flatten(package, dict(value), child, place, seen)
            link = "taxonomy_id" if key == "taxonomy_detail" else f"{key}_id"
            if child_id and link in own and link not in record:
                record[link] = child_id
    _add(package, Record(table, record, where, tabular=False), seen)
    return record_id


def _link_child(item: dict[str, Any], child: str, parent: str, parent_id: str) -> None:
    """A nested child points at the record it is nested in, unless it says otherwise."""
    if child == "attribute":
        item.setdefault("link_id", parent_id)
        item.setdefault("link_entity", parent)
    elif child == "metadata":
        item.setdefault("resource_id", parent_id)
        item.setdefault("resource_type", parent)
    elif f"{parent}_id" in scalar_fields(child):
        item.setdefault(f"{parent}_id", parent_id)


def _add(package: Package, record: Record, seen: dict[tuple[str, str], Record]) -> None:
    key = (record.table, record.id or "")
    earlier = seen.get(key) if record.id else None
    if earlier is None:
        if record.id:
            seen[key] = record
        package.add(record)
        return
    for field, value in record.data.items():
        if field not in earlier.data:
            earlier.data[field] = value
        elif earlier.data[field] != value:
            package.errors.append(
                Problem(
                    record.where,
                    f"is given again with another value (it was {json.dumps(earlier.data[field])} at "
                    f"{earlier.where}, here {json.dumps(value)})",
                    record_id=record.id,
                    field=field,
                )
            )
