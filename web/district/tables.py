"""How a district is set up: its name, colours, emergency numbers, categories and schools."""

from piccolo.columns import JSON, Boolean, Float, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class District(Table):
    """One row: the district this installation serves. Numbers are configurable per district."""

    id = Serial(primary_key=True)
    name = Varchar(length=200)
    short_name = Varchar(length=60)
    brand_color = Varchar(length=7, default="#1d4e89")
    emergency_number = Varchar(length=20, default="911")
    # The national lines' defaults, as the services' own public pages give them (read there before;
    # checked again on 2026-12-06 against those pages as known then, without a network: confirm each
    # against the live page before a release).
    # Crisis Text Line, https://www.crisistextline.org/ : text HOME to 741741 (US), free, 24/7; in
    # Spanish text AYUDA to 741741 or WhatsApp 442-AYUDAME (the keypad letters are 442-298-3263).
    # Texting needs a phone plan: Chromebooks and most iPads cannot text a short code.
    crisis_text_number = Varchar(length=20, default="741741")
    crisis_text_keyword = Varchar(length=20, default="HOME")
    crisis_text_keyword_es = Varchar(length=20, default="AYUDA")
    crisis_whatsapp = Varchar(length=30, default="442-AYUDAME")
    # 988 Suicide & Crisis Lifeline, https://988lifeline.org/ : call or text 988, or chat at
    # https://988lifeline.org/chat/ in a web browser (no phone needed), 24/7; on a call press 1 for
    # the Veterans Crisis Line, 2 for Spanish; interpreters in more than 240 languages on calls only
    # (988lifeline.org, "Talk to someone now" and its FAQ on languages; same check as above).
    lifeline_number = Varchar(length=20, default="988")
    lifeline_chat_url = Varchar(length=200, default="https://988lifeline.org/chat/")
    # The police's non-emergency line, for neighbours whose concern is not happening right now.
    police_non_emergency_number = Varchar(length=20, default="")
    # Shown to staff on every life-safety case: who to call first, in the district's own words.
    life_safety_protocol = Varchar(length=1000, default="")
    # Category keys (see web/cases/categories.py) that reporters may choose from.
    enabled_categories = JSON(default=[])
    timezone = Varchar(length=64, default="America/Chicago")
    # Every staff account must use two-factor sign-in.
    require_two_factor = Boolean(default=False)
    # Closed cases are purged this many days after closing (0: never), unless a legal hold keeps them.
    retention_days = Integer(default=365)


class School(Table):
    """A school reporters can name, with the hours its staff read reports."""

    id = Serial(primary_key=True)
    district = ForeignKey(references=District)
    slug = Varchar(length=60, unique=True)
    name = Varchar(length=200)
    timezone = Varchar(length=64, default="America/Chicago")
    # {"mon": ["07:30", "16:00"], ...}; days missing are closed.
    hours = JSON(default={})
    sort_order = Integer(default=0)
    active = Boolean(default=True)
    # Where the school is, for "nearest to my school" in the directory (no geocoding at run time).
    latitude = Float(null=True, default=None)
    longitude = Float(null=True, default=None)
    # The school resource officer, on the protocol card of the school's life-safety cases.
    resource_officer_name = Varchar(length=100, default="")
    resource_officer_phone = Varchar(length=20, default="")


class Kiosk(Table):
    """A shared device (a counselor's office, the library) enrolled to one school.

    The device keeps only its token (in a cookie) and learns its school from us; we keep only the
    token's SHA-256, so a copy of the database cannot enrol a device.
    """

    id = Serial(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    school = ForeignKey(references=School)
    label = Varchar(length=100)
    # Seconds without input before the countdown to a full reset starts.
    idle_seconds = Integer(default=60)
    # The language the kiosk starts in, and returns to after each reset.
    locale = Varchar(length=20, default="en")
    # The enrolment link works until a device uses it (or it expires); then only that device has it.
    enrolled_at = Timestamptz(null=True, default=None)
    enrol_by = Timestamptz()
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
