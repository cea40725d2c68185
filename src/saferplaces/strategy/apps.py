from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "saferplaces.strategy"
    verbose_name = "Strategy"
    default_auto_field = "django.db.models.BigAutoField"
