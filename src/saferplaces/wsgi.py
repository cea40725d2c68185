import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplaces.settings")
application = get_wsgi_application()

from saferplaces.web.warmup import warm  # noqa: E402 - needs Django set up first

warm()
