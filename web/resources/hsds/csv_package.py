"""The tabular form of HSDS: a folder with datapackage.json and one CSV file per table.

Reading: the file names come from the folder's datapackage.json when it names them, else the standard
HSDS names (organizations.csv, services.csv, ...). An empty cell is an absent value, except in a
required text column, where it is empty text. Number columns are read as numbers; a cell that is not a
number is kept as text so the schema check can say so for that row. Text a spreadsheet would run as a
formula is written after an apostrophe (OWASP's advice on CSV injection) and read back without it.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from web.resources.hsds.export import Records
from web.resources.hsds.package import Package, Problem, Record
from web.resources.hsds.schema import (
    KEPT_TABLES,
    all_tables,
    csv_name,
    datapackage,
    field_names,
    field_types,
    required_fields,
    resource_descriptor,
)

_INTEGER = re.compile(r"[+-]?[0-9]+")
# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...), =cmd|...).
# Such text is written after an apostrophe, which spreadsheets hide and our import takes off again;
# text that starts with an apostrophe gets one more, so every value reads back as it was.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"
_TEXT_TYPES = frozenset({"string", "date", "datetime", "time"})


def read_csv_package(path: Path) -> Package:
    folder = path.parent if path.name == "datapackage.json" else path
    package = Package(source=str(folder))
    if not folder.is_dir():
        package.errors.append(Problem(str(folder), "is not a folder"))
        return package
    paths = {table: csv_name(table) for table in all_tables()}
    descriptor = folder / "datapackage.json"
    if descriptor.is_file():
        _names_from_descriptor(descriptor, paths, package)
    found = False
    for table, name in paths.items():
        file = folder / name
        if file.is_file():
            found = True
            _read_table(package, table, file, name)
    known = set(paths.values()) | {"datapackage.json"}
    for file in sorted(folder.iterdir()):
        if file.is_file() and file.suffix.lower() == ".csv" and file.name not in known:
            package.warnings.append(Problem(file.name, "is not an HSDS table; it was not read"))
    if not found:
        package.errors.append(
            Problem(str(folder), "has no HSDS CSV files (organizations.csv, services.csv, ...)")
        )
    return package


def _names_from_descriptor(descriptor: Path, paths: dict[str, str], package: Package) -> None:
    try:
        data = json.loads(descriptor.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        package.warnings.append(
            Problem(
                "datapackage.json", f"could not be read ({error}); the standard HSDS file names were used"
            )
        )
        return
    resources = data.get("resources") if isinstance(data, dict) else None
    for resource in resources if isinstance(resources, list) else []:
        if not isinstance(resource, dict):
            continue
        name, file = resource.get("name"), resource.get("path")
        if name in paths and isinstance(file, str):
            # Only plain file names in this folder: a descriptor must not send us elsewhere.
            if "/" in file or "\\" in file or file.startswith("."):
                package.errors.append(
                    Problem(
                        "datapackage.json",
                        f'names "{file}" for {name}; only a file in this folder can be read',
                    )
                )
                continue
            paths[name] = file


def _read_table(package: Package, table: str, file: Path, name: str) -> None:
    known = set(field_names(table))
    types = field_types(table)
    required = set(required_fields(table, tabular=True))
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return
            for column in header:
                if column not in known:
                    package.warnings.append(
                        Problem(name, f'column "{column}" is not an HSDS {table} field; it was not read')
                    )
            repeated = {column for column in header if header.count(column) > 1}
            for column in sorted(repeated):
                package.errors.append(Problem(name, f'has the column "{column}" more than once'))
            for index, cells in enumerate(reader):
                where = f"{name} row {index + 2}"
                if not any(cells):
                    continue
                if len(cells) > len(header):
                    package.errors.append(Problem(where, "has more cells than the header has columns"))
                record: dict[str, Any] = {}
                for column, cell in zip(header, cells, strict=False):
                    if column not in known:
                        continue
                    if cell == "":
                        if column in required and types.get(column) in _TEXT_TYPES:
                            record[column] = ""
                        continue
                    record[column] = _typed(cell, types.get(column, "string"))
                package.add(Record(table, record, where))
    except UnicodeDecodeError:
        package.errors.append(Problem(name, "is not UTF-8 text (in a spreadsheet, save it as “CSV UTF-8”)"))
    except csv.Error as error:
        package.errors.append(Problem(name, f"could not be read as CSV: {error}"))


def _typed(cell: str, kind: str) -> Any:
    if kind in ("number", "integer"):
        text = cell.strip()
        if _INTEGER.fullmatch(text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            return cell
        return number if number == number and number not in (float("inf"), float("-inf")) else cell
    if kind == "boolean":
        lowered = cell.strip().lower()
        return {"true": True, "false": False}.get(lowered, cell)
    if cell.startswith(_QUOTE) and cell[1:].startswith((*_FORMULA_STARTS, _QUOTE)):
        return cell[1:]
    return cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if isinstance(value, str) and text.startswith((*_FORMULA_STARTS, _QUOTE)):
        return _QUOTE + text
    return text


def write_csv_package(records: Records, folder: Path) -> list[Path]:
    """datapackage.json and one CSV file per table Lantern keeps, every HSDS column in order."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    resources = []
    for table in KEPT_TABLES:
        columns = field_names(table)
        file = folder / csv_name(table)
        with file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for record in records.get(table, []):
                unknown = set(record) - set(columns)
                if unknown:
                    raise ValueError(f"{table} has no column for {sorted(unknown)}")
                writer.writerow([_cell(record.get(column)) for column in columns])
        written.append(file)
        resource = resource_descriptor(table)
        schema = dict(resource["schema"])
        keys = [key for key in schema.get("foreignKeys", []) if key["reference"]["resource"] in KEPT_TABLES]
        if keys:
            schema["foreignKeys"] = keys
        else:
            schema.pop("foreignKeys", None)
        resource["schema"] = schema
        resources.append(resource)
    base = datapackage()
    descriptor = {
        "name": "lantern-directory",
        "title": "Community resource directory",
        "description": (
            "A community resource directory exported by Lantern in the Open Referral Human Services Data "
            "Specification 3.0 (HSDS). Lantern's own fields travel as attributes of the 'Lantern extensions' "
            "taxonomy. Table and field descriptions: Human Services Data Specification, an Open Referral "
            "resource (https://openreferral.org/), CC BY-SA 4.0."
        ),
        "profile": base["profile"],
        "version": base["version"],
        "homepage": base["homepage"],
        "resources": resources,
    }
    path = folder / "datapackage.json"
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(path)
    return written
