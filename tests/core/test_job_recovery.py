"""Jobs that recover: heartbeats, dead workers, lost messages, one active job, retry."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.jobs import job_run, jobs_recover, worker_name
from core.models import DiagnosticJob, JobStatus
from metrics import services as metric_services
from metrics.local_data import local_dataset_map
from metrics.models import LocalDataset, MetricImport, Predictor
from plans.map import services as map_services
from plans.map.models import PlanExport
from tests.factories import CoalitionFactory, MembershipFactory
from tests.metrics.test_local_data import MAPPING

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "metrics"
GONE = "other-host.invalid:4242"  # a worker this host cannot see: only its heartbeat counts


@pytest.fixture
def team(db):
    coalition = CoalitionFactory()
    return {
        role: MembershipFactory(coalition=coalition, role=role)
        for role in ("viewer", "member", "data_lead", "project_manager")
    }


@pytest.fixture
def pm(team):
    return team["project_manager"]


def _ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


# --- heartbeat ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_goes_on_while_a_long_step_writes_nothing(settings, staff):
    settings.JOB_HEARTBEAT_SECONDS = 0.2
    job = DiagnosticJob.objects.create(started_by=staff)
    beats = []

    def slow(job):
        for _ in range(6):
            time.sleep(0.25)
            beats.append(DiagnosticJob.objects.get(pk=job.pk).heartbeat_at)

    job_run(DiagnosticJob, job.pk, slow, failure_message="x")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.worker == worker_name()
    assert len(set(beats)) >= 3, beats  # the heartbeat moved while the step ran


# --- dead workers ---------------------------------------------------------------------------


def test_running_jobs_with_a_stale_heartbeat_are_failed_and_fresh_ones_kept():
    stale = DiagnosticJob.objects.create(
        status=JobStatus.RUNNING, heartbeat_at=_ago(61), worker=GONE
    )
    fresh = DiagnosticJob.objects.create(
        status=JobStatus.RUNNING, heartbeat_at=_ago(5), worker=GONE
    )
    done = jobs_recover(stale_after=timedelta(seconds=60))
    assert done.failed == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == JobStatus.FAILED and "worker stopped" in stale.message
    assert stale.finished_at is not None
    assert fresh.status == JobStatus.RUNNING


def test_a_job_of_a_process_of_this_host_that_is_gone_fails_at_once():
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: its pid no longer exists
    host = worker_name().rsplit(":", 1)[0]
    dead = DiagnosticJob.objects.create(
        status=JobStatus.RUNNING, heartbeat_at=timezone.now(), worker=f"{host}:{child.pid}"
    )
    alive = DiagnosticJob.objects.create(
        status=JobStatus.RUNNING, heartbeat_at=timezone.now(), worker=worker_name()
    )
    assert jobs_recover().failed == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert alive.status == JobStatus.RUNNING


# --- lost messages ----------------------------------------------------------------------------


def test_a_pending_job_whose_message_was_lost_is_sent_again_then_given_up(settings):
    from core.tasks import diagnostic_job_run_task

    settings.JOB_MAX_SENDS = 3
    lost = DiagnosticJob.objects.create(queued_at=_ago(3600), sends=1, task_id="old")
    hopeless = DiagnosticJob.objects.create(queued_at=_ago(3600), sends=3, task_id="old")
    recent = DiagnosticJob.objects.create(queued_at=_ago(5), sends=1, task_id="t")
    waiting = DiagnosticJob.objects.create()  # never queued: waits for something else
    sent = mock.Mock(id="new-task")
    with mock.patch.object(diagnostic_job_run_task, "apply_async", return_value=sent) as send:
        done = jobs_recover(resend_after=timedelta(minutes=10))
    assert (done.resent, done.given_up) == (1, 1)
    send.assert_called_once_with(args=[lost.pk])
    for job in (lost, hopeless, recent, waiting):
        job.refresh_from_db()
    assert (lost.status, lost.sends, lost.task_id) == (JobStatus.PENDING, 2, "new-task")
    assert lost.queued_at > _ago(60)
    assert hopeless.status == JobStatus.FAILED and "queued 3 times" in hopeless.message
    assert recent.status == waiting.status == JobStatus.PENDING
    assert recent.sends == 1 and waiting.sends == 0


def test_a_pending_job_behind_a_long_live_job_waits_unless_the_queue_passed_it(settings):
    from core.tasks import diagnostic_job_run_task

    long_job = DiagnosticJob.objects.create(
        status=JobStatus.RUNNING,
        queued_at=_ago(3000),
        started_at=_ago(2990),
        heartbeat_at=_ago(2),
        worker=GONE,
    )
    waiting = DiagnosticJob.objects.create(queued_at=_ago(2000), sends=1, task_id="t")
    sent = mock.Mock(id="again")
    with mock.patch.object(diagnostic_job_run_task, "apply_async", return_value=sent) as send:
        assert jobs_recover(resend_after=timedelta(minutes=10)).resent == 0
        send.assert_not_called()
        # A job queued after it has started: its message must have been lost.
        DiagnosticJob.objects.create(
            status=JobStatus.SUCCEEDED, queued_at=_ago(1000), started_at=_ago(900)
        )
        assert jobs_recover(resend_after=timedelta(minutes=10)).resent == 1
    waiting.refresh_from_db()
    long_job.refresh_from_db()
    assert waiting.sends == 2 and long_job.status == JobStatus.RUNNING


def test_sending_a_job_records_when_and_how_often(staff, django_capture_on_commit_callbacks):
    from core import services
    from core.tasks import diagnostic_job_run_task

    with (
        mock.patch.object(diagnostic_job_run_task, "apply_async", return_value=mock.Mock(id="t1")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = services.diagnostic_job_start(actor=staff)
    job.refresh_from_db()
    assert job.sends == 1 and job.queued_at is not None and job.task_id == "t1"


# --- one active job per target ----------------------------------------------------------------


def test_the_database_refuses_a_second_active_export_of_the_same_target(pm):
    coalition = pm.coalition
    PlanExport.objects.create(coalition=coalition)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanExport.objects.create(coalition=coalition, status=JobStatus.RUNNING)
    version = map_services.map_version_freeze(actor=pm, override_reason="A test plan.")
    PlanExport.objects.create(coalition=coalition, version=version)  # another target
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanExport.objects.create(coalition=coalition, version=version)
    PlanExport.objects.create(coalition=coalition, status=JobStatus.FAILED)  # not active


def test_starting_an_export_that_is_being_made_says_so(pm):
    map_services.plan_export_start(actor=pm)
    with pytest.raises(ValidationError, match="already being made"):
        map_services.plan_export_start(actor=pm)
    assert PlanExport.objects.count() == 1


def test_the_constraint_answers_when_the_check_is_raced(pm):
    """Two requests that both passed a check: the database has the last word."""
    PlanExport.objects.create(coalition=pm.coalition)
    with (
        mock.patch("plans.map.services.pdf_export_check"),
        pytest.raises(ValidationError, match="already being made"),
    ):
        map_services.plan_export_start(actor=pm)


def test_the_same_file_cannot_be_imported_twice_at_once(staff):
    upload = b"year,state,county,share_employed\n2020,01,001,0.5\n"
    first = metric_services.metric_import_start(
        actor=staff, upload=ContentFile(upload, name="a.csv"), release_name="2025"
    )
    with pytest.raises(ValidationError) as refused:
        metric_services.metric_import_start(
            actor=staff, upload=ContentFile(upload, name="a.csv"), release_name="2025"
        )
    assert "already being imported" in str(refused.value.message_dict["file"])
    assert MetricImport.objects.get().pk == first.pk
    other = metric_services.metric_import_start(
        actor=staff, upload=ContentFile(upload, name="b.csv"), release_name="2025"
    )
    assert other.pk != first.pk


def test_a_local_dataset_being_loaded_is_not_loaded_twice(team):
    lead = team["data_lead"]
    dataset = LocalDataset.objects.create(
        coalition=lead.coalition,
        predictor=Predictor.objects.get(slug="housing-affordability"),
        name="Rents",
        columns=list(MAPPING.values()),
        mapped=True,
        status=JobStatus.RUNNING,
    )
    with pytest.raises(ValidationError, match="being loaded"):
        local_dataset_map(actor=lead, dataset=dataset, mapping=MAPPING)


# --- retry -------------------------------------------------------------------------------------


def _failed_export(coalition, **fields) -> PlanExport:
    return PlanExport.objects.create(
        coalition=coalition,
        status=JobStatus.FAILED,
        message="The worker stopped",
        progress_done=2,
        pages=3,
        worker=GONE,
        sends=3,
        **fields,
    )


def test_a_failed_export_is_retried_from_the_plan_page(
    client, team, django_capture_on_commit_callbacks
):
    member = team["member"]
    export = _failed_export(member.coalition)
    client.force_login(member.user)
    page = client.get(reverse("map:plan", args=[member.coalition.pk])).content.decode()
    retry = reverse("map:export_retry", args=[member.coalition.pk, export.pk])
    assert f'action="{retry}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302
    export.refresh_from_db()
    assert export.status == JobStatus.SUCCEEDED, export.message  # eager: it ran again
    assert export.pages >= 1 and export.file
    assert export.sends == 1  # counted afresh


def test_viewers_see_no_retry_and_may_not_retry(client, team):
    viewer = team["viewer"]
    export = _failed_export(viewer.coalition)
    client.force_login(viewer.user)
    page = client.get(reverse("map:plan", args=[viewer.coalition.pk])).content.decode()
    assert "export_retry" not in page and "/retry/" not in page
    response = client.post(reverse("map:export_retry", args=[viewer.coalition.pk, export.pk]))
    assert response.status_code == 403
    export.refresh_from_db()
    assert export.status == JobStatus.FAILED


def test_retry_through_the_api(api_client, team):
    member = team["member"]
    export = _failed_export(member.coalition)
    url = reverse("api:map-export-retry", args=[member.coalition.pk, export.pk])
    api_client.force_authenticate(member.user)
    with mock.patch("plans.map.tasks.plan_export_run_task.apply_async") as send:
        send.return_value.id = "again"
        response = api_client.post(url)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending" and body["message"] == ""
    again = api_client.post(url)  # pending now: only a failed job can be retried
    assert again.status_code == 400
    assert "failed" in str(again.json())


def test_retry_is_refused_while_another_export_of_the_target_is_active(pm):
    export = _failed_export(pm.coalition)
    PlanExport.objects.create(coalition=pm.coalition)  # a new one, pending
    with pytest.raises(ValidationError, match="already being made"):
        map_services.plan_export_retry(actor=pm, export=export)
    export.refresh_from_db()
    assert export.status == JobStatus.FAILED


def test_a_failed_import_is_retried_by_staff(
    staff_client, staff, django_capture_on_commit_callbacks
):
    from pathlib import Path

    sample = (
        Path(__file__).resolve().parent.parent / "fixtures" / "metrics" / "county_2025_sample.csv"
    )
    job = metric_services.metric_import_start(
        actor=staff, upload=ContentFile(sample.read_bytes(), name="c.csv"), release_name="2025"
    )
    MetricImport.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, message="The worker stopped", error_count=4
    )
    page = staff_client.get(reverse("metrics:import_detail", args=[job.pk])).content.decode()
    assert reverse("metrics:import_retry", args=[job.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("metrics:import_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.error_count == 0 and job.observations_written > 0


def test_only_staff_retry_imports(api_client, user, staff):
    job = MetricImport.objects.create(
        started_by=staff,
        original_name="c.csv",
        release=metric_services.release_get_or_create(name="2025"),
        status=JobStatus.FAILED,
    )
    api_client.force_authenticate(user)
    assert api_client.post(reverse("api:metric-import-retry", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_a_failed_invitation_list_is_worked_through_again(
    client, team, django_capture_on_commit_callbacks
):
    from coalitions.models import BulkInvitation

    pm = team["project_manager"]
    job = BulkInvitation.objects.create(
        coalition=pm.coalition,
        started_by=team["data_lead"].user,
        text="ana@example.org\nbo@example.org",
        progress_total=2,
        status=JobStatus.FAILED,
        message="The worker stopped",
    )
    page_url = reverse("coalitions:invitation_bulk_job", args=[pm.coalition.pk, job.pk])
    retry = reverse("coalitions:invitation_bulk_retry", args=[pm.coalition.pk, job.pk])
    client.force_login(pm.user)
    assert f'action="{retry}"' in client.get(page_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.started_by == pm.user and job.invited == 2
