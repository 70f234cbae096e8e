"""HSDS 3.0 pieces that need no database: schema checks in plain words, reading CSV cells, nesting."""

from __future__ import annotations

import json
from pathlib import Path

from web.resources.hsds import mapping
from web.resources.hsds.csv_package import _typed, read_csv_package
from web.resources.hsds.json_package import read_json_package
from web.resources.hsds.package import detect_format
from web.resources.hsds.schema import KEPT_TABLES, check, field_names, nested_relations

OFFICIAL = Path(__file__).resolve().parents[1] / "data" / "hsds" / "official"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def test_schema_problems_are_in_plain_words_with_their_field() -> None:
    issues = check(
        "service",
        {"id": "not-a-uuid", "status": "open", "minimum_age": "twelve", "organization_id": SERVICE_ID},
    )
    by_field = {issue.field: issue.message for issue in issues}
    assert by_field["name"] == "is required but missing"
    assert by_field["id"].startswith("should be a UUID identifier")
    assert by_field["status"] == (
        'should be one of: active, inactive, defunct, temporarily closed; not "open"'
    )
    assert by_field["minimum_age"] == 'should be a number, not "twelve"'


def test_tabular_packages_also_need_the_links_to_parents() -> None:
    service = {"id": SERVICE_ID, "name": "Counselling", "status": "active"}
    assert check("service", service, tabular=False) == []
    [issue] = check("service", service, tabular=True)
    assert (issue.field, issue.message) == ("organization_id", "is required in a tabular package but missing")


def test_references_between_schema_files_resolve_locally() -> None:
    nested = {
        "id": SERVICE_ID,
        "name": "Counselling",
        "status": "active",
        "phones": [{"id": "1554f2e2-a373-45db-a3fa-9fc48a61c15e"}],
    }
    [issue] = check("service", nested, tabular=False)
    assert (issue.field, issue.message) == ("phones[0].number", "is required but missing")


def test_csv_cells_become_numbers_only_in_number_columns() -> None:
    assert _typed("12", "number") == 12
    assert _typed("39.5", "number") == 39.5
    assert _typed("twelve", "number") == "twelve"
    assert _typed("nan", "number") == "nan"
    assert _typed("00123", "string") == "00123"


def test_format_follows_the_path() -> None:
    assert detect_format(Path("out.json")) == "json"
    assert detect_format(Path("folder")) == "csv"
    assert detect_format(OFFICIAL / "csv" / "datapackage.json") == "csv"


def test_official_csv_package_reads_every_table_with_row_numbers() -> None:
    package = read_csv_package(OFFICIAL / "csv")
    assert not package.errors
    [service] = package.records["service"]
    assert service.where == "services.csv row 2"
    assert service.data["minimum_age"] == 12 and service.data["name"] == "Community Counselling"
    assert {"contact", "program", "funding"} <= set(package.records)


def test_nested_service_is_taken_apart_and_repeated_records_are_read_once() -> None:
    package = read_json_package(OFFICIAL / "service_full.json")
    assert not package.errors
    [phone] = package.records["phone"]
    # The phone appears under the service, its location, its organization and a contact.
    assert phone.data["service_id"] == SERVICE_ID
    assert phone.data["location_id"] == "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
    assert phone.data["organization_id"] == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
    [service] = package.records["service"]
    assert service.data["organization_id"] == "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
    assert "phones" not in service.data
    [term] = package.records["taxonomy_term"]
    assert term.data["taxonomy_id"] == "5c4d79d7-cc55-470e-9f1f-8cad074e4892"
    assert term.where == "service_full.json → attributes[0] → taxonomy_term"


def test_conflicting_copies_of_a_nested_record_are_an_error(tmp_path: Path) -> None:
    data = json.loads((OFFICIAL / "service_full.json").read_text())
    data["service_at_locations"][0]["phones"][0]["number"] = "555-0100"
    path = tmp_path / "service.json"
    path.write_text(json.dumps(data))
    package = read_json_package(path)
    [error] = package.errors
    assert error.field == "number" and "another value" in error.message


def test_broken_json_says_where() -> None:
    package = read_json_package(OFFICIAL / "csv" / "services.csv")
    [error] = package.errors
    assert error.where.startswith("services.csv line 1 column") and "not valid JSON" in error.message


def test_every_mapped_field_is_an_hsds_column_and_nests_are_known() -> None:
    for table in KEPT_TABLES:
        columns = set(field_names(table))
        for field in mapping.TABLE_MAPS[table].fields:
            assert field.hsds in columns, (table, field.hsds)
    assert nested_relations("service")["phones"] == ("phone", True)
    assert nested_relations("service")["organization"] == ("organization", False)


def test_extension_terms_are_recognised_by_code_and_id() -> None:
    term_id = str(mapping.extension_term_id(mapping.SCHOOL))
    assert mapping.is_extension_term(term_id, mapping.SCHOOL)
    assert not mapping.is_extension_term(SERVICE_ID, mapping.SCHOOL)
    assert not mapping.is_extension_term(term_id, "food")
