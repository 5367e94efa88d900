from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from notifications import reminders, services


# A mail server that is down is transient: try again, later each time.
@shared_task(
    time_limit=60,
    soft_time_limit=50,
    autoretry_for=(OSError, SMTPException),
    retry_backoff=60,
    max_retries=5,
)
def notification_email_send_task(notification_id: int, body: str, site_url: str) -> None:
    services.notification_email_send(notification_id=notification_id, body=body, site_url=site_url)


@shared_task(time_limit=15 * 60, soft_time_limit=14 * 60)
def reminders_send_task() -> dict[str, int]:
    return reminders.reminders_send(site_url=settings.SITE_URL)


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60)
def digests_send_task(period: str) -> int:
    return services.digests_send(period=period, site_url=settings.SITE_URL)
