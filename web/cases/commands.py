"""`lantern keys rotate|new`, `lantern backup`, `lantern restore` and `lantern purge`."""

from __future__ import annotations

import asyncio
import base64
import os
from dataclasses import dataclass
from pathlib import Path

import click

MAX_PASSES = 5


async def _migrated() -> None:
    from web.district.services import ensure_district
    from web.migrate import migrate

    await migrate()
    await ensure_district()


@click.group()
def keys() -> None:
    """The data key that encrypts reports, messages and photos at rest."""


@keys.command("new")
def keys_new() -> None:
    """Print a fresh data key (for LANTERN_DATA_KEY)."""
    from web.crypto import new_key_text

    click.echo(new_key_text())


@dataclass(frozen=True)
class Rotation:
    resealed: int
    key_id: str
    finished: bool  # every value is under the new key
    retired: bool  # the old keys were dropped from the key file
    from_env: bool
    keys_left: int


async def rotate(*, keep_old: bool = False) -> Rotation:
    """Make a new data key (in the key file; with LANTERN_DATA_KEY the operator puts it first), seal
    every value again under it, then retire the old keys once nothing needs them.

    Until the old keys are retired they stay in the key file after the new one, so every value reads
    throughout. A running server notices the changed file on its next write and seals with the new key
    from then on; passes repeat until one finds nothing left under an old key.
    """
    from web import crypto
    from web.cases.sealing import reseal_all
    from web.secrets_store import write_secret

    from_env = bool(os.environ.get(crypto.ENV_VAR))
    if not from_env:
        old = crypto.keyring()
        lines = [crypto.new_key_text(), *(base64.b64encode(k).decode() for k in old.keys)]
        write_secret(crypto.KEY_FILE, "\n".join(lines) + "\n")
        crypto.forget_keys()
    total, finished = 0, False
    for _ in range(MAX_PASSES):
        changed = await reseal_all()
        total += changed
        if changed == 0:
            finished = True
            break
    current = crypto.keyring()
    retired = False
    if finished and not from_env and not keep_old:
        write_secret(crypto.KEY_FILE, base64.b64encode(current.current).decode() + "\n")
        crypto.forget_keys()
        retired = True
    return Rotation(
        resealed=total,
        key_id=current.current_id.hex(),
        finished=finished,
        retired=retired,
        from_env=from_env,
        keys_left=len(crypto.keyring().keys),
    )


@keys.command("rotate")
@click.option(
    "--keep-old", is_flag=True, help="Keep the old keys in the key file; a later rotate retires them."
)
def keys_rotate(keep_old: bool) -> None:
    """Make a new data key, encrypt everything again under it, then retire the old keys.

    With LANTERN_DATA_KEY set: put a new key first (`lantern keys new`), keep the old ones after it
    (comma-separated) on every server, run this, then remove the old ones from the variable.
    """
    from web import crypto

    async def run() -> Rotation:
        await _migrated()
        return await rotate(keep_old=keep_old)

    result = asyncio.run(run())
    click.echo(f"Sealed {result.resealed} values again under key {result.key_id}.")
    if not result.finished:
        raise click.ClickException(
            "Values were still being written under an old key, so the old keys were kept: run it again."
        )
    if result.from_env:
        if result.keys_left > 1:
            click.echo(f"Everything is under the first key now: remove the others from {crypto.ENV_VAR}.")
    elif result.retired:
        click.echo("The old keys were retired.")
    else:
        click.echo("The old keys were kept (--keep-old): a later `lantern keys rotate` retires them.")


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Write an encrypted backup of the database and the installation's secrets to PATH.

    Safe while the app runs. Encrypted with a key derived from the data key, or with
    LANTERN_BACKUP_PASSPHRASE when it is set (then the passphrase alone restores it).
    """
    from web.backup import BackupError, make_backup

    asyncio.run(_migrated())
    try:
        header = make_backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    how = "the passphrase" if header["mode"] == "passphrase" else f"data key {header['key_id']}"
    click.echo(f"Backup of the {header['engine']} database written to {path} (encrypted with {how}).")


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database and secrets that are already there.")
def restore(path: Path, force: bool) -> None:
    """Restore a backup from PATH into an empty data directory (and database). Stop the app first."""
    from web.backup import BackupError, restore_backup

    try:
        header = restore_backup(path, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    asyncio.run(_migrated())
    click.echo(f"Restored the backup of {header['created_at']}.")


@click.command()
@click.option("--dry-run", is_flag=True, help="Only count what would be purged.")
def purge(dry_run: bool) -> None:
    """Purge closed cases past the district's retention time (cases on legal hold are kept)."""
    from web.cases.retention import PurgeResult, purge_due

    async def run() -> PurgeResult:
        await _migrated()
        return await purge_due(dry_run=dry_run)

    result = asyncio.run(run())
    days, purged, held = result.retention_days, result.purged, result.held
    if days <= 0:
        click.echo("Retention is off for this district: nothing is purged.")
        return
    verb = "would be purged" if dry_run else "purged"
    click.echo(f"{purged} closed cases older than {days} days {verb}; {held} kept by a legal hold.")


COMMANDS = [keys, backup, restore, purge]
