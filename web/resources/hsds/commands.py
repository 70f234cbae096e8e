"""`lantern resources import|export`: the directory in and out as Open Referral HSDS 3.0 data packages.

Registered on the `lantern` command in web/cli.py. Database modules are imported inside the commands,
after the environment (LANTERN_DATA_DIR, DATABASE_URL) is settled, as in the rest of the CLI.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

FORMATS = click.Choice(["auto", "csv", "json"])


@click.group()
def resources() -> None:
    """The resource directory: import and export Open Referral HSDS 3.0 data packages."""


async def _ready() -> None:
    from web.district.services import ensure_district
    from web.migrate import migrate

    await migrate()
    await ensure_district()


@resources.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=FORMATS,
    default="auto",
    show_default=True,
    help="csv: a folder with datapackage.json and one CSV file per table; json: one file with a list of "
    "records per table. auto: json when PATH ends in .json, else csv.",
)
@click.option("--force", is_flag=True, help="Write even if PATH already exists (its files are overwritten).")
def export_command(path: Path, fmt: str, force: bool) -> None:
    """Export the whole directory to PATH as an HSDS 3.0 data package.

    Every field Lantern stores is exported; Lantern's own fields (school, pinned national lines, sample
    mark, translations, text keywords, time zones) travel as HSDS attributes of a "Lantern extensions"
    taxonomy, so `lantern resources import` restores them.
    """
    from web.resources.hsds.package import detect_format

    kind = detect_format(path) if fmt == "auto" else fmt
    if path.exists() and not force:
        if path.is_file() or (path.is_dir() and any(path.iterdir())):
            raise click.ClickException(f"{path} already exists; use --force to overwrite it.")
    if kind == "json" and path.is_dir():
        raise click.ClickException(f"{path} is a folder; give a file name ending in .json.")
    if kind == "csv" and path.is_file():
        raise click.ClickException(f"{path} is a file; a CSV data package is written to a folder.")

    async def run() -> dict[str, int]:
        from web.resources.hsds.csv_package import write_csv_package
        from web.resources.hsds.export import counts, directory_records
        from web.resources.hsds.json_package import write_json_package

        await _ready()
        records = await directory_records()
        if kind == "json":
            write_json_package(records, path)
        else:
            write_csv_package(records, path)
        return counts(records)

    written = asyncio.run(run())
    click.echo(
        f"Exported to {path} ({'JSON' if kind == 'json' else 'CSV data package'}): {_summary(written)}."
    )


@resources.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=FORMATS,
    default="auto",
    show_default=True,
    help="auto: json for a .json file, csv for a folder (or its datapackage.json).",
)
@click.option("--replace", is_flag=True, help="Empty the directory and load the package in its place.")
@click.option("--merge", is_flag=True, help="Add the package's records; overwrite those with the same id.")
@click.option("--check", "check_only", is_flag=True, help="Only check the package; write nothing.")
def import_command(path: Path, fmt: str, replace: bool, merge: bool, check_only: bool) -> None:
    """Import an HSDS 3.0 data package from PATH into the directory.

    PATH is a folder with datapackage.json and CSV files (organizations.csv, services.csv, ...) or a .json
    file: the tabular form `lantern resources export` writes, or nested services or organizations as HSDS
    APIs serve them.

    Everything is checked against the HSDS schema and Lantern's rules first, and each problem is listed
    with its file, row or record, id and field. If there is any error, nothing is written; otherwise
    everything is written in one transaction. Tables and fields Lantern does not keep (programs,
    contacts, funding, ...) are listed as warnings and left out.

    An import into a directory that already has entries is refused unless you say what to do with
    them: --replace empties the directory and loads the package instead (entries keep their ids, so a
    resource already sent to a reporter still opens when it comes back); --merge adds the package's
    records and overwrites the ones with the same id, deleting nothing (a service in the package does
    bring its own translations, replacing the ones it had).
    """
    if replace and merge:
        raise click.UsageError("Choose --replace or --merge, not both.")

    async def run() -> Any:
        from web.resources.hsds.importer import ImportMode, import_path

        await _ready()
        mode = ImportMode.REPLACE if replace else ImportMode.MERGE if merge else ImportMode.NEW
        return await import_path(path, fmt=fmt, mode=mode, check_only=check_only)

    report = asyncio.run(run())
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for error in report.errors:
        click.echo(f"Error: {error}", err=True)
    if report.errors:
        noun = "problem" if len(report.errors) == 1 else "problems"
        raise click.ClickException(f"{len(report.errors)} {noun} found; nothing was written.")
    if check_only:
        click.echo(f"The package is fine; it would import {_summary(report.counts)}. Nothing was written.")
    else:
        click.echo(f"Imported {_summary(report.counts)} from {path}.")


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{n} {table.replace('_', ' ')}" for table, n in counts.items() if n]
    return ", ".join(parts) or "nothing"
