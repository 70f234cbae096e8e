"""Open now, in each resource's own time zone, across the 2026 US daylight-saving changes.

2026: clocks spring forward on Sunday March 8 at 02:00 local and fall back on Sunday November 1 at
02:00 local. Arizona (America/Phoenix) does not change.
"""

from __future__ import annotations

from datetime import UTC, datetime

from web.resources import hours


def span(byday: str, opens: str, closes: str, tz: str) -> hours.WeeklyHours:
    parsed = hours.parse(byday, opens, closes, tz)
    assert parsed is not None
    return parsed


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


WEEKDAYS_NY = span("MO,TU,WE,TH,FR", "09:00", "17:00", "America/New_York")
WEEKDAYS_CHICAGO = span("MO,TU,WE,TH,FR", "09:00", "17:00", "America/Chicago")
WEEKDAYS_PHOENIX = span("MO,TU,WE,TH,FR", "09:00", "17:00", "America/Phoenix")
WEEKDAYS_LA = span("MO,TU,WE,TH,FR", "09:00", "17:00", "America/Los_Angeles")


def test_the_same_utc_hour_opens_only_after_the_spring_change() -> None:
    # Friday March 6, 13:30 UTC is 08:30 EST (UTC-5): not yet open.
    assert not hours.is_open([WEEKDAYS_NY], utc(3, 6, 13, 30))
    # Monday March 9, 13:30 UTC is 09:30 EDT (UTC-4): open.
    assert hours.is_open([WEEKDAYS_NY], utc(3, 9, 13, 30))
    # Phoenix keeps UTC-7: 16:30 UTC is 09:30 on both days.
    assert hours.is_open([WEEKDAYS_PHOENIX], utc(3, 6, 16, 30))
    assert hours.is_open([WEEKDAYS_PHOENIX], utc(3, 9, 16, 30))
    # ...and 15:30 UTC is 08:30 on both days.
    assert not hours.is_open([WEEKDAYS_PHOENIX], utc(3, 9, 15, 30))


def test_the_same_utc_hour_closes_after_the_autumn_change() -> None:
    # Friday October 30, 14:30 UTC is 09:30 CDT (UTC-5): open.
    assert hours.is_open([WEEKDAYS_CHICAGO], utc(10, 30, 14, 30))
    # Monday November 2, 14:30 UTC is 08:30 CST (UTC-6): closed.
    assert not hours.is_open([WEEKDAYS_CHICAGO], utc(11, 2, 14, 30))
    # Closing follows the local clock too: 22:30 UTC is 17:30 CDT (closed) then 16:30 CST (open).
    assert not hours.is_open([WEEKDAYS_CHICAGO], utc(10, 30, 22, 30))
    assert hours.is_open([WEEKDAYS_CHICAGO], utc(11, 2, 22, 30))


def test_one_instant_in_several_time_zones() -> None:
    instant = utc(3, 9, 13, 30)  # Monday: 09:30 New York, 08:30 Chicago, 06:30 Phoenix and Los Angeles
    assert hours.is_open([WEEKDAYS_NY], instant)
    assert not hours.is_open([WEEKDAYS_CHICAGO], instant)
    assert not hours.is_open([WEEKDAYS_PHOENIX], instant)
    assert not hours.is_open([WEEKDAYS_LA], instant)
    # Any one span open is enough.
    assert hours.is_open([WEEKDAYS_CHICAGO, WEEKDAYS_NY], instant)
    later = utc(11, 2, 23, 30)  # Monday after the change: 18:30 New York, 17:30 Chicago, 15:30 LA
    assert not hours.is_open([WEEKDAYS_NY], later)
    assert not hours.is_open([WEEKDAYS_CHICAGO], later)
    assert hours.is_open([WEEKDAYS_LA], later)
    assert hours.is_open([WEEKDAYS_PHOENIX], later)  # 16:30 MST


def test_overnight_span_through_the_spring_forward_night() -> None:
    overnight = span("SA", "22:00", "06:00", "America/Chicago")
    # Saturday March 7, 23:00 CST = 05:00 UTC Sunday: open.
    assert hours.is_open([overnight], utc(3, 8, 5, 0))
    # 01:59 CST = 07:59 UTC; one minute later it is 03:00 CDT (08:00 UTC): still open.
    assert hours.is_open([overnight], utc(3, 8, 7, 59))
    assert hours.is_open([overnight], utc(3, 8, 8, 0))
    # 05:59 CDT = 10:59 UTC open; 06:00 CDT = 11:00 UTC closed (one hour shorter night, by the clock).
    assert hours.is_open([overnight], utc(3, 8, 10, 59))
    assert not hours.is_open([overnight], utc(3, 8, 11, 0))


def test_span_that_starts_in_the_skipped_hour() -> None:
    early = span("SU", "02:30", "04:00", "America/Chicago")
    # 02:30 does not exist on March 8; 03:15 CDT (08:15 UTC) is inside 02:30-04:00 by the clock.
    assert hours.is_open([early], utc(3, 8, 8, 15))
    assert not hours.is_open([early], utc(3, 8, 9, 0))  # 04:00 CDT


def test_overnight_span_through_the_repeated_autumn_hour() -> None:
    overnight = span("SA", "20:00", "02:00", "America/Chicago")
    # Sunday November 1: 01:30 CDT is 06:30 UTC, 01:30 CST (the hour again) is 07:30 UTC: open both times.
    assert hours.is_open([overnight], utc(11, 1, 6, 30))
    assert hours.is_open([overnight], utc(11, 1, 7, 30))
    # 02:00 CST = 08:00 UTC: closed.
    assert not hours.is_open([overnight], utc(11, 1, 8, 0))
    # Saturday 19:59 CDT = 00:59 UTC: not yet.
    assert not hours.is_open([overnight], utc(11, 1, 0, 59))


def test_always_open_through_both_changes() -> None:
    all_day = span("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59", "America/Denver")
    for instant in (
        utc(3, 8, 8, 59),
        utc(3, 8, 9, 0),
        utc(3, 8, 9, 30),
        utc(11, 1, 7, 30),
        utc(11, 1, 8, 30),
    ):
        assert hours.is_open([all_day], instant), instant


def test_a_holiday_closure_closes_a_day_the_weekly_hours_say_open() -> None:
    from datetime import UTC, date, datetime

    from web.resources import hours

    spans = [hours.parse("MO,TU,WE,TH,FR", "09:00", "17:00", "America/Chicago")]
    spans = [s for s in spans if s]
    thanksgiving_noon = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)  # Thursday, 12:00 in Chicago
    assert hours.is_open(spans, thanksgiving_noon)
    assert not hours.is_open(spans, thanksgiving_noon, closed={date(2026, 11, 26)})
    assert hours.is_open(spans, datetime(2026, 11, 27, 18, 0, tzinfo=UTC), closed={date(2026, 11, 26)})
