"""The scorecard page, its filters, its JSON, its constant number of queries, and the
public scorecard (only public fields, only when published)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from plans.implementation import selectors, services
from plans.map.models import ElementKind, LogicElement, Measure, PriorityArea, StrategicAction

pytestmark = pytest.mark.django_db


def _tracked(plan, member, pm):
    services.strategic_action_status_set(
        actor=member,
        action=plan["wage"],
        status="stalled",
        reason="SECRET-REASON the council postponed",
        owner=member,
    )
    services.progress_note_add(actor=member, action=plan["wage"], text="INTERNAL-NOTE budget")
    services.progress_note_add(
        actor=member, action=plan["transit"], text="Public note on buses", public=True
    )
    services.milestone_done_set(
        actor=member, milestone=plan["wage"].milestones.first(), done_on=dt.date(2025, 7, 1)
    )
    services.early_win_save(actor=member, date=dt.date(2025, 5, 1), description="PRIVATE-WIN")
    services.early_win_save(
        actor=pm, date=dt.date(2025, 6, 1), description="Public win", public=True
    )


def test_the_page_shows_statuses_goals_measures_and_filters(client, plan, member, pm, team):
    _tracked(plan, member, pm)
    client.force_login(team["viewer"].user)
    url = reverse("implementation:scorecard", args=[plan["area"].coalition_id])
    page = client.get(url).content.decode()
    assert "Living wage ordinance" in page and "Stalled" in page
    assert "SECRET-REASON" in page  # members see why
    assert "Milestones: 1 of 2 done." in page
    assert "Ordinance adopted" in page  # a measure of the action
    assert "71.0% (2023)" in page  # the goal's baseline, formatted
    stalled = client.get(url, {"status": "stalled"}).content.decode()
    assert "Living wage ordinance" in stalled and "Night buses" not in stalled
    owned = client.get(url, {"owner": member.pk}).content.decode()
    assert "Night buses" not in owned
    nonsense = client.get(url, {"status": "bogus", "priority": "x"})
    assert nonsense.status_code == 200 and "Night buses" in nonsense.content.decode()


def test_the_json_has_the_same_shape(client, plan, member, pm, team):
    _tracked(plan, member, pm)
    client.force_login(team["viewer"].user)
    url = reverse("api:impl-scorecard", args=[plan["area"].coalition_id])
    data = client.get(url, {"status": "stalled"}).json()
    (area,) = data["priority_areas"]
    (action,) = area["actions"]
    assert action["status_label"] == "Stalled" and action["reason"].startswith("SECRET")
    assert area["goals"][0]["indicator"]
    assert {c["status"]: c["count"] for c in data["counts"]}["stalled"] == 1


def test_publishing_shows_only_public_fields_to_signed_out_visitors(client, plan, member, pm):
    _tracked(plan, member, pm)
    publication = services.scorecard_publish(actor=pm)
    page = client.get(publication.public_path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Living wage ordinance" in text and "Stalled" in text and "Public win" in text
    assert "Public note on buses" in text
    for hidden in ("SECRET-REASON", "INTERNAL-NOTE", "PRIVATE-WIN", member.user.name):
        assert hidden not in text, hidden
    services.scorecard_publish(actor=pm, show_reasons=True)
    assert "SECRET-REASON" in client.get(publication.public_path).content.decode()
    services.scorecard_unpublish(actor=pm)
    assert client.get(publication.public_path).status_code == 404


def _big_plan(coalition, actions: int, measures: int) -> None:
    area = PriorityArea.objects.create(coalition=coalition, name="Big")
    made = StrategicAction.objects.bulk_create(
        StrategicAction(coalition=coalition, priority_area=area, title=f"Action {i}", position=i)
        for i in range(actions)
    )
    elements = LogicElement.objects.bulk_create(
        LogicElement(action=made[i % actions], kind=ElementKind.OUTPUT, text=f"Output {i}")
        for i in range(measures)
    )
    Measure.objects.bulk_create(
        Measure(
            coalition=coalition,
            element=e,
            element_kind=e.kind,
            element_text=e.text,
            measure=f"Measure {i}",
        )
        for i, e in enumerate(elements)
    )
    from plans.map.models import Milestone

    Milestone.objects.bulk_create(
        Milestone(action=a, title=f"Step of {a.title}", due_date=dt.date(2026, 1, 1)) for a in made
    )
    for a in made[:30]:
        a.progress_notes.create(text=f"Note on {a.title}")
    _values(coalition)


def _values(coalition) -> None:
    """Ten years of values for every measure (plans.tracking)."""
    from tests.implementation.values import ten_years_of_values

    ten_years_of_values(coalition)


def test_the_scorecard_reads_a_big_plan_in_a_constant_number_of_queries(
    client, coalition, team, django_assert_max_num_queries
):
    _big_plan(coalition, actions=6, measures=20)
    with django_assert_max_num_queries(30) as small:
        selectors.scorecard(coalition)
    _big_plan(coalition, actions=60, measures=200)
    with django_assert_max_num_queries(len(small.captured_queries)):
        card = selectors.scorecard(coalition)
    assert sum(len(a["actions"]) for a in card.areas) == 66
    from plans.tracking.models import TrackedValue

    assert TrackedValue.objects.filter(coalition=coalition).count() == 220 * 10
    measures = [m for a in card.areas for act in a["actions"] for m in act["measures"]]
    assert len(measures) == 220 and all(m["latest_text"] for m in measures)
    client.force_login(team["viewer"].user)
    url = reverse("implementation:scorecard", args=[coalition.pk])
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200


def _measured(plan, today_year: int):
    """A measure with a numeric baseline and target, and a value this year (plans.tracking)."""
    from plans.tracking.models import TrackedValue

    measure = Measure.objects.get(element__text="Ordinance adopted")
    measure.measure = "Workers at a living wage"
    measure.unit = "number"
    measure.baseline_value, measure.baseline_date = 100.0, dt.date(today_year - 2, 1, 1)
    measure.target_value, measure.target_date = 200.0, dt.date(today_year + 4, 1, 1)
    measure.save()
    TrackedValue.objects.create(
        coalition=measure.coalition,
        measure=measure,
        period=str(today_year),
        date=dt.date(today_year, 1, 1),
        value=180.0,
    )
    return measure


def test_the_scorecard_shows_each_measures_status_and_latest_value(client, plan, team):
    from django.utils import timezone

    from plans.tracking.status import measure_statuses

    measure = _measured(plan, timezone.localdate().year)
    expected = measure_statuses(measure.coalition)[measure.pk]
    client.force_login(team["viewer"].user)
    url = reverse("implementation:scorecard", args=[measure.coalition_id])
    page = client.get(url).content.decode()
    assert "Workers at a living wage" in page
    assert expected.latest_text in page and str(expected.status_label) in page
    assert expected.series_url in page  # members reach the series
    card = selectors.scorecard(measure.coalition, public=True)
    (row,) = [
        m
        for a in card.areas
        for act in a["actions"]
        for m in act["measures"]
        if m["id"] == measure.pk
    ]
    assert row["series_url"] == "" and row["latest_text"] == expected.latest_text


def test_every_filter_works_on_the_page_and_in_the_api(client, plan, member, pm, team):
    """Priority, working group, owner and status narrow the page and the JSON alike."""
    from coalitions.models import WorkingGroup
    from plans.map import services as map_services

    coalition = plan["area"].coalition
    housing = map_services.priority_area_save(actor=pm, name="Housing", pillar="")
    group = WorkingGroup.objects.create(coalition=coalition, name="Housing group")
    rent = map_services.strategic_action_save(
        actor=pm,
        fields={"title": "Rent help", "priority_area": housing},
        elements={"output": "Families helped"},
    )
    StrategicAction.objects.filter(pk=rent.pk).update(working_group=group)
    services.strategic_action_status_set(
        actor=member, action=plan["wage"], status="in_progress", owner=member
    )
    client.force_login(team["viewer"].user)
    page_url = reverse("implementation:scorecard", args=[coalition.pk])
    api_url = reverse("api:impl-scorecard", args=[coalition.pk])

    def shown(params):
        page = client.get(page_url, params).content.decode()
        on_page = {t for t in ("Living wage ordinance", "Night buses", "Rent help") if t in page}
        data = client.get(api_url, params).json()
        in_json = {a["title"] for area in data["priority_areas"] for a in area["actions"]}
        assert on_page == in_json, (params, on_page, in_json)
        return in_json

    assert shown({}) == {"Living wage ordinance", "Night buses", "Rent help"}
    assert shown({"priority": housing.pk}) == {"Rent help"}
    assert shown({"priority": plan["area"].pk}) == {"Living wage ordinance", "Night buses"}
    assert shown({"group": group.pk}) == {"Rent help"}
    assert shown({"owner": member.pk}) == {"Living wage ordinance"}
    assert shown({"status": "in_progress"}) == {"Living wage ordinance"}
    assert shown({"status": "not_started", "priority": plan["area"].pk}) == {"Night buses"}
    page = client.get(page_url, {"group": group.pk}).content.decode()
    assert f'<option value="{group.pk}" selected>Housing group</option>' in page


def test_early_wins_linked_to_actions_appear_on_the_scorecard_and_in_its_json(
    client, plan, member, team
):
    services.early_win_save(
        actor=member,
        date=dt.date(2025, 5, 1),
        description="Fifty people hired",
        action=plan["wage"],
        evidence="Payroll records",
    )
    client.force_login(team["viewer"].user)
    coalition_id = plan["area"].coalition_id
    page = client.get(reverse("implementation:scorecard", args=[coalition_id])).content.decode()
    assert "Fifty people hired" in page and "Payroll records" in page
    assert 'data-label="Strategic action">Living wage ordinance</td>' in page
    data = client.get(reverse("api:impl-scorecard", args=[coalition_id])).json()
    (win,) = data["early_wins"]
    assert (win["description"], win["action"]) == ("Fifty people hired", "Living wage ordinance")
    # The action's own page lists its early wins too.
    action = client.get(
        reverse("implementation:action", args=[coalition_id, plan["wage"].pk])
    ).content.decode()
    assert "Fifty people hired" in action


def test_subgroups_with_their_own_target_show_their_status_everywhere(client, plan, team, pm):
    """The scorecard page, its JSON, the public scorecard and the progress report show each
    subgroup's own status next to everyone's."""
    from django.utils import timezone

    from plans.implementation.report import _values_moved
    from plans.tracking.models import TrackedValue
    from plans.tracking.services import subgroup_targets_save

    year = timezone.localdate().year
    measure = _measured(plan, year)
    measure.subgroups = ["Black"]
    measure.save()
    subgroup_targets_save(
        actor=team["data_lead"],
        owner=measure,
        rows=[
            {
                "subgroup": "Black",
                "baseline_value": "60",
                "baseline_date": str(year - 2),
                "target_value": "160",
                "target_date": str(year + 4),
            }
        ],
    )
    TrackedValue.objects.create(
        coalition=measure.coalition,
        measure=measure,
        subgroup="Black",
        period=str(year),
        date=dt.date(year, 1, 1),
        value=61.0,  # the path stands near 90: behind
    )
    client.force_login(team["viewer"].user)
    url = reverse("implementation:scorecard", args=[measure.coalition_id])
    page = client.get(url).content.decode()
    assert "Black:" in page and "Off track" in page and "On track" in page
    data = client.get(reverse("api:impl-scorecard", args=[measure.coalition_id])).json()
    rows = [m for a in data["priority_areas"] for act in a["actions"] for m in act["measures"]]
    (row,) = [m for m in rows if m["id"] == measure.pk]
    assert row["subgroup_statuses"] == [
        {
            "subgroup": "Black",
            "subgroup_label": "Black",
            "status": "off_track",
            "status_label": "Off track",
            "latest_text": "61",
        }
    ]
    publication = services.scorecard_publish(actor=pm)
    client.logout()
    public = client.get(publication.public_path).content.decode()
    assert "Black:" in public and "Off track" in public
    (table,) = _values_moved(measure.coalition, dt.date(year, 1, 1), dt.date(year, 12, 31))
    names = [r[0] for r in table["rows"]]
    assert "Workers at a living wage: Black" in names
