"""Finding 5: a deleted account keeps the coalition's history readable ("Former member")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coalitions.models import Role
from coalitions.services import coalition_event_record
from metrics.profiles.services import metric_note_add
from plans import definitions, services
from tests.factories import CoalitionFactory, MembershipFactory


@pytest.fixture
def team(db):
    coalition = CoalitionFactory(name="Former Member Test")
    return {
        "coalition": coalition,
        "pm": MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER, user__name="Pat"),
        "gone": MembershipFactory(
            coalition=coalition,
            role=Role.DATA_LEAD,
            user__name="Gwen Gone",
            user__email="gwen@x.org",
        ),
    }


def _history_by_gone(team):
    gone = team["gone"]
    gone.role = Role.PROJECT_MANAGER
    gone.save()
    item = definitions.step(5).checklist[0].key
    services.checklist_tick_set(actor=gone, step=5, item_key=item, ticked=True)
    services.worksheet_response_save(
        actor=gone, worksheet_key="w5_7", data={"narrative": "Our story"}, base_version=0
    )
    services.comment_create(actor=gone, worksheet_key="w5_7", body="A comment by Gwen")
    from coalitions.models import EventKind

    coalition_event_record(team["coalition"], EventKind.DATA_IMPORTED, gone.user, label="x")
    from metrics.models import Metric

    metric = Metric.objects.first()
    if metric is not None:
        metric_note_add(actor=gone, metric=metric, text="A note by Gwen")
    gone.user.delete()


@pytest.mark.parametrize(
    "name,args",
    [
        ("plans:worksheet", ["w5_7"]),
        ("plans:worksheet_history", ["w5_7"]),
        ("plans:step", [5]),
        ("plans:steps", []),
        ("coalitions:activity", []),
    ],
)
def test_pages_show_former_member_after_the_author_is_deleted(client, team, name, args):
    _history_by_gone(team)
    client.force_login(team["pm"].user)
    response = client.get(reverse(name, args=[team["coalition"].pk, *args]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Gwen Gone" not in page and "gwen@x.org" not in page
    assert "Former member" in page


def test_the_api_names_no_author_for_a_deleted_account(api_client, team):
    _history_by_gone(team)
    api_client.force_authenticate(team["pm"].user)
    base = f"/api/coalitions/{team['coalition'].pk}/worksheets/w5_7"
    comments = api_client.get(f"{base}/comments/")
    revisions = api_client.get(f"{base}/revisions/")
    assert comments.status_code == 200 and revisions.status_code == 200
    assert comments.json()[0]["author"] is None
    assert "gwen@x.org" not in revisions.content.decode()
