"""Bulk invitations: the request makes a job, the worker invites and mails, the page reports."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from coalitions import services
from coalitions.models import BulkInvitation, CoalitionEvent, EventKind, Invitation, Role
from coalitions.tasks import coalition_members_bulk_invite_run_task
from core.models import JobStatus
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LIST = "email,name,role\nok@example.org,Ok,viewer\nbad,Bad,member\nfine@example.org,Fine,\n"


def start(membership, text=LIST, **kwargs):
    return services.coalition_members_bulk_invite_start(
        actor_membership=membership, text=text, **kwargs
    )


def test_starting_sends_nothing_until_the_worker_runs(pm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(pm)
    assert job.status == JobStatus.PENDING and job.progress_total == 3
    assert job.started_by == pm.user and job.coalition == pm.coalition
    assert not Invitation.objects.exists() and not mail.outbox
    assert len(callbacks) == 1  # the task is enqueued once the job row is committed


def test_the_worker_invites_mails_and_reports(pm, django_capture_on_commit_callbacks, settings):
    settings.ALLOWED_HOSTS = ["map.example.gov"]
    request = RequestFactory().get("/", HTTP_HOST="map.example.gov")
    with django_capture_on_commit_callbacks(execute=True):
        job = start(pm, request=request)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress_done == 3 and job.percent == 100
    assert (job.invited, job.failed) == (2, 1)
    assert [(r.line, r.ok) for r in job.rows] == [(2, True), (3, False), (4, True)]
    assert "not a valid email" in job.rows[1].message
    assert sorted(m.to[0] for m in mail.outbox) == ["fine@example.org", "ok@example.org"]
    # The worker has no request: the link still names the site the list was sent from.
    assert "http://map.example.gov/coalitions/invitation/" in mail.outbox[0].body
    events = CoalitionEvent.objects.filter(coalition=pm.coalition, kind=EventKind.INVITED)
    assert sorted(e.subject_email for e in events) == ["fine@example.org", "ok@example.org"]
    assert {e.actor for e in events} == {pm.user}


def test_rows_past_the_limit_are_refused_before_any_job(pm):
    text = "".join(f"p{i}@example.org\n" for i in range(services.BULK_MAX_ROWS + 1))
    with pytest.raises(ValidationError, match="send at most 500"):
        start(pm, text=text)
    assert not BulkInvitation.objects.exists()


def test_members_below_the_management_team_cannot_start(db):
    member = MembershipFactory(role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        start(member)
    assert not BulkInvitation.objects.exists()


def test_a_management_team_member_cannot_invite_project_managers(
    db, django_capture_on_commit_callbacks
):
    team = MembershipFactory(role=Role.MANAGEMENT_TEAM)
    with django_capture_on_commit_callbacks(execute=True):
        job = start(team, text="boss@example.org,Boss,project manager\n")
    job.refresh_from_db()
    assert job.failed == 1 and "cannot invite people as Project manager" in job.rows[0].message
    assert not Invitation.objects.exists()


def test_a_role_lost_while_waiting_stops_the_job(pm, django_capture_on_commit_callbacks):
    team = MembershipFactory(coalition=pm.coalition, role=Role.MANAGEMENT_TEAM)
    with django_capture_on_commit_callbacks(execute=False):
        job = start(team)
    team.role = Role.MEMBER
    team.save()
    coalition_members_bulk_invite_run_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "may no longer invite" in job.message
    assert not Invitation.objects.exists() and not mail.outbox


def test_the_task_claims_the_job_once(pm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(pm)
    coalition_members_bulk_invite_run_task(job.pk)  # a second delivery finds nothing to claim
    assert Invitation.objects.count() == 2 and len(mail.outbox) == 2


# --- The page ------------------------------------------------------------------------


def test_the_page_shows_progress_then_the_report(pm_client, pm, django_capture_on_commit_callbacks):
    url = reverse("coalitions:invitation_bulk", args=[pm.coalition_id])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = pm_client.post(url, {"text": LIST})
    job = BulkInvitation.objects.get()
    job_url = reverse("coalitions:invitation_bulk_job", args=[pm.coalition_id, job.pk])
    progress_url = reverse("coalitions:invitation_bulk_progress", args=[pm.coalition_id, job.pk])
    assert response["Location"] == job_url
    waiting = pm_client.get(job_url).content.decode()
    assert "0 of 3 people done" in waiting
    assert f'hx-get="{progress_url}"' in waiting  # polls while the job waits or runs
    for callback in callbacks:
        callback()  # the worker runs the job
    partial = pm_client.get(progress_url).content.decode()
    assert "2 invited, 1 not invited" in partial and "hx-get" not in partial
    page = pm_client.get(job_url).content.decode()  # a refresh without JavaScript
    assert "2 invited, 1 not invited" in page and "not a valid email" in page
    listing = pm_client.get(url).content.decode()
    assert job_url in listing and "2 invited, 1 not invited" in listing


def test_another_coalitions_job_is_not_found(pm_client, pm, django_capture_on_commit_callbacks):
    other = MembershipFactory(role=Role.PROJECT_MANAGER)
    with django_capture_on_commit_callbacks(execute=False):
        job = start(other)
    for name in ("coalitions:invitation_bulk_job", "coalitions:invitation_bulk_progress"):
        assert pm_client.get(reverse(name, args=[pm.coalition_id, job.pk])).status_code == 404


def test_too_long_a_list_is_shown_on_the_form(pm_client, pm):
    text = "".join(f"p{i}@example.org\n" for i in range(services.BULK_MAX_ROWS + 1))
    response = pm_client.post(
        reverse("coalitions:invitation_bulk", args=[pm.coalition_id]),
        {"file": SimpleUploadedFile("people.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 200 and "send at most 500" in response.content.decode()
    assert not BulkInvitation.objects.exists()
