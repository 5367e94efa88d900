"""Bad configuration stops start-up with one line naming the setting, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DATABASE_URL": "postgres://mobility:secret@db.internal:5432/mobility",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "SECRET_KEY": "k" * 30 + "-production-only-" + "z" * 30,
    "ALLOWED_HOSTS": "map.example.gov",
}


def run(args, env_extra, tmp_path, timeout=60):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "CELERY_QUEUE",
            "MOBILITY_TEST_WORKER_DB",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(MOBILITY_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="mobility.settings")
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line_error(result) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_malformed_database_url(tmp_path):
    line = one_line_error(run(["manage.py", "check"], {"DATABASE_URL": "mysql//oops"}, tmp_path))
    assert line.startswith("Configuration error: DATABASE_URL is not a valid URL")


def test_database_url_password_is_not_echoed(tmp_path):
    line = one_line_error(
        run(["manage.py", "check"], {"DATABASE_URL": "ftp://u:hunter2@host/db"}, tmp_path)
    )
    assert "hunter2" not in line


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "CELERY_BROKER_URL"])
def test_production_settings_without_a_required_value(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    line = one_line_error(run(["manage.py", "check"], env, tmp_path))
    assert f"{missing} is not set" in line


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_worker_refuses_to_start_when_the_broker_does_not_answer(tmp_path):
    env = {**PRODUCTION, "CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}
    result = run(["-m", "celery", "-A", "mobility", "worker", "--pool", "solo"], env, tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert (
        "Configuration error: CELERY_BROKER_URL: cannot reach the message broker at "
        "redis://127.0.0.1:1/0" in result.stderr
    )


def test_embedded_default_needs_nothing_set(tmp_path):
    result = run(["manage.py", "check"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()
