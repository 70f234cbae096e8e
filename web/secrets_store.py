"""Installation secrets kept beside the data, never in the repository or the database.

Each is read from an environment variable when set (several servers sharing one database must share
them), otherwise from a file under <data dir>/secrets/ made on first use with owner-only permissions.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from functools import cache
from pathlib import Path

from web.settings import load_settings


def _token() -> str:
    return secrets.token_hex(32)


def secret_path(name: str) -> Path:
    return load_settings().data_dir / "secrets" / name


def write_secret(name: str, text: str) -> Path:
    """Replace a secret file atomically (owner-only, fsynced): a crash leaves the old one or the new one."""
    path = secret_path(name)
    os.replace(written_aside(path, text), path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return path


@cache
def installation_secret(name: str, env_var: str, make: Callable[[], str] = _token) -> bytes:
    from_env = os.environ.get(env_var, "") if env_var else ""
    if from_env:
        return from_env.encode()
    path = secret_path(name)
    if not path.exists():
        _create_once(path, make())
    return path.read_text().strip().encode()


def _create_once(path: Path, text: str) -> None:
    """Put a whole secret file in place unless one is there: several worker processes start at once,
    and one that read a half-written (empty) file would keep an empty secret for its whole life. The
    file is written and synced under a temporary name, then linked (which never replaces a file)."""
    temporary = written_aside(path, text)
    try:
        os.link(temporary, path)
    except FileExistsError:  # another process made it first: theirs is the one everyone uses
        pass
    finally:
        temporary.unlink(missing_ok=True)


def written_aside(path: Path, content: str | bytes) -> Path:
    """content in a new owner-only file beside path, synced to disk (then moved or linked to path)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content.encode() if isinstance(content, str) else content)
        handle.flush()
        os.fsync(handle.fileno())
    return temporary
