"""Domestic Homicide Reviews, becoming Domestic Abuse Related Death Reviews (Victims and
Prisoners Act 2024 s.19)."""

from django.apps import AppConfig

RETENTION_DAYS = 10 * 365


class DeathReviewsConfig(AppConfig):
    name = "saferplaces.death_reviews"
    verbose_name = "Death reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from saferplaces.death_reviews.services import expired
        from saferplaces.governance import retention

        retention.register(
            "death_review",
            "death reviews (10 years after publication or a decision not to hold a review)",
            RETENTION_DAYS,
            expired,
        )
