"""Headline goals of the priority areas: values by unit, validation, roles, pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from coalitions.models import CoalitionEvent, EventKind
from core.models import JobStatus
from metrics import models as m
from metrics.charts.formatting import value_input_text, value_parse
from plans.map import goal_display, services
from plans.map.models import HeadlineGoal

pytestmark = pytest.mark.django_db

D = dt.date


def observe(coalition, variable="share_employed", values=None, subgroups=None):
    """An active release with the coalition's series of one metric (and subgroup series)."""
    m.Release.objects.update(is_active=False)
    release = m.Release.objects.create(name="goals-test", is_active=True)
    metric = m.Metric.objects.get(variable=variable)
    everyone = m.Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0]
    values = values or {2019: 0.70, 2021: 0.71, 2023: 0.72}
    rows = [
        m.Observation(
            release=release,
            geography=coalition.geography,
            metric=metric,
            subgroup=everyone,
            year=year,
            value=value,
            quality=1,
        )
        for year, value in values.items()
    ]
    for name, series in (subgroups or {}).items():
        group = m.Subgroup.objects.get_or_create(subgroup_type="race-ethnicity", name=name)[0]
        rows += [
            m.Observation(
                release=release,
                geography=coalition.geography,
                metric=metric,
                subgroup=group,
                year=year,
                value=value,
                quality=1,
            )
            for year, value in series.items()
        ]
    m.Observation.objects.bulk_create(rows)
    m.NationalBenchmark.objects.bulk_create(
        m.NationalBenchmark(release=release, metric=metric, year=y, value=0.69) for y in values
    )
    return release


@pytest.fixture
def area(pm):
    return services.priority_area_save(actor=pm, name="Good jobs", pillar="rewarding-work")


def _goal(pm, area, **kw):
    args = {
        "metric_variable": "share_employed",
        "target": "75%",
        "target_date": D(2030, 12, 31),
        **kw,
    }
    return services.headline_goal_save(actor=pm, priority_area=area, **args)


# --- values typed by unit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "stored"),
    [
        ("50%", "share", 0.5),
        ("50", "share", 0.5),
        ("39.9 %", "share", 0.399),
        ("$66,167", "dollars", 66167.0),
        ("312.4", "per_100k", 312.4),
        ("45", "per_100_households", 0.45),
        ("1:1", "text_ratio", 1.0),
        ("0.119:0.246", "text_ratio", 0.119 / 0.246),
        ("0.8", "text_ratio", 0.8),
        ("1,234", "count", 1234.0),
        ("0.97", "grade_levels", 0.97),
        ("2,235", "people_per_physician", 2235.0),
        ("55.5", "index", 55.5),
    ],
)
def test_a_value_is_read_as_its_unit_stores_it(text, unit, stored):
    assert value_parse(text, unit) == pytest.approx(stored)


def test_a_stored_value_reads_back_as_typed():
    assert value_input_text(0.399, "share") == "39.9%"
    assert value_input_text(66167.0, "dollars") == "66167"
    assert value_input_text(1234567.0, "count") == "1234567"
    assert value_parse(value_input_text(0.45, "per_100_households"), "per_100_households") == 0.45


@pytest.mark.parametrize("text", ["lots", "50%%x", "", "1:0", "nan"])
def test_a_value_that_is_not_a_number_is_refused_with_a_sentence(text):
    with pytest.raises(ValueError) as caught:
        value_parse(text, "share" if ":" not in text else "text_ratio")
    assert str(caught.value)


# --- the service ----------------------------------------------------------------------------------


def test_a_goal_on_a_metric_starts_from_the_latest_value_of_the_data(coalition, pm, area):
    observe(coalition)
    goal = _goal(pm, area, subgroup="", note="From the jobs plan")
    assert goal.indicator == m.Metric.objects.get(variable="share_employed").label
    assert goal.unit == "share"
    assert goal.baseline_value == pytest.approx(0.72) and goal.baseline_date == D(2023, 12, 31)
    assert goal.target_value == pytest.approx(0.75)
    assert goal_display.baseline_text(goal) == "72.0% (2023)"
    assert goal_display.target_text(goal) == "75.0% by December 31, 2030"
    event = CoalitionEvent.objects.get(kind=EventKind.GOAL_SAVED)
    assert "Good jobs" in event.details["label"]


def test_a_typed_baseline_is_kept(coalition, pm, area):
    observe(coalition)
    goal = _goal(pm, area, baseline="70", baseline_date=D(2019, 12, 31))
    assert goal.baseline_value == pytest.approx(0.70) and goal.baseline_year == 2019


def test_a_gap_target_on_a_subgroup_with_data(coalition, pm, area):
    observe(coalition, subgroups={"Hispanic": {2021: 0.62, 2023: 0.63}})
    goal = _goal(pm, area, subgroup="hispanic", gap_target="-5")
    assert goal.subgroup == "Hispanic"  # as the data name it
    assert goal.gap_target == pytest.approx(-0.05)
    assert goal_display.gap_target_text(goal) == (
        "Hispanic: a gap of \u22125 percentage points to everyone by December 31, 2030"
    )
    assert goal_display.gap_input_text(goal) == "-5"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"target": "about half"}, "target", "is not a number"),
        ({"target": ""}, "target", "Enter the target"),
        ({"target_date": D(2020, 1, 1)}, "target_date", "must come after the baseline date"),
        ({"target_date": None}, "target_date", "Give the date"),
        ({"subgroup": "Martians"}, "subgroup", "has no data for this indicator"),
        ({"gap_target": "-5"}, "subgroup", "Name the group"),
        ({"gap_target": "a lot", "subgroup": "Hispanic"}, "gap_target", "is not a number"),
        ({"metric_variable": "no_such_metric"}, "metric_variable", "Unknown Mobility Metric"),
        ({"metric_variable": ""}, "metric_variable", "Choose the indicator"),
        ({"baseline": "n/a"}, "baseline", "is not a number"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(
    coalition, pm, area, changes, field, words
):
    observe(coalition, subgroups={"Hispanic": {2023: 0.63}})
    with pytest.raises(ValidationError) as caught:
        _goal(pm, area, **changes)
    assert words in " ".join(caught.value.message_dict[field])
    assert not HeadlineGoal.objects.exists()


def test_no_data_and_no_baseline_asks_for_one(coalition, pm, area):
    with pytest.raises(ValidationError) as caught:
        _goal(pm, area)
    assert "enter the baseline" in caught.value.message_dict["baseline"][0]


def test_a_fourth_goal_is_refused_and_an_edit_of_the_third_is_not(coalition, pm, area):
    observe(coalition)
    goals = [_goal(pm, area, target=f"{75 + i}%") for i in range(3)]
    with pytest.raises(ValidationError) as caught:
        _goal(pm, area, target="90%")
    assert "at most 3 headline goals" in caught.value.message_dict["priority_area"][0]
    assert HeadlineGoal.objects.count() == 3
    changed = _goal(pm, area, goal=goals[2], target="80%")
    assert changed.target_value == pytest.approx(0.8)


def test_a_goal_on_a_local_dataset(coalition, pm, area, team):
    dataset = m.LocalDataset.objects.create(
        coalition=coalition,
        predictor=m.Predictor.objects.first(),
        name="Evictions filed",
        unit="count",
        file="x.csv",
        original_name="x.csv",
        status=JobStatus.SUCCEEDED,
    )
    for year, value in ((2021, 1500), (2022, 1420)):
        m.LocalValue.objects.create(
            dataset=dataset, area=coalition.geography.name, year=year, value=value
        )
    m.LocalValue.objects.create(
        dataset=dataset, area=coalition.geography.name, year=2022, subgroup="Renters", value=1300
    )
    goal = services.headline_goal_save(
        actor=pm,
        priority_area=area,
        local_dataset=dataset,
        target="1,000",
        target_date=D(2028, 6, 30),
        subgroup="renters",
        gap_target="-100",
    )
    assert (goal.baseline_value, goal.baseline_year, goal.unit) == (1420, 2022, "count")
    assert goal.subgroup == "Renters" and goal.gap_target == -100
    assert goal_display.target_text(goal) == "1,000 by June 30, 2028"
    other = m.LocalDataset.objects.create(
        coalition=team["viewer"].coalition.__class__.objects.exclude(pk=coalition.pk).first()
        or _other_coalition(),
        predictor=dataset.predictor,
        name="Theirs",
        file="y.csv",
        original_name="y.csv",
        status=JobStatus.SUCCEEDED,
    )
    with pytest.raises(ValidationError) as caught:
        services.headline_goal_save(
            actor=pm,
            priority_area=area,
            local_dataset=other,
            target="1",
            baseline="2",
            baseline_date=D(2022, 1, 1),
            target_date=D(2028, 6, 30),
        )
    assert "local_dataset" in caught.value.message_dict


def _other_coalition():
    from tests.factories import CoalitionFactory

    return CoalitionFactory()


def test_a_viewer_cannot_set_a_goal_and_another_coalition_cannot_touch_it(
    coalition, pm, area, team
):
    observe(coalition)
    with pytest.raises(PermissionDenied):
        _goal(team["viewer"], area)
    goal = _goal(team["member"], area)
    from tests.factories import MembershipFactory

    stranger = MembershipFactory(role="project_manager")
    with pytest.raises(PermissionDenied):
        services.headline_goal_delete(goal=goal, actor=stranger)
    services.headline_goal_delete(goal=goal, actor=pm)
    assert not HeadlineGoal.objects.exists()
    assert CoalitionEvent.objects.filter(kind=EventKind.RECORD_DELETED).exists()


# --- pages --------------------------------------------------------------------------------------


def test_the_priority_page_lists_goals_and_the_form_says_what_is_wrong(client, coalition, team):
    observe(coalition, subgroups={"Hispanic": {2023: 0.63}})
    member = team["member"]
    area = services.priority_area_save(actor=member, name="Good jobs")
    client.force_login(member.user)
    new = reverse("map:goal_create", args=[coalition.pk, area.pk])
    post = {
        "metric_variable": "share_employed",
        "target": "lots",
        "target_date": "2030-12-31",
    }
    page = client.post(new, post)
    assert page.status_code == 200
    assert "“lots” is not a number" in page.content.decode()
    assert not HeadlineGoal.objects.exists()
    done = client.post(new, {**post, "target": "75%", "subgroup": ""})
    assert done.status_code == 302
    listing = client.get(reverse("map:priority_edit", args=[coalition.pk, area.pk])).content
    text = listing.decode()
    assert "72.0% (2023)" in text and "75.0% by December 31, 2030" in text
    goal = HeadlineGoal.objects.get()
    edit = client.get(reverse("map:goal_edit", args=[coalition.pk, area.pk, goal.pk])).content
    assert 'value="75%"' in edit.decode()
    assert "Groups with data for this indicator here: Hispanic." in edit.decode()
    client.post(reverse("map:goal_delete", args=[coalition.pk, area.pk, goal.pk]))
    assert not HeadlineGoal.objects.exists()


# --- API ------------------------------------------------------------------------------------------


def test_the_api_sets_goals_with_typed_or_stored_values(api_client, coalition, team):
    observe(coalition)
    member = team["member"]
    area = services.priority_area_save(actor=member, name="Good jobs")
    url = reverse("api:map-goal-list", args=[coalition.pk])
    body = {
        "priority_area": area.pk,
        "metric_variable": "share_employed",
        "target": "75%",
        "target_date": "2030-12-31",
    }
    api_client.force_login(team["viewer"].user)
    assert api_client.post(url, body, format="json").status_code == 403
    api_client.force_login(member.user)
    created = api_client.post(url, body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["target"] == pytest.approx(0.75) and data["baseline"] == pytest.approx(0.72)
    assert data["target_text"] == "75.0% by December 31, 2030" and data["unit"] == "share"
    detail = reverse("api:map-goal-detail", args=[coalition.pk, data["id"]])
    patched = api_client.patch(detail, {"target": 0.8}, format="json")
    assert patched.status_code == 200 and patched.json()["target"] == pytest.approx(0.8)
    bad = api_client.patch(detail, {"target_date": "2001-01-01"}, format="json")
    assert bad.status_code == 400 and "target_date" in bad.json()
    assert api_client.get(url, {"priority_area": "x"}).status_code == 400
    listed = api_client.get(url, {"priority_area": area.pk}).json()
    assert [g["id"] for g in listed] == [data["id"]]
    assert api_client.delete(detail).status_code == 204


def test_the_openapi_schema_has_the_goal_endpoints(api_client, team):
    api_client.force_login(team["viewer"].user)
    schema = api_client.get(reverse("api:schema"), {"format": "json"}).json()
    paths = [p for p in schema["paths"] if "headline-goals" in p]
    assert len(paths) == 4  # the list, one goal, its values and subgroup targets (tracking)
    assert "HeadlineGoal" in schema["components"]["schemas"]
