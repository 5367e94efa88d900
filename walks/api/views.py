"""The data walks API under /api/coalitions/{coalition_pk}/walks/: thin views over services.

Walks and stations are read by any member; building and moderating need the data lead (the
services check); answers, written by residents, are read only by those who moderate them.
"""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coalitions.api.permissions import CoalitionScopedMixin
from coalitions.permissions import Can
from walks import selectors, services
from walks.api import serializers as s
from walks.models import Moderation


class _Scoped(CoalitionScopedMixin, APIView):
    read_action = Can.VIEW
    write_action = Can.MANAGE_DATA


class WalkListView(_Scoped):
    @extend_schema(responses=s.DataWalkSerializer(many=True))
    def get(self, request: Request, coalition_pk: int) -> Response:
        return Response(s.DataWalkSerializer(selectors.walks_for(self.coalition), many=True).data)

    @extend_schema(request=s.DataWalkSerializer, responses=s.DataWalkSerializer)
    def post(self, request: Request, coalition_pk: int) -> Response:
        ser = s.DataWalkSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        walk = services.data_walk_save(actor=self.membership, fields=ser.validated_data)
        return Response(s.DataWalkSerializer(walk).data, status=status.HTTP_201_CREATED)


class WalkDetailView(_Scoped):
    @extend_schema(responses=s.DataWalkSerializer)
    def get(self, request: Request, coalition_pk: int, pk: int) -> Response:
        return Response(s.DataWalkSerializer(selectors.walk_get(self.coalition, pk)).data)

    @extend_schema(request=s.DataWalkSerializer, responses=s.DataWalkSerializer)
    def patch(self, request: Request, coalition_pk: int, pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, pk)
        ser = s.DataWalkSerializer(walk, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        walk = services.data_walk_save(actor=self.membership, walk=walk, fields=ser.validated_data)
        return Response(s.DataWalkSerializer(walk).data)


class WalkStatusView(_Scoped):
    @extend_schema(request=s.WalkStatusSerializer, responses=s.DataWalkSerializer)
    def post(self, request: Request, coalition_pk: int, pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, pk)
        ser = s.WalkStatusSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        walk = services.data_walk_status_set(
            actor=self.membership, walk=walk, status=ser.validated_data["status"]
        )
        return Response(s.DataWalkSerializer(walk).data)


def _station_fields(data: dict) -> dict:
    return {
        "variable": data.get("variable", ""),
        "caption_en": data.get("caption_en", ""),
        "caption_es": data.get("caption_es", ""),
        "questions_en": data.get("questions_en", []),
        "questions_es": data.get("questions_es", []),
        "quick_reaction": data.get("quick_reaction", True),
    }


class StationListView(_Scoped):
    @extend_schema(responses=s.StationSerializer(many=True))
    def get(self, request: Request, coalition_pk: int, walk_pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, walk_pk)
        return Response(s.StationSerializer(walk.stations.order_by("position"), many=True).data)

    @extend_schema(request=s.StationSerializer, responses=s.StationSerializer)
    def post(self, request: Request, coalition_pk: int, walk_pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, walk_pk)
        ser = s.StationSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        station = services.station_save(
            actor=self.membership, walk=walk, **_station_fields(ser.validated_data)
        )
        return Response(s.StationSerializer(station).data, status=status.HTTP_201_CREATED)


class StationDetailView(_Scoped):
    @extend_schema(responses=s.StationSerializer)
    def get(self, request: Request, coalition_pk: int, walk_pk: int, pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, walk_pk)
        return Response(s.StationSerializer(selectors.station_get(walk, pk)).data)

    @extend_schema(request=s.StationSerializer, responses=s.StationSerializer)
    def patch(self, request: Request, coalition_pk: int, walk_pk: int, pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, walk_pk)
        station = selectors.station_get(walk, pk)
        ser = s.StationSerializer(station, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        current = s.StationSerializer(station).data
        station = services.station_save(
            actor=self.membership,
            walk=walk,
            station=station,
            **_station_fields({**current, **ser.validated_data}),
        )
        return Response(s.StationSerializer(station).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, coalition_pk: int, walk_pk: int, pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, walk_pk)
        services.station_delete(actor=self.membership, station=selectors.station_get(walk, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FacilitatedView(_Scoped):
    """A facilitator (any member) records a group's reaction counts and quotes."""

    write_action = Can.CONTRIBUTE

    @extend_schema(request=s.FacilitatedSerializer, responses=s.AnswerSerializer(many=True))
    def post(self, request: Request, coalition_pk: int, walk_pk: int, pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, walk_pk)
        ser = s.FacilitatedSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        made = services.facilitated_record(
            actor=self.membership,
            station=selectors.station_get(walk, pk),
            counts=ser.validated_data.get("counts", {}),
            quotes=ser.validated_data.get("quotes", []),
        )
        return Response(s.AnswerSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


class AnswerListView(_Scoped):
    """Residents' answers: read by those who moderate them (data lead and project manager)."""

    read_action = Can.MANAGE_DATA

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=list(Moderation.values), required=False)],
        responses=s.AnswerSerializer(many=True),
    )
    def get(self, request: Request, coalition_pk: int, walk_pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, walk_pk)
        answers = selectors.moderation_queue(walk)
        wanted = request.query_params.get("status")
        if wanted in Moderation.values:
            answers = answers.filter(status=wanted)
        return Response(s.AnswerSerializer(answers, many=True).data)


class AnswerModerateView(_Scoped):
    @extend_schema(request=s.ModerateSerializer, responses=s.AnswerSerializer)
    def post(self, request: Request, coalition_pk: int, walk_pk: int, pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, walk_pk)
        answer = selectors.answer_get(self.coalition, pk)
        if answer.station.walk_id != walk.pk:
            from rest_framework.exceptions import NotFound

            raise NotFound()
        ser = s.ModerateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        answer = services.answer_moderate(
            actor=self.membership, answer=answer, status=ser.validated_data["status"]
        )
        return Response(s.AnswerSerializer(answer).data)


class AnswerTagView(_Scoped):
    @extend_schema(request=s.TagSerializer, responses=s.AnswerSerializer)
    def post(self, request: Request, coalition_pk: int, walk_pk: int, pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, walk_pk)
        answer = selectors.answer_get(self.coalition, pk)
        if answer.station.walk_id != walk.pk:
            from rest_framework.exceptions import NotFound

            raise NotFound()
        ser = s.TagSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        answer = services.answer_tag(
            actor=self.membership,
            answer=answer,
            themes=ser.validated_data.get("themes", []),
            is_quote=ser.validated_data.get("is_quote"),
        )
        return Response(s.AnswerSerializer(answer).data)


class SendToPlanView(_Scoped):
    @extend_schema(request=None, responses=s.SendResultSerializer)
    def post(self, request: Request, coalition_pk: int, walk_pk: int) -> Response:
        walk = selectors.walk_get(self.coalition, walk_pk)
        result = services.data_walk_send_to_plan(actor=self.membership, walk=walk)
        return Response(s.SendResultSerializer(asdict(result)).data)
