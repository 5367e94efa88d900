"""docker-compose.yml against the code it runs: mistakes `docker compose up` would show late.

No Docker engine runs here; these read the file and compare it with the settings, the
modules and the deployment guide.
"""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict] = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")  # the services that run the Django settings


def _command(name: str) -> list[str]:
    command = SERVICES[name]["command"]
    words = command if isinstance(command, list) else shlex.split(command)
    if words[:2] == ["sh", "-c"]:
        return shlex.split(" ".join(words[2:]).replace("&&", " && "))
    return words


def _env_file_names() -> set[str]:
    """The names the deployment guide tells people to put in `.env`."""
    guide = (ROOT / "docs" / "deployment.md").read_text()
    block = guide.split("Put the secrets in `.env`", 1)[1].split("```", 2)[1]
    return {line.split("=", 1)[0].strip() for line in block.splitlines() if "=" in line}


def _required_by_settings() -> set[str]:
    """What production settings refuse to start without: `_required(...)` and DATABASE_URL."""
    settings = (ROOT / "mobility" / "settings.py").read_text()
    # Without DATABASE_URL the settings quietly fall back to SQLite inside the container.
    return set(re.findall(r'_required\("([A-Z_]+)"\)', settings)) | {"DATABASE_URL"}


def test_the_settings_still_name_what_they_require():
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "CELERY_BROKER_URL"} <= _required_by_settings()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_every_setting_production_requires(name):
    service = SERVICES[name]
    environment = service.get("environment", {})
    from_env_file = _env_file_names() if ".env" in str(service.get("env_file", "")) else set()
    assert str(environment.get("DEBUG", "")).lower() == "false", "production mode"
    missing = _required_by_settings() - set(environment) - from_env_file
    assert not missing, f"{name} starts without {sorted(missing)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_urls_use_schemes_the_settings_accept(name):
    from mobility.config import BROKER_SCHEMES, DATABASE_SCHEMES

    environment = SERVICES[name]["environment"]
    assert environment["DATABASE_URL"].split("://")[0] in DATABASE_SCHEMES
    assert environment["CELERY_BROKER_URL"].split("://")[0] in BROKER_SCHEMES
    for url in (environment["DATABASE_URL"], environment["CELERY_BROKER_URL"]):
        host = url.split("@")[-1].split("://")[-1].split(":")[0].split("/")[0]
        assert host in SERVICES, f"{name} points at {host}, which is not a service"


def test_variables_the_file_interpolates_are_in_the_env_file_guide():
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    assert used and not used - _env_file_names()


def test_web_runs_a_wsgi_application_that_exists():
    words = _command("web")
    module, attribute = words[words.index("gunicorn") + 1].split(":")
    assert callable(getattr(importlib.import_module(module), attribute))
    assert (ROOT / words[words.index("python") + 1]).is_file()  # manage.py (migrate)


@pytest.mark.parametrize(("name", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_name_the_celery_app(name, subcommand):
    words = _command(name)
    assert words[0] == "celery" and subcommand in words
    app = importlib.import_module(words[words.index("-A") + 1] + ".celery").app
    assert app.main == "mobility"


def test_the_web_healthcheck_asks_the_health_endpoint_on_the_bound_port():
    words = _command("web")
    port = words[words.index("--bind") + 1].rsplit(":", 1)[1]
    probe = " ".join(SERVICES["web"]["healthcheck"]["test"])
    url = re.search(r"http://[^/'\"]+(/[^'\"]*)", probe)
    assert url and f":{port}/" in url.group(0)
    assert resolve(url.group(1)).view_name == "core:healthz"
    assert any(str(p).endswith(f":{port}") for p in SERVICES["web"].get("ports", []))


def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies():
    for name, service in SERVICES.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
            assert condition["condition"] == "service_healthy", (name, dependency)


def test_named_volumes_are_declared_and_used():
    declared = set(COMPOSE.get("volumes") or {})
    used = {
        str(volume).split(":", 1)[0]
        for service in SERVICES.values()
        for volume in service.get("volumes", [])
        if not str(volume).startswith((".", "/", "~"))
    }
    assert used <= declared, f"undeclared volumes: {sorted(used - declared)}"
    assert declared <= used, f"declared but unused: {sorted(declared - used)}"


def test_uploads_live_on_a_volume_shared_by_web_and_worker():
    media_root = SERVICES["web"]["environment"]["MEDIA_ROOT"]
    for name in ("web", "worker"):
        mounts = {str(v).split(":", 1)[1] for v in SERVICES[name]["volumes"]}
        assert media_root in mounts, f"{name} does not mount {media_root}"
