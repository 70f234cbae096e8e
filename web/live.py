"""Live updates for staff pages: events published through Litestar channels, read as server-sent
events. The in-memory backend serves one process (the embedded default)."""

from __future__ import annotations

import json
import logging
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend

CHANNEL = "cases"
logger = logging.getLogger(__name__)
_plugin: list[ChannelsPlugin] = []


def build_channels() -> ChannelsPlugin:
    return ChannelsPlugin(backend=MemoryChannelsBackend(history=0), channels=[CHANNEL])


def activate(plugin: ChannelsPlugin) -> None:
    """Called when the app has started: from now on, changes are published through this plugin."""
    _plugin[:] = [plugin]


def deactivate(plugin: ChannelsPlugin) -> None:
    if _plugin and _plugin[0] is plugin:
        _plugin.clear()


def publish(kind: str, *, case: str, school_id: int | None, life_safety: bool = False) -> None:
    """Tell open staff pages a case changed. Carries no case content: ids and a kind only."""
    if not _plugin:
        return
    event: dict[str, Any] = {"kind": kind, "case": case, "school": school_id, "life_safety": life_safety}
    try:
        _plugin[0].publish(json.dumps(event), channels=[CHANNEL])
    except RuntimeError:
        # A live update is a courtesy: the change is stored, and pages re-sync when they reconnect.
        logger.warning("live update not published", exc_info=True)
