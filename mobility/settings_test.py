"""Test settings: the main settings with what tests need changed, nothing more."""

import os
from pathlib import Path

# Tests get their own var/ (secret key, broker folders, uploads, SQLite file) inside the
# checkout, so they never touch the developer's embedded database or queue, nor another
# checkout's test run.
os.environ.setdefault(
    "MOBILITY_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test")
)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("CELERY_BROKER_URL", "filesystem://")
# One queue per test run, so runs sharing a Redis never take each other's messages.
os.environ.setdefault("CELERY_QUEUE", f"mobility-test-{os.getpid()}")

from mobility.settings import *  # noqa: E402,F403
from mobility.settings import DATABASES, STATIC_ROOT, VAR_DIR  # noqa: E402

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A real worker started by a test keeps no outbox the test can read: given a folder, it
# writes what the console backend prints into files there (Django's file backend).
if os.environ.get("MOBILITY_TEST_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["MOBILITY_TEST_EMAIL_DIR"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# A subprocess started by a test (backup and restore) may be given its own media folder.
MEDIA_ROOT = Path(os.environ.get("MOBILITY_TEST_MEDIA_ROOT", str(VAR_DIR / "media")))
# Unit tests run tasks in-process; the worker integration tests start a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a real worker process can open the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# A real worker started by the integration tests opens the test database, not the
# developer's: the fixture passes its name here.
if os.environ.get("MOBILITY_TEST_WORKER_DB"):
    DATABASES["default"]["NAME"] = os.environ["MOBILITY_TEST_WORKER_DB"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
