"""Which HSDS field is which Lantern column, and the Lantern fields HSDS has no place for.

Every column of the directory tables is carried. The ones HSDS 3.0 lacks travel as HSDS attributes
that point at terms of a small "Lantern extensions" taxonomy (its id and its terms' ids are fixed, so
any export names them the same way):

- lantern:school           service → the school's slug; no attribute means district-wide
- lantern:pinned_rank      service → where a national 24/7 line is pinned (1 first)
- lantern:sample           service → "true" for an invented demo entry
- lantern:name:<locale>    service → its name in that language (ServiceTranslation)
- lantern:description:<locale>  service → its description in that language
- lantern:text_keyword     phone → the word to text ("HOME" to 741741)
- lantern:phone_extension  phone → an extension that is not a plain number (HSDS has numbers only)
- lantern:timezone         schedule → the IANA time zone of the hours (HSDS has only a UTC offset)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from piccolo.table import Table

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
    Taxonomy,
    TaxonomyTerm,
)

# Fixed for good: exports made by any Lantern name the extension taxonomy and terms the same way.
LANTERN_NAMESPACE = uuid.UUID("8a0c4f7e-5d2b-4c1e-9f3a-2b6d7e8f9a10")
EXTENSION_TAXONOMY_ID = uuid.uuid5(LANTERN_NAMESPACE, "hsds/extension-taxonomy")
EXTENSION_TAXONOMY_NAME = "Lantern extensions"
EXTENSION_PREFIX = "lantern:"

SCHOOL = "lantern:school"
PINNED_RANK = "lantern:pinned_rank"
SAMPLE = "lantern:sample"
TEXT_KEYWORD = "lantern:text_keyword"
PHONE_EXTENSION = "lantern:phone_extension"
TIMEZONE = "lantern:timezone"
NAME_IN = "lantern:name:"
DESCRIPTION_IN = "lantern:description:"

EXTENSION_TERMS: dict[str, tuple[str, str]] = {
    SCHOOL: ("Lantern school", "The slug of the school whose students this serves; none: district-wide."),
    PINNED_RANK: ("Lantern pinned rank", "National 24/7 lines are listed first, in this order."),
    SAMPLE: ("Lantern sample entry", "An invented demo entry, shown with a sample mark."),
    TEXT_KEYWORD: ("Lantern text keyword", "The word to send to a text line."),
    PHONE_EXTENSION: ("Lantern phone extension", "A phone extension that is not a plain number."),
    TIMEZONE: ("Lantern time zone", "The IANA time zone the opening hours are in."),
}
# Which kind of record each extension may be attached to.
EXTENSION_ENTITY = {
    SCHOOL: "service",
    PINNED_RANK: "service",
    SAMPLE: "service",
    TEXT_KEYWORD: "phone",
    PHONE_EXTENSION: "phone",
    TIMEZONE: "schedule",
}


def extension_term_id(code: str) -> uuid.UUID:
    return uuid.uuid5(LANTERN_NAMESPACE, f"hsds/extension-term/{code}")


def extension_attribute_id(entity: str, link_id: str, code: str) -> uuid.UUID:
    return uuid.uuid5(LANTERN_NAMESPACE, f"hsds/extension-attribute/{entity}/{link_id}/{code}")


def is_extension_term(term_id: str | None, code: str | None) -> bool:
    """A term is one of ours when its code says so and its id is the one we give that code."""
    if not code or not term_id or not code.startswith(EXTENSION_PREFIX):
        return False
    return str(extension_term_id(code)) == term_id.lower()


def extension_term_text(code: str) -> tuple[str, str]:
    """The name and description an extension term is exported with."""
    if code in EXTENSION_TERMS:
        return EXTENSION_TERMS[code]
    for prefix, what in ((NAME_IN, "name"), (DESCRIPTION_IN, "description")):
        if code.startswith(prefix):
            locale = code.removeprefix(prefix)
            return (
                f"Lantern service {what} in {_language(locale)} ({locale})",
                f"The service's {what} in this language (Lantern translations).",
            )
    return (code, "")


def _language(code: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code).get_display_name("en") or code
    except (UnknownLocaleError, ValueError):
        return code


@dataclass(frozen=True)
class Field:
    hsds: str  # the HSDS field
    column: str  # the Lantern column
    # text, id (a UUID), int (whole number), decimal, date, datetime, time (text like 09:00)
    kind: str = "text"
    # The HSDS table this id points at (for links between records).
    refers_to: str | None = None


@dataclass(frozen=True)
class TableMap:
    name: str
    table: type[Table]
    fields: tuple[Field, ...]

    def field(self, hsds: str) -> Field | None:
        return next((f for f in self.fields if f.hsds == hsds), None)


def _id() -> Field:
    return Field("id", "id", "id")


def _ref(hsds: str, column: str, table: str) -> Field:
    return Field(hsds, column, "id", refers_to=table)


TABLE_MAPS: dict[str, TableMap] = {
    m.name: m
    for m in (
        TableMap(
            "taxonomy",
            Taxonomy,
            (_id(), Field("name", "name"), Field("description", "description"), Field("uri", "uri"),
             Field("version", "version")),
        ),
        TableMap(
            "taxonomy_term",
            TaxonomyTerm,
            (_id(), Field("code", "code"), Field("name", "name"), Field("description", "description"),
             _ref("parent_id", "parent", "taxonomy_term"), _ref("taxonomy_id", "taxonomy", "taxonomy"),
             Field("language", "language"), Field("term_uri", "term_uri")),
        ),
        TableMap(
            "organization",
            Organization,
            (_id(), Field("name", "name"), Field("alternate_name", "alternate_name"),
             Field("description", "description"), Field("email", "email"), Field("website", "website")),
        ),
        TableMap(
            "location",
            Location,
            (_id(), Field("location_type", "location_type"), _ref("organization_id", "organization", "organization"),
             Field("name", "name"), Field("description", "description"), Field("transportation", "transportation"),
             Field("latitude", "latitude", "decimal"), Field("longitude", "longitude", "decimal")),
        ),
        TableMap(
            "address",
            Address,
            (_id(), _ref("location_id", "location", "location"), Field("attention", "attention"),
             Field("address_1", "address_1"), Field("address_2", "address_2"), Field("city", "city"),
             Field("region", "region"), Field("state_province", "state_province"),
             Field("postal_code", "postal_code"), Field("country", "country"), Field("address_type", "address_type")),
        ),
        TableMap(
            "service",
            Service,
            (_id(), _ref("organization_id", "organization", "organization"), Field("name", "name"),
             Field("alternate_name", "alternate_name"), Field("description", "description"), Field("url", "url"),
             Field("email", "email"), Field("status", "status"),
             Field("interpretation_services", "interpretation_services"),
             Field("fees_description", "fees_description"),
             Field("eligibility_description", "eligibility_description"),
             Field("minimum_age", "minimum_age", "int"), Field("maximum_age", "maximum_age", "int"),
             Field("assured_date", "assured_date", "date"), Field("last_modified", "last_modified", "datetime")),
        ),
        TableMap(
            "service_at_location",
            ServiceAtLocation,
            (_id(), _ref("service_id", "service", "service"), _ref("location_id", "location", "location"),
             Field("description", "description")),
        ),
        TableMap(
            "phone",
            Phone,
            (_id(), _ref("organization_id", "organization", "organization"), _ref("service_id", "service", "service"),
             _ref("location_id", "location", "location"), Field("number", "number"),
             Field("type", "type"), Field("description", "description")),
        ),
        TableMap(
            "schedule",
            Schedule,
            (_id(), _ref("service_id", "service", "service"), _ref("location_id", "location", "location"),
             _ref("service_at_location_id", "service_at_location", "service_at_location"),
             Field("freq", "freq"), Field("byday", "byday"), Field("opens_at", "opens_at", "time"),
             Field("closes_at", "closes_at", "time"), Field("description", "description")),
        ),
        TableMap(
            "language",
            Language,
            (_id(), _ref("service_id", "service", "service"), _ref("location_id", "location", "location"),
             _ref("phone_id", "phone", "phone"), Field("name", "name"), Field("code", "code"), Field("note", "note")),
        ),
        TableMap(
            "attribute",
            Attribute,
            (_id(), Field("link_id", "link_id"), _ref("taxonomy_term_id", "taxonomy_term", "taxonomy_term"),
             Field("link_type", "link_type"), Field("link_entity", "link_entity"), Field("value", "value")),
        ),
    )
}  # fmt: skip

# HSDS fields read on import though they have no column of their own: phone.extension (a number in HSDS,
# text in Lantern), schedule.timezone (a UTC offset, used when no Lantern time zone came with the file),
# service.fees (deprecated; used when fees_description is missing).
READ_SPECIALLY: dict[str, frozenset[str]] = {
    "phone": frozenset({"extension"}),
    "schedule": frozenset({"timezone"}),
    "service": frozenset({"fees"}),
}


def kept_fields(table: str) -> frozenset[str]:
    return frozenset(f.hsds for f in TABLE_MAPS[table].fields) | READ_SPECIALLY.get(table, frozenset())
