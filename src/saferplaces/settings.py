"""The one settings module. Every knob is an environment variable with a typed reader.

Development (the default) runs on SQLite inside the data directory with a secret key
generated into that directory. Production (`SAFERPLACES_ENV=production`) refuses to
start without `SECRET_KEY` and turns on every `check --deploy` protection. DEBUG is off
everywhere unless `DEBUG=true` says otherwise (a developer's choice, never the demo's):
an error shows the GOV.UK error page, not the settings and the data directory.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from saferplaces.env import (
    env_bool,
    env_image,
    env_int,
    env_list,
    env_path,
    env_str,
    env_weights,
)

BASE_DIR = Path(__file__).resolve().parent

ENVIRONMENT = env_str("SAFERPLACES_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("SAFERPLACES_ENV must be development or production")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", False)

DATA_DIR = env_path("SAFERPLACES_DATA_DIR", Path.cwd() / "var")
INCIDENT_STORE_DIR = DATA_DIR / "incidents"
DOCUMENTS_DIR = DATA_DIR / "documents"


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # Development: one random key per data directory, never in the repository.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

PARTNERSHIP_NAME = env_str("SAFERPLACES_PARTNERSHIP_NAME", "saferplaces")
PARTNERSHIP_LOGO = env_image("SAFERPLACES_LOGO")
"""The partnership's logo (PNG or JPEG) for its board papers; None when unset."""
SUPPRESSION_THRESHOLD = env_int("SAFERPLACES_SUPPRESSION_THRESHOLD", 5, minimum=1)
"""Counts from casework below this (and above 0) are published as "fewer than N"."""
# The body a plan must have regard to and that may review an ASB Case Review decision:
# Police and Crime Commissioners' functions are moving to mayors and policing boards.
POLICING_BODY = env_str("SAFERPLACES_POLICING_BODY", "Police and Crime Commissioner")
RETURN_DUE_DAYS = env_int("SAFERPLACES_RETURN_DUE_DAYS", 28, minimum=0)
"""Days after a quarter ends that a funded project's quarterly return is due."""
# E-mail (the weekly digest, `saferplaces digest send`): printed to the console unless
# production or EMAIL_BACKEND says otherwise; in production Django's SMTP backend reads
# EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "saferplaces@localhost")
# The strategic assessment's prioritisation matrix: a weight per criterion (harm, volume,
# trend, public-concern, vulnerability, capacity, confidence); unnamed criteria weigh 1.
STRATEGY_PRIORITY_WEIGHTS = env_weights("SAFERPLACES_PRIORITY_WEIGHTS") or None
# What death reviews are called: the Victims and Prisoners Act 2024 s.19 (not yet in
# force) renames Domestic Homicide Reviews "Domestic Abuse Related Death Reviews".
DEATH_REVIEW_NAME = env_str("SAFERPLACES_DEATH_REVIEW_NAME", "Domestic Homicide Review")
# Windows of the year (`saferplaces seasons`): Freshers' week per place, "place=MM-DD:DAYS"
# (west-lancashire=09-15:7, the place's slug or ONS code); windows a partnership names,
# "name=MM-DD..MM-DD" or "name=MM..MM"; Diwali in years after the shipped table
# (2009-2024), "YEAR=MM-DD" (the first of its five days). saferplaces.evidence.seasons
# reads them and refuses a value it cannot read, naming the variable.
SEASONS_FRESHERS_WEEKS = env_list("SAFERPLACES_FRESHERS_WEEKS", [])
SEASONS_WINDOWS = env_list("SAFERPLACES_SEASON_WINDOWS", [])
# The density surface's bandwidth in metres (the Gaussian kernel's standard deviation).
DENSITY_BANDWIDTH_M = env_int("SAFERPLACES_DENSITY_BANDWIDTH_M", 250, minimum=10)
SEASONS_DIWALI_DATES = env_list("SAFERPLACES_DIWALI_DATES", [])

# Uploads (the import page) are never trusted: a request larger than UPLOAD_MAX_MB (all
# its files together, in MiB) is refused before its body is read, and one that grows past
# it is stopped; files are streamed to disk inside the data directory, never held in
# memory (saferplaces.evidence.uploads).
UPLOAD_MAX_MB = env_int("SAFERPLACES_UPLOAD_MAX_MB", 2048, minimum=1)
# Every import, from the web or the command line, reads within the same limits
# (saferplaces.insight.sources.limits): no file larger than UPLOAD_MAX_MB as stored, none
# that expands past IMPORT_MAX_EXPANDED_MB when decompressed (nor more than 200 times).
IMPORT_MAX_EXPANDED_MB = env_int("SAFERPLACES_IMPORT_MAX_EXPANDED_MB", 8192, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "uploads" / "tmp")
with contextlib.suppress(OSError):  # an unwritable data directory is reported by checks
    Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django_otp",  # two-factor sign-in for casework (saferplaces.web.two_factor)
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "saferplaces.web",
    "saferplaces.partnership",
    "saferplaces.evidence",
    "saferplaces.reports",
    "saferplaces.governance",
    "saferplaces.casework",
    "saferplaces.asb_case_reviews",
    "saferplaces.death_reviews",
    "saferplaces.strategy",
    "saferplaces.delivery",
    "saferplaces.operations",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from our static files
    "saferplaces.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): two-factor done
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
]

ROOT_URLCONF = "saferplaces.urls"
WSGI_APPLICATION = "saferplaces.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "saferplaces.web.context.branding",
            ],
        },
    },
]

_DEFAULT_DB = f"sqlite:///{DATA_DIR / 'saferplaces.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _DEFAULT_DB), conn_max_age=env_int("DB_CONN_MAX_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "saferplaces",
    }
}

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in resists guessing (django-axes): after SAFERPLACES_LOGIN_FAILURE_LIMIT failures
# the username is locked out *from that address* for SAFERPLACES_LOCKOUT_MINUTES, and
# every further try while locked restarts the wait. The address is REMOTE_ADDR only
# (X-Forwarded-For is not trusted, so it cannot be forged to dodge the count); behind a
# reverse proxy every client shares the proxy's address, and the lock is then per username.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SAFERPLACES_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SAFERPLACES_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "saferplaces.web.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "saferplaces.web.views.client_address"

# Two-factor sign-in (django-otp, TOTP): everyone who may see casework enters a code from
# an authenticator app after their password before any casework page (governance.pages).
# Wrong codes are throttled per device: after n wrong codes the next try waits 2^(n-1)
# seconds (OTP_TOTP_THROTTLE_FACTOR, default 1), whatever the code.
OTP_TOTP_ISSUER = PARTNERSHIP_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret or QR code

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic fills it; whitenoise wants it
# Whitenoise serves /static/ whatever DEBUG says: from STATIC_ROOT after collectstatic (the
# demo and production), and in development straight from the apps' static folders too, so
# `saferplaces serve` works before collectstatic has run.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Content-Security-Policy (django-csp): everything from this site and nothing inline but
# GOV.UK Frontend's one-line `js-enabled` snippet (allowed by its hash, which GOV.UK
# Frontend publishes; tests/web/test_security.py checks it against base.html), <style>
# elements that carry the request's nonce, and the tooltip stylesheet that vega-embed's
# vega-tooltip puts in the page (allowed by its hash: rebuilding Vega may change it, and
# tests/browser/test_csp.py then fails). No 'unsafe-inline', no 'unsafe-eval': Vega
# evaluates expressions with vega-interpreter, not `new Function`. Scripts may still set
# element.style (Leaflet does); they may not write style="" attributes.
GOVUK_JS_ENABLED_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
VEGA_TOOLTIP_STYLE_HASH = "'sha256-3DGwvqeuzfpl1OM1mb285/TwB5+qWlC5a2FoZJ0askE='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, GOVUK_JS_ENABLED_HASH],
        "style-src": [SELF, NONCE, VEGA_TOOLTIP_STYLE_HASH],
        "img-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The REST API (saferplaces.api): personal API tokens (`Authorization: Bearer <token>`, made
# and revoked on /account/api-tokens/), or the session for the docs page in a browser;
# every list is paginated (?page=, ?page_size= up to API_MAX_PAGE_SIZE), filtered and
# ordered (?ordering=). Each token may make SAFERPLACES_API_RATE requests ("600/minute",
# "20/second", …); the count is kept in the default cache (see CACHES).
API_RATE = env_str("SAFERPLACES_API_RATE", "600/minute")
if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", API_RATE):
    raise ImproperlyConfigured(
        "SAFERPLACES_API_RATE must be a number of requests per second, minute, hour or day, "
        "such as 600/minute"
    )
API_PAGE_SIZE = env_int("SAFERPLACES_API_PAGE_SIZE", 50, minimum=1)
API_MAX_PAGE_SIZE = env_int("SAFERPLACES_API_MAX_PAGE_SIZE", 500, minimum=1)
API_TOKEN_MAX_DAYS = env_int("SAFERPLACES_API_TOKEN_MAX_DAYS", 365, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "saferplaces.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["saferplaces.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_RATE},
    "DEFAULT_PAGINATION_CLASS": "saferplaces.api.pagination.Pages",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "saferplaces.api.ordering.StableOrdering",
    ],
    "DEFAULT_SCHEMA_CLASS": "saferplaces.api.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{PARTNERSHIP_NAME} API",
    "DESCRIPTION": (
        "Figures, delivery, funding, imports and casework of the partnership, with the "
        "same access decisions and audit trail as its pages. Authenticate with a personal "
        "API token: `Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",  # vendored: nothing is fetched from the internet
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {  # one name per choice set (many models have a kind or status)
        "PlaceKindEnum": "saferplaces.partnership.models.places.PlaceKind",
        "GroupKindEnum": "saferplaces.partnership.models.groups.GroupKind",
        "MeetingStatusEnum": "saferplaces.partnership.models.meetings.MeetingStatus",
        "PlanKindEnum": "saferplaces.strategy.models.plans.PlanKind",
        "PlanStatusEnum": "saferplaces.strategy.models.plans.PlanStatus",
        "InitiativeKindEnum": "saferplaces.delivery.models.initiatives.InitiativeKind",
        "ActionStatusEnum": "saferplaces.delivery.models.initiatives.ActionStatus",
        "PanelKindEnum": "saferplaces.casework.models.PanelKind",
        "CaseStatusEnum": "saferplaces.casework.models.CaseStatus",
        "ImportStatusEnum": "saferplaces.evidence.models.BatchStatus",
        "ImportKindEnum": "saferplaces.evidence.forms.KINDS",
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
