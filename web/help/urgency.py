"""What a receipt puts first: what to do now, and a truthful word on who hears of the report and when.

The words follow the risk and the hour. A life-safety report, a self-harm worry, or anything sent while
the school is closed opens with what to do now (911, a counselor at any hour, or for neighbours the
police); the promise about alerts comes from web/alerts/escalation.py, which does the alerting.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from web.alerts import escalation
from web.cases.tables import Report
from web.district.services import NextReading
from web.district.tables import School


def event_before(report: Report, event_date: str, school: School | None, reading: NextReading | None) -> bool:
    """An event on or before the day staff would next read a report sent now (a Friday night game,
    read on Monday): the reporter is told not to count on the school hearing in time."""
    if report.place != "event" or not event_date or (reading is not None and reading.now_open):
        return False
    try:
        day = date.fromisoformat(event_date)
    except ValueError:
        return False
    if reading is None or reading.opens_at is None:
        return True
    return day <= reading.opens_at.astimezone(ZoneInfo(school.timezone if school else "UTC")).date()


async def receipt_context(
    report: Report, event_date: str, school: School | None, reading: NextReading | None
) -> dict[str, Any]:
    after_hours = reading is None or not reading.now_open
    return {
        "promise": await escalation.promise(report),
        "now_first": report.life_safety or report.category == "self_harm" or after_hours,
        "event_before_reading": event_before(report, event_date, school, reading),
    }
