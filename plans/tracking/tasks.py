"""Background job of values over time: one thin task around ``release_update_run``."""

from __future__ import annotations

from typing import cast

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from core.jobs import job_run
from plans.tracking.models import ReleaseUpdate
from plans.tracking.releases import release_update_run


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60, acks_late=True)
def release_update_run_task(job_id: int) -> None:
    job_run(
        ReleaseUpdate,
        job_id,
        lambda job: release_update_run(job=cast(ReleaseUpdate, job)),
        failure_message=_(
            "The measures could not be updated from the release. The reason is below; "
            "start the update again from the release page once it is fixed."
        ),
    )
