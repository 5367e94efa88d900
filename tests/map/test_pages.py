"""The strategy and MAP pages as people use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.map.models import Measure, StrategicAction
from plans.models import WorksheetResponse

pytestmark = pytest.mark.django_db


def test_adding_an_action_on_the_page_makes_measure_rows(client, coalition, team):
    client.force_login(team["member"].user)
    response = client.post(
        reverse("map:action_create", args=[coalition.pk]),
        {
            "title": "Preschool seats",
            "action_types": ["program"],
            "input": "Funding\nStaff",
            "outcome_short": "More children enrolled",
            "end_date": "2027-01-01",
        },
    )
    assert response.status_code == 302
    action = StrategicAction.objects.get()
    assert Measure.objects.filter(element__action=action).count() == 3
    coverage = client.get(reverse("map:coverage", args=[coalition.pk])).content.decode()
    assert "3 elements are missing something" in coverage and "Funding" in coverage
    bad = client.post(
        reverse("map:action_edit", args=[coalition.pk, action.pk]),
        {"title": "Preschool seats", "start_date": "2027-01-01", "end_date": "2026-01-01"},
    )
    assert bad.status_code == 200 and "The end comes before the start." in bad.content.decode()


def test_section_page_prefills_from_worksheets_and_sanitises(client, coalition, team):
    WorksheetResponse.objects.create(
        coalition=coalition,
        worksheet_key="w7_2",
        version=1,
        data={"final": "All residents thrive <b>together</b>."},
    )
    client.force_login(team["member"].user)
    url = reverse("map:section", args=[coalition.pk, "M5"])
    page = client.get(url).content.decode()
    assert "All residents thrive &lt;b&gt;together&lt;/b&gt;." in page
    client.post(url, {"narrative": "Our **vision** <script>alert('x')</script>"})
    page = client.get(url).content.decode()
    assert "<strong>vision</strong>" in page and "<script>alert" not in page
    client.force_login(team["viewer"].user)
    assert client.post(url, {"narrative": "x"}).status_code == 403


def test_only_the_project_manager_sets_owner_and_status(client, coalition, team):
    url = reverse("map:section", args=[coalition.pk, "M1"])
    client.force_login(team["member"].user)
    assert 'name="status"' not in client.get(url).content.decode()
    client.force_login(team["project_manager"].user)
    client.post(url, {"narrative": "x", "status": "approved", "owner": team["member"].pk})
    page = client.get(reverse("map:plan", args=[coalition.pk])).content.decode()
    assert "Approved" in page


def test_the_plan_page_lists_sections_in_order(client, coalition, team):
    client.force_login(team["viewer"].user)
    page = client.get(reverse("map:plan", args=[coalition.pk])).content.decode()
    titles = [
        "Cover and front matter",
        "Executive Summary",
        "Community Vision Statement",
        "Measurement Plan",
        "Appendices",
    ]
    positions = [page.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "Freeze a version" not in page and "Make the file" not in page


def test_import_from_worksheets_button(client, coalition, team):
    WorksheetResponse.objects.create(
        coalition=coalition,
        worksheet_key="w7_4",
        version=1,
        data={"records": [{"strategic_action": "Build homes", "outputs": "200 units"}]},
    )
    client.force_login(team["member"].user)
    client.post(reverse("map:import_worksheets", args=[coalition.pk]))
    page = client.get(reverse("map:strategy", args=[coalition.pk])).content.decode()
    assert "Build homes" in page and "200 units" in page


def test_an_empty_section_says_so(client, coalition, team):
    client.force_login(team["viewer"].user)
    page = client.get(reverse("map:section", args=[coalition.pk, "M2"])).content.decode()
    assert "This section is not written yet." in page
    WorksheetResponse.objects.create(
        coalition=coalition, worksheet_key="w2_2", version=1, data={"insights": []}
    )
    from plans.map import services

    services.map_section_save(key="M2", actor=team["member"], narrative="Why we began.")
    page = client.get(reverse("map:section", args=[coalition.pk, "M2"])).content.decode()
    assert "This section is not written yet." not in page and "Why we began." in page
