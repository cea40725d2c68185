from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "saferplaces.web"
    label = "web"
    verbose_name = "Web"
