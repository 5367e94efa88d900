"""Values over time in the API under /api/coalitions/{coalition_pk}/: list (with the status),
bulk create with a report per row, delete. Reads need any role, writes a member; a city's data
team uses a personal API token (accounts API tokens)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coalitions.api.permissions import CoalitionScopedMixin
from coalitions.permissions import Can
from plans.map.models import HeadlineGoal, Measure
from plans.tracking import selectors, services
from plans.tracking import status as tracking_status
from plans.tracking.api import serializers as s


class _Values(CoalitionScopedMixin, APIView):
    read_action = Can.VIEW
    write_action = Can.CONTRIBUTE
    owner_kind = "measure"

    def owner(self, pk: int) -> Measure | HeadlineGoal:
        if self.owner_kind == "goal":
            return selectors.goal_get(self.coalition, pk)
        return selectors.measure_get(self.coalition, pk)

    def owner_status(self, owner: Measure | HeadlineGoal) -> tracking_status.MeasureStatus:
        if isinstance(owner, HeadlineGoal):
            return tracking_status.goal_statuses(self.coalition)[owner.pk]
        return tracking_status.measure_statuses(self.coalition)[owner.pk]

    @extend_schema(responses=s.ValuesListSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        owner = self.owner(pk)
        data = {"status": self.owner_status(owner), "values": selectors.values_of(owner)}
        return Response(s.ValuesListSerializer(data).data)

    @extend_schema(
        request=s.ValuesCreateSerializer,
        responses={
            201: s.ValuesResultSerializer,
            400: OpenApiResponse(s.ValuesResultSerializer, description="No row was saved."),
        },
    )
    def post(self, request: Request, coalition_pk: int, pk: int) -> Response:
        """Add many values at once (``values``: rows of ValueRow). The right rows are saved;
        each bad row is listed in ``errors`` with its reasons. 201 when any row was saved."""
        owner = self.owner(pk)
        ser = s.ValuesCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        good, shape_errors = s.row_problems(ser.validated_data["values"])
        result = services.values_add(
            actor=self.membership, owner=owner, rows=[row for _n, row in good]
        )
        numbers = [n for n, _row in good]
        by_row: dict[int, dict[str, list[str]]] = dict(shape_errors)
        by_row.update({numbers[p.row - 1]: p.errors for p in result.problems})
        errors = [{"row": n, "errors": by_row[n]} for n in sorted(by_row)]
        body = s.ValuesResultSerializer({"saved": result.saved, "errors": errors}).data
        code = status.HTTP_201_CREATED if result.saved else status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)


class MeasureValuesView(_Values):
    """The values of a measure of the measurement plan, with its status."""

    owner_kind = "measure"


class GoalValuesView(_Values):
    """The values of a headline goal, with its status."""

    owner_kind = "goal"


class _SubgroupTargets(CoalitionScopedMixin, APIView):
    """A measure's or goal's subgroups' own baselines and targets: read by any member, set
    (the whole set at once, all rows or none) by a data lead or project manager."""

    read_action = Can.VIEW
    write_action = Can.MANAGE_DATA
    owner_kind = "measure"

    def owner(self, pk: int) -> Measure | HeadlineGoal:
        if self.owner_kind == "goal":
            return selectors.goal_get(self.coalition, pk)
        return selectors.measure_get(self.coalition, pk)

    @extend_schema(responses=s.SubgroupTargetsSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        owner = self.owner(pk)
        targets = owner.subgroup_targets.select_related("measure", "goal")
        return Response(s.SubgroupTargetsSerializer({"targets": targets, "errors": []}).data)

    @extend_schema(
        request=s.SubgroupTargetsPutSerializer,
        responses={
            200: s.SubgroupTargetsSerializer,
            400: OpenApiResponse(
                s.SubgroupTargetsSerializer, description="A row is wrong: nothing was saved."
            ),
        },
    )
    def put(self, request: Request, coalition_pk: int, pk: int) -> Response:
        """Set the whole set (``targets``: rows of SubgroupTargetRow). Any bad row: 400 with
        each bad row's reasons in ``errors`` (``row`` counts from 1), and nothing saved."""
        owner = self.owner(pk)
        ser = s.SubgroupTargetsWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        good, errors = s.target_row_problems(ser.validated_data["targets"])
        if not errors:
            result = services.subgroup_targets_save(actor=self.membership, owner=owner, rows=good)
            errors = {p.row: p.errors for p in result.problems}
        if errors:
            body = {
                "targets": [],
                "errors": [{"row": n, "errors": errors[n]} for n in sorted(errors)],
            }
            return Response(
                s.SubgroupTargetsSerializer(body).data, status=status.HTTP_400_BAD_REQUEST
            )
        return self.get(request, coalition_pk, pk)


class MeasureSubgroupTargetsView(_SubgroupTargets):
    """The subgroups' own baselines and targets of a measure."""

    owner_kind = "measure"


class GoalSubgroupTargetsView(_SubgroupTargets):
    """The subgroups' own baselines and targets of a headline goal."""

    owner_kind = "goal"


class ValueDetailView(CoalitionScopedMixin, APIView):
    read_action = Can.VIEW
    write_action = Can.CONTRIBUTE

    @extend_schema(responses=s.TrackedValueSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        return Response(s.TrackedValueSerializer(selectors.value_get(self.coalition, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, pk: int) -> Response:
        value = selectors.value_get(self.coalition, pk)
        services.value_delete(actor=self.membership, value=value)
        return Response(status=status.HTTP_204_NO_CONTENT)
