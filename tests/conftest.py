from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import PASSWORD, StaffFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "var" / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; Django's ORM guard would
# otherwise refuse database access from the live server fixtures.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# --- A real Celery worker ---------------------------------------------------------------


def _clear_filesystem_queue() -> None:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "processed_folder"):
        folder = options.get(key)
        if folder and Path(folder).is_dir():
            shutil.rmtree(folder)
            Path(folder).mkdir(parents=True)


def _worker_start(*args: str, env: dict[str, str] | None = None, log_name: str = "worker"):
    from django.db import connection

    full_env = dict(os.environ)
    full_env["DJANGO_SETTINGS_MODULE"] = "mobility.settings_test"
    full_env["MOBILITY_TEST_WORKER_DB"] = str(connection.settings_dict["NAME"])
    full_env.update(env or {})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / f"{log_name}.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mobility",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *args,
        ],
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return proc, log


def _worker_stop(proc: subprocess.Popen, log) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log.close()


@pytest.fixture
def celery_worker_factory(transactional_db):
    """Start real workers on the test database and broker: ``start(*celery_args, env=...)``.

    Every worker started is stopped at the end (a test may kill one itself first).
    """
    from mobility.celery import app

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        _clear_filesystem_queue()
    started: list = []

    def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        proc, log = _worker_start(*args, env=env, log_name=f"worker-{len(started) + 1}")
        started.append((proc, log))
        return proc

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield start
    finally:
        app.conf.task_always_eager = eager
        for proc, log in started:
            _worker_stop(proc, log)


@pytest.fixture
def celery_worker_process(celery_worker_factory) -> subprocess.Popen:
    """Start `celery worker` as a separate process on the test database and broker."""
    return celery_worker_factory()


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


# --- Chromium through Playwright ---------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        # Missing Chromium fails the run unless someone chose to go without browser tests.
        if os.environ.get("ALLOW_NO_BROWSER") != "1":
            pytest.fail(
                f"Chromium is required but missing at {CHROMIUM}: sudo apt-get install chromium"
                " (or ALLOW_NO_BROWSER=1 to skip the browser tests)"
            )
        pytest.skip(f"Chromium not installed at {CHROMIUM} (ALLOW_NO_BROWSER=1)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def reference_data(db):
    """Geographies and the metric catalog, as the migrations load them.

    Transactional tests (browser, worker) flush every table when they end, data of
    migrations included; tests that need the reference data after them ask for this.
    """
    from metrics import services
    from metrics.geographies import geographies_store
    from metrics.models import Geography

    geographies_store(Geography)
    services.catalog_sync()


@pytest.fixture(autouse=True)
def _fresh_attempt_counters(request):
    """Start every test with no attempt counters (sign-in, sign-up, data walk answers).

    In the embedded mode they live in the database cache's table: a test's transaction
    rolls them back, but the flush after a transactional test (browser, worker) leaves the
    table alone, so those tests empty it. With Redis (production, the second CI leg) nothing
    rolls back: the counters of every earlier test would add up, so this deletes the app's
    cache keys before each test. Never ``cache.clear()`` there: it would empty the whole
    Redis database, the task queue included.
    """
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        return
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        cache.clear()


@pytest.fixture(autouse=True)
def _reset_language():
    """A request in Spanish leaves Spanish active in the thread; start every test in English."""
    from django.utils import translation

    yield
    translation.deactivate()
