from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.permissions import staff_required
from metrics import selectors, services
from metrics.forms import MetricImportForm
from metrics.models import MetricImport


@staff_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """Staff upload an Urban file here and see the latest imports."""
    form = MetricImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.metric_import_start(
            actor=request.user,  # type: ignore[arg-type]
            upload=form.cleaned_data["file"],
            release_name=form.cleaned_data["release"],
            year=form.cleaned_data["year"],
        )
        messages.success(request, _("The file was received; the import runs in the background."))
        return redirect("metrics:import_detail", pk=job.pk)
    context = {
        "form": form,
        "imports": selectors.metric_imports_recent(),
        "active_release": selectors.release_active(),
    }
    return render(request, "metrics/import_list.html", context, status=400 if form.errors else 200)


@staff_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(MetricImport.objects.select_related("release", "started_by"), pk=pk)
    context = {"job": job, "errors": selectors.metric_import_errors(job)}
    return render(request, "metrics/import_detail.html", context)


@never_cache
@staff_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block; HTMX polls it while the import waits or runs."""
    job = get_object_or_404(MetricImport, pk=pk)
    return render(request, "metrics/_import_progress.html", {"job": job})


@staff_required
@require_GET
def import_errors_csv(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(MetricImport, pk=pk)
    response = HttpResponse(job.error_report, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
