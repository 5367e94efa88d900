"""Settings of the Mobility Action Planner, driven by the environment.

With nothing set you get the embedded default: DEBUG on, SQLite under var/, a broker
on the file system and console email. Setting DATABASE_URL switches to production mode
(DEBUG off unless asked for), where SECRET_KEY, ALLOWED_HOSTS and CELERY_BROKER_URL
have no default and a missing one stops start-up with a one-line message.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from mobility.config import BROKER_SCHEMES, DATABASE_SCHEMES, ConfigError, check_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MOBILITY_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()

DATABASE_URL = env.str("DATABASE_URL", default="")
EMBEDDED = not DATABASE_URL
if DATABASE_URL:
    check_url(
        "DATABASE_URL", DATABASE_URL, DATABASE_SCHEMES, "postgres://user:password@host:5432/name"
    )

try:
    DEBUG = env.bool("DEBUG", default=EMBEDDED)
except (ValueError, environ.ImproperlyConfigured) as exc:  # pragma: no cover - env parsing
    raise ConfigError(f"DEBUG must be true or false: {exc}") from None


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ConfigError(f"{name} is not set; it is required when DEBUG is off")
    return value


def _dev_secret_key() -> str:
    # A per-checkout key kept under var/, so sessions survive restarts of `make run`.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = (
    _required("SECRET_KEY")
    if not DEBUG
    else env.str("SECRET_KEY", default="") or (_dev_secret_key())
)
if not DEBUG and len(SECRET_KEY) < 50:
    raise ConfigError("SECRET_KEY is too short; use at least 50 random characters")

ALLOWED_HOSTS = (
    env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
    if DEBUG
    else [h for h in _required("ALLOWED_HOSTS").split(",") if h]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "core",
    "metrics",
    "coalitions",
    "plans",
    "walks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mobility.urls"
WSGI_APPLICATION = "mobility.wsgi.application"
ASGI_APPLICATION = "mobility.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "plans.context_processors.workspace",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
if DATABASE_URL:
    try:
        DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    except Exception as exc:  # django-environ raises assorted errors for bad URLs
        raise ConfigError(f"DATABASE_URL could not be read: {exc}") from None
    if not DATABASES["default"].get("NAME"):
        raise ConfigError("DATABASE_URL names no database (add /name at the end)")
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to one file: WAL lets readers go on while one
    # writes, the busy timeout makes a writer wait instead of failing, and IMMEDIATE
    # transactions take the write lock up front so two writers cannot deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
# Closed deployments turn open sign-up off; invited people still join through invitations.
OPEN_SIGNUP = env.bool("OPEN_SIGNUP", default=True)
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish numbers as US readers write them (66,167.5); see mobility/formats/es/formats.py
FORMAT_MODULE_PATH = ["mobility.formats"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Largest upload accepted by any form (metric files, local data); checked again per form.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest Mobility Metrics file an import accepts (the national county file is 28 MB).
METRICS_IMPORT_MAX_BYTES = env.int("METRICS_IMPORT_MAX_BYTES", default=100 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email ----------------------------------------------------------------------------
if DEBUG and "EMAIL_URL" not in os.environ:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    try:
        vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
    except Exception as exc:
        raise ConfigError(f"EMAIL_URL could not be read: {exc}") from None
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Mobility Action Planner <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
if DEBUG or EMBEDDED:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
else:
    CELERY_BROKER_URL = _required("CELERY_BROKER_URL")
check_url("CELERY_BROKER_URL", CELERY_BROKER_URL, BROKER_SCHEMES, "redis://host:6379/0")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 10}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="mobility")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True  # job state lives in database rows, not a result store
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "fail-stale-jobs": {"task": "core.tasks.jobs_fail_stale_task", "schedule": 300.0},
}
# Jobs whose heartbeat is older than this are failed by the periodic task.
JOB_STALE_AFTER_SECONDS = env.int("JOB_STALE_AFTER_SECONDS", default=15 * 60)

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous API call then gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    # Services' validation errors become 400s here, not in a try/except per view.
    "EXCEPTION_HANDLER": "core.api.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mobility Action Planner API",
    "DESCRIPTION": "Coalitions, worksheets, Mobility Metrics and Mobility Action Plans.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "core.models.JobStatus",
        "StepStatusEnum": "plans.models.StepStatus",
        "MapSectionStatusEnum": "plans.map.models.SectionStatus",
    },
}

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a commitment of the whole domain that its owner makes, so it is opt-in
    # and the check that asks for it is silenced.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # /healthz is polled over plain HTTP inside the compose network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # kombu warns on every connection to the file-system broker that it has no hostname;
    # WeasyPrint logs each layout step (and each stylesheet it parses on import) at INFO.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},
    },
}
