"""The resource directory, shaped after Open Referral HSDS 3.0 so import and export are lossless.

Table and column names follow the HSDS objects (organization, service, location, address,
service_at_location, phone, schedule, language, taxonomy, taxonomy_term, attribute). Columns that
HSDS has no field for are marked "Lantern:" and are exported as HSDS attributes or left out.
"""

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from web.district.tables import School


class Organization(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=300)
    alternate_name = Varchar(length=300, null=True, default=None)
    description = Text(default="")
    email = Varchar(length=200, null=True, default=None)
    website = Varchar(length=500, null=True, default=None)


class Service(Table):
    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization)
    name = Varchar(length=300)
    alternate_name = Varchar(length=300, null=True, default=None)
    description = Text(default="")
    url = Varchar(length=500, null=True, default=None)
    email = Varchar(length=200, null=True, default=None)
    status = Varchar(length=20, default="active")
    interpretation_services = Text(null=True, default=None)
    fees_description = Text(null=True, default=None)
    eligibility_description = Text(null=True, default=None)
    minimum_age = Integer(null=True, default=None)
    maximum_age = Integer(null=True, default=None)
    assured_date = Date(null=True, default=None)
    last_modified = Timestamptz()
    # Lantern: the school whose students this serves; empty means district-wide.
    school = ForeignKey(references=School, null=True, default=None)
    # Lantern: national 24/7 lines are pinned first, in this order.
    pinned_rank = Integer(null=True, default=None)
    # Lantern: invented demo entries, shown with a "sample" mark.
    is_sample = Boolean(default=False)


class Location(Table):
    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=True, default=None)
    location_type = Varchar(length=20, default="physical")
    name = Varchar(length=300, null=True, default=None)
    description = Text(null=True, default=None)
    transportation = Text(null=True, default=None)
    latitude = Numeric(digits=(9, 6), null=True, default=None)
    longitude = Numeric(digits=(9, 6), null=True, default=None)


class Address(Table):
    id = UUID(primary_key=True)
    location = ForeignKey(references=Location)
    attention = Varchar(length=200, null=True, default=None)
    address_1 = Varchar(length=300)
    address_2 = Varchar(length=300, null=True, default=None)
    city = Varchar(length=120)
    region = Varchar(length=120, null=True, default=None)
    state_province = Varchar(length=60)
    postal_code = Varchar(length=20)
    country = Varchar(length=2, default="US")
    address_type = Varchar(length=20, default="physical")


class ServiceAtLocation(Table):
    id = UUID(primary_key=True)
    service = ForeignKey(references=Service)
    location = ForeignKey(references=Location)
    description = Text(null=True, default=None)


class Phone(Table):
    id = UUID(primary_key=True)
    organization = ForeignKey(references=Organization, null=True, default=None)
    service = ForeignKey(references=Service, null=True, default=None)
    location = ForeignKey(references=Location, null=True, default=None)
    number = Varchar(length=40)
    extension = Varchar(length=20, null=True, default=None)
    # HSDS phone types: text, voice, fax, cell, video, pager, textphone.
    type = Varchar(length=20, default="voice")
    description = Text(null=True, default=None)
    # Lantern: the word to text, for text lines ("HOME" to 741741).
    text_keyword = Varchar(length=40, null=True, default=None)


class Schedule(Table):
    """Weekly opening hours as iCal-style rules (HSDS 3.0)."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, null=True, default=None)
    location = ForeignKey(references=Location, null=True, default=None)
    service_at_location = ForeignKey(references=ServiceAtLocation, null=True, default=None)
    freq = Varchar(length=10, default="WEEKLY")
    byday = Varchar(length=40, default="MO,TU,WE,TH,FR,SA,SU")
    opens_at = Varchar(length=8, null=True, default=None)
    closes_at = Varchar(length=8, null=True, default=None)
    description = Text(null=True, default=None)
    # Lantern: an IANA zone, so "open now" follows daylight saving (HSDS has only a UTC offset).
    timezone_name = Varchar(length=64, default="America/Chicago")


class Language(Table):
    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, null=True, default=None)
    location = ForeignKey(references=Location, null=True, default=None)
    phone = ForeignKey(references=Phone, null=True, default=None)
    name = Varchar(length=100, null=True, default=None)
    code = Varchar(length=20, null=True, default=None)
    note = Text(null=True, default=None)


class Taxonomy(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    description = Text(default="")
    uri = Varchar(length=500, null=True, default=None)
    version = Varchar(length=40, null=True, default=None)


class TaxonomyTerm(Table):
    id = UUID(primary_key=True)
    code = Varchar(length=60, unique=True)
    name = Varchar(length=200)
    description = Text(default="")
    parent: ForeignKey = ForeignKey(references="self", null=True, default=None)
    taxonomy = ForeignKey(references=Taxonomy, null=True, default=None)
    language = Varchar(length=20, null=True, default="en")
    term_uri = Varchar(length=500, null=True, default=None)


class Attribute(Table):
    """Links a taxonomy term to any HSDS object (here: a service to its categories)."""

    id = UUID(primary_key=True)
    link_id = Varchar(length=36, index=True)
    taxonomy_term = ForeignKey(references=TaxonomyTerm)
    link_type = Varchar(length=60, null=True, default=None)
    link_entity = Varchar(length=40, default="service")
    value = Varchar(length=200, null=True, default=None)


class ServiceTranslation(Table):
    """Lantern: a service's name and description in another language (HSDS 3.0 has one language per
    record; these travel as extra data). Missing translations fall back to English, marked as such."""

    id = UUID(primary_key=True)
    service = ForeignKey(references=Service, index=True)
    locale = Varchar(length=10)
    name = Varchar(length=300)
    description = Text(default="")


class ServiceClosure(Table):
    """Lantern: a day a service is closed (a holiday) although its weekly hours say open. HSDS 3.0 has
    no closed-day record; these are kept apart. The service is linked by id, not a foreign key, so a
    replacing HSDS import that brings the same service back keeps its closures."""

    id = UUID(primary_key=True)
    service = UUID(index=True)
    closed_on = Date()
    note = Varchar(length=200, null=True, default=None)


class ResourceChange(Table):
    """Lantern: every change staff make to a directory entry, with the entry before and after (JSON
    snapshots from web/resources/editing.py), so any change can be read back and undone. The service
    and staff member are kept by id (and the name as it was), so history outlives both."""

    id = Serial(primary_key=True)
    service = UUID(index=True)
    action = Varchar(length=20)
    staff_id = Integer(null=True, default=None)
    staff_name = Varchar(length=200, default="")
    created_at = Timestamptz()
    before = Text(null=True, default=None)
    after = Text(default="")
    undoes = Integer(null=True, default=None)


class SearchDocument(Table):
    """Lantern: the words of one service in one language, as full-text search reads them
    (web/resources/search_index.py). On SQLite an FTS5 table mirrors these rows (kept in step by
    triggers); on PostgreSQL a generated tsvector column with a GIN index does. Rebuilt from the
    directory at any time; never edited by hand."""

    id = Serial(primary_key=True)
    service = ForeignKey(references=Service, index=True)
    locale = Varchar(length=10)
    name = Text(default="")
    organization = Text(default="")
    needs = Text(default="")
    description = Text(default="")
