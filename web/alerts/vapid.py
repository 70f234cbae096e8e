"""The installation's VAPID key pair (RFC 8292), made on first start and kept with the data (or given in
LANTERN_VAPID_PRIVATE_KEY), never in the repository. Browsers get the public key to subscribe."""

from __future__ import annotations

import base64
from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from web.secrets_store import installation_secret


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _new_private_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return _b64(key.private_numbers().private_value.to_bytes(32, "big"))


@cache
def private_key() -> ec.EllipticCurvePrivateKey:
    raw = installation_secret("vapid_private_key", "LANTERN_VAPID_PRIVATE_KEY", make=_new_private_key)
    value = int.from_bytes(base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4)), "big")
    return ec.derive_private_key(value, ec.SECP256R1())


def public_key() -> str:
    """The application server key as browsers take it: the uncompressed point, base64url."""
    point = (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return _b64(point)


def signer() -> Vapid02:
    return Vapid02(private_key=private_key())
