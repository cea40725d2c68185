from django.apps import AppConfig


class DeathReviewsConfig(AppConfig):
    name = "saferplaces.death_reviews"
    verbose_name = "Death reviews"
    default_auto_field = "django.db.models.BigAutoField"
