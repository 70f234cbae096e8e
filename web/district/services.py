"""Reading the district's configuration: its settings, its schools and their hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from web.district.tables import District, School

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


_last_seen: list[District] = []


async def get_district() -> District:
    """The one district row. The app creates it at start, so it is always there."""
    district = await District.objects().output(load_json=True).first()
    if district is None:
        raise LookupError("No district is configured; run `lantern migrate` first.")
    _last_seen[:] = [district]
    return district


def last_seen_district() -> District:
    """The district as last read, for the places that cannot wait on the database (error pages)."""
    return _last_seen[0] if _last_seen else District(name="Lantern", short_name="Lantern")


def enabled_keys(district: District) -> list[str]:
    """The district's enabled category keys (a JSON column, loaded by the queries here)."""
    keys: Any = district.enabled_categories
    return list(keys) if isinstance(keys, list) else []


def weekly_hours(school: School) -> dict[str, list[str]]:
    hours: Any = school.hours
    return dict(hours) if isinstance(hours, dict) else {}


async def list_schools() -> list[School]:
    return (
        await School.objects()
        .output(load_json=True)
        .where(School.active == True)
        .order_by(School.sort_order, School.name)
    )


async def school_by_slug(slug: str) -> School | None:
    return await School.objects().output(load_json=True).where(School.slug == slug).first()


async def ensure_district() -> District:
    """Create an empty district on first start so every page has its settings to read."""
    district = await District.objects().first()
    if district is None:
        district = District(name="Lantern", short_name="Lantern", enabled_categories=[])
        await district.save()
    return district


@dataclass(frozen=True)
class NextReading:
    """When a school's staff will likely read a report sent now."""

    now_open: bool
    opens_at: datetime | None


def next_reading(hours: dict[str, list[str]], tz_name: str, now: datetime) -> NextReading:
    """From a school's weekly hours: is it open now, and if not, when does it next open."""
    zone = ZoneInfo(tz_name)
    local = now.astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        span = hours.get(WEEKDAYS[day.weekday()])
        if not span:
            continue
        opens = datetime.combine(day, time.fromisoformat(span[0]), tzinfo=zone)
        closes = datetime.combine(day, time.fromisoformat(span[1]), tzinfo=zone)
        if offset == 0 and opens <= local < closes:
            return NextReading(now_open=True, opens_at=None)
        if local < opens:
            return NextReading(now_open=False, opens_at=opens)
    return NextReading(now_open=False, opens_at=None)
