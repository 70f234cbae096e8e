"""The `lantern` command: serve, migrate, and staff accounts. Honours LANTERN_DATA_DIR and DATABASE_URL."""

from __future__ import annotations

import asyncio
import sys

import click

from web.cases.commands import COMMANDS as CASE_COMMANDS
from web.resources.hsds.commands import resources
from web.settings import load_settings


@click.group()
def main() -> None:
    """Lantern: help for students, families and neighbours, and the staff who answer."""


async def _prepare(demo: bool) -> bool:
    from web.district.services import ensure_district
    from web.migrate import migrate

    await migrate()
    await ensure_district()
    if demo:
        from web.demo.seed import seed_demo

        return await seed_demo()
    return False


@main.command()
def migrate() -> None:
    """Apply the database migrations."""
    asyncio.run(_prepare(demo=False))
    click.echo("Database is up to date.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Seed the demo district (3 schools, resources, staff) if empty.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="App processes. More than one needs PostgreSQL (DATABASE_URL) or Redis (REDIS_URL) for live updates.",
)
def serve(host: str, port: int, demo: bool, workers: int) -> None:
    """Serve Lantern over HTTP."""
    import uvicorn

    from web.live import fans_out
    from web.logs import LEVELS, log_config
    from web.slow_requests import BoundedHttpToolsProtocol

    level = load_settings().log_level
    if level not in LEVELS:
        raise click.ClickException(f"LANTERN_LOG_LEVEL must be one of {', '.join(LEVELS)}.")

    if workers > 1 and not fans_out(load_settings()):
        raise click.ClickException(
            "Several workers need PostgreSQL (DATABASE_URL=postgresql://...) or Redis (REDIS_URL) so that "
            "live updates reach every process. On the embedded SQLite database, run one worker."
        )

    seeded = asyncio.run(_prepare(demo))
    if demo:
        from web.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD

        click.echo("Demo district ready." if seeded else "Demo district already seeded.")
        click.echo(f"Demo staff sign-in (password for all: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            click.echo(f"  {account.email}  ({account.role}: {', '.join(account.schools)})")
    settings = load_settings()
    click.echo(f"Lantern is at http://{host}:{port}  (data: {settings.data_dir})")
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=host,
        port=port,
        # The visitor's address and scheme from a trusted proxy only (the address is never stored).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
        server_header=False,
        # Slow clients: a deadline for each request's headers, a bound on their size, idle connections
        # closed after 5 s (web/slow_requests.py bounds the body).
        http=BoundedHttpToolsProtocol,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=5,
        workers=workers,
        # No access log: it names the visitor's address and the whole URL (web/logs.py).
        access_log=False,
        log_config=log_config(level),
        log_level=level,
        # Lantern has no WebSocket routes; uvicorn's WebSocket handling logs addresses.
        ws="none",
    )


main.add_command(resources)
for _command in CASE_COMMANDS:  # keys, backup, restore, purge
    main.add_command(_command)


@main.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("add")
@click.argument("email")
@click.option("--school", "schools", multiple=True, help="School slug (repeat for several).")
@click.option(
    "--role", required=True, type=click.Choice(["responder", "school_admin", "district_admin", "analyst"])
)
@click.option("--name", "display_name", default="", help="Name shown to colleagues.")
def staff_add(email: str, schools: tuple[str, ...], role: str, display_name: str) -> None:
    """Add a staff account; the password is read from standard input."""
    from web.staff.services import StaffError, add_staff

    password = sys.stdin.readline().rstrip("\n")

    async def run() -> None:
        await _prepare(demo=False)
        await add_staff(email, password, role, list(schools), display_name)

    try:
        asyncio.run(run())
    except StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Added {email} as {role}.")


@staff.command("reset-password")
@click.argument("email")
def staff_reset_password(email: str) -> None:
    """Set a new password for EMAIL (read from standard input) and sign that account out everywhere."""
    from web.staff.services import StaffError, reset_password

    password = sys.stdin.readline().rstrip("\n")

    async def run() -> None:
        await _prepare(demo=False)
        await reset_password(email, password)

    try:
        asyncio.run(run())
    except StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"New password set for {email}; every session of that account has ended.")
