from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coalitions.api.permissions import CoalitionScopedMixin
from coalitions.permissions import Can
from metrics import local_data, selectors, services
from metrics.api.serializers import (
    GeographySerializer,
    LocalDatasetCreateSerializer,
    LocalDatasetDetailSerializer,
    LocalDatasetSerializer,
    MetricImportCreateSerializer,
    MetricImportSerializer,
    MetricSerializer,
    ObservationSerializer,
)
from metrics.models import Geography, LocalDataset, MetricImport, Release


class MetricCatalogView(generics.ListAPIView):
    """The metric catalog: every metric variable with its pillar and predictor."""

    serializer_class = MetricSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.metrics_catalog()


@extend_schema(
    parameters=[
        OpenApiParameter("search", OpenApiTypes.STR, description="name, state or FIPS prefix"),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=["county", "city"]),
    ]
)
class GeographyListView(generics.ListAPIView):
    """Counties and cities of the Mobility Metrics (names from FIPS, not from files)."""

    serializer_class = GeographySerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.geographies_search(
            query=params.get("search", ""), kind=params.get("kind", "")
        )


@extend_schema(
    parameters=[
        OpenApiParameter("metric", OpenApiTypes.STR, description="metric variable"),
        OpenApiParameter("year", OpenApiTypes.INT),
        OpenApiParameter("subgroup_type", OpenApiTypes.STR, description="e.g. all, race-ethnicity"),
        OpenApiParameter("release", OpenApiTypes.STR, description="release name; default active"),
        OpenApiParameter(
            "latest",
            OpenApiTypes.BOOL,
            description="only each metric's latest year with a value",
        ),
    ]
)
class GeographyObservationListView(generics.ListAPIView):
    """Values of one county or city, in the active release unless another is named."""

    serializer_class = ObservationSerializer

    def get_queryset(self):
        geography = get_object_or_404(Geography, pk=self.kwargs["pk"])
        params = self.request.query_params
        release_name = params.get("release", "")
        release = (
            get_object_or_404(Release, name=release_name)
            if release_name
            else selectors.release_active()
        )
        year = params.get("year", "")
        return selectors.observations_for_geography(
            geography=geography,
            release=release,
            metric=params.get("metric", ""),
            year=int(year) if year.isdigit() else None,
            subgroup_type=params.get("subgroup_type", ""),
            latest=params.get("latest", "").lower() in ("1", "true", "yes"),
        )


class MetricImportListView(generics.ListCreateAPIView):
    """Staff: list imports, or POST a file (multipart) to start one."""

    permission_classes = [permissions.IsAdminUser]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = MetricImportSerializer

    def get_queryset(self):
        return MetricImport.objects.select_related("release", "started_by").order_by("-created_at")

    @extend_schema(request=MetricImportCreateSerializer, responses={202: MetricImportSerializer})
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        form = MetricImportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        job = services.metric_import_start(
            actor=request.user,  # type: ignore[arg-type]
            upload=form.validated_data["file"],
            release_name=form.validated_data["release"],
            year=form.validated_data.get("year"),
            level=form.validated_data.get("level", ""),
        )
        return Response(MetricImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class MetricImportDetailView(generics.RetrieveAPIView):
    """Staff: the status, progress and errors of one import."""

    permission_classes = [permissions.IsAdminUser]
    serializer_class = MetricImportSerializer

    def get_queryset(self):
        return MetricImport.objects.select_related("release", "started_by")


class LocalDatasetListView(CoalitionScopedMixin, generics.ListCreateAPIView):
    """A coalition's local datasets: members read; data leads and project managers upload."""

    read_action = Can.VIEW
    write_action = Can.MANAGE_DATA
    serializer_class = LocalDatasetSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.local_datasets_for_coalition(self.coalition)

    @extend_schema(request=LocalDatasetCreateSerializer, responses={201: LocalDatasetSerializer})
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        form = LocalDatasetCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        dataset = local_data.local_dataset_upload(
            actor=self.membership,
            upload=data["file"],
            name=data["name"],
            predictor=data["predictor"],
            unit=data["unit"],
            description=data["description"],
        )
        mapping = {role: data[f"{role}_column"] for role in local_data.ROLES}
        if any(mapping.values()):
            dataset = local_data.local_dataset_map(
                actor=self.membership, dataset=dataset, mapping=mapping
            )
        return Response(LocalDatasetSerializer(dataset).data, status=status.HTTP_201_CREATED)


class LocalDatasetDetailView(CoalitionScopedMixin, generics.RetrieveDestroyAPIView):
    """One local dataset with its values and error report; data leads delete it."""

    read_action = Can.VIEW
    write_action = Can.MANAGE_DATA
    serializer_class = LocalDatasetDetailSerializer

    def get_queryset(self):
        return selectors.local_datasets_for_coalition(self.coalition).prefetch_related("values")

    def perform_destroy(self, instance: LocalDataset) -> None:
        local_data.local_dataset_delete(actor=self.membership, dataset=instance)


class MetricImportRetryView(APIView):
    """Staff: queue a failed import again (400 unless it failed)."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(request=None, responses={202: MetricImportSerializer})
    def post(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(MetricImport.objects.select_related("release"), pk=pk)
        job = services.metric_import_retry(actor=request.user, job=job)  # type: ignore[arg-type]
        return Response(MetricImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class LocalDatasetRetryView(CoalitionScopedMixin, APIView):
    """Load a dataset whose load failed again, with the columns chosen before."""

    read_action = Can.VIEW
    write_action = Can.MANAGE_DATA

    @extend_schema(request=None, responses={202: LocalDatasetSerializer})
    def post(self, request: Request, coalition_pk: int, pk: int) -> Response:
        dataset = get_object_or_404(selectors.local_datasets_for_coalition(self.coalition), pk=pk)
        dataset = local_data.local_dataset_retry(actor=self.membership, dataset=dataset)
        return Response(LocalDatasetSerializer(dataset).data, status=status.HTTP_202_ACCEPTED)
