"""The HSDS 3.0 schemas, vendored in schema/ (see schema/NOTICE.md), and checking records against them.

The per-object schemas refer to each other by file name (`"$ref": "phone.json"`). They are registered
under their upstream addresses with the `referencing` library, so every reference resolves to a file
here and nothing is fetched from the network. Problems come back in plain words with the field they
are about, for people fixing a spreadsheet rather than reading JSON Schema output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).with_name("schema")
# Where the files live upstream; references between them resolve against this address.
SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
HSDS_VERSION = "3.0"
OPENAPI_URL = SCHEMA_BASE + "openapi.json"

# The HSDS tables Lantern keeps, parents before the tables that point at them.
KEPT_TABLES: tuple[str, ...] = (
    "taxonomy",
    "taxonomy_term",
    "organization",
    "location",
    "address",
    "service",
    "service_at_location",
    "phone",
    "schedule",
    "language",
    "attribute",
)


@dataclass(frozen=True)
class SchemaIssue:
    field: str  # "status", "phones[0].number"; "" for the record as a whole
    message: str


@cache
def datapackage() -> dict[str, Any]:
    """The tabular data package description: CSV names, column order and column types."""
    data: dict[str, Any] = json.loads((SCHEMA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    return data


@cache
def all_tables() -> tuple[str, ...]:
    """Every HSDS table, in the order of the data package description."""
    return tuple(resource["name"] for resource in datapackage()["resources"])


@cache
def _resource(table: str) -> dict[str, Any]:
    for resource in datapackage()["resources"]:
        if resource["name"] == table:
            return dict(resource)
    raise KeyError(table)


def resource_descriptor(table: str) -> dict[str, Any]:
    return dict(_resource(table))


def csv_name(table: str) -> str:
    return str(_resource(table)["path"])


@cache
def table_for_key(key: str) -> str | None:
    """ "service" or "services.csv" → "service"; anything else → None."""
    for table in all_tables():
        if key in (table, csv_name(table)):
            return table
    return None


@cache
def field_names(table: str) -> tuple[str, ...]:
    """The columns of the table's CSV file, in the order of the data package description."""
    return tuple(field["name"] for field in _resource(table)["schema"]["fields"])


@cache
def field_types(table: str) -> dict[str, str]:
    """Column → data package type (string, number, date, datetime, time)."""
    return {field["name"]: field["type"] for field in _resource(table)["schema"]["fields"]}


@cache
def object_schema(table: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_DIR / f"{table}.json").read_text(encoding="utf-8"))
    return data


@cache
def required_fields(table: str, *, tabular: bool) -> tuple[str, ...]:
    """Fields a record must have; a tabular package also needs the links to its parent."""
    schema = object_schema(table)
    required = list(schema.get("required", []))
    if tabular:
        required += [name for name in schema.get("tabular_required", []) if name not in required]
    return tuple(required)


@cache
def scalar_fields(table: str) -> frozenset[str]:
    """The table's own fields (not the arrays and objects nested in it in the JSON form)."""
    props = object_schema(table)["properties"]
    return frozenset(
        name
        for name, prop in props.items()
        if "$ref" not in prop and prop.get("type") not in ("array", "object")
    )


@cache
def nested_relations(table: str) -> dict[str, tuple[str, bool]]:
    """Nested key → (table, is_list): what the JSON form of `table` may carry inside it."""
    relations: dict[str, tuple[str, bool]] = {}
    for name, prop in object_schema(table)["properties"].items():
        ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
        if ref:
            relations[name] = (ref.removesuffix(".json"), prop.get("type") == "array")
    # The official examples also nest these, though the per-object schemas do not list them.
    if table == "organization":
        relations.setdefault("services", ("service", True))
    if table == "service_at_location":
        relations.setdefault("service", ("service", False))
    return relations


@cache
def _registry() -> Registry[Any]:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        if path.name == "datapackage.json":
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append(
            (SCHEMA_BASE + path.name, Resource.from_contents(contents, default_specification=DRAFT202012))
        )
    return Registry().with_resources(resources)


@cache
def _validator(table: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": SCHEMA_BASE + f"{table}.json"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def check(table: str, record: dict[str, Any], *, tabular: bool = True) -> list[SchemaIssue]:
    """Every way `record` breaks the HSDS schema of `table`, in plain words, sorted by field."""
    issues = []
    for error in _validator(table).iter_errors(record):
        issues.append(_plain(error))
    if tabular:
        base = set(object_schema(table).get("required", []))
        for name in required_fields(table, tabular=True):
            if name not in base and record.get(name) in (None, ""):
                issues.append(SchemaIssue(name, "is required in a tabular package but missing"))
    return sorted(set(issues), key=lambda issue: (issue.field, issue.message))


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "array": "a list",
    "object": "an object",
    "boolean": "true or false",
}
_FORMAT_WORDS = {
    "uuid": "a UUID identifier (like 3fa85f64-5717-4562-b3fc-2c963f66afa6)",
    "email": "an email address",
    "uri": "a web address",
    "date": "a date (YYYY-MM-DD)",
    "date-time": "a date and time (like 2024-05-01T09:30:00Z)",
}


def describe_value(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "empty (null)"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _plain(error: ValidationError) -> SchemaIssue:
    field = _path(error.absolute_path)
    kind = error.validator
    if kind == "required":
        # The message names the missing property: "'name' is a required property".
        missing = str(error.message).split("'")[1] if "'" in str(error.message) else ""
        return SchemaIssue(f"{field}.{missing}" if field else missing, "is required but missing")
    if kind == "type":
        wanted = error.validator_value
        names = wanted if isinstance(wanted, list) else [wanted]
        words = " or ".join(_TYPE_WORDS.get(str(name), str(name)) for name in names)
        return SchemaIssue(field, f"should be {words}, not {describe_value(error.instance)}")
    if kind == "enum":
        choices = ", ".join(str(choice) for choice in error.validator_value)
        return SchemaIssue(field, f"should be one of: {choices}; not {describe_value(error.instance)}")
    if kind == "format":
        wanted = _FORMAT_WORDS.get(str(error.validator_value), f"in the {error.validator_value} format")
        return SchemaIssue(field, f"should be {wanted}, not {describe_value(error.instance)}")
    return SchemaIssue(field, str(error.message))
