from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalitions.permissions import Can, role_allows
from coalitions.web import coalition_page_context, coalition_view, form_add_errors, message_save
from core.permissions import staff_required
from core.storage import coalition_storage_use
from metrics import local_data, selectors, services
from metrics.forms import LocalDatasetMappingForm, LocalDatasetUploadForm, MetricImportForm
from metrics.models import LocalDataset, MetricImport, Release


@staff_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """Staff upload an Urban file here and see the latest imports."""
    form = MetricImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.metric_import_start(
                actor=request.user,  # type: ignore[arg-type]
                upload=form.cleaned_data["file"],
                release_name=form.cleaned_data["release"],
                year=form.cleaned_data["year"],
                level=form.cleaned_data["level"],
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(
                request, _("The file was received; the import runs in the background.")
            )
            return redirect("metrics:import_detail", pk=job.pk)
    context = {
        "form": form,
        "imports": selectors.metric_imports_recent(),
        "active_release": selectors.release_active(),
        "releases": selectors.releases_with_counts(),
    }
    return render(request, "metrics/import_list.html", context, status=400 if form.errors else 200)


@staff_required
@require_POST
def release_activate(request: HttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(Release, pk=pk)
    services.release_activate(actor=request.user, release=release)  # type: ignore[arg-type]
    messages.success(
        request, _("Release %(name)s is now the one pages show.") % {"name": release.name}
    )
    return redirect("metrics:import_list")


@staff_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        MetricImport.objects.select_related("release", "started_by", "unchanged_since"), pk=pk
    )
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
@require_POST
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(MetricImport.objects.select_related("release"), pk=pk)
    message_save(
        request,
        lambda: services.metric_import_retry(actor=request.user, job=job),  # type: ignore[arg-type]
        _("The import was queued again."),
    )
    return redirect("metrics:import_detail", pk=job.pk)


@staff_required
@require_GET
def import_errors_csv(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(MetricImport, pk=pk)
    response = HttpResponse(job.error_report, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


# --- A coalition's local data (step 5.2): members read, data leads manage ------------------


def _dataset(coalition, dataset_id: int) -> LocalDataset:
    # Scoped to the coalition resolved by the access helper: another coalition's id is a 404.
    return get_object_or_404(
        LocalDataset.objects.select_related("predictor__pillar"),
        pk=dataset_id,
        coalition=coalition,
    )


@coalition_view(Can.VIEW)
@require_GET
def local_data_list(request, coalition, membership):
    form = LocalDatasetUploadForm() if role_allows(membership.role, Can.MANAGE_DATA) else None
    return render(
        request, "metrics/local_data_list.html", _list_context(coalition, membership, form)
    )


def _list_context(coalition, membership, form) -> dict:
    return coalition_page_context(
        coalition,
        membership,
        datasets=selectors.local_datasets_for_coalition(coalition),
        form=form,
        storage=coalition_storage_use(coalition.pk),
        limits={
            "mb": settings.SPREADSHEET_MAX_BYTES // (1024 * 1024),
            "rows": settings.SPREADSHEET_MAX_ROWS,
            "columns": settings.SPREADSHEET_MAX_COLUMNS,
        },
    )


@coalition_view(Can.MANAGE_DATA)
@require_POST
def local_data_upload(request, coalition, membership):
    form = LocalDatasetUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            dataset = local_data.local_dataset_upload(
                actor=membership,
                upload=form.cleaned_data["file"],
                name=form.cleaned_data["name"],
                predictor=form.cleaned_data["predictor"],
                unit=form.cleaned_data["unit"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            return redirect("metrics:local_data_map", pk=coalition.pk, dataset_id=dataset.pk)
    context = _list_context(coalition, membership, form)
    return render(request, "metrics/local_data_list.html", context, status=400)


@coalition_view(Can.MANAGE_DATA)
@require_http_methods(["GET", "POST"])
def local_data_map(request, coalition, membership, dataset_id: int):
    dataset = _dataset(coalition, dataset_id)
    form = LocalDatasetMappingForm(
        request.POST or None, columns=dataset.columns, initial_mapping=dataset.mapping
    )
    if request.method == "POST" and form.is_valid():
        try:
            local_data.local_dataset_map(
                actor=membership, dataset=dataset, mapping=form.cleaned_data
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            return redirect("metrics:local_data_detail", pk=coalition.pk, dataset_id=dataset.pk)
    context = coalition_page_context(coalition, membership, dataset=dataset, form=form)
    return render(
        request, "metrics/local_data_map.html", context, status=400 if form.errors else 200
    )


@coalition_view(Can.VIEW)
@require_GET
def local_data_detail(request, coalition, membership, dataset_id: int):
    dataset = _dataset(coalition, dataset_id)
    context = coalition_page_context(
        coalition,
        membership,
        dataset=dataset,
        job=dataset,
        values=dataset.values.all()[:500],
        errors=selectors.metric_import_errors(dataset),
    )
    return render(request, "metrics/local_data_detail.html", context)


@never_cache
@coalition_view(Can.VIEW)
@require_GET
def local_data_progress(request, coalition, membership, dataset_id: int):
    dataset = _dataset(coalition, dataset_id)
    context = {
        "job": dataset,
        "coalition": coalition,
        "can_manage_data": role_allows(membership.role, Can.MANAGE_DATA),
    }
    return render(request, "metrics/_local_data_progress.html", context)


@coalition_view(Can.MANAGE_DATA)
@require_POST
def local_data_retry(request, coalition, membership, dataset_id: int):
    dataset = _dataset(coalition, dataset_id)
    message_save(
        request,
        lambda: local_data.local_dataset_retry(actor=membership, dataset=dataset),
        _("The file is being loaded again."),
    )
    return redirect("metrics:local_data_detail", pk=coalition.pk, dataset_id=dataset.pk)


@coalition_view(Can.MANAGE_DATA)
@require_POST
def local_data_delete(request, coalition, membership, dataset_id: int):
    dataset = _dataset(coalition, dataset_id)
    local_data.local_dataset_delete(actor=membership, dataset=dataset)
    messages.success(request, _("The dataset was deleted."))
    return redirect("metrics:local_data_list", pk=coalition.pk)
