"""The data walks' background job: one thin task around ``walk_export_run``."""

from __future__ import annotations

from typing import cast

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from core.jobs import job_run
from walks.models import WalkExport
from walks.services import walk_export_run


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def walk_export_run_task(export_id: int) -> None:
    job_run(
        WalkExport,
        export_id,
        lambda job: walk_export_run(export=cast(WalkExport, job)),
        failure_message=_("The posters could not be made. Try again, or tell us."),
    )
