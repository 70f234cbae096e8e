import os

from piccolo.conf.apps import AppConfig

from web.cases.tables import (
    Attachment,
    Disclosure,
    Message,
    PendingUpload,
    Report,
    ReportSchool,
    SupportAction,
)

APP_CONFIG = AppConfig(
    app_name="cases",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Report, ReportSchool, Message, Attachment, PendingUpload, Disclosure, SupportAction],
    migration_dependencies=["web.district.piccolo_app", "web.staff.piccolo_app"],
    commands=[],
)
