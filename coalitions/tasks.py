from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from core.jobs import job_run


@shared_task(time_limit=30 * 60, soft_time_limit=25 * 60, acks_late=True)
def coalition_members_bulk_invite_run_task(job_id: int) -> None:
    from coalitions.models import BulkInvitation
    from coalitions.services import coalition_members_bulk_invite_run

    job_run(
        BulkInvitation,
        job_id,
        lambda job: coalition_members_bulk_invite_run(job=job),  # type: ignore[arg-type]
        failure_message=_(
            "The invitations stopped before the end of the list. See who is invited on the "
            "invitations page, then send the others again."
        ),
    )
