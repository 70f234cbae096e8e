"""One instance of an asyncio primitive per event loop.

Locks and limiters belong to the loop that first waits on them. A server process has one loop, but a
module-level lock would break (or hang, if left held) wherever a new loop runs the same code: each test,
each `asyncio.run` of a command."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

T = TypeVar("T")


class PerLoop(Generic[T]):
    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._instances: WeakKeyDictionary[asyncio.AbstractEventLoop, T] = WeakKeyDictionary()

    def get(self) -> T:
        """The instance for the running loop, made on first use."""
        loop = asyncio.get_running_loop()
        instance = self._instances.get(loop)
        if instance is None:
            instance = self._instances[loop] = self._factory()
        return instance
