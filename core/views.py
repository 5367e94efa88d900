from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import services
from core.models import DiagnosticJob
from core.permissions import staff_required
from mobility.celery import broker_reachable


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    from coalitions.selectors import coalitions_for_user, memberships_of_user

    memberships = {m.coalition_id: m for m in memberships_of_user(request.user)}
    rows = [(c, memberships[c.pk]) for c in coalitions_for_user(request.user)]
    return render(request, "core/home.html", {"rows": rows})


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return True, "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status for load balancers and the compose health checks."""
    db_ok, db_message = _database_ok()
    broker_ok, broker_message = broker_reachable(timeout=2)
    ok = db_ok and broker_ok
    return JsonResponse(
        {
            "status": "ok" if ok else "error",
            "database": {"ok": db_ok, "message": db_message, "vendor": connection.vendor},
            "broker": {"ok": broker_ok, "message": broker_message},
        },
        status=200 if ok else 503,
    )


@staff_required
@require_http_methods(["GET"])
def diagnostics(request: HttpRequest) -> HttpResponse:
    jobs = DiagnosticJob.objects.select_related("started_by")[:10]
    broker_ok, broker_message = broker_reachable(timeout=2)
    return render(
        request,
        "core/diagnostics.html",
        {"jobs": jobs, "broker_ok": broker_ok, "broker_message": broker_message},
    )


@staff_required
@require_POST
def diagnostics_start(request: HttpRequest) -> HttpResponse:
    services.diagnostic_job_start(actor=request.user)  # type: ignore[arg-type]
    return redirect("core:diagnostics")


@never_cache
@staff_required
@require_GET
def diagnostics_job(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the job table; HTMX polls it while the job is waiting or running."""
    job = get_object_or_404(DiagnosticJob, pk=pk)
    return render(request, "core/_diagnostic_row.html", {"job": job})
