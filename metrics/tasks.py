from celery import shared_task
from django.utils.translation import gettext_lazy as _

from core.jobs import job_run
from metrics import services
from metrics.models import LocalDataset, MetricImport

IMPORT_FAILED = _("The import stopped because of an error on our side; nothing was imported.")


@shared_task(time_limit=30 * 60, soft_time_limit=25 * 60, acks_late=True)
def metric_import_run_task(job_id: int) -> None:
    job_run(
        MetricImport,
        job_id,
        lambda job: services.metric_import_run(job=job),  # type: ignore[arg-type]
        failure_message=IMPORT_FAILED,
    )


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def local_dataset_import_run_task(dataset_id: int) -> None:
    from metrics.local_data import local_dataset_import_run

    job_run(
        LocalDataset,
        dataset_id,
        lambda dataset: local_dataset_import_run(dataset=dataset),  # type: ignore[arg-type]
        failure_message=_("The load stopped because of an error on our side; nothing was loaded."),
    )


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def release_digest_task(release_id: int, kind: str) -> None:
    """Rebuild a release's city medians and peer features after an import."""
    services.release_digest_refresh(release_id=release_id, kind=kind)
