import os

from piccolo.conf.apps import AppConfig

from web.alerts.tables import (
    Alert,
    AlertPreference,
    CallTreeTiming,
    Escalation,
    EscalationContact,
    PushDevice,
)

APP_CONFIG = AppConfig(
    app_name="alerts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[PushDevice, AlertPreference, Alert, EscalationContact, Escalation, CallTreeTiming],
    migration_dependencies=["web.cases.piccolo_app", "web.staff.piccolo_app", "web.district.piccolo_app"],
    commands=[],
)
