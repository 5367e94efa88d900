from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from metrics import selectors, services
from metrics.api.serializers import (
    GeographySerializer,
    MetricImportCreateSerializer,
    MetricImportSerializer,
    MetricSerializer,
    ObservationSerializer,
)
from metrics.models import Geography, MetricImport, Release


class MetricCatalogView(generics.ListAPIView):
    """The metric catalog: every metric variable with its pillar and predictor."""

    serializer_class = MetricSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
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

    def get_queryset(self):  # type: ignore[no-untyped-def]
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
    ]
)
class GeographyObservationListView(generics.ListAPIView):
    """Values of one county or city, in the active release unless another is named."""

    serializer_class = ObservationSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
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
        )


class MetricImportListView(generics.ListCreateAPIView):
    """Staff: list imports, or POST a file (multipart) to start one."""

    permission_classes = [permissions.IsAdminUser]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = MetricImportSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
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
        )
        return Response(MetricImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class MetricImportDetailView(generics.RetrieveAPIView):
    """Staff: the status, progress and errors of one import."""

    permission_classes = [permissions.IsAdminUser]
    serializer_class = MetricImportSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return MetricImport.objects.select_related("release", "started_by")
