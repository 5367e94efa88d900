"""Profile, series, subgroup and peer endpoints (read-only JSON of the same selectors)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coalitions.api.permissions import CoalitionScopedMixin
from coalitions.permissions import Can
from metrics.charts.formatting import display_unit, unit_label
from metrics.models import Geography, Metric
from metrics.profiles import selectors
from metrics.profiles.disparities import Gap
from metrics.profiles.peers import suggest_peers
from metrics.profiles.reading import GAP_SIDE_TEXT, Reading, display, gap_overlap_text, number_text
from metrics.selectors import release_active


class ReadingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True)
    value_a = serializers.FloatField(allow_null=True)
    value_b = serializers.FloatField(allow_null=True)
    lb = serializers.FloatField(allow_null=True)
    ub = serializers.FloatField(allow_null=True)
    quality = serializers.IntegerField(allow_null=True)


class ProfileMetricSerializer(serializers.Serializer):
    variable = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    pillar = serializers.CharField()
    predictor = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    unit_label = serializers.CharField()
    latest = ReadingSerializer(allow_null=True)
    latest_text = serializers.CharField()
    weak_hidden = serializers.BooleanField()
    national_median = serializers.FloatField(allow_null=True)
    national_median_text = serializers.CharField()
    comparison = serializers.CharField(allow_null=True)
    trend = serializers.CharField(allow_null=True)


class SeriesSerializer(serializers.Serializer):
    variable = serializers.CharField()
    subgroup_type = serializers.CharField()
    subgroup = serializers.CharField()
    series = ReadingSerializer(many=True)
    national_median = serializers.DictField(child=serializers.FloatField())


class PeerSerializer(serializers.Serializer):
    geography_id = serializers.IntegerField()
    fips = serializers.CharField()
    name = serializers.CharField()
    chosen = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)


def _reading(r: Reading | None) -> dict | None:
    return None if r is None else r.__dict__ | {}


def _median_text(median: float | None, unit: str) -> str:
    return "" if median is None else number_text(median, unit)


def _weak(request: Request) -> bool:
    return request.query_params.get("weak") == "1"


def _profile_rows(geography: Geography, include_weak: bool) -> list[dict]:
    profile = selectors.geography_profile(geography, include_weak=include_weak)
    rows = []
    for pillar in profile.pillars:
        for block in pillar.predictors:
            for line in block.lines:
                rows.append(
                    {
                        "variable": line.metric.variable,
                        "label": line.metric.label,
                        "pillar": pillar.pillar.name,
                        "predictor": block.predictor.name,  # type: ignore[attr-defined]
                        "unit": line.metric.unit,
                        "unit_label": unit_label(display_unit(line.metric.unit)),
                        "direction": line.metric.direction,
                        "latest": _reading(line.shown),
                        "latest_text": display(line.shown, line.metric.unit),
                        "weak_hidden": line.hidden,
                        "national_median": line.median,
                        "national_median_text": (
                            ""
                            if line.median is None
                            else number_text(line.median, line.metric.unit)
                        ),
                        "comparison": line.comparison,
                        "trend": line.trend,
                    }
                )
    return rows


WEAK_PARAM = OpenApiParameter("weak", str, description="1 to include values rated Weak")


class ProfileView(CoalitionScopedMixin, APIView):
    """The coalition jurisdiction's latest value of every metric, with medians and readings."""

    read_action = Can.VIEW

    @extend_schema(parameters=[WEAK_PARAM], responses=ProfileMetricSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        return Response(_profile_rows(self.coalition.geography, _weak(request)))


def _series(geography: Geography, metric: Metric, include_weak: bool) -> list[dict]:
    release = release_active()
    if release is None:
        return []
    medians = {
        str(y): v
        for y, v in selectors.medians_for(release, geography.kind).get(metric.pk, {}).items()
    }
    out = [
        {
            "variable": metric.variable,
            "subgroup_type": "all",
            "subgroup": "All",
            "series": selectors.metric_series(geography, metric, release),
            "national_median": medians,
        }
    ]
    for kind, groups in selectors.metric_subgroups(geography, metric, release).items():
        for group in groups:
            out.append(
                {
                    "variable": metric.variable,
                    "subgroup_type": kind,
                    "subgroup": group.name,
                    "series": group.series,
                    "national_median": {},
                }
            )
    for item in out:
        series: list[Reading] = item["series"]  # type: ignore[assignment]
        item["series"] = [_reading(r) for r in series if include_weak or not r.is_weak]
    return out


class ProfileMetricView(CoalitionScopedMixin, APIView):
    """One metric over the years, overall and for every subgroup published."""

    read_action = Can.VIEW

    @extend_schema(parameters=[WEAK_PARAM], responses=SeriesSerializer(many=True))
    def get(self, request: Request, coalition_pk: int, variable: str) -> Response:
        geography = self.coalition.geography
        metric = Metric.objects.filter(variable=variable).first()
        if metric is None or geography.kind not in metric.levels.split(","):
            raise NotFound("No such metric for this place.")
        return Response(_series(geography, metric, _weak(request)))


def _peer_row(geography: Geography, *, chosen: bool = False, reason: str = "") -> dict:
    return {
        "geography_id": geography.pk,
        "fips": geography.fips,
        "name": geography.full_name,
        "chosen": chosen,
        "reason": reason,
    }


class ProfilePeersView(CoalitionScopedMixin, APIView):
    """The coalition's chosen peers and suggested ones, each with why it is similar."""

    read_action = Can.VIEW

    @extend_schema(responses=PeerSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        chosen = selectors.coalition_peers(self.coalition)
        rows = [_peer_row(p.geography, chosen=True) for p in chosen]
        release = release_active()
        if release is not None:
            exclude = {p.geography_id for p in chosen}
            for s in suggest_peers(self.coalition.geography, release, exclude=exclude):
                rows.append(_peer_row(s.geography, reason=s.reason))
        return Response(rows)


class GeographyPeersView(APIView):
    """Suggested peers of any county or city (public data; signed-in people)."""

    @extend_schema(responses=PeerSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        geography = get_object_or_404(Geography, pk=pk)
        release = release_active()
        suggestions = suggest_peers(geography, release) if release else []
        return Response([_peer_row(s.geography, reason=s.reason) for s in suggestions])


class GeographyProfileView(APIView):
    """The latest value of every metric for any county or city (public data)."""

    @extend_schema(parameters=[WEAK_PARAM], responses=ProfileMetricSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        geography = get_object_or_404(Geography, pk=pk)
        return Response(_profile_rows(geography, _weak(request)))


class GapSerializer(serializers.Serializer):
    variable = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.CharField()
    direction = serializers.CharField()
    subgroup_type = serializers.CharField()
    subgroup = serializers.CharField()
    year = serializers.IntegerField()
    value = ReadingSerializer()
    whole = ReadingSerializer(help_text="The breakdown's own total (else the overall value).")
    difference = serializers.FloatField()
    size = serializers.FloatField(
        allow_null=True, help_text="|group − whole| / |whole|; null when the whole is 0."
    )
    worse_off = serializers.BooleanField(
        allow_null=True, help_text="Direction-aware; null for metrics with no better direction."
    )
    side = serializers.CharField()
    intervals_overlap = serializers.BooleanField(allow_null=True)
    overlap_text = serializers.CharField()
    value_display = serializers.CharField()
    whole_display = serializers.CharField()


class MetricRefSerializer(serializers.Serializer):
    variable = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class DisparitiesSerializer(serializers.Serializer):
    release = serializers.CharField(allow_null=True)
    gaps = GapSerializer(many=True)
    not_disaggregated = MetricRefSerializer(
        many=True, help_text="Metrics with no values by group for this place (a finding)."
    )


def _gap_row(gap: Gap) -> dict:
    return {
        "variable": gap.metric.variable,
        "label": gap.metric.label,
        "unit": gap.metric.unit,
        "direction": gap.metric.direction,
        "subgroup_type": gap.subgroup_type,
        "subgroup": gap.group,
        "year": gap.year,
        "value": _reading(gap.value),
        "whole": _reading(gap.whole),
        "difference": gap.difference,
        "size": gap.size,
        "worse_off": gap.worse,
        "side": str(GAP_SIDE_TEXT[gap.worse]),
        "intervals_overlap": gap.overlap,
        "overlap_text": gap_overlap_text(gap),
        "value_display": gap.value_text,
        "whole_display": gap.whole_text,
    }


class DisparitiesView(CoalitionScopedMixin, APIView):
    """Every group's gap to the whole, worse-off groups and largest gaps first (as the page)."""

    read_action = Can.VIEW

    @extend_schema(parameters=[WEAK_PARAM], responses=DisparitiesSerializer)
    def get(self, request: Request, coalition_pk: int) -> Response:
        data = selectors.geography_disparities(
            self.coalition.geography, include_weak=_weak(request)
        )
        return Response(
            {
                "release": data.release.name if data.release else None,
                "gaps": [_gap_row(g) for g in data.gaps],
                "not_disaggregated": [
                    {"variable": m.variable, "label": m.label} for m in data.not_disaggregated
                ],
            }
        )
