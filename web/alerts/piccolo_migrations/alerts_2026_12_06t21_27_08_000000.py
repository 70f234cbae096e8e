"""Push subscriptions saved before they were sealed at rest: sealed now, with their lookup hash (one
device per endpoint: a unique index, as SQLite cannot add a column with a constraint).

A separate migration because Piccolo runs a migration's raw steps before its column changes (the
lookup hash column is added by the one before). Rows already sealed are left as they are, so running
it twice changes nothing.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Serial, Text, Varchar
from piccolo.table import Table

ID = "2026-12-06T21:27:08:000000"
VERSION = "1.38.0"
DESCRIPTION = "Seal the push subscriptions stored in plain text"


class PushDeviceRows(Table, tablename="push_device"):
    id = Serial(primary_key=True)
    endpoint = Text()
    endpoint_hash = Varchar(length=64, null=True)
    p256dh = Text()
    auth = Text()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="alerts", description=DESCRIPTION)

    async def seal_push_devices() -> None:
        from web import crypto
        from web.alerts.devices import endpoint_hash

        rows = await PushDeviceRows.select().where(PushDeviceRows.endpoint_hash.is_null())
        for row in rows:
            if crypto.is_sealed(row["endpoint"]):
                continue
            await PushDeviceRows.update(
                {
                    PushDeviceRows.endpoint_hash: endpoint_hash(row["endpoint"]),
                    PushDeviceRows.endpoint: crypto.seal(row["endpoint"], "push_device.endpoint"),
                    PushDeviceRows.p256dh: crypto.seal(row["p256dh"], "push_device.p256dh"),
                    PushDeviceRows.auth: crypto.seal(row["auth"], "push_device.auth"),
                }
            ).where(PushDeviceRows.id == row["id"])

    async def unique_lookup() -> None:
        await PushDeviceRows.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS push_device_endpoint_hash ON push_device (endpoint_hash)"
        )

    async def drop_lookup() -> None:
        await PushDeviceRows.raw("DROP INDEX IF EXISTS push_device_endpoint_hash")

    manager.add_raw(seal_push_devices)
    manager.add_raw(unique_lookup)
    manager.add_raw_backwards(drop_lookup)
    return manager
