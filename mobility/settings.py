"""Settings of the Mobility Action Planner, driven by the environment.

With nothing set you get the embedded default that `make run` serves: DEBUG off, SQLite
under var/, a secret key generated once into var/, a broker on the file system and
console email (DEBUG=1 for Django's debug pages). Setting DATABASE_URL switches to
production mode, where SECRET_KEY, ALLOWED_HOSTS and CELERY_BROKER_URL have no default
and a missing one stops start-up with a one-line message.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
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
    DEBUG = env.bool("DEBUG", default=False)
except (ValueError, environ.ImproperlyConfigured) as exc:  # pragma: no cover - env parsing
    raise ConfigError(f"DEBUG must be true or false: {exc}") from None


# Production: a server reached by others, with PostgreSQL and Redis; its secrets and host
# names must be given. The embedded mode (and DEBUG) has defaults for all of them.
PRODUCTION = not DEBUG and not EMBEDDED


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ConfigError(f"{name} is not set; it is required when DEBUG is off")
    return value


def _embedded_secret_key() -> str:
    # Generated once per installation and kept under var/ (readable by its owner only), so
    # sessions and password-reset links survive restarts of `make run`.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fresh = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:  # a link never replaces: two processes starting at once end with one key
            os.link(fresh, path)
        except FileExistsError:
            pass
        finally:
            fresh.unlink()
    return path.read_text().strip()


SECRET_KEY = (
    _required("SECRET_KEY")
    if PRODUCTION
    else env.str("SECRET_KEY", default="") or _embedded_secret_key()
)
if not DEBUG and len(SECRET_KEY) < 50:
    raise ConfigError("SECRET_KEY is too short; use at least 50 random characters")

ALLOWED_HOSTS = (
    [h for h in _required("ALLOWED_HOSTS").split(",") if h]
    if PRODUCTION
    else env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "core",
    "metrics",
    "coalitions",
    "plans",
    "walks",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside whitenoise, so static files carry the policy as well.
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Values a page reads from many helpers (metric catalog, metric values) once per request.
    "core.request_cache.RequestCacheMiddleware",
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
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# The embedded mode has no collectstatic step (it takes minutes on a small machine):
# whitenoise serves the files straight from the apps' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
# Largest upload accepted by any form (metric files, local data); checked again per form.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest Mobility Metrics file an import accepts (the national county file is 28 MB).
METRICS_IMPORT_MAX_BYTES = env.int("METRICS_IMPORT_MAX_BYTES", default=100 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Uploads, quotas and limits (docs/deployment.md) ----------------------------------
# People's spreadsheets and CSV files (local data) are inspected against these before any
# parsing, and read under them; the whole file is read only in a worker's child process
# with a memory and a time limit.
SPREADSHEET_MAX_BYTES = env.int("SPREADSHEET_MAX_BYTES", default=20 * 1024 * 1024)
SPREADSHEET_MAX_ZIP_ENTRIES = env.int("SPREADSHEET_MAX_ZIP_ENTRIES", default=500)
SPREADSHEET_MAX_UNPACKED_BYTES = env.int("SPREADSHEET_MAX_UNPACKED_BYTES", default=200 * 1024**2)
SPREADSHEET_MAX_RATIO = env.int("SPREADSHEET_MAX_RATIO", default=200)
SPREADSHEET_MAX_SHARED_STRINGS_BYTES = env.int(
    "SPREADSHEET_MAX_SHARED_STRINGS_BYTES", default=20 * 1024 * 1024
)
SPREADSHEET_MAX_ROWS = env.int("SPREADSHEET_MAX_ROWS", default=100_000)
SPREADSHEET_MAX_COLUMNS = env.int("SPREADSHEET_MAX_COLUMNS", default=100)
SPREADSHEET_PARSE_MEMORY_MB = env.int("SPREADSHEET_PARSE_MEMORY_MB", default=1024)
SPREADSHEET_PARSE_SECONDS = env.int("SPREADSHEET_PARSE_SECONDS", default=120)
# One worksheet save: its whole request (refused before it is read) and its files.
WORKSHEET_SAVE_MAX_MB = env.int("WORKSHEET_SAVE_MAX_MB", default=50)
WORKSHEET_SAVE_MAX_FILES = env.int("WORKSHEET_SAVE_MAX_FILES", default=5)
# One person's saves of a worksheet within this many minutes of their first make one revision
# (the latest content kept); 0 keeps a revision per save.
REVISION_COALESCE_MINUTES = env.int("REVISION_COALESCE_MINUTES", default=10)
# Files a coalition may keep (worksheet files and local data), in MB.
COALITION_STORAGE_QUOTA_MB = env.int("COALITION_STORAGE_QUOTA_MB", default=500)
# Files on disk that no row names are removed by a periodic task once older than this.
ORPHAN_FILE_MIN_AGE_SECONDS = env.int("ORPHAN_FILE_MIN_AGE_SECONDS", default=3600)
# Emails (invitations, reminders, mentions) sent to one address in an hour.
EMAILS_PER_ADDRESS_PER_HOUR = env.int("EMAILS_PER_ADDRESS_PER_HOUR", default=10)

# --- Email ----------------------------------------------------------------------------
if not PRODUCTION and "EMAIL_URL" not in os.environ:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    try:
        vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
    except Exception as exc:
        raise ConfigError(f"EMAIL_URL could not be read: {exc}") from None
# Emails the worker sends on its own (reminders, digests) link to this address.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)
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
# A worker child that grew past this (KiB) is replaced after its task (a big file read).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=1536000)
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Jobs and recovery (core.jobs): a running job beats every JOB_HEARTBEAT_SECONDS; one whose
# heartbeat is older than JOB_STALE_AFTER_SECONDS (or whose worker process is gone) is
# failed by the periodic task and by every worker that starts. A pending job queued longer
# than JOB_RESEND_AFTER_SECONDS ago is sent again, and failed after JOB_MAX_SENDS sends.
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=5.0)
JOB_STALE_AFTER_SECONDS = env.int("JOB_STALE_AFTER_SECONDS", default=60)
JOB_RESEND_AFTER_SECONDS = env.int("JOB_RESEND_AFTER_SECONDS", default=10 * 60)
JOB_MAX_SENDS = env.int("JOB_MAX_SENDS", default=3)
CELERY_BEAT_SCHEDULE = {
    "recover-jobs": {"task": "core.tasks.jobs_recover_task", "schedule": 30.0},
    "remove-orphaned-files": {"task": "core.tasks.orphaned_files_remove_task", "schedule": 3600.0},
    # Reminders are idempotent (one per thing and due period), so hourly runs only catch up
    # after downtime; digests go out at DIGEST_HOUR (TIME_ZONE), weekly ones on Mondays.
    "send-reminders": {
        "task": "notifications.tasks.reminders_send_task",
        "schedule": crontab(minute=5),
    },
    "send-daily-digests": {
        "task": "notifications.tasks.digests_send_task",
        "schedule": crontab(minute=0, hour=DIGEST_HOUR),
        "args": ("daily",),
    },
    "send-weekly-digests": {
        "task": "notifications.tasks.digests_send_task",
        "schedule": crontab(minute=0, hour=DIGEST_HOUR, day_of_week=1),
        "args": ("weekly",),
    },
}

# --- Cache (attempt limits) -----------------------------------------------------------
# Shared by every process: Redis beside the broker in production, a database table
# (created by migration core.0002) in the embedded mode. Never per-process memory, or
# each gunicorn worker would count sign-in attempts on its own.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL:
    try:
        CACHES = {"default": env.cache_url_config(CACHE_URL)}
    except Exception as exc:
        raise ConfigError(f"CACHE_URL could not be read: {exc}") from None
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_BROKER_URL,
            "KEY_PREFIX": "mobility-cache",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "mobility_cache",
            # Past MAX_ENTRIES the cache deletes live entries; a low ceiling would let a
            # flood of new keys wipe the counters that hold a lock.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }

# --- Sign-in, tokens and security headers ---------------------------------------------
# How many reverse proxies of our own stand in front of the app. Each appends to
# X-Forwarded-For, so the person's address is that many entries from the right; with 0
# (the default) only the connection's address counts and X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# (attempts, window in seconds) per counter; see docs/deployment.md.
THROTTLE_LIMITS = {
    "signin-account": (5, 15 * 60),  # failed sign-ins (web and token) per account
    "signin-address": (20, 15 * 60),  # failed sign-ins per client address
    "reset-account": (3, 60 * 60),  # password reset requests per email address
    "reset-address": (10, 60 * 60),  # password reset requests per client address
    "signup-account": (3, 60 * 60),  # sign-ups and verification resends per email address
    "signup-address": (10, 60 * 60),  # sign-ups and verification resends per client address
    "walk-device": (20, 60),  # a data walk's answers per resident's device
    "walk-address": (300, 60),  # a data walk's answers per client address (a library's Wi-Fi)
}
# Tokens one person may hold at once; asking for one more is refused with a message.
API_TOKENS_PER_USER = 50
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an anonymous API call then gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Any DRF throttle identifies clients like core.throttling.client_address does.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
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
        "FieldVisibilityEnum": "plans.map.models.Visibility",
        "ExportKindEnum": "plans.map.models.ExportKind",
        "CheckFindingKindEnum": "plans.map.checks.KIND_KEYS",
        "GeographyKindEnum": "metrics.models.GeographyKind",
        "LanguageEnum": LANGUAGES,
        "WalkLanguageEnum": "walks.models.Language",
        "ExportFormatEnum": "plans.map.models.ExportFormat",
        "ImplementationStatusEnum": "plans.map.models.ImplementationStatus",
        "EarlyWinChannelEnum": "plans.implementation.models.Channel",
        "NotificationKindEnum": "plans.models.NotificationKind",
        "NotificationDeliveryEnum": "notifications.models.Delivery",
        "TrackingStatusEnum": "plans.tracking.status.Status",
    },
}

# Called as hook(actor=, release=) when staff activate a metrics release
# (metrics.services.release_activate): the metrics app names no app built on it.
RELEASE_ACTIVATED_HOOKS = ["plans.tracking.releases.release_activated"]

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    # The embedded mode is served over plain HTTP on 127.0.0.1 unless someone puts TLS in
    # front of it (then set these); production assumes TLS.
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
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
