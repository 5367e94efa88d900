from celery import shared_task

from core.jobs import job_claim, job_fail
from metrics import services
from metrics.models import MetricImport


@shared_task(time_limit=30 * 60, soft_time_limit=25 * 60, acks_late=True)
def metric_import_run_task(job_id: int) -> None:
    job = job_claim(MetricImport, job_id)
    if job is None:
        return  # already claimed by another delivery of the same message
    try:
        services.metric_import_run(job=job)  # type: ignore[arg-type]
    except Exception:
        job_fail(
            job,
            "The import stopped because of an error on our side; nothing was imported.",
        )
        raise


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def local_dataset_import_run_task(dataset_id: int) -> None:
    from metrics.local_data import local_dataset_import_run
    from metrics.models import LocalDataset

    dataset = job_claim(LocalDataset, dataset_id)
    if dataset is None:
        return
    try:
        local_dataset_import_run(dataset=dataset)  # type: ignore[arg-type]
    except Exception:
        job_fail(dataset, "The load stopped because of an error on our side; nothing was loaded.")
        raise


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60, acks_late=True)
def release_digest_task(release_id: int, kind: str) -> None:
    """Rebuild a release's city medians and peer features after an import."""
    services.release_digest_refresh(release_id=release_id, kind=kind)
