"""Apply the committed Piccolo migrations of every area (at start and by `lantern migrate`)."""

from __future__ import annotations

import contextlib
import io
import os

os.environ.setdefault("PICCOLO_CONF", "web.piccolo_conf")


async def migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    # Piccolo prints a line per migration; the server log is not the place for it.
    with contextlib.redirect_stdout(io.StringIO()):
        response = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not response.success:
        raise RuntimeError(f"Database migration failed: {response.message}")
