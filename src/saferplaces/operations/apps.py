from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "saferplaces.operations"
    label = "operations"
    verbose_name = "Operations"
