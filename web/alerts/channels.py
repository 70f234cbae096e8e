"""Sending one alert: web push (pywebpush: aes128gcm encryption, VAPID signature) or email (SMTP).
Runs in a worker thread; never on a request."""

from __future__ import annotations

import enum
import json
import logging
import smtplib
import threading
import time
from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests
from pywebpush import WebPushException, webpush

from web.alerts import endpoints, vapid
from web.i18n import gettext
from web.settings import load_settings

if TYPE_CHECKING:
    from web.alerts.tables import Alert, PushDevice

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
# A push older than this is not worth showing (the queue and email still have it).
PUSH_TTL_SECONDS = 24 * 3600


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"
    GONE = "gone"  # the subscription no longer exists: delete the device


def send(alert: Alert, device: PushDevice | None) -> Outcome:
    try:
        if alert.channel == "push" and device is not None:
            return _push(alert, device)
        if alert.channel == "email" and alert.email:
            return _email(alert)
    except Exception:  # a bad device or server must not stop the others; the alert is retried
        log.exception("alert %s failed", alert.id)
        return Outcome.RETRY
    return Outcome.GONE


def payload(alert: Alert) -> str:
    """What the service worker shows: a title, a line without case content, and where a click goes."""
    return json.dumps(
        {"title": alert.title, "body": alert.body, "url": alert.url, "tag": f"lantern-{alert.kind}"}
    )


# One VAPID token per push service, reused until an hour before it expires (signing one per message
# would cost an ECDSA signature each), and one HTTP session per sending thread (kept-alive connections).
VAPID_TOKEN_SECONDS = 12 * 3600
_tokens: dict[str, tuple[float, dict[str, str]]] = {}
_tokens_lock = threading.Lock()
_sessions = threading.local()


def vapid_headers(endpoint: str, now: float | None = None) -> dict[str, str]:
    parts = urlsplit(endpoint)
    audience = f"{parts.scheme}://{parts.netloc}"
    now = now or time.time()
    with _tokens_lock:
        cached = _tokens.get(audience)
        if cached and cached[0] - now > 3600:
            return cached[1]
        expires = int(now) + VAPID_TOKEN_SECONDS
        claims = {"sub": load_settings().vapid_subject, "aud": audience, "exp": expires}
        headers = {str(k): str(v) for k, v in vapid.signer().sign(claims).items()}
        _tokens[audience] = (expires, headers)
        return headers


def _session() -> requests.Session:
    session = getattr(_sessions, "session", None)
    if session is None:
        session = _sessions.session = endpoints.session()
    return session


def _push(alert: Alert, device: PushDevice) -> Outcome:
    if not endpoints.reachable(device.endpoint):
        # Saved before the endpoint rules were this strict, or its name now points inside a network.
        log.warning("device %s is not at a public push service: dropped", device.id)
        return Outcome.GONE
    try:
        webpush(
            subscription_info={
                "endpoint": device.endpoint,
                "keys": {"p256dh": device.p256dh, "auth": device.auth},
            },
            data=payload(alert),
            timeout=TIMEOUT_SECONDS,
            ttl=PUSH_TTL_SECONDS,
            headers={
                "Urgency": "high" if alert.kind in ("life_safety", "escalation") else "normal",
                **vapid_headers(device.endpoint),
            },
            requests_session=_session(),
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in (404, 410):
            return Outcome.GONE
        log.warning("push to device %s failed: %s", device.id, status)
        return Outcome.RETRY
    return Outcome.SENT


def _email(alert: Alert) -> Outcome:
    settings = load_settings()
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = alert.email
    message["Subject"] = alert.title
    link = alert.url if alert.url.startswith("http") else settings.public_url + alert.url
    open_it = gettext("Open it in Lantern:")
    no_details = gettext("This alert has no case details on purpose. Sign in to read the report.")
    message.set_content(f"{alert.body}\n\n{open_it} {link}\n\n{no_details}")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
    return Outcome.SENT
