import pytest
from django.urls import reverse

from core.models import DiagnosticJob, JobStatus

pytestmark = pytest.mark.django_db


def test_staff_send_a_test_task_and_see_it_finish(staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("core:diagnostics_start"))
    assert response.status_code == 302
    page = staff_client.get(response["Location"]).content.decode()
    assert "Recent test tasks" in page
    job = DiagnosticJob.objects.get()
    assert job.status == JobStatus.SUCCEEDED
    assert "Finished" in page


def test_active_rows_poll_and_finished_rows_stop(staff_client, staff):
    job = DiagnosticJob.objects.create(started_by=staff)
    row = staff_client.get(reverse("core:diagnostics_job", args=[job.pk])).content.decode()
    assert "hx-trigger" in row and "Waiting" in row
    DiagnosticJob.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)
    row = staff_client.get(reverse("core:diagnostics_job", args=[job.pk])).content.decode()
    assert "hx-trigger" not in row


def test_people_who_are_not_staff_cannot_send_tasks(user_client):
    assert user_client.get(reverse("core:diagnostics")).status_code == 403
    assert user_client.post(reverse("core:diagnostics_start")).status_code == 403
    assert not DiagnosticJob.objects.exists()
