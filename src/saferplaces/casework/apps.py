from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "saferplaces.casework"
    verbose_name = "Casework"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from saferplaces.casework import retention_types

        retention_types.register_all()
