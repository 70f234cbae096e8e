import os

from piccolo.conf.apps import AppConfig

from web.resources.tables import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    ResourceChange,
    Schedule,
    SearchDocument,
    Service,
    ServiceAtLocation,
    ServiceClosure,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
)

APP_CONFIG = AppConfig(
    app_name="resources",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Organization,
        Service,
        Location,
        Address,
        ServiceAtLocation,
        Phone,
        Schedule,
        Language,
        Taxonomy,
        TaxonomyTerm,
        Attribute,
        ServiceTranslation,
        ServiceClosure,
        ResourceChange,
        SearchDocument,
    ],
    migration_dependencies=["web.district.piccolo_app"],
    commands=[],
)
