"""How a district is set up: its name, colours, emergency numbers, categories and schools."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Serial, Varchar
from piccolo.table import Table


class District(Table):
    """One row: the district this installation serves. Numbers are configurable per district."""

    id = Serial(primary_key=True)
    name = Varchar(length=200)
    short_name = Varchar(length=60)
    brand_color = Varchar(length=7, default="#1d4e89")
    emergency_number = Varchar(length=20, default="911")
    crisis_text_number = Varchar(length=20, default="741741")
    crisis_text_keyword = Varchar(length=20, default="HOME")
    crisis_text_keyword_es = Varchar(length=20, default="AYUDA")
    crisis_whatsapp = Varchar(length=30, default="442-AYUDAME")
    lifeline_number = Varchar(length=20, default="988")
    lifeline_chat_url = Varchar(length=200, default="https://988lifeline.org/chat/")
    # Category keys (see web/cases/categories.py) that reporters may choose from.
    enabled_categories = JSON(default=[])
    timezone = Varchar(length=64, default="America/Chicago")
    # Every staff account must use two-factor sign-in.
    require_two_factor = Boolean(default=False)


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
