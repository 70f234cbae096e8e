"""A push service on 127.0.0.1, standing in for the browsers' (FCM, Mozilla, Apple) at the edge of
the world. Each subscription is made the way a browser makes one (a P-256 key pair and an auth
secret); every message received is checked as a real push service and browser would: the VAPID
signature (ES256 JWT, RFC 8292) against the key sent with it, and the payload decrypted (aes128gcm,
RFC 8291) with the subscription's private key."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscription:
    """What a browser keeps (private key) and what it gives the server (endpoint, p256dh, auth)."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64(point)

    def as_json(self, label: str = "Test browser") -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": self.p256dh, "auth": b64(self.auth)},
            "label": label,
        }


@dataclass
class Received:
    subscription_id: str
    payload: dict[str, Any]
    vapid_subject: str
    vapid_key: str
    urgency: str | None
    at: float


def verify_vapid(header: str, audience: str) -> tuple[str, str]:
    """(subject, public key) from a valid `vapid t=<jwt>, k=<key>` header; AssertionError otherwise."""
    assert header.startswith("vapid "), header
    parts = dict(part.strip().split("=", 1) for part in header[len("vapid ") :].split(","))
    token, key = parts["t"], parts["k"]
    head, body, signature = token.split(".")
    assert json.loads(unb64(head)) == {"typ": "JWT", "alg": "ES256"}
    claims = json.loads(unb64(body))
    assert claims["aud"] == audience, (claims, audience)
    assert claims["exp"] > time.time() and claims["exp"] <= time.time() + 24 * 3600 + 60
    assert claims["sub"].startswith(("mailto:", "https:"))
    raw = unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
    public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    return str(claims["sub"]), key


@dataclass
class PushService:
    """Start with `.start()`; `.subscribe()` gives a browser-like subscription; `.received` fills in."""

    status: int = 201
    received: list[Received] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)  # per subscription, e.g. 410 for "gone"
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def origin(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def subscribe(self) -> Subscription:
        sid = b64(os.urandom(9))
        subscription = Subscription(
            endpoint=f"{self.origin}/push/{sid}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=os.urandom(16),
        )
        self.subscriptions[sid] = subscription
        return subscription

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not self.errors, self.errors
        return list(self.received)

    def start(self) -> PushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real push services

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                sid = self.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = service.statuses.get(sid, service.status)
                try:
                    subscription = service.subscriptions[sid]
                    assert self.headers.get("Content-Encoding") == "aes128gcm"
                    assert int(self.headers.get("TTL", "-1")) >= 0
                    subject, key = verify_vapid(self.headers.get("Authorization", ""), service.origin)
                    plain = http_ece.decrypt(
                        body,
                        private_key=subscription.private_key,
                        auth_secret=subscription.auth,
                        version="aes128gcm",
                    )
                    if status < 300:
                        with service._lock:
                            service.received.append(
                                Received(
                                    sid,
                                    json.loads(plain),
                                    subject,
                                    key,
                                    self.headers.get("Urgency"),
                                    time.monotonic(),
                                )
                            )
                except Exception as error:  # recorded, and the sender sees a 400
                    service.errors.append(f"{type(error).__name__}: {error}")
                    status = 400
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
