import os

from piccolo.conf.apps import AppConfig

from web.district.tables import District, Kiosk, School

APP_CONFIG = AppConfig(
    app_name="district",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[District, School, Kiosk],
    migration_dependencies=[],
    commands=[],
)
