"""W10.1's old free-text table of early wins: kept and shown read-only, never changed again.

Early wins are EarlyWin records (the early wins page); the worksheet's ``wins`` table is
``superseded_by: early_wins``, so every save path (page, autosave, API) refuses a change to it
while saving the rest, and the workspace import keeps the rows as they were."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans import definitions, services, transfer
from plans.models import WorksheetResponse
from tests.factories import CoalitionFactory, MembershipFactory

OLD = [
    {
        "date": "2025-02-02",
        "description": "Forty people hired",
        "communicated_to": ["coalition", "funders"],
        "published": "yes",
    }
]
REFUSED = "Early wins are now logged on the early wins page"


@pytest.fixture
def old_log(coalition):
    return WorksheetResponse.objects.create(
        coalition=coalition,
        worksheet_key="w10_1",
        version=1,
        status="in_progress",
        data={"wins": OLD},
    )


def test_the_definition_marks_the_table_superseded():
    wins = definitions.worksheet_by_role("early_wins").field("wins")
    assert wins.superseded_by == "early_wins" and wins.read_only


def test_the_service_refuses_a_change_and_keeps_the_old_rows(old_log, pm):
    changed = services.worksheet_response_save(
        actor=pm, worksheet_key="w10_1", data={"wins": OLD + OLD}, base_version=1
    )
    assert REFUSED in changed.errors["wins"][0] and not changed.changed
    cleared = services.worksheet_response_save(
        actor=pm, worksheet_key="w10_1", data={"wins": []}, base_version=1
    )
    assert cleared.errors["wins"] and not cleared.changed
    same = services.worksheet_response_save(
        actor=pm, worksheet_key="w10_1", data={"wins": OLD}, base_version=1
    )
    assert same.errors == {} and not same.changed
    old_log.refresh_from_db()
    assert old_log.data == {"wins": OLD} and old_log.version == 1


def test_none_can_be_added_where_there_were_none(coalition, pm):
    result = services.worksheet_response_save(
        actor=pm, worksheet_key="w10_1", data={"wins": OLD}, base_version=0
    )
    assert result.errors["wins"] and not result.changed


def test_the_page_shows_the_rows_read_only_with_labels_and_a_link(client, old_log, coalition, pm):
    client.force_login(pm.user)
    url = reverse("plans:worksheet", args=[coalition.pk, "w10_1"])
    page = client.get(url).content.decode()
    assert "Forty people hired" in page
    assert "The coalition; Funders" in page and ">Yes<" in page  # labels, not keys
    assert 'name="wins-rows"' not in page and 'name="wins-0-description"' not in page
    assert REFUSED in page
    assert reverse("implementation:early_wins", args=[coalition.pk]) in page
    assert ">Save</button>" not in page  # nothing on this worksheet can be saved


def test_the_page_and_autosave_refuse_a_stale_form(client, old_log, coalition, pm):
    client.force_login(pm.user)
    stale = {
        "version": "1",
        "wins-rows": "1",
        "wins-0-date": "2025-02-02",
        "wins-0-description": "Changed by an old tab",
    }
    page = client.post(reverse("plans:worksheet", args=[coalition.pk, "w10_1"]), stale)
    assert page.status_code == 200 and REFUSED in page.content.decode()
    assert "Changed by an old tab" not in page.content.decode()
    auto = client.post(reverse("plans:worksheet_autosave", args=[coalition.pk, "w10_1"]), stale)
    assert auto.status_code == 200
    old_log.refresh_from_db()
    assert old_log.data == {"wins": OLD} and old_log.version == 1
    # A form without the table (today's page) saves without a word about it.
    fine = client.post(reverse("plans:worksheet", args=[coalition.pk, "w10_1"]), {"version": "1"})
    assert fine.status_code == 302


def test_the_api_refuses_a_change_with_400(api_client, old_log, coalition, pm):
    url = reverse("api:worksheet-responses", kwargs={"coalition_pk": coalition.pk, "key": "w10_1"})
    api_client.force_authenticate(pm.user)
    bad = api_client.put(url, {"version": 1, "data": {"wins": []}}, format="json")
    assert bad.status_code == 400 and REFUSED in bad.json()["data"]["wins"][0]
    same = api_client.put(url, {"version": 1, "data": {"wins": OLD}}, format="json")
    assert same.status_code == 200 and same.json()["version"] == 1
    old_log.refresh_from_db()
    assert old_log.data == {"wins": OLD}


def test_restoring_an_old_version_keeps_the_rows(old_log, pm):
    old_log.revisions.create(coalition=old_log.coalition, version=1, data={})
    services.worksheet_response_restore(actor=pm, worksheet_key="w10_1", version=1)
    old_log.refresh_from_db()
    assert old_log.data == {"wins": OLD}


def test_the_import_keeps_the_old_rows(old_log, pm):
    exported = transfer.workspace_export(actor=pm)
    target = CoalitionFactory(name="Target")
    target_pm = MembershipFactory(coalition=target, role="project_manager", user=pm.user)
    transfer.workspace_import(payload=exported, actor=target_pm)
    kept = target.worksheet_responses.get(worksheet_key="w10_1")
    assert kept.data == {"wins": OLD}
