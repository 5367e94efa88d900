from __future__ import annotations

import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core.jobs import job_claim, job_fail, job_progress, job_succeed
from plans.map.models import PlanExport

logger = logging.getLogger(__name__)


def plan_export_run(*, export: PlanExport) -> PlanExport:
    """Render the PDF of a frozen version (its stored document) or of the current draft."""
    from plans.map.document import build_document
    from plans.map.pdf import document_pdf

    job_progress(export, done=0, total=4)
    version = export.version
    document = version.document if version is not None else build_document(export.coalition)
    job_progress(export, done=1)
    pdf, pages = document_pdf(document, progress=lambda n: job_progress(export, done=n))
    job_progress(export, done=3)
    with transaction.atomic():
        export.file.save(f"export-{export.pk}.pdf", ContentFile(pdf), save=False)
        export.size, export.pages = len(pdf), pages
        export.save(update_fields=["file", "size", "pages"])
    job_progress(export, done=4)
    job_succeed(export, _("%(n)s pages.") % {"n": pages})
    return export


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def plan_export_run_task(export_id: int) -> None:
    export = job_claim(PlanExport, export_id)
    if export is None:
        return
    try:
        plan_export_run(export=export)  # type: ignore[arg-type]
    except Exception as exc:
        logger.exception("PDF export %s failed", export_id)
        job_fail(export, _("The PDF could not be made. Try again, or tell us."), repr(exc)[:2000])
