"""Live updates for staff pages: events published through Litestar channels, read as server-sent
events. The in-memory backend serves one process (the embedded default)."""

from __future__ import annotations

import json
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend

CHANNEL = "cases"
_plugin: list[ChannelsPlugin] = []


def build_channels() -> ChannelsPlugin:
    plugin = ChannelsPlugin(backend=MemoryChannelsBackend(history=0), channels=[CHANNEL])
    _plugin[:] = [plugin]
    return plugin


def publish(kind: str, *, case: str, school_id: int | None, life_safety: bool = False) -> None:
    """Tell open staff pages a case changed. Carries no case content: ids and a kind only."""
    if not _plugin:
        return
    event: dict[str, Any] = {"kind": kind, "case": case, "school": school_id, "life_safety": life_safety}
    _plugin[0].publish(json.dumps(event), channels=[CHANNEL])
