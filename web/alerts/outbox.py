"""The alert outbox: rows written with the report or message that causes them, sent by the worker
(web/alerts/worker.py) with retries and backoff. A push service's 404 or 410 means the browser dropped
the subscription: the device is deleted."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio

from web.alerts import channels
from web.alerts.tables import Alert, PushDevice
from web.cases import sealing
from web.db import write_transaction
from web.settings import load_settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# While one worker sends an alert, no other picks it up; if the worker dies, it is sent after this.
LEASE = timedelta(minutes=2)
BATCH = 200
PARALLEL_SENDS = 20


@dataclass(frozen=True)
class Message:
    """What an alert says: never case content, only a category, a school and a link."""

    kind: str
    title: str
    body: str
    url: str


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s, ... up to an hour between tries."""
    return timedelta(seconds=min(3600, 2 ** max(1, attempts)))


async def queue_push(
    devices: list[PushDevice], message: Message, *, report_id: int | None, now: datetime
) -> int:
    return await _queue([("push", d.id, None) for d in devices], message, report_id, now)


async def queue_email(addresses: list[str], message: Message, *, report_id: int | None, now: datetime) -> int:
    if not load_settings().smtp_host:
        return 0
    return await _queue([("email", None, a) for a in addresses], message, report_id, now)


async def _queue(
    targets: list[tuple[str, int | None, str | None]], message: Message, report_id: int | None, now: datetime
) -> int:
    for channel, device_id, address in targets:
        await Alert(
            channel=channel,
            device=device_id,
            email=address,
            kind=message.kind,
            title=message.title,
            body=message.body,
            url=message.url,
            report=report_id,
            next_attempt_at=now,
            created_at=now,
        ).save()
    return len(targets)


async def _claim(now: datetime) -> list[Alert]:
    async with write_transaction(Alert._meta.db):
        query = (
            Alert.objects()
            .where(Alert.sent_at.is_null() & Alert.gave_up_at.is_null() & (Alert.next_attempt_at <= now))
            .order_by(Alert.id)
            .limit(BATCH)
        )
        if load_settings().uses_postgres:
            # Several app processes: each takes rows no other is taking (SQLite's IMMEDIATE
            # transaction already lets only one writer in at a time).
            query = query.lock_rows("UPDATE", skip_locked=True)
        due = await query
        if due:
            await Alert.update({Alert.next_attempt_at: now + LEASE}).where(
                Alert.id.is_in([a.id for a in due])
            )
    return due


async def deliver_due(now: datetime | None = None) -> int:
    """Send every alert that is due; returns how many were delivered."""
    now = now or datetime.now(tz=UTC)
    due = await _claim(now)
    if not due:
        return 0
    device_ids = [a.device for a in due if a.device]
    # Opened to send; the endpoint and keys are sealed at rest.
    found = (
        sealing.open_rows(PushDevice, await PushDevice.objects().where(PushDevice.id.is_in(device_ids)))
        if device_ids
        else []
    )
    devices = {d.id: d for d in found}
    limiter = anyio.CapacityLimiter(PARALLEL_SENDS)
    outcomes: dict[int, channels.Outcome] = {}

    async def send(alert: Alert) -> None:
        device = devices.get(alert.device) if alert.device else None
        if alert.channel == "push" and device is None:
            outcomes[alert.id] = channels.Outcome.GONE
            return
        outcomes[alert.id] = await anyio.to_thread.run_sync(channels.send, alert, device, limiter=limiter)

    async with anyio.create_task_group() as group:
        for alert in due:
            group.start_soon(send, alert)
    return await _record(due, outcomes, datetime.now(tz=UTC))


async def _record(due: list[Alert], outcomes: dict[int, channels.Outcome], now: datetime) -> int:
    delivered = 0
    async with write_transaction(Alert._meta.db):
        for alert in due:
            outcome = outcomes.get(alert.id, channels.Outcome.RETRY)
            if outcome is channels.Outcome.SENT:
                delivered += 1
                await Alert.update({Alert.sent_at: now, Alert.attempts: alert.attempts + 1}).where(
                    Alert.id == alert.id
                )
                if alert.device:
                    await PushDevice.update({PushDevice.last_sent_at: now}).where(
                        PushDevice.id == alert.device
                    )
            elif outcome is channels.Outcome.GONE:
                # The browser unsubscribed (or the device was removed): forget it and its alerts.
                if alert.device:
                    await PushDevice.delete().where(PushDevice.id == alert.device)
                await Alert.update({Alert.gave_up_at: now, Alert.last_error: "subscription gone"}).where(
                    Alert.id == alert.id
                )
            else:
                attempts = alert.attempts + 1
                values = {Alert.attempts: attempts, Alert.next_attempt_at: now + backoff(attempts)}
                if attempts >= MAX_ATTEMPTS:
                    values[Alert.gave_up_at] = now
                    log.warning("gave up alert %s after %s attempts", alert.id, attempts)
                await Alert.update(values).where(Alert.id == alert.id)  # type: ignore[arg-type]
    return delivered
