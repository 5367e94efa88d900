"""The MAP's background job: one thin task around ``plan_export_run`` (every kind and format)."""

from __future__ import annotations

from typing import cast

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from core.jobs import job_run
from plans.map.models import PlanExport
from plans.map.services import plan_export_run


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def plan_export_run_task(export_id: int) -> None:
    job_run(
        PlanExport,
        export_id,
        lambda job: plan_export_run(export=cast(PlanExport, job)),
        failure_message=_(
            "The file could not be made. The reason is below; fix it and try again, or tell us."
        ),
    )
