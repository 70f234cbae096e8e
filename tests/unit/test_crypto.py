"""The at-rest envelope (web/crypto.py) and the backup stream (web/backup.py)."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import pytest

from web import backup, crypto


@pytest.fixture
def two_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[bytes, bytes]]:
    new, old = crypto.new_key_text(), crypto.new_key_text()
    monkeypatch.setenv(crypto.ENV_VAR, f"{new},{old}")
    crypto.forget_keys()
    yield base64.b64decode(new), base64.b64decode(old)
    crypto.forget_keys()


def test_text_and_bytes_envelopes(two_keys: tuple[bytes, bytes]) -> None:
    new, _old = two_keys
    sealed = crypto.seal("hello", "report.description")
    assert sealed.startswith("enc:v1:") and "hello" not in sealed
    assert crypto.sealed_key_id(sealed) == crypto.key_id(new)
    assert crypto.open_(sealed, "report.description") == "hello"
    blob = crypto.seal(b"\x89PNG picture", "attachment.data")
    assert blob.startswith(crypto.BYTES_PREFIX) and b"PNG" not in blob
    assert crypto.open_(blob, "attachment.data") == b"\x89PNG picture"
    assert crypto.seal(None, "report.when_text") is None
    assert crypto.seal("same", "x.y") != crypto.seal("same", "x.y")  # a fresh nonce every time


def test_a_value_bound_to_its_column_and_damage_detected(two_keys: tuple[bytes, bytes]) -> None:
    sealed = crypto.seal("hello", "report.description")
    with pytest.raises(crypto.SealError):
        crypto.open_(sealed, "report.contact_info")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.SealError):
        crypto.open_(tampered, "report.description")


def test_old_keys_read_and_unknown_keys_refuse(
    monkeypatch: pytest.MonkeyPatch, two_keys: tuple[bytes, bytes]
) -> None:
    _new, old = two_keys
    monkeypatch.setenv(crypto.ENV_VAR, base64.b64encode(old).decode())
    crypto.forget_keys()
    under_old = crypto.seal("kept", "message.body")
    assert crypto.needs_resealing(under_old) is False
    monkeypatch.setenv(crypto.ENV_VAR, f"{crypto.new_key_text()},{base64.b64encode(old).decode()}")
    assert crypto.open_(under_old, "message.body") == "kept"
    assert crypto.needs_resealing(under_old) is True
    assert crypto.needs_resealing("legacy plaintext") is True
    monkeypatch.setenv(crypto.ENV_VAR, crypto.new_key_text())
    with pytest.raises(crypto.SealError, match="not configured"):
        crypto.open_(under_old, "message.body")


def test_legacy_plaintext_reads_as_it_is(two_keys: tuple[bytes, bytes]) -> None:
    assert crypto.open_("typed in 2025", "report.description") == "typed in 2025"
    assert crypto.open_(b"\xff\xd8 a jpeg", "attachment.data") == b"\xff\xd8 a jpeg"


def test_bad_keys_are_refused() -> None:
    with pytest.raises(crypto.SealError):
        crypto.parse_keys("not base64!")
    with pytest.raises(crypto.SealError):
        crypto.parse_keys(base64.b64encode(b"short").decode())


def test_backup_stream_round_trip_and_truncation() -> None:
    key = b"k" * 32
    header = {"format": 1, "nonce_prefix": base64.b64encode(b"12345678").decode()}
    payload = bytes(range(256)) * (backup.CHUNK // 256 * 2 + 3)  # three chunks
    out = io.BytesIO()
    backup._encrypt_stream(io.BytesIO(payload), out, header, key)
    data = out.getvalue()

    def decrypt(raw: bytes) -> bytes:
        handle = io.BytesIO(raw)
        _header, header_bytes = backup.read_header(handle)
        plain = io.BytesIO()
        backup._decrypt_stream(handle, plain, header_bytes, key)
        return plain.getvalue()

    assert decrypt(data) == payload
    first_chunk_end = len(backup.MAGIC) + 4 + len(data[len(backup.MAGIC) + 4 :].split(b"}", 1)[0]) + 1
    with pytest.raises(backup.BackupError):
        decrypt(data[: first_chunk_end + 4 + backup.CHUNK + 16])  # only the first chunk: cut short
    with pytest.raises(backup.BackupError):
        decrypt(data[:-1] + bytes([data[-1] ^ 1]))
