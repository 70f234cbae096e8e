"""Encrypted, consistent backups of a whole installation, and their restore (`lantern backup PATH`,
`lantern restore PATH`).

What is in an archive: the database (on SQLite a copy made with SQLite's online backup API, consistent
while the app keeps writing; on PostgreSQL the output of `pg_dump`) and the installation secrets under
<data dir>/secrets (data keys, receipt salt, CSRF and push keys), so a restored installation reads its
reports and its receipt codes still work.

The archive is encrypted with AES-256-GCM in 1 MiB chunks (a reordered, cut or altered archive does
not open). The key is either derived from the current data key (HKDF, "lantern backup v1"), so the
data key is needed to restore, or, when LANTERN_BACKUP_PASSPHRASE is set, derived from that passphrase
with scrypt, so the archive alone and the passphrase restore everything.

    magic "LANTERN-BACKUP-1\\n" | header length (4 bytes) | header (JSON) | chunks
    chunk: length (4 bytes) | AES-GCM(nonce = prefix (8 bytes) + index (4 bytes),
                                      associated data = SHA-256(header) + index + last-chunk flag)
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from web import crypto
from web.secrets_store import written_aside
from web.settings import Settings, load_settings

MAGIC = b"LANTERN-BACKUP-1\n"
PASSPHRASE_ENV = "LANTERN_BACKUP_PASSPHRASE"  # noqa: S105 (the name of a variable)
CHUNK = 1024 * 1024
BACKUP_PURPOSE = "lantern backup v1"
SQLITE_MEMBER = "lantern.sqlite"
POSTGRES_MEMBER = "postgres.sql"


class BackupError(Exception):
    """Something the operator must fix; the message says what."""


# --- keys ---------------------------------------------------------------------------------------------


def _passphrase_key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def _new_header(settings: Settings) -> tuple[dict[str, Any], bytes]:
    header: dict[str, Any] = {
        "format": 1,
        "engine": "postgres" if settings.uses_postgres else "sqlite",
        "created_at": datetime.now(tz=UTC).isoformat(),
        "nonce_prefix": base64.b64encode(secrets.token_bytes(8)).decode(),
    }
    passphrase = os.environ.get(PASSPHRASE_ENV, "")
    if passphrase:
        salt = secrets.token_bytes(16)
        header.update(mode="passphrase", salt=base64.b64encode(salt).decode())
        return header, _passphrase_key(passphrase, salt)
    ring = crypto.keyring()
    header.update(mode="data_key", key_id=ring.current_id.hex())
    return header, crypto.derive_key(BACKUP_PURPOSE, ring.current)


def _key_for(header: dict[str, Any], keys: list[bytes]) -> bytes:
    if header.get("mode") == "passphrase":
        passphrase = os.environ.get(PASSPHRASE_ENV, "")
        if not passphrase:
            raise BackupError(f"This backup was made with a passphrase: set {PASSPHRASE_ENV}.")
        return _passphrase_key(passphrase, base64.b64decode(header["salt"]))
    for key in keys:
        if crypto.key_id(key).hex() == header.get("key_id"):
            return crypto.derive_key(BACKUP_PURPOSE, key)
    raise BackupError(
        "This backup was made with a data key that is not configured here: set LANTERN_DATA_KEY to "
        "the data key the installation had when the backup was made."
    )


# --- the encrypted stream -----------------------------------------------------------------------------


def _aad(header_digest: bytes, index: int, last: bool) -> bytes:
    return header_digest + struct.pack(">IB", index, 1 if last else 0)


def _encrypt_stream(source: IO[bytes], out: IO[bytes], header: dict[str, Any], key: bytes) -> None:
    header_bytes = json.dumps(header, sort_keys=True).encode()
    digest = hashlib.sha256(header_bytes).digest()
    prefix = base64.b64decode(header["nonce_prefix"])
    aes = AESGCM(key)
    out.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes)
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        sealed = aes.encrypt(prefix + struct.pack(">I", index), chunk, _aad(digest, index, last))
        out.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, index = following, index + 1


def read_header(handle: IO[bytes]) -> tuple[dict[str, Any], bytes]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise BackupError("This is not a Lantern backup.")
    (length,) = struct.unpack(">I", handle.read(4))
    header_bytes = handle.read(length)
    return json.loads(header_bytes), header_bytes


def _decrypt_stream(handle: IO[bytes], out: IO[bytes], header_bytes: bytes, key: bytes) -> None:
    header = json.loads(header_bytes)
    digest = hashlib.sha256(header_bytes).digest()
    prefix = base64.b64decode(header["nonce_prefix"])
    aes = AESGCM(key)

    def records() -> Iterator[bytes]:
        while True:
            size = handle.read(4)
            if not size:
                return
            (length,) = struct.unpack(">I", size)
            yield handle.read(length)

    pending: bytes | None = None
    index = 0
    try:
        for record in records():
            if pending is not None:
                out.write(aes.decrypt(prefix + struct.pack(">I", index), pending, _aad(digest, index, False)))
                index += 1
            pending = record
        if pending is None:
            raise BackupError("The backup is empty.")
        out.write(aes.decrypt(prefix + struct.pack(">I", index), pending, _aad(digest, index, True)))
    except BackupError:
        raise
    except Exception as error:  # InvalidTag: wrong key, or an altered or truncated archive
        raise BackupError(
            "The backup does not open: a wrong key or passphrase, or a damaged file."
        ) from error


# --- making a backup ----------------------------------------------------------------------------------


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of the live database (WAL included) with SQLite's online backup API."""
    live = sqlite3.connect(source, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            live.backup(copy, pages=1024)
        finally:
            copy.close()
    finally:
        live.close()


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"`{name}` is not installed: install the PostgreSQL client tools (the same major version "
            "as the server) to back up or restore a PostgreSQL database."
        )
    return found


def _pg_dump(url: str, target: Path) -> None:
    # The limits' counters (an UNLOGGED table, web/limits.py) are no data worth keeping: left out.
    command = [_pg_tool("pg_dump"), "--no-owner", "--no-privileges", "--clean", "--if-exists",
               "--no-unlogged-table-data"]  # fmt: skip
    result = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [*command, "--file", str(target), "--dbname", url], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def make_backup(path: Path, settings: Settings | None = None) -> dict[str, Any]:
    """Write an encrypted archive of the database and the secrets to `path`; returns its header."""
    settings = settings or load_settings()
    header, key = _new_header(settings)
    with tempfile.TemporaryDirectory(prefix="lantern-backup-") as work:
        workdir = Path(work)
        if settings.uses_postgres:
            database = workdir / POSTGRES_MEMBER
            _pg_dump(settings.database_url, database)
        else:
            if not settings.sqlite_path.exists():
                raise BackupError(f"There is no database at {settings.sqlite_path}.")
            database = workdir / SQLITE_MEMBER
            _sqlite_copy(settings.sqlite_path, database)
        plain = workdir / "archive.tar.gz"
        with tarfile.open(plain, "w:gz") as tar:
            tar.add(database, arcname=database.name)
            secrets_dir = settings.data_dir / "secrets"
            if secrets_dir.is_dir():
                for item in sorted(secrets_dir.iterdir()):
                    if item.is_file() and not item.name.startswith("."):
                        tar.add(item, arcname=f"secrets/{item.name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out, plain.open("rb") as source:
            _encrypt_stream(source, out, header, key)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    return header


# --- restoring ----------------------------------------------------------------------------------------


def _keys_for_restore(settings: Settings) -> list[bytes]:
    from_env = os.environ.get(crypto.ENV_VAR, "")
    if from_env:
        return crypto.parse_keys(from_env)
    key_file = settings.data_dir / "secrets" / crypto.KEY_FILE
    return crypto.parse_keys(key_file.read_text()) if key_file.exists() else []


def _sqlite_has_data(path: Path) -> bool:
    if not path.exists():
        return False
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return bool(db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])


def _pg_has_tables(url: str) -> bool:
    result = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [
            _pg_tool("psql"), "--no-psqlrc", "--tuples-only", "--no-align", "--dbname", url, "--command",
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"psql failed: {result.stderr.strip()}")
    return int(result.stdout.strip() or 0) > 0


def restore_backup(path: Path, settings: Settings | None = None, *, force: bool = False) -> dict[str, Any]:
    """Restore an archive into this data directory (and database). Refuses to replace a database or a
    secret that is already there unless `force`. The app must not be running meanwhile."""
    settings = settings or load_settings()
    with tempfile.TemporaryDirectory(prefix="lantern-restore-") as work:
        workdir = Path(work)
        plain = workdir / "archive.tar.gz"
        with path.open("rb") as handle, plain.open("wb") as out:
            header, header_bytes = read_header(handle)
            key = _key_for(header, _keys_for_restore(settings))
            expected = "postgres" if settings.uses_postgres else "sqlite"
            if header.get("engine") != expected:
                raise BackupError(
                    f"This backup is of a {header.get('engine')} database; this installation uses {expected}."
                )
            _decrypt_stream(handle, out, header_bytes, key)
        with tarfile.open(plain) as tar:
            _restore_members(tar, workdir, settings, force)
    crypto.forget_keys()
    return header


def _restore_members(tar: tarfile.TarFile, workdir: Path, settings: Settings, force: bool) -> None:
    members = {m.name: m for m in tar.getmembers() if m.isfile()}
    secret_members = {
        name.removeprefix("secrets/"): m for name, m in members.items() if name.startswith("secrets/")
    }
    # Check everything before changing anything.
    database = members.get(POSTGRES_MEMBER if settings.uses_postgres else SQLITE_MEMBER)
    if database is None:
        raise BackupError("The backup holds no database.")
    if settings.uses_postgres:
        if not force and _pg_has_tables(settings.database_url):
            raise BackupError("The database is not empty: restore into an empty one, or use --force.")
    elif not force and _sqlite_has_data(settings.sqlite_path):
        raise BackupError(f"{settings.sqlite_path} already holds a database: use --force to replace it.")
    secrets_dir = settings.data_dir / "secrets"
    for name, member in secret_members.items():
        if "/" in name or name.startswith("."):
            raise BackupError("The backup holds an unexpected file.")
        existing = secrets_dir / name
        extracted = tar.extractfile(member)
        assert extracted is not None
        if existing.exists() and existing.read_bytes() != extracted.read() and not force:
            raise BackupError(f"The secret {existing} differs from the backup's: use --force to replace it.")
    # Then restore: the secrets first, then the database.
    secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, member in secret_members.items():
        extracted = tar.extractfile(member)
        assert extracted is not None
        _write_private(secrets_dir / name, extracted.read())
    if settings.uses_postgres:
        tar.extract(database, workdir, filter="data")
        result = subprocess.run(  # noqa: S603 (our own arguments, no shell)
            [
                _pg_tool("psql"), "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction",
                "--dbname", settings.database_url, "--file", str(workdir / POSTGRES_MEMBER),
            ],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise BackupError(f"psql failed: {result.stderr.strip()}")
    else:
        tar.extract(database, workdir, filter="data")
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        staged = settings.sqlite_path.with_name(f".{settings.sqlite_path.name}.restoring")
        shutil.copyfile(workdir / SQLITE_MEMBER, staged)
        with open(staged, "rb+") as staged_file:
            os.fsync(staged_file.fileno())
        for suffix in ("-wal", "-shm"):
            settings.sqlite_path.with_name(settings.sqlite_path.name + suffix).unlink(missing_ok=True)
        os.replace(staged, settings.sqlite_path)


def _write_private(path: Path, data: bytes) -> None:
    os.replace(written_aside(path, data), path)
