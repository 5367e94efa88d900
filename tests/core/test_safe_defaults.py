"""`make run` is safe to use for real: DEBUG off, waitress, friendly errors, a kept secret."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from mobility import embedded

ROOT = Path(__file__).resolve().parent.parent.parent
DROP = {
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CELERY_QUEUE",
    "MOBILITY_TEST_WORKER_DB",
    "HOST",
    "EMAIL_URL",
}


def embedded_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of `make run` on a fresh machine: nothing set but where var/ is."""
    env = {k: v for k, v in os.environ.items() if k not in DROP}
    env.update(MOBILITY_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="mobility.settings")
    env.update(extra)
    return env


def settings_of(env: dict[str, str]) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'DEBUG': s.DEBUG, 'KEY': s.SECRET_KEY,"
        "'SECURE': s.SESSION_COOKIE_SECURE, 'REDIRECT': s.SECURE_SSL_REDIRECT,"
        "'STATIC': s.STORAGES['staticfiles']['BACKEND'], 'EMAIL': s.EMAIL_BACKEND}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_embedded_default_has_debug_off_and_keeps_one_secret_key(tmp_path):
    first = settings_of(embedded_env(tmp_path))
    assert first["DEBUG"] is False
    assert first["REDIRECT"] is False and first["SECURE"] is False  # plain HTTP on 127.0.0.1
    assert first["EMAIL"].endswith("console.EmailBackend")
    key = tmp_path / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert first["KEY"] == key.read_text().strip() and len(first["KEY"]) >= 50
    assert settings_of(embedded_env(tmp_path))["KEY"] == first["KEY"]  # kept across starts
    assert settings_of(embedded_env(tmp_path, DEBUG="1"))["DEBUG"] is True


def test_make_run_listens_on_localhost_with_waitress_and_make_dev_with_runserver():
    out = subprocess.run(
        [sys.executable, "-c", "import mobility.embedded as e; print(e.HOST)"],
        cwd=ROOT,
        env=embedded_env(Path("/nonexistent")),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.stdout.strip() == "127.0.0.1"
    served = embedded.web_command("127.0.0.1", 8000, debug=False)
    assert served[1:3] == ["-m", "waitress"] and "--host=127.0.0.1" in served
    assert "runserver" in embedded.web_command("127.0.0.1", 8000, debug=True)
    makefile = (ROOT / "Makefile").read_text()
    assert "dev:" in makefile and "DEBUG=1" in makefile


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - localhost
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - localhost
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def embedded_server(tmp_path):
    """The web server `make run` starts, on a database with no tables (so pages fail)."""
    port = _free_port()
    proc = subprocess.Popen(
        embedded.web_command("127.0.0.1", port, debug=False),
        cwd=ROOT,
        env=embedded_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _get(base + "/static/css/app.css")
            break
        except OSError:
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=15)


def test_errors_show_the_apps_pages_and_never_a_traceback(embedded_server):
    code, headers, body = _get(embedded_server + "/static/css/app.css")
    assert code == 200 and headers["Server"] == "mobility"  # waitress, static by whitenoise
    assert "text/css" in headers["Content-Type"]

    code, _headers, body = _get(embedded_server + "/no-such-page/")
    assert code == 404
    assert "Page not found" in body and "/static/css/app.css" in body
    assert "Traceback" not in body and "urlpatterns" not in body  # Django's debug 404

    # The session table does not exist: loading the session fails inside Django.
    code, _headers, body = _get(embedded_server + "/", {"Cookie": "sessionid=x" * 3})
    assert code == 500
    assert "Something went wrong" in body and "/static/css/app.css" in body
    assert "Traceback" not in body and "OperationalError" not in body
    assert "django_session" not in body


@pytest.mark.django_db
def test_make_run_makes_a_first_administrator_once_with_a_random_password():
    from io import StringIO

    from django.core.management import call_command

    from accounts.models import User

    out = StringIO()
    call_command("first_admin", stdout=out)
    admin = User.objects.get(is_superuser=True)
    password = out.getvalue().split("with the password ")[1].split()[0]
    assert admin.email == "admin@localhost" and admin.check_password(password)
    assert password != "mobility-demo" and len(password) >= 16
    again = StringIO()
    call_command("first_admin", stdout=again)
    assert again.getvalue() == "" and User.objects.count() == 1
