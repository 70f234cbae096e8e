"""Installation secrets kept beside the data, never in the repository or the database.

Each is read from an environment variable when set (several servers sharing one database must share
them), otherwise from a file under <data dir>/secrets/ made on first use with owner-only permissions.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from functools import cache

from web.settings import load_settings


def _token() -> str:
    return secrets.token_hex(32)


@cache
def installation_secret(name: str, env_var: str, make: Callable[[], str] = _token) -> bytes:
    from_env = os.environ.get(env_var, "")
    if from_env:
        return from_env.encode()
    path = load_settings().data_dir / "secrets" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip().encode()
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
    return path.read_text().strip().encode()
