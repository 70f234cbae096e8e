"""Kiosks: shared devices enrolled to a school by a link an admin makes in the console.

The link carries a one-time token; opening it on a device swaps it for a new device token kept only
in that device's cookie, so the link cannot enrol a second device. We store SHA-256 hashes only.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from web.district.tables import Kiosk, School
from web.i18n import AVAILABLE_LOCALES

ENROL_WITHIN = timedelta(days=7)
IDLE_CHOICES = (30, 60, 90, 120, 180, 300)
# How long a device keeps its kiosk token (re-enrol after that, or revoke sooner in the console).
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600


@dataclass(frozen=True)
class KioskView:
    """What a page needs to know about the kiosk it is shown on."""

    id: int
    label: str
    school_slug: str
    school_name: str
    idle_seconds: int
    locale: str


SCOPE_KEY = "lantern.kiosk"


def kiosk_of(scope: Any) -> KioskView | None:
    """The kiosk a request comes from, if any (noted before routing by web.help.kiosk.recognise)."""
    value = scope.get("state", {}).get(SCOPE_KEY)
    return value if isinstance(value, KioskView) else None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(tz=UTC)


async def create(school: School, label: str, idle_seconds: int, locale: str) -> str:
    """A new kiosk; returns the enrolment token (shown once, as a link)."""
    token = secrets.token_urlsafe(32)
    now = _now()
    await Kiosk(
        token_hash=_hash(token),
        school=school.id,
        label=label.strip()[:100],
        idle_seconds=idle_seconds if idle_seconds in IDLE_CHOICES else 60,
        locale=locale if locale in AVAILABLE_LOCALES else "en",
        enrol_by=now + ENROL_WITHIN,
        created_at=now,
    ).save()
    return token


async def pending(token: str) -> Kiosk | None:
    """The kiosk an enrolment link is for, while the link still works."""
    kiosk = await Kiosk.objects().where(Kiosk.token_hash == _hash(token)).first()
    if kiosk is None or kiosk.revoked_at is not None or kiosk.enrolled_at is not None:
        return None
    return kiosk if kiosk.enrol_by > _now() else None


async def enrol(token: str) -> str | None:
    """Bind the device: the link's token is replaced by a device token, which is returned."""
    kiosk = await pending(token)
    if kiosk is None:
        return None
    device_token = secrets.token_urlsafe(32)
    updated = (
        await Kiosk.update({Kiosk.token_hash: _hash(device_token), Kiosk.enrolled_at: _now()})
        .where((Kiosk.id == kiosk.id) & Kiosk.enrolled_at.is_null())
        .returning(Kiosk.id)
    )
    return device_token if updated else None


_views: dict[str, tuple[float, KioskView | None]] = {}
_VIEW_SECONDS = 30.0


async def for_device(device_token: str | None) -> KioskView | None:
    """The kiosk a device token belongs to (cached briefly: every page on a kiosk asks)."""
    if not device_token or len(device_token) > 100:
        return None
    key = _hash(device_token)
    cached = _views.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    row = (
        await Kiosk.select(
            Kiosk.id, Kiosk.label, Kiosk.idle_seconds, Kiosk.locale, Kiosk.school.slug, Kiosk.school.name
        )
        .where((Kiosk.token_hash == key) & Kiosk.revoked_at.is_null() & Kiosk.enrolled_at.is_not_null())
        .first()
    )
    view = (
        KioskView(
            id=row["id"],
            label=row["label"],
            school_slug=row["school.slug"],
            school_name=row["school.name"],
            idle_seconds=row["idle_seconds"],
            locale=row["locale"],
        )
        if row
        else None
    )
    _views[key] = (time.monotonic() + _VIEW_SECONDS, view)
    return view


def forget_cached() -> None:
    _views.clear()


async def list_for(school_ids: list[int] | None) -> list[dict[str, object]]:
    """Kiosks of these schools (None: every school), newest first."""
    query = Kiosk.select(*Kiosk.all_columns(), Kiosk.school.name.as_alias("school_name")).order_by(
        Kiosk.created_at, ascending=False
    )
    if school_ids is not None:
        query = query.where(Kiosk.school.is_in(school_ids or [-1]))
    return list(await query)


async def revoke(kiosk_id: int) -> None:
    await Kiosk.update({Kiosk.revoked_at: _now()}).where(Kiosk.id == kiosk_id)
    forget_cached()
