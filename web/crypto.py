"""Encryption at rest: what reporters and staff write is sealed with AES-256-GCM before it is stored.

The data key lives outside the database: `LANTERN_DATA_KEY` (base64 keys separated by commas, the first
one current, the others kept only to read), otherwise the file <data dir>/secrets/data_keys (0600, one
base64 key a line, the first one current), made on first use.

A sealed value is an envelope:

    bytes:  b"\\x00LXE1" + key id (4 bytes) + nonce (12 bytes) + ciphertext and tag
    text:   "enc:v1:" + urlsafe base64 of (key id + nonce + ciphertext and tag)

The key id is the first 4 bytes of SHA-256 over the key, so a value names the key that opens it and
keys can be rotated (`lantern keys rotate`). The associated data binds a value to its table and
column ("report.description"): a ciphertext moved to another column does not open. A value without
the envelope is legacy plaintext, stored before encryption at rest, and reads as it is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from typing import overload

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from web.secrets_store import installation_secret, secret_path

ENV_VAR = "LANTERN_DATA_KEY"
KEY_FILE = "data_keys"
TEXT_PREFIX = "enc:v1:"
BYTES_PREFIX = b"\x00LXE1"
KEY_ID_BYTES = 4
NONCE_BYTES = 12
KEY_BYTES = 32


class SealError(ValueError):
    """A sealed value that does not open: an unknown key, a wrong column, or a damaged value."""


def new_key_text() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"lantern data key id\x00" + key).digest()[:KEY_ID_BYTES]


def parse_keys(text: str) -> list[bytes]:
    """Keys from the env var or the key file (commas or line breaks between them), current first."""
    keys = []
    for part in text.replace(",", "\n").split():
        try:
            key = base64.b64decode(part, validate=True)
        except (binascii.Error, ValueError) as error:
            raise SealError("a data key is not base64") from error
        if len(key) != KEY_BYTES:
            raise SealError("a data key must be 32 bytes (base64 of 32 random bytes)")
        keys.append(key)
    if not keys:
        raise SealError("no data key")
    return keys


@dataclass(frozen=True)
class Keyring:
    keys: tuple[bytes, ...]

    @property
    def current(self) -> bytes:
        return self.keys[0]

    @property
    def current_id(self) -> bytes:
        return key_id(self.keys[0])

    def by_id(self, wanted: bytes) -> bytes:
        for key in self.keys:
            if key_id(key) == wanted:
                return key
        raise SealError("this value was sealed with a key that is not configured")


_lock = threading.Lock()
_cached: tuple[object, Keyring] | None = None


def keyring() -> Keyring:
    """The configured keys. The key file is re-read when it changes, so a running server picks up a
    rotation (`lantern keys rotate`) without a restart."""
    global _cached
    from_env = os.environ.get(ENV_VAR, "")
    if from_env:
        stamp: object = ("env", from_env)
    else:
        path = secret_path(KEY_FILE)
        if not path.exists():
            installation_secret(KEY_FILE, "", make=new_key_text)
        stat = path.stat()
        stamp = ("file", str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        text = from_env or secret_path(KEY_FILE).read_text()
        ring = Keyring(tuple(parse_keys(text)))
        _cached = (stamp, ring)
        return ring


def forget_keys() -> None:
    """Drop the cached keyring (tests, and the CLI after writing the key file)."""
    global _cached
    _cached = None


def _aad(context: str) -> bytes:
    return b"lantern v1\x00" + context.encode()


def _seal_raw(plain: bytes, context: str, ring: Keyring) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return ring.current_id + nonce + AESGCM(ring.current).encrypt(nonce, plain, _aad(context))


def _open_raw(blob: bytes, context: str, ring: Keyring) -> bytes:
    if len(blob) < KEY_ID_BYTES + NONCE_BYTES + 16:
        raise SealError("a sealed value is too short")
    kid, nonce = blob[:KEY_ID_BYTES], blob[KEY_ID_BYTES : KEY_ID_BYTES + NONCE_BYTES]
    body = blob[KEY_ID_BYTES + NONCE_BYTES :]
    try:
        return AESGCM(ring.by_id(kid)).decrypt(nonce, body, _aad(context))
    except SealError:
        raise
    except Exception as error:  # cryptography's InvalidTag
        raise SealError(f"a sealed value of {context} does not open") from error


@overload
def seal(value: str, context: str) -> str: ...
@overload
def seal(value: bytes, context: str) -> bytes: ...
@overload
def seal(value: None, context: str) -> None: ...


def seal(value: str | bytes | None, context: str) -> str | bytes | None:
    """Encrypt a value for the column `context` ("table.column"); None stays None."""
    if value is None:
        return None
    ring = keyring()
    if isinstance(value, str):
        blob = _seal_raw(value.encode(), context, ring)
        return TEXT_PREFIX + base64.urlsafe_b64encode(blob).decode()
    return BYTES_PREFIX + _seal_raw(bytes(value), context, ring)


@overload
def open_(value: str, context: str) -> str: ...
@overload
def open_(value: bytes, context: str) -> bytes: ...
@overload
def open_(value: None, context: str) -> None: ...


def open_(value: str | bytes | None, context: str) -> str | bytes | None:
    """The plaintext of a stored value; values without the envelope are legacy plaintext."""
    if value is None:
        return None
    if isinstance(value, str):
        if not value.startswith(TEXT_PREFIX):
            return value
        try:
            blob = base64.urlsafe_b64decode(value[len(TEXT_PREFIX) :])
        except (binascii.Error, ValueError) as error:
            raise SealError(f"a sealed value of {context} is damaged") from error
        return _open_raw(blob, context, keyring()).decode()
    raw = bytes(value)
    if not raw.startswith(BYTES_PREFIX):
        return raw
    return _open_raw(raw[len(BYTES_PREFIX) :], context, keyring())


def is_sealed(value: object) -> bool:
    if isinstance(value, str):
        return value.startswith(TEXT_PREFIX)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value[: len(BYTES_PREFIX)]) == BYTES_PREFIX
    return False


def sealed_key_id(value: object) -> bytes | None:
    """The key id a stored value was sealed with; None for plaintext (and None values)."""
    if isinstance(value, str) and value.startswith(TEXT_PREFIX):
        try:
            return base64.urlsafe_b64decode(value[len(TEXT_PREFIX) :])[:KEY_ID_BYTES]
        except (binascii.Error, ValueError):
            return None
    if isinstance(value, bytes | bytearray | memoryview) and is_sealed(value):
        start = len(BYTES_PREFIX)
        return bytes(value[start : start + KEY_ID_BYTES])
    return None


def needs_resealing(value: object) -> bool:
    """True for a value stored in plaintext or under a key other than the current one."""
    if value is None:
        return False
    return sealed_key_id(value) != keyring().current_id


def derive_key(purpose: str, key: bytes | None = None) -> bytes:
    """A key for another purpose (backups) derived from a data key with HKDF-SHA256."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode()).derive(
        key if key is not None else keyring().current
    )
