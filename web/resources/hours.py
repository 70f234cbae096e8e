"""Opening hours from HSDS weekly schedules: "open now" in the resource's own time zone."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_time, get_day_names

ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class WeeklyHours:
    days: tuple[int, ...]  # 0 = Monday
    opens: time
    closes: time  # may be earlier than opens: the span runs past midnight
    tz_name: str

    @property
    def all_day(self) -> bool:
        return self.opens == time(0, 0) and self.closes in (time(23, 59), time(0, 0))


def parse(byday: str, opens_at: str | None, closes_at: str | None, tz_name: str) -> WeeklyHours | None:
    if not opens_at or not closes_at:
        return None
    days = tuple(ICAL_DAYS.index(d.strip()) for d in byday.split(",") if d.strip() in ICAL_DAYS)
    return WeeklyHours(days, time.fromisoformat(opens_at), time.fromisoformat(closes_at), tz_name)


def always_open(spans: list[WeeklyHours]) -> bool:
    covered = {day for span in spans if span.all_day for day in span.days}
    return covered == set(range(7))


def is_open(spans: list[WeeklyHours], now: datetime, closed: Collection[date] = ()) -> bool:
    """True when `now` falls in any span; a span past midnight belongs to the day it started. Days in
    `closed` (holidays, in the service's own calendar) are closed whatever the weekly hours say."""
    for span in spans:
        local = now.astimezone(ZoneInfo(span.tz_name))
        for start_day in (local.date(), local.date() - timedelta(days=1)):
            if start_day.weekday() not in span.days or start_day in closed:
                continue
            start = datetime.combine(start_day, span.opens, tzinfo=local.tzinfo)
            end_day = start_day if span.closes > span.opens else start_day + timedelta(days=1)
            end = datetime.combine(end_day, span.closes, tzinfo=local.tzinfo)
            if span.all_day:
                end = datetime.combine(start_day + timedelta(days=1), time(0, 0), tzinfo=local.tzinfo)
            if start <= local < end:
                return True
    return False


def for_devices(spans: list[WeeklyHours], closed: Collection[date] = ()) -> str:
    """The schedule as the page's script reads it (static/js/lantern.js, isOpen), so a list kept on the
    device can still answer "open now" without the network: [[days], "HH:MM", "HH:MM", zone] per span."""
    return json.dumps(
        {
            "spans": [
                [list(s.days), s.opens.strftime("%H:%M"), s.closes.strftime("%H:%M"), s.tz_name]
                for s in spans
            ],
            "closed": sorted(day.isoformat() for day in closed),
        },
        separators=(",", ":"),
    )


def describe(spans: list[WeeklyHours], locale: str) -> list[str]:
    """Lines like "Mon–Fri 9:00 AM – 5:00 PM", in the reader's language."""
    names = get_day_names("abbreviated", locale=locale)
    lines = []
    for span in spans:
        days = _day_ranges(span.days, names)
        hours = "{} – {}".format(
            format_time(span.opens, format="short", locale=locale),
            format_time(span.closes, format="short", locale=locale),
        )
        lines.append(f"{days} {hours}")
    return lines


def _day_ranges(days: tuple[int, ...], names: Mapping[int, str]) -> str:
    ordered = sorted(set(days))
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [names[r[0]] if len(r) == 1 else f"{names[r[0]]}–{names[r[-1]]}" for r in runs]
    return ", ".join(parts)
