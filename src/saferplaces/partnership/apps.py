from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    """Places, organisations, people, groups, meetings, actions and escalations."""

    name = "saferplaces.partnership"
    label = "partnership"
    verbose_name = "Partnership structure"
    default_auto_field = "django.db.models.BigAutoField"
