"""A machine without Pango: one line from `make run`, everything but PDFs still works.

The library is hidden from a process with a ``sitecustomize`` module that makes cffi's
``dlopen`` fail for Pango and GObject exactly as the dynamic loader does when the Debian
packages are not installed (OSError "cannot load library ..."), which is what WeasyPrint
raises on import on such a machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import system
from core.models import JobStatus
from plans.map import services as map_services
from plans.map.models import PlanExport
from tests.conftest import wait_for
from tests.factories import MembershipFactory

ROOT = Path(__file__).resolve().parent.parent.parent
HIDE = """
import cffi.api

_real_dlopen = cffi.api.FFI.dlopen


def _dlopen(self, name, flags=0):
    if any(lib in str(name) for lib in ("pango", "gobject")):
        raise OSError(
            f"cannot load library '{name}': {name}: cannot open shared object file: "
            "No such file or directory"
        )
    return _real_dlopen(self, name, flags)


cffi.api.FFI.dlopen = _dlopen
"""


@pytest.fixture
def no_pango(tmp_path) -> dict[str, str]:
    """An environment whose processes cannot load Pango."""
    folder = tmp_path / "hide-pango"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(HIDE)
    path = os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return {"PYTHONPATH": path}


def _run(args: list[str], env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_hiding_works_like_a_missing_library(no_pango):
    result = _run(["-c", "import weasyprint"], no_pango)
    assert result.returncode != 0
    assert "OSError: cannot load library 'libgobject-2.0-0'" in result.stderr


def test_make_run_says_in_one_line_which_packages_to_install(no_pango):
    result = _run(["-m", "core.system", "run"], no_pango)
    assert result.returncode == 0  # the server still starts
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "PDF exports are off: the Pango library is missing" in lines[0]
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core" in lines[0]
    assert "Traceback" not in result.stderr


def test_make_test_refuses_to_start_and_says_what_to_install(no_pango, tmp_path):
    result = _run(["-m", "core.system", "test"], no_pango)
    assert result.returncode == 1
    assert "apt-get install libpango-1.0-0" in result.stdout
    no_browser = _run(
        ["-m", "core.system", "test"], {"CHROMIUM_PATH": str(tmp_path / "no-chromium")}
    )
    assert no_browser.returncode == 1
    assert "sudo apt-get install chromium" in no_browser.stdout
    allowed = _run(
        ["-m", "core.system", "test"],
        {"CHROMIUM_PATH": str(tmp_path / "no-chromium"), "ALLOW_NO_BROWSER": "1"},
    )
    assert allowed.returncode == 0 and "Browser tests skipped" in allowed.stdout


def test_the_app_loads_and_answers_without_pango(no_pango):
    """Every URL module (every view) imports, and the PDF sentence is ready for pages."""
    code = (
        "import django; django.setup()\n"
        "from django.urls import get_resolver; get_resolver().url_patterns\n"
        "from django.core.management import call_command; call_command('check')\n"
        "from core.system import pdf_unavailable_message; print(pdf_unavailable_message())\n"
    )
    result = _run(["-c", code], {**no_pango, "DJANGO_SETTINGS_MODULE": "mobility.settings_test"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "PDF export is not available on this server" in result.stdout


# --- what people see (the library hidden from this process by patching the check) -------


@pytest.fixture
def pango_missing(monkeypatch):
    monkeypatch.setattr(system, "pdf_problem", lambda: "the Pango library is missing")


@pytest.mark.django_db
def test_the_plan_page_explains_and_the_export_is_refused(client, pango_missing):
    member = MembershipFactory(role="member")
    client.force_login(member.user)
    page = client.get(reverse("map:plan", args=[member.coalition.pk])).content.decode()
    assert "PDF export is not available on this server: the Pango library is missing" in page
    with pytest.raises(ValidationError, match="Pango library is missing"):
        map_services.plan_export_start(actor=member)
    response = client.post(reverse("map:export_start", args=[member.coalition.pk]), follow=True)
    assert "Pango library is missing" in response.content.decode()
    assert not PlanExport.objects.exists()
    # Word files need no Pango: they are still made.
    word = map_services.plan_export_start(actor=member, format="docx")
    assert PlanExport.objects.get() == word


@pytest.mark.worker
def test_an_export_on_a_worker_without_pango_fails_with_the_reason(celery_worker_factory, no_pango):
    celery_worker_factory(env=no_pango)
    pm = MembershipFactory(role="project_manager")
    export = map_services.plan_export_start(actor=pm)  # this process has Pango

    def finished():
        export.refresh_from_db()
        return export.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    assert wait_for(finished, timeout=90), f"still {export.status}"
    assert export.status == JobStatus.FAILED
    assert export.message.startswith("PDF export is not available on this server")
    assert "libpango-1.0-0" in export.message and not export.error_report
