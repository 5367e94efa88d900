"""The strategy and MAP API under /api/coalitions/{coalition_pk}/: thin views over services.

Reads need any role; writes need at least a member here, and the services check the rest
(reviews, versions and publishing: the project manager; a decision: its reviewer). Records are
looked up through the selectors of the coalition the access helper resolved.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import absolute_url
from coalitions.api.permissions import CoalitionScopedMixin
from coalitions.permissions import Can
from core.models import JobStatus
from plans.map import checks, document, front, selectors, services
from plans.map.api import serializers as s
from plans.map.document_cache import document_for_page
from plans.map.models import MapSectionDraft, PageSize, Vision


class _Scoped(CoalitionScopedMixin, APIView):
    read_action = Can.VIEW
    write_action = Can.CONTRIBUTE


class VisionView(_Scoped):
    """The community vision statement (W7.2)."""

    @extend_schema(responses=s.VisionSerializer)
    def get(self, request: Request, coalition_pk: int) -> Response:
        vision = selectors.vision(self.coalition) or Vision()
        return Response(s.VisionSerializer(vision).data)

    @extend_schema(request=s.VisionSerializer, responses=s.VisionSerializer)
    def put(self, request: Request, coalition_pk: int) -> Response:
        ser = s.VisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        vision = services.vision_save(actor=self.membership, **ser.validated_data)
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
        area = services.priority_area_save(actor=self.membership, **ser.validated_data)
        return Response(s.PriorityAreaSerializer(area).data, status=status.HTTP_201_CREATED)


class PriorityAreaDetailView(_Scoped):
    @extend_schema(responses=s.PriorityAreaSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        area = selectors.priority_area_get(self.coalition, pk)
        return Response(s.PriorityAreaSerializer(area).data)

    @extend_schema(request=s.PriorityAreaSerializer, responses=s.PriorityAreaSerializer)
    def patch(self, request: Request, coalition_pk: int, pk: int) -> Response:
        area = selectors.priority_area_get(self.coalition, pk)
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
        area = services.priority_area_save(actor=self.membership, area=area, **d)
        return Response(s.PriorityAreaSerializer(area).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        area = selectors.priority_area_get(self.coalition, pk)
        services.priority_area_delete(area=area, actor=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TheoryListView(_Scoped):
    """Theories of change: one overall (no priority area) or one per priority area."""

    @extend_schema(responses=s.TheorySerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        rows = selectors.theories(self.coalition)
        return Response(s.TheorySerializer(rows, many=True).data)

    @extend_schema(request=s.TheorySerializer, responses=s.TheorySerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.TheorySerializer(data=request.data, coalition=self.coalition)
        ser.is_valid(raise_exception=True)
        theory = services.theory_save(actor=self.membership, **ser.validated_data)
        return Response(s.TheorySerializer(theory).data, status=status.HTTP_201_CREATED)


class TheoryDetailView(_Scoped):
    @extend_schema(responses=s.TheorySerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        return Response(s.TheorySerializer(selectors.theory_get(self.coalition, pk)).data)

    @extend_schema(request=s.TheorySerializer, responses=s.TheorySerializer)
    def put(self, request: Request, coalition_pk: int, pk: int) -> Response:
        theory = selectors.theory_get(self.coalition, pk)
        ser = s.TheorySerializer(data=request.data, coalition=self.coalition)
        ser.is_valid(raise_exception=True)
        theory = services.theory_save(actor=self.membership, theory=theory, **ser.validated_data)
        return Response(s.TheorySerializer(theory).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        theory = selectors.theory_get(self.coalition, pk)
        services.theory_delete(theory=theory, actor=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _split_action(
    data: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]] | None]:
    data = dict(data)
    return data, data.pop("elements", {}), data.pop("milestones", None)


class StrategicActionListView(_Scoped):
    """Rows of the systems change logic model; each element gets a measurement plan row."""

    @extend_schema(responses=s.StrategicActionSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        rows = selectors.strategic_actions(self.coalition)
        return Response(s.StrategicActionSerializer(rows, many=True).data)

    @extend_schema(request=s.StrategicActionSerializer, responses=s.StrategicActionSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.StrategicActionSerializer(data=request.data, coalition=self.coalition)
        ser.is_valid(raise_exception=True)
        fields, elements, milestones = _split_action(ser.validated_data)
        action = services.strategic_action_save(
            actor=self.membership, fields=fields, elements=elements, milestones=milestones
        )
        return Response(s.StrategicActionSerializer(action).data, status=status.HTTP_201_CREATED)


class StrategicActionDetailView(_Scoped):
    @extend_schema(responses=s.StrategicActionSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        action = selectors.strategic_action_get(self.coalition, pk)
        return Response(s.StrategicActionSerializer(action).data)

    @extend_schema(request=s.StrategicActionSerializer, responses=s.StrategicActionSerializer)
    def patch(self, request: Request, coalition_pk: int, pk: int) -> Response:
        action = selectors.strategic_action_get(self.coalition, pk)
        ser = s.StrategicActionSerializer(
            action, data=request.data, partial=True, coalition=self.coalition
        )
        ser.is_valid(raise_exception=True)
        fields, elements, milestones = _split_action(ser.validated_data)
        action = services.strategic_action_save(
            actor=self.membership,
            action=action,
            fields=fields,
            elements=elements,
            milestones=milestones,
        )
        return Response(s.StrategicActionSerializer(action).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        action = selectors.strategic_action_get(self.coalition, pk)
        services.strategic_action_delete(action=action, actor=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HeadlineGoalListView(_Scoped):
    """The one to three headline goals of each priority area (``?priority_area=<id>``)."""

    @extend_schema(
        parameters=[OpenApiParameter("priority_area", int, required=False)],
        responses=s.HeadlineGoalSerializer(many=True),
    )
    def get(self, request: Request, coalition_pk: int) -> Response:
        area_id = request.query_params.get("priority_area") or ""
        if area_id and not area_id.isdigit():
            raise ValidationError({"priority_area": "Give the id of a priority area."})
        area = selectors.priority_area_get(self.coalition, int(area_id)) if area_id else None
        rows = selectors.headline_goals(self.coalition, area)
        return Response(s.HeadlineGoalSerializer(rows, many=True).data)

    @extend_schema(request=s.HeadlineGoalSerializer, responses=s.HeadlineGoalSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.HeadlineGoalSerializer(data=request.data, coalition=self.coalition)
        ser.is_valid(raise_exception=True)
        goal = services.headline_goal_save(actor=self.membership, **ser.service_kwargs())
        return Response(s.HeadlineGoalSerializer(goal).data, status=status.HTTP_201_CREATED)


class HeadlineGoalDetailView(_Scoped):
    @extend_schema(responses=s.HeadlineGoalSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        goal = selectors.headline_goal_get(self.coalition, pk)
        return Response(s.HeadlineGoalSerializer(goal).data)

    @extend_schema(request=s.HeadlineGoalSerializer, responses=s.HeadlineGoalSerializer)
    def patch(self, request: Request, coalition_pk: int, pk: int) -> Response:
        goal = selectors.headline_goal_get(self.coalition, pk)
        ser = s.HeadlineGoalSerializer(
            goal, data=request.data, partial=True, coalition=self.coalition
        )
        ser.is_valid(raise_exception=True)
        current = {
            "priority_area": goal.priority_area,
            "metric_variable": goal.metric_variable,
            "local_dataset": goal.local_dataset,
            "indicator": goal.indicator,
            "baseline": goal.baseline_value,
            "baseline_date": goal.baseline_date,
            "target": goal.target_value,
            "target_date": goal.target_date,
            "subgroup": goal.subgroup,
            "gap_target": goal.gap_target,
            "note": goal.note,
        }
        goal = services.headline_goal_save(
            actor=self.membership, goal=goal, **{**current, **ser.service_kwargs()}
        )
        return Response(s.HeadlineGoalSerializer(goal).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        goal = selectors.headline_goal_get(self.coalition, pk)
        services.headline_goal_delete(goal=goal, actor=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeasureListView(_Scoped):
    """The measurement plan. Rows are made by the logic model, so there is no POST."""

    @extend_schema(responses=s.MeasureSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        rows = (
            selectors.measures_missing(self.coalition)
            if request.query_params.get("missing")
            else selectors.measures(self.coalition)
        )
        return Response(s.MeasureSerializer(rows, many=True).data)


class MeasureDetailView(_Scoped):
    @extend_schema(responses=s.MeasureSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        return Response(s.MeasureSerializer(selectors.measure_get(self.coalition, pk)).data)

    @extend_schema(request=s.MeasureSerializer, responses=s.MeasureSerializer)
    def patch(self, request: Request, coalition_pk: int, pk: int) -> Response:
        measure = selectors.measure_get(self.coalition, pk)
        ser = s.MeasureSerializer(measure, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        measure = services.measure_save(
            measure=measure, actor=self.membership, fields=dict(ser.validated_data)
        )
        return Response(s.MeasureSerializer(measure).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        """Only a row whose element was deleted can be removed."""
        measure = selectors.measure_get(self.coalition, pk)
        services.measure_dismiss(measure=measure, actor=self.membership)
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
                    "translations": (r.draft.translations or {}) if r.draft else {},
                    "fed_by": [key for key, _t, _s in r.feeders],
                }
                for r in rows
            ]
        )


class SectionDetailView(_Scoped):
    @extend_schema(responses=s.SectionSerializer)
    def get(self, request: Request, coalition_pk: int, key: str) -> Response:
        selectors.section_spec(key)
        draft = selectors.section_draft(self.coalition, key)
        return Response(s.SectionSerializer(draft or MapSectionDraft(key=key)).data)

    @extend_schema(request=s.SectionWriteSerializer, responses=s.SectionSerializer)
    def patch(self, request: Request, coalition_pk: int, key: str) -> Response:
        selectors.section_spec(key)
        ser = s.SectionWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        if "owner" in d:
            owner_id = d.pop("owner")
            d["owner"] = selectors.member_get(self.coalition, owner_id) if owner_id else None
        draft = services.map_section_save(actor=self.membership, key=key, **d)
        return Response(s.SectionSerializer(draft).data)


class SectionPublicationView(_Scoped):
    """What a section publishes: its feeding fields' visibility and the rows chosen per table.
    PATCH (project manager): change some of them, all or nothing."""

    write_action = Can.RUN

    def _payload(self, key: str) -> Any:
        worksheets = selectors.section_publication(self.coalition, key)
        return s.PublicationWorksheetSerializer(worksheets, many=True).data

    @extend_schema(responses=s.PublicationWorksheetSerializer(many=True))
    def get(self, request: Request, coalition_pk: int, key: str) -> Response:
        selectors.section_spec(key)
        return Response(self._payload(key))

    @extend_schema(
        request=s.PublicationWriteSerializer, responses=s.PublicationWorksheetSerializer(many=True)
    )
    def patch(self, request: Request, coalition_pk: int, key: str) -> Response:
        selectors.section_spec(key)
        ser = s.PublicationWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        services.section_publication_save(
            actor=self.membership,
            section=key,
            visibility={
                (v["worksheet"], v["field"]): v["visibility"] for v in d.get("visibility", [])
            },
            choices={(c["worksheet"], c["field"]): c["rows"] for c in d.get("choices", [])},
        )
        return Response(self._payload(key))


class PreviewView(_Scoped):
    """The plan exactly as freezing and publishing it now would show it to the public."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request, coalition_pk: int) -> Response:
        return Response(document_for_page(self.coalition, audience=document.PUBLIC))


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
            (selectors.member_get(self.coalition, r["membership"]), r["reviewer_type"])
            for r in ser.validated_data["reviewers"]
        ]
        review_round = services.review_round_start(
            actor=self.membership,
            reviewers=reviewers,
            note=ser.validated_data.get("note", ""),
            site_url=absolute_url(request, "/"),
        )
        return Response(s.ReviewRoundSerializer(review_round).data, status=201)


class ReviewDecisionView(_Scoped):
    """A reviewer records their own decision; nobody else can."""

    write_action = Can.VIEW

    @extend_schema(request=s.DecisionSerializer, responses=s.ReviewSerializer)
    def post(self, request: Request, coalition_pk: int, pk: int) -> Response:
        review = selectors.review_get(self.coalition, pk)
        ser = s.DecisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        review = services.review_decide(
            review=review,
            actor=self.membership,
            decision=ser.validated_data["decision"],
            comment=ser.validated_data.get("comment", ""),
        )
        return Response(s.ReviewSerializer(review).data)


class VersionListView(_Scoped):
    """Frozen versions. POST (project manager) freezes the MAP as it stands."""

    write_action = Can.RUN

    @extend_schema(responses=s.VersionSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        return Response(s.VersionSerializer(selectors.versions(self.coalition), many=True).data)

    @extend_schema(
        request=s.FreezeSerializer,
        responses={201: s.VersionSerializer},
        description=(
            "Freeze the plan as it stands. When the check before freezing (map-check) has "
            "findings, give override_reason; without it the answer is 400 with "
            "override_reason and the findings."
        ),
    )
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.FreezeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        version = services.map_version_freeze(
            actor=self.membership, override_reason=ser.validated_data.get("override_reason", "")
        )
        return Response(s.VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class CheckView(_Scoped):
    """The check before freezing (project manager): what is missing or unfinished."""

    read_action = Can.RUN

    @extend_schema(responses=s.CheckSerializer)
    def get(self, request: Request, coalition_pk: int) -> Response:
        # The cached public draft (the freeze itself checks the document it freezes).
        public = document_for_page(self.coalition, audience=document.PUBLIC)
        findings = checks.freeze_check(self.coalition, document=public)
        return Response(s.CheckSerializer({"count": len(findings), "findings": findings}).data)


class VersionDetailView(_Scoped):
    @extend_schema(responses=s.VersionDetailSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        version = selectors.version_get(self.coalition, pk)
        return Response(s.VersionDetailSerializer(version).data)


class VersionPublishView(_Scoped):
    """POST publishes an approved version at its public address; DELETE withdraws it."""

    write_action = Can.RUN

    @extend_schema(request=None, responses=s.VersionSerializer)
    def post(self, request: Request, coalition_pk: int, pk: int) -> Response:
        version = selectors.version_get(self.coalition, pk)
        services.map_version_publish(version=version, actor=self.membership)
        data = dict(s.VersionSerializer(version).data)
        data["public_url"] = request.build_absolute_uri(version.public_path)
        return Response(data)

    @extend_schema(request=None, responses=s.VersionSerializer)
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        version = selectors.version_get(self.coalition, pk)
        services.map_version_unpublish(version=version, actor=self.membership)
        return Response(s.VersionSerializer(version).data)


class ExportListView(_Scoped):
    """Exports, newest first. POST starts one: the full plan or its summary (``kind``), as PDF
    or Word (``format``), of a version or of the current draft."""

    @extend_schema(responses=s.ExportSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        return Response(s.ExportSerializer(selectors.exports(self.coalition), many=True).data)

    @extend_schema(request=s.ExportStartSerializer, responses=s.ExportSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.ExportStartSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        version_id = ser.validated_data.get("version")
        version = selectors.version_get(self.coalition, version_id) if version_id else None
        export = services.plan_export_start(
            actor=self.membership,
            version=version,
            kind=ser.validated_data["kind"],
            format=ser.validated_data["format"],
            language=ser.validated_data["language"],
        )
        return Response(s.ExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(_Scoped):
    @extend_schema(responses=s.ExportSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        export = selectors.export_get(self.coalition, pk)
        data = dict(s.ExportSerializer(export).data)
        if export.status == JobStatus.SUCCEEDED:
            data["download_url"] = reverse(
                "map:export_download", args=[self.coalition.pk, export.pk]
            )
        return Response(data)


class ExportRetryView(_Scoped):
    """Queue a failed export again (400 unless it failed; who may start one may retry)."""

    @extend_schema(request=None, responses={202: s.ExportSerializer})
    def post(self, request: Request, coalition_pk: int, pk: int) -> Response:
        export = selectors.export_get(self.coalition, pk)
        export = services.plan_export_retry(actor=self.membership, export=export)
        return Response(s.ExportSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class PlanSettingsView(_Scoped):
    """The plan's cover and front matter: logo, acknowledgements, page size, language, and the
    partners it names. Everyone reads; the project manager changes them."""

    write_action = Can.RUN
    parser_classes = (MultiPartParser, FormParser, JSONParser)

    @extend_schema(responses=s.PlanSettingsSerializer)
    def get(self, request: Request, coalition_pk: int) -> Response:
        return Response(s.PlanSettingsSerializer(front.plan_settings(self.coalition)).data)

    @extend_schema(request=s.PlanSettingsSerializer, responses=s.PlanSettingsSerializer)
    def put(self, request: Request, coalition_pk: int) -> Response:
        current = front.plan_settings(self.coalition)
        ser = s.PlanSettingsSerializer(current, data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        saved = services.plan_settings_save(
            actor=self.membership,
            acknowledgements=data.get("acknowledgements", ""),
            page_size=data.get("page_size", PageSize.LETTER),
            language=data.get("language", ""),
            second_language=data.get("second_language", ""),
            acknowledgements_translations=data.get("acknowledgements_translations"),
            logo=data.get("logo"),
            remove_logo=data.get("remove_logo", False),
        )
        return Response(s.PlanSettingsSerializer(saved).data)


class PartnerListingView(_Scoped):
    """POST: whether a member's organisation is named in the plan. A member sets their own;
    the project manager anyone's."""

    write_action = Can.VIEW

    @extend_schema(request=s.PartnerListingSerializer, responses=s.PartnerListingSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        from coalitions.selectors import coalition_members
        from coalitions.services import membership_listing_set

        ser = s.PartnerListingSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        member_id = ser.validated_data.get("membership") or self.membership.pk
        target = coalition_members(self.coalition).filter(pk=member_id).first()
        if target is None:
            raise NotFound()
        saved = membership_listing_set(
            actor_membership=self.membership, membership=target, listed=ser.validated_data["listed"]
        )
        return Response({"membership": saved.pk, "listed": saved.listed_in_plan})
