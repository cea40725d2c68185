from django.apps import AppConfig


class AsbCaseReviewsConfig(AppConfig):
    name = "saferplaces.asb_case_reviews"
    verbose_name = "ASB Case Reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from saferplaces.asb_case_reviews import retention_types

        retention_types.register_all()
