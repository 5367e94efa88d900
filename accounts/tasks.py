from celery import shared_task

from accounts import services


@shared_task(time_limit=60, soft_time_limit=50)
def account_email_send_task(user_id: int, kind: str, site_url: str) -> None:
    services.account_email_send(user_id=user_id, kind=kind, site_url=site_url)


@shared_task(time_limit=60, soft_time_limit=50)
def password_reset_send_task(email: str, site_url: str, language: str) -> None:
    services.password_reset_send(email=email, site_url=site_url, language=language)
