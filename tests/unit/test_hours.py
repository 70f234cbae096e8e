from datetime import UTC, datetime

from web.district.services import next_reading
from web.i18n import negotiate
from web.resources import hours

WEEKDAYS = hours.parse("MO,TU,WE,TH,FR", "09:00", "17:00", "America/Chicago")
OVERNIGHT = hours.parse("FR,SA", "20:00", "02:00", "America/Chicago")
ALL_DAY = hours.parse("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59", "America/Chicago")


def test_open_now_follows_the_local_clock_and_daylight_saving() -> None:
    assert WEEKDAYS is not None
    # Monday 2026-11-30 15:30 UTC is 09:30 in Chicago (CST, UTC-6): open.
    assert hours.is_open([WEEKDAYS], datetime(2026, 11, 30, 15, 30, tzinfo=UTC))
    # 14:30 UTC is 08:30 local: closed.
    assert not hours.is_open([WEEKDAYS], datetime(2026, 11, 30, 14, 30, tzinfo=UTC))
    # In July (CDT, UTC-5) 14:30 UTC is 09:30 local: open.
    assert hours.is_open([WEEKDAYS], datetime(2026, 7, 6, 14, 30, tzinfo=UTC))
    # Saturday: closed all day.
    assert not hours.is_open([WEEKDAYS], datetime(2026, 12, 5, 18, 0, tzinfo=UTC))


def test_spans_past_midnight_belong_to_the_day_they_start() -> None:
    assert OVERNIGHT is not None
    # Saturday 01:00 local (07:00 UTC) is inside Friday's 20:00-02:00.
    assert hours.is_open([OVERNIGHT], datetime(2026, 12, 5, 7, 0, tzinfo=UTC))
    # Monday 01:00 local: Sunday has no span.
    assert not hours.is_open([OVERNIGHT], datetime(2026, 11, 30, 7, 0, tzinfo=UTC))


def test_always_open_and_descriptions() -> None:
    assert ALL_DAY is not None and WEEKDAYS is not None
    assert hours.always_open([ALL_DAY])
    assert not hours.always_open([WEEKDAYS])
    assert hours.is_open([ALL_DAY], datetime(2026, 11, 29, 5, 59, tzinfo=UTC))
    assert hours.describe([WEEKDAYS], "en") == ["Mon–Fri 9:00\u202fAM – 5:00\u202fPM"]


def test_next_school_reading() -> None:
    school_hours = {d: ["07:30", "16:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    sunday_night = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # Sunday 21:00 in Chicago
    reading = next_reading(school_hours, "America/Chicago", sunday_night)
    assert not reading.now_open and reading.opens_at is not None
    assert (reading.opens_at.weekday(), reading.opens_at.hour, reading.opens_at.minute) == (0, 7, 30)
    assert next_reading(school_hours, "America/Chicago", datetime(2026, 11, 30, 15, 0, tzinfo=UTC)).now_open


def test_accept_language_negotiation() -> None:
    assert negotiate(None) == "en"
    assert negotiate("fr-FR;q=0.9, en;q=0.8") == "fr"
    assert negotiate("de-DE, es;q=0.5, en;q=0.3") == "es"
    assert negotiate("en;q=0.2, ar;q=0.9") == "ar"
    assert negotiate("xx") == "en"
