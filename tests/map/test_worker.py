"""A real Celery worker renders a MAP export from the database row."""

import pytest

from core.models import JobStatus
from plans.map import services
from tests.conftest import wait_for
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.worker]


def test_real_worker_renders_the_pdf(celery_worker_process):
    pm = MembershipFactory(role="project_manager")
    services.vision_save(actor=pm, statement="Everyone thrives.")
    export = services.plan_export_start(actor=pm)

    def finished():
        export.refresh_from_db()
        return export.status in ("succeeded", "failed")

    assert wait_for(finished, timeout=120), f"export still {export.status}"
    assert export.status == JobStatus.SUCCEEDED, export.error_report
    # The draft as the public reads it: cover, contents and the sections with content.
    assert export.task_id and export.pages >= 3
    assert export.file.open("rb").read(5) == b"%PDF-"
