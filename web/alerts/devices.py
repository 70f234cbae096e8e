"""Push devices: the browsers that show alerts (staff) or a reply signal (a reporter, one case)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import ValidationException

from web.alerts import endpoints, vapid
from web.alerts.tables import AlertPreference, PushDevice
from web.cases import sealing
from web.secrets_store import installation_secret
from web.staff.tables import StaffAccount

MAX_DEVICES = 10


async def alerts_context(account: StaffAccount) -> dict[str, Any]:
    """What the account page shows about alerts."""
    preference = await AlertPreference.objects().where(AlertPreference.staff == account.id).first()
    return {
        "devices": await PushDevice.objects()
        .where(PushDevice.staff == account.id)
        .order_by(PushDevice.created_at),
        "every_new_report": bool(preference and preference.every_new_report),
        "vapid_public_key": vapid.public_key(),
    }


def endpoint_hash(endpoint: str) -> str:
    """What finds a device by its endpoint, which is sealed: a keyed hash (HMAC-SHA256), so a copy of
    the database cannot test a guessed endpoint against it."""
    key = installation_secret("push_lookup_secret", "LANTERN_PUSH_LOOKUP_SECRET")
    return hmac.new(key, endpoint.encode(), hashlib.sha256).hexdigest()


def push_service_allowed(endpoint: str) -> bool:
    """Only the browsers' push services: a made-up "subscription" cannot turn the server into a tool
    for reaching other hosts (web/alerts/endpoints.py)."""
    return endpoints.allowed(endpoint)


def _subscription(data: Any) -> tuple[str, str, str, str]:
    """(endpoint, p256dh, auth, label) from a browser's PushSubscription.toJSON(), checked."""
    if not isinstance(data, dict):
        raise ValidationException("expected a subscription")
    raw_keys = data.get("keys")
    keys: dict[str, Any] = raw_keys if isinstance(raw_keys, dict) else {}
    endpoint, p256dh, auth = (
        str(data.get("endpoint", "")),
        str(keys.get("p256dh", "")),
        str(keys.get("auth", "")),
    )
    if not push_service_allowed(endpoint):
        raise ValidationException("not a known push service")
    if not (0 < len(p256dh) <= 200 and 0 < len(auth) <= 100):
        raise ValidationException("missing keys")
    return endpoint, p256dh, auth, str(data.get("label", ""))[:100]


async def save_device(*, staff_id: int | None, report_id: int | None, data: Any) -> PushDevice:
    """Add a subscription, or move it to this owner if the browser already had one there."""
    endpoint, p256dh, auth, label = _subscription(data)
    now = datetime.now(tz=UTC)
    await PushDevice.delete().where(PushDevice.endpoint_hash == endpoint_hash(endpoint))
    device = PushDevice(
        **sealing.sealed_fields(
            PushDevice,
            staff=staff_id,
            report=report_id,
            endpoint=endpoint,
            endpoint_hash=endpoint_hash(endpoint),
            p256dh=p256dh,
            auth=auth,
            label=label,
            created_at=now,
        )
    )
    await device.save()
    return device
