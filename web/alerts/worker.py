"""The background worker: moves call trees along and sends what waits in the alert outbox. It runs
inside the app process, never on a request; `wake()` after a commit makes it look at once (otherwise
it looks every second)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0

_wake: asyncio.Event | None = None


def wake() -> None:
    """Something was queued: look now (a no-op outside a running worker, e.g. in a CLI command)."""
    if _wake is not None:
        _wake.set()


async def tick(now: datetime | None = None) -> None:
    """One round: escalations that are due, then alerts that are due."""
    from web.alerts import escalation, outbox

    now = now or datetime.now(tz=UTC)
    await escalation.advance_due(now)
    await outbox.deliver_due(now)


async def run_forever() -> None:
    global _wake
    _wake = asyncio.Event()
    while True:
        _wake.clear()
        try:
            await tick()
        except Exception:  # a bad round is logged and retried; the worker must keep going
            log.exception("alert worker round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_wake.wait(), timeout=POLL_SECONDS)


class Worker:
    """Started and stopped with the app (web/app.py)."""

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(run_forever())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
