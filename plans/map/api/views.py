"""The strategy and MAP API under /api/coalitions/{coalition_pk}/: thin views over services.

Reads need any role; strategy writes need a member; reviews, versions and publishing need the
project manager. Every queryset is scoped to the coalition the access helper resolved.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coalitions.api.permissions import CoalitionScopedMixin
from coalitions.permissions import Can
from core.models import JobStatus
from plans.map import selectors, services
from plans.map.api import serializers as s
from plans.map.models import (
    MapSectionDraft,
    MapVersion,
    Measure,
    PlanExport,
    PriorityArea,
    Review,
    StrategicAction,
    TheoryOfChange,
    Vision,
)


class _Scoped(CoalitionScopedMixin, APIView):
    read_action = Can.VIEW
    write_action = Can.CONTRIBUTE

    def one(self, queryset: QuerySet, pk: int) -> Any:
        found = queryset.filter(pk=pk).first()
        if found is None:
            raise NotFound()
        return found

    def run(self, write: Any) -> Any:
        return write()

    @property
    def actor(self) -> Any:
        return self.request.user


class VisionView(_Scoped):
    """The community vision statement (W7.2)."""

    @extend_schema(responses=s.VisionSerializer)
    def get(self, request: Request, coalition_pk: int) -> Response:
        vision = Vision.objects.filter(coalition=self.coalition).first() or Vision()
        return Response(s.VisionSerializer(vision).data)

    @extend_schema(request=s.VisionSerializer, responses=s.VisionSerializer)
    def put(self, request: Request, coalition_pk: int) -> Response:
        ser = s.VisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        vision = self.run(
            lambda: services.vision_save(
                coalition=self.coalition, actor=self.actor, **ser.validated_data
            )
        )
        return Response(s.VisionSerializer(vision).data)


class PriorityAreaListView(_Scoped):
    @extend_schema(responses=s.PriorityAreaSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        return Response(
            s.PriorityAreaSerializer(self.coalition.priority_areas.all(), many=True).data
        )

    @extend_schema(request=s.PriorityAreaSerializer, responses=s.PriorityAreaSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.PriorityAreaSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        area = self.run(
            lambda: services.priority_area_save(
                coalition=self.coalition, actor=self.actor, **ser.validated_data
            )
        )
        return Response(s.PriorityAreaSerializer(area).data, status=status.HTTP_201_CREATED)


class PriorityAreaDetailView(_Scoped):
    def area(self, pk: int) -> PriorityArea:
        return self.one(self.coalition.priority_areas.all(), pk)

    @extend_schema(responses=s.PriorityAreaSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        return Response(s.PriorityAreaSerializer(self.area(pk)).data)

    @extend_schema(request=s.PriorityAreaSerializer, responses=s.PriorityAreaSerializer)
    def patch(self, request: Request, coalition_pk: int, pk: int) -> Response:
        area = self.area(pk)
        ser = s.PriorityAreaSerializer(area, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        d = {
            "name": area.name,
            "pillar": area.pillar,
            "predictors": area.predictors,
            "rationale": area.rationale,
            **ser.validated_data,
        }
        d.pop("position", None)
        area = self.run(
            lambda: services.priority_area_save(
                coalition=self.coalition, actor=self.actor, area=area, **d
            )
        )
        return Response(s.PriorityAreaSerializer(area).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        services.priority_area_delete(area=self.area(pk), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TheoryListView(_Scoped):
    """Theories of change: one overall (no priority area) or one per priority area."""

    @extend_schema(responses=s.TheorySerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        rows = TheoryOfChange.objects.filter(coalition=self.coalition)
        return Response(s.TheorySerializer(rows, many=True).data)

    @extend_schema(request=s.TheorySerializer, responses=s.TheorySerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.TheorySerializer(data=request.data, coalition=self.coalition)
        ser.is_valid(raise_exception=True)
        theory = self.run(
            lambda: services.theory_save(
                coalition=self.coalition, actor=self.actor, **ser.validated_data
            )
        )
        return Response(s.TheorySerializer(theory).data, status=status.HTTP_201_CREATED)


class TheoryDetailView(_Scoped):
    def theory(self, pk: int) -> TheoryOfChange:
        return self.one(TheoryOfChange.objects.filter(coalition=self.coalition), pk)

    @extend_schema(responses=s.TheorySerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        return Response(s.TheorySerializer(self.theory(pk)).data)

    @extend_schema(request=s.TheorySerializer, responses=s.TheorySerializer)
    def put(self, request: Request, coalition_pk: int, pk: int) -> Response:
        theory = self.theory(pk)
        ser = s.TheorySerializer(data=request.data, coalition=self.coalition)
        ser.is_valid(raise_exception=True)
        theory = self.run(
            lambda: services.theory_save(
                coalition=self.coalition, actor=self.actor, theory=theory, **ser.validated_data
            )
        )
        return Response(s.TheorySerializer(theory).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        services.theory_delete(theory=self.theory(pk), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _split_action(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    data = dict(data)
    return data, data.pop("elements", {})


class StrategicActionListView(_Scoped):
    """Rows of the systems change logic model; each element gets a measurement plan row."""

    @extend_schema(responses=s.StrategicActionSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        rows = self.coalition.strategic_actions.prefetch_related("elements")
        return Response(s.StrategicActionSerializer(rows, many=True).data)

    @extend_schema(request=s.StrategicActionSerializer, responses=s.StrategicActionSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.StrategicActionSerializer(data=request.data, coalition=self.coalition)
        ser.is_valid(raise_exception=True)
        fields, elements = _split_action(ser.validated_data)
        action = self.run(
            lambda: services.strategic_action_save(
                coalition=self.coalition, actor=self.actor, fields=fields, elements=elements
            )
        )
        return Response(s.StrategicActionSerializer(action).data, status=status.HTTP_201_CREATED)


class StrategicActionDetailView(_Scoped):
    def strategic_action(self, pk: int) -> StrategicAction:
        return self.one(StrategicAction.objects.filter(coalition=self.coalition), pk)

    @extend_schema(responses=s.StrategicActionSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        return Response(s.StrategicActionSerializer(self.strategic_action(pk)).data)

    @extend_schema(request=s.StrategicActionSerializer, responses=s.StrategicActionSerializer)
    def patch(self, request: Request, coalition_pk: int, pk: int) -> Response:
        action = self.strategic_action(pk)
        ser = s.StrategicActionSerializer(
            action, data=request.data, partial=True, coalition=self.coalition
        )
        ser.is_valid(raise_exception=True)
        fields, elements = _split_action(ser.validated_data)
        action = self.run(
            lambda: services.strategic_action_save(
                coalition=self.coalition,
                actor=self.actor,
                action=action,
                fields=fields,
                elements=elements,
            )
        )
        return Response(s.StrategicActionSerializer(action).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        services.strategic_action_delete(action=self.strategic_action(pk), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeasureListView(_Scoped):
    """The measurement plan. Rows are made by the logic model, so there is no POST."""

    @extend_schema(responses=s.MeasureSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        rows = Measure.objects.filter(coalition=self.coalition).select_related("element")
        if request.query_params.get("missing"):
            rows = [m for m in rows if m.missing and not m.is_orphaned]  # type: ignore[assignment]
        return Response(s.MeasureSerializer(rows, many=True).data)


class MeasureDetailView(_Scoped):
    def measure(self, pk: int) -> Measure:
        return self.one(Measure.objects.filter(coalition=self.coalition), pk)

    @extend_schema(responses=s.MeasureSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        return Response(s.MeasureSerializer(self.measure(pk)).data)

    @extend_schema(request=s.MeasureSerializer, responses=s.MeasureSerializer)
    def patch(self, request: Request, coalition_pk: int, pk: int) -> Response:
        measure = self.measure(pk)
        ser = s.MeasureSerializer(measure, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        measure = self.run(
            lambda: services.measure_save(
                measure=measure, actor=self.actor, fields=dict(ser.validated_data)
            )
        )
        return Response(s.MeasureSerializer(measure).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        """Only a row whose element was deleted can be removed."""
        measure = self.measure(pk)
        self.run(lambda: services.measure_dismiss(measure=measure, actor=self.actor))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SectionListView(_Scoped):
    """The MAP's sections, in order, with status, owner and narrative."""

    @extend_schema(responses=s.SectionSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        rows = selectors.sections_overview(self.coalition)
        return Response(
            [
                {
                    "key": r.spec.key,
                    "title": r.spec.title,
                    "status": r.status,
                    "owner": r.draft.owner_id if r.draft else None,
                    "narrative": r.draft.narrative if r.draft else "",
                    "fed_by": [key for key, _t, _s in r.feeders],
                }
                for r in rows
            ]
        )


class SectionDetailView(_Scoped):
    @extend_schema(responses=s.SectionSerializer)
    def get(self, request: Request, coalition_pk: int, key: str) -> Response:
        selectors.section_spec(key)
        draft = MapSectionDraft.objects.filter(coalition=self.coalition, key=key).first()
        return Response(s.SectionSerializer(draft or MapSectionDraft(key=key)).data)

    @extend_schema(request=s.SectionWriteSerializer, responses=s.SectionSerializer)
    def patch(self, request: Request, coalition_pk: int, key: str) -> Response:
        selectors.section_spec(key)
        ser = s.SectionWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        if ("owner" in d or "status" in d) and not self.membership.has_role("project_manager"):
            raise PermissionDenied("Only the project manager sets owners and status.")
        if "owner" in d:
            owner_id = d.pop("owner")
            d["owner"] = self.one(self.coalition.memberships.all(), owner_id) if owner_id else None
        draft = self.run(
            lambda: services.map_section_save(
                coalition=self.coalition, key=key, actor=self.actor, **d
            )
        )
        return Response(s.SectionSerializer(draft).data)


class ReviewListView(_Scoped):
    """Review rounds (Step 7.5). POST: the project manager asks chosen members to review."""

    write_action = Can.RUN

    @extend_schema(responses=s.ReviewRoundSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        rounds = selectors.review_rounds(self.coalition)
        return Response(s.ReviewRoundSerializer(rounds, many=True).data)

    @extend_schema(request=s.ReviewRequestSerializer, responses=s.ReviewRoundSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.ReviewRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        reviewers = [
            (self.one(self.coalition.memberships.all(), r["membership"]), r["reviewer_type"])
            for r in ser.validated_data["reviewers"]
        ]
        review_round = self.run(
            lambda: services.review_round_start(
                coalition=self.coalition,
                actor=self.actor,
                reviewers=reviewers,
                note=ser.validated_data.get("note", ""),
            )
        )
        return Response(s.ReviewRoundSerializer(review_round).data, status=201)


class ReviewDecisionView(_Scoped):
    """A reviewer records their own decision; nobody else can."""

    write_action = Can.VIEW

    @extend_schema(request=s.DecisionSerializer, responses=s.ReviewSerializer)
    def post(self, request: Request, coalition_pk: int, pk: int) -> Response:
        review = self.one(Review.objects.filter(round__coalition=self.coalition), pk)
        if review.reviewer_id != self.membership.pk:
            raise PermissionDenied("Only the reviewer can record this decision.")
        ser = s.DecisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        review = self.run(
            lambda: services.review_decide(
                review=review,
                actor=self.actor,
                decision=ser.validated_data["decision"],
                comment=ser.validated_data.get("comment", ""),
            )
        )
        return Response(s.ReviewSerializer(review).data)


class VersionListView(_Scoped):
    """Frozen versions. POST (project manager) freezes the MAP as it stands."""

    write_action = Can.RUN

    @extend_schema(responses=s.VersionSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        return Response(s.VersionSerializer(selectors.versions(self.coalition), many=True).data)

    @extend_schema(request=None, responses=s.VersionSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        version = services.map_version_freeze(coalition=self.coalition, actor=self.actor)
        return Response(s.VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class VersionDetailView(_Scoped):
    @extend_schema(responses=s.VersionDetailSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        version = self.one(MapVersion.objects.filter(coalition=self.coalition), pk)
        return Response(s.VersionDetailSerializer(version).data)


class VersionPublishView(_Scoped):
    """POST publishes an approved version at its public address; DELETE withdraws it."""

    write_action = Can.RUN

    def version(self, pk: int) -> MapVersion:
        return self.one(MapVersion.objects.filter(coalition=self.coalition), pk)

    @extend_schema(request=None, responses=s.VersionSerializer)
    def post(self, request: Request, coalition_pk: int, pk: int) -> Response:
        version = self.version(pk)
        self.run(lambda: services.map_version_publish(version=version, actor=self.actor))
        data = dict(s.VersionSerializer(version).data)
        data["public_url"] = request.build_absolute_uri(
            reverse("map_public:plan", args=[version.public_token])
        )
        return Response(data)

    @extend_schema(request=None, responses=s.VersionSerializer)
    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        version = self.version(pk)
        services.map_version_unpublish(version=version, actor=self.actor)
        return Response(s.VersionSerializer(version).data)


class ExportListView(_Scoped):
    """PDF exports, newest first. POST starts one (of a version, or of the current draft)."""

    @extend_schema(responses=s.ExportSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        return Response(s.ExportSerializer(selectors.exports(self.coalition), many=True).data)

    @extend_schema(request=s.ExportStartSerializer, responses=s.ExportSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.ExportStartSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        version_id = ser.validated_data.get("version")
        version = (
            self.one(MapVersion.objects.filter(coalition=self.coalition), version_id)
            if version_id
            else None
        )
        export = self.run(
            lambda: services.plan_export_start(
                coalition=self.coalition, actor=self.actor, version=version
            )
        )
        return Response(s.ExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(_Scoped):
    @extend_schema(responses=s.ExportSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        export: PlanExport = self.one(selectors.exports(self.coalition), pk)
        data = dict(s.ExportSerializer(export).data)
        if export.status == JobStatus.SUCCEEDED:
            data["download_url"] = reverse(
                "map:export_download", args=[self.coalition.pk, export.pk]
            )
        return Response(data)
