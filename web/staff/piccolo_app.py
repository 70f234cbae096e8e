import os

from piccolo.conf.apps import AppConfig

from web.staff.tables import AuditEvent, StaffAccount, StaffSchool, StaffSession

APP_CONFIG = AppConfig(
    app_name="staff",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[StaffAccount, StaffSchool, StaffSession, AuditEvent],
    migration_dependencies=["web.district.piccolo_app"],
    commands=[],
)
