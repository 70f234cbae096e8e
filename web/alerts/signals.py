"""Reply signals for reporters (opt-in, default off): a reporter using the installed app may ask for a
content-free notice ("You have a new message in Lantern") for one case.

The page that shows the case (receipt or /check, never cached) carries a signed token naming the case
for a short while; with it the device may turn the notice on or off. The token says nothing about the
report and cannot open it; the receipt code never leaves the POST body that opened the case.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid

from web.alerts.devices import endpoint_hash, save_device
from web.alerts.tables import PushDevice
from web.cases.tables import Report
from web.secrets_store import installation_secret

TOKEN_SECONDS = 2 * 3600


def _sign(text: str) -> str:
    key = installation_secret("signal_secret", "LANTERN_SIGNAL_SECRET")
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def token_for(report: Report, now: float | None = None) -> str:
    expires = int((now or time.time()) + TOKEN_SECONDS)
    text = f"{report.public_id}.{expires}"
    return f"{text}.{_sign(text)}"


async def report_for(token: str, now: float | None = None) -> Report | None:
    """The open case a token names, while it is valid."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3 or not hmac.compare_digest(_sign(f"{parts[0]}.{parts[1]}"), parts[2]):
        return None
    if not parts[1].isdigit() or int(parts[1]) < (now or time.time()):
        return None
    try:
        public_id = uuid.UUID(parts[0])
    except ValueError:
        return None
    report = await Report.objects().where(Report.public_id == public_id).first()
    return report if report is not None and report.status != "closed" else None


async def turn_on(report: Report, subscription: object) -> None:
    await save_device(staff_id=None, report_id=report.id, data=subscription)


async def turn_off(report: Report, endpoint: str) -> None:
    await PushDevice.delete().where(
        (PushDevice.report == report.id) & (PushDevice.endpoint_hash == endpoint_hash(endpoint))
    )
