"""What the server writes to its log, and what it never writes.

A log line next to a report's time is enough to unmask a child in a small school: the server's output
(journald keeps it, with a time) never holds a client address, a query string, a token in a path,
anything from a form, or an exception's message (which may quote any of them). So:

- no access log (uvicorn's names the address, the port and the whole URL with its query);
- at `debug` a request line of method, route template (`/kiosk/enrol/{token}`), status and duration;
- an uncaught exception is logged with its type and where it was raised, never its message, and with
  the route template instead of the path;
- LANTERN_LOG_LEVEL sets Lantern's and the server's own loggers only; libraries stay at warnings
  (at debug, the database drivers print every query with its parameters).
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from litestar.exceptions import HTTPException
from litestar.logging.config import BaseLoggingConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

LEVELS = ("debug", "info", "warning", "error")
requests_logger = logging.getLogger("web.requests")
_exceptions_logger = logging.getLogger("web.errors")


class PrivateFormatter(logging.Formatter):
    """Tracebacks as frames and exception types only: a message may quote a query, a form or a token."""

    def formatException(self, ei: Any) -> str:
        kind, value, tb = ei
        return "\n".join(_frames(kind, value, tb))


def _frames(
    kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
) -> list[str]:
    lines = ["Traceback (most recent call last):"]
    lines += [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in traceback.extract_tb(tb)]
    name = f"{kind.__module__}.{kind.__qualname__}" if kind else "unknown"
    lines.append(f"{name} (its message is not logged)")
    cause = value and (value.__cause__ or value.__context__)
    if cause is not None:
        lines = [*_frames(type(cause), cause, cause.__traceback__), "", "Then:", *lines]
    return lines


def log_config(level: str) -> dict[str, Any]:
    """logging.config.dictConfig for `lantern serve` (uvicorn applies it in every worker process)."""
    upper = level.upper()
    quiet = {"level": "CRITICAL", "handlers": [], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "private": {
                "()": "web.logs.PrivateFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
            }
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "private", "stream": "ext://sys.stderr"}
        },
        "root": {"level": "WARNING", "handlers": ["stderr"]},
        "loggers": {
            "web": {"level": upper, "handlers": ["stderr"], "propagate": False},
            "uvicorn": {"level": upper, "handlers": ["stderr"], "propagate": False},
            "uvicorn.error": {"level": upper, "handlers": [], "propagate": True},
            "uvicorn.access": quiet,
            # Litestar's own exception lines name the path; ours (AppLogging) are written instead.
            "litestar": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
        },
    }


def _log_exception(_logger: Any, scope: Scope, _traceback: list[str]) -> None:
    kind, value, _tb = sys.exc_info()
    if isinstance(value, HTTPException) and value.status_code < 500:
        return  # a wrong address, a bad form: answered kindly, nothing went wrong here
    _exceptions_logger.error(
        "Uncaught %s in %s %s",
        kind.__qualname__ if kind else "exception",
        scope.get("method", scope["type"]),
        scope.get("path_template") or "(no route)",
        exc_info=True,
    )


@dataclass
class AppLogging(BaseLoggingConfig):
    """Litestar's logging: every server error logged by _log_exception, nothing else configured here
    (`lantern serve` sets up the handlers; under tests, whatever the test runner has)."""

    log_exceptions: Any = "always"
    exception_logging_handler: Any = _log_exception
    disable_stack_trace: set[Any] = field(default_factory=set)
    traceback_line_limit: int = -1

    def configure(self) -> Any:
        return logging.getLogger

    @staticmethod
    def set_level(logger: Any, level: int) -> None:
        logger.setLevel(level)


class RequestLog:
    """At debug: one line per request, with the route template in place of the path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not requests_logger.isEnabledFor(logging.DEBUG):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        method = scope.get("method", "")
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            requests_logger.debug(
                "%s %s %d %.0f ms",
                method,
                scope.get("path_template") or "(no route)",
                status,
                (time.perf_counter() - started) * 1000,
            )
