from django.conf import settings
from django.http import HttpRequest


def branding(request: HttpRequest) -> dict[str, str]:
    """The partnership's own name on every page (never the crown)."""
    return {"service_name": settings.PARTNERSHIP_NAME}
