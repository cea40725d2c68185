from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "saferplaces.reports"
    label = "reports"
    verbose_name = "Reports: the board's papers"
