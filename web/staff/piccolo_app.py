import os

from piccolo.conf.apps import AppConfig

from web.staff.tables import StaffAccount, StaffSchool

APP_CONFIG = AppConfig(
    app_name="staff",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[StaffAccount, StaffSchool],
    migration_dependencies=["web.district.piccolo_app"],
    commands=[],
)
