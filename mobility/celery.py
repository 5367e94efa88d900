"""The Celery app. Workers start with `celery -A mobility worker`.

In production mode the worker refuses to start, with one line naming the broker, when
the broker does not answer, instead of retrying forever in silence.
"""

from __future__ import annotations

import logging
import os
import sys

from celery import Celery
from celery.signals import celeryd_init, worker_ready

from mobility.config import exit_on_config_error, redact

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility.settings")

app = Celery("mobility")
logger = logging.getLogger(__name__)


def _configure() -> None:
    from django.conf import settings

    settings.INSTALLED_APPS  # noqa: B018 - evaluate settings now so errors show here
    app.config_from_object("django.conf:settings", namespace="CELERY")
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        # The file-system transport has no fan-out exchange for remote control.
        app.conf.worker_enable_remote_control = False


exit_on_config_error(_configure)
app.autodiscover_tasks()
app.autodiscover_tasks(["plans.map"])  # the MAP package keeps its tasks in plans/map/tasks.py
app.autodiscover_tasks(["plans.tracking"])  # values over time: plans/tracking/tasks.py


def broker_reachable(timeout: float = 3.0) -> tuple[bool, str]:
    """Try the configured broker once; return (ok, message)."""
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    try:
        with app.connection_for_write(
            url, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # kombu raises transport-specific errors
        return False, f"cannot reach the message broker at {redact(url)}: {exc}"
    return True, "ok"


@celeryd_init.connect
def _check_broker_on_start(**_: object) -> None:
    ok, message = broker_reachable()
    if not ok:
        sys.stderr.write(f"Configuration error: CELERY_BROKER_URL: {message}\n")
        sys.stderr.flush()
        os._exit(2)  # noqa: SLF001 - leave before Celery's retry loop takes over


@worker_ready.connect
def _recover_jobs_on_start(**_: object) -> None:
    """A worker that starts fails the jobs a dead worker held and re-sends lost ones."""
    from django.db import connections

    from core.jobs import jobs_recover

    try:
        jobs_recover()
    except Exception:  # a recovery problem must not keep the worker from serving
        logger.exception("Could not recover the jobs of dead workers")
    finally:
        connections.close_all()  # prefork children must not share this connection
