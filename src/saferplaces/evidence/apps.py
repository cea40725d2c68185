from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "saferplaces.evidence"
    label = "evidence"
    verbose_name = "Evidence: imports and indicators"
