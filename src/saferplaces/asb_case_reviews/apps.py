from django.apps import AppConfig


class AsbCaseReviewsConfig(AppConfig):
    name = "saferplaces.asb_case_reviews"
    verbose_name = "ASB Case Reviews"
    default_auto_field = "django.db.models.BigAutoField"
