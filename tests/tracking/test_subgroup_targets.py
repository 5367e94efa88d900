"""A subgroup's own baseline and target: checks (nothing half-saved), its own status by the
straight-path rule, its chart, the page, the API, the scorecard and the progress report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalitions.models import CoalitionEvent, EventKind
from plans.tracking import charts, services
from plans.tracking.models import SubgroupTarget
from plans.tracking.status import Status, goal_statuses, measure_statuses
from tests.tracking.conftest import TODAY, add_value, make_goal, make_measure

BLACK = {
    "subgroup": "Black",
    "baseline_value": "30%",
    "baseline_date": "2022",
    "target_value": "50%",
    "target_date": "2030-12-31",
}


@pytest.fixture
def lead(team):
    return team["data_lead"]


def save(actor, owner, rows):
    return services.subgroup_targets_save(actor=actor, owner=owner, rows=rows)


def status_of(measure):
    return measure_statuses(measure.coalition, today=TODAY)[measure.pk]


def test_a_subgroups_target_is_read_in_the_measures_unit(lead, measure):
    result = save(
        lead,
        measure,
        [
            BLACK,
            {
                "subgroup": "hispanic",
                "baseline_value": 0.2,
                "baseline_date": dt.date(2022, 12, 31),
                "target_value": 0.3,
                "target_date": "2030",
            },
        ],
    )
    assert result.problems == []
    saved = {t.subgroup: t for t in SubgroupTarget.objects.filter(measure=measure)}
    assert saved["Black"].baseline_value == pytest.approx(0.30)
    assert saved["Black"].baseline_date == dt.date(2022, 12, 31)
    assert saved["Black"].target_value == pytest.approx(0.50)
    assert saved["Black"].target_date == dt.date(2030, 12, 31)
    assert saved["Hispanic"].target_value == pytest.approx(0.3)  # the measure's own spelling
    assert saved["Black"].updated_by == lead.user
    assert CoalitionEvent.objects.filter(kind=EventKind.SUBGROUP_TARGETS_SAVED).count() == 1


def test_bad_rows_are_each_reported_and_nothing_is_half_saved(lead, measure):
    save(lead, measure, [BLACK])
    result = save(
        lead,
        measure,
        [
            {**BLACK, "baseline_value": "about a third"},
            {
                "subgroup": "Asian",
                "baseline_value": "1%",
                "baseline_date": "2022",
                "target_value": "2%",
                "target_date": "2030",
            },
            {
                "subgroup": "Hispanic",
                "baseline_value": "20%",
                "baseline_date": "2030",
                "target_value": "25%",
                "target_date": "2024",
            },
        ],
    )
    assert [p.row for p in result.problems] == [1, 2, 3]
    assert "Baseline:" in result.problems[0].errors["baseline_value"][0]
    assert "no subgroup “Asian”" in result.problems[1].errors["subgroup"][0]
    assert "its subgroups: Black, Hispanic" in result.problems[1].errors["subgroup"][0]
    assert "must come after the baseline date" in result.problems[2].errors["target_date"][0]
    # the saved set is untouched
    assert list(
        SubgroupTarget.objects.filter(measure=measure).values_list("subgroup", "target_value")
    ) == [("Black", pytest.approx(0.5))]


def test_a_half_filled_row_names_what_is_missing_and_an_empty_one_removes(lead, measure):
    save(lead, measure, [BLACK])
    result = save(lead, measure, [{"subgroup": "Black", "target_value": "40%"}])
    assert set(result.problems[0].errors) == {"baseline_value", "baseline_date", "target_date"}
    assert "give it too" in result.problems[0].errors["baseline_date"][0]
    assert SubgroupTarget.objects.filter(measure=measure).count() == 1
    result = save(
        lead, measure, [{"subgroup": "Black", "baseline_value": "", "target_value": None}]
    )
    assert result.problems == [] and not SubgroupTarget.objects.filter(measure=measure).exists()


def test_a_bad_date_and_a_duplicate_row_are_reported(lead, measure):
    result = save(lead, measure, [{**BLACK, "baseline_date": "last year"}, BLACK, BLACK])
    assert "Give a year (2022) or a date" in result.problems[0].errors["baseline_date"][0]
    assert [p.row for p in result.problems] == [1, 2, 3]
    assert "has two rows" in result.problems[1].errors["subgroup"][0]


def test_only_data_leads_and_project_managers_set_subgroup_targets(team, measure):
    with pytest.raises(PermissionDenied):
        save(team["member"], measure, [BLACK])
    assert save(team["project_manager"], measure, [BLACK]).problems == []


def test_each_subgroup_with_a_target_gets_its_own_status(lead, measure):
    save(
        lead,
        measure,
        [BLACK, {**BLACK, "subgroup": "Hispanic", "baseline_value": "20%", "target_value": "40%"}],
    )
    add_value(measure, "2024", 0.46)  # everyone: ahead of 45%
    # Black: path 30% → 50% (2022 → 2030) stands at 35% at the end of 2024
    add_value(measure, "2024", 0.36, subgroup="Black")
    # Hispanic: path 20% → 40% stands at 25%: 21% is behind
    add_value(measure, "2024", 0.21, subgroup="Hispanic")
    found = status_of(measure)
    assert found.status == Status.ON_TRACK
    by_name = {s.subgroup: s for s in found.subgroup_statuses}
    assert by_name["Black"].status == Status.ON_TRACK
    assert by_name["Black"].expected_value == pytest.approx(0.35, abs=0.001)
    assert by_name["Black"].latest_text == "36.0%" and by_name["Black"].baseline_text == "30.0%"
    assert by_name["Hispanic"].status == Status.OFF_TRACK
    assert by_name["Hispanic"].status_label == "Off track"


def test_a_subgroup_without_recent_values_has_no_recent_data(lead, measure):
    save(lead, measure, [BLACK])
    add_value(measure, "2024", 0.46)
    (black,) = status_of(measure).subgroup_statuses
    assert black.status == Status.NO_RECENT_DATA and black.latest_text == ""
    add_value(measure, "2020", 0.5, subgroup="Black")  # six years before TODAY
    (black,) = status_of(measure).subgroup_statuses
    assert black.status == Status.NO_RECENT_DATA and black.latest_text == "50.0%"


def test_a_removed_subgroup_keeps_no_status(lead, measure):
    save(lead, measure, [BLACK])
    measure.subgroups = ["Hispanic"]
    measure.save()
    assert status_of(measure).subgroup_statuses == ()


def test_headline_goals_share_the_model_and_the_rule(team, coalition):
    goal = make_goal(coalition, subgroup="Black")
    save(team["data_lead"], goal, [{**BLACK, "baseline_value": "60%", "target_value": "80%"}])
    add_value(goal, "2024", 0.9, subgroup="Black")
    (black,) = goal_statuses(coalition, today=TODAY)[goal.pk].subgroup_statuses
    assert black.status == Status.ON_TRACK and black.subgroup_label


def test_statuses_read_the_targets_in_one_query_whatever_their_number(team, coalition):
    measures = [make_measure(coalition, subgroups=["Black"]) for _ in range(3)]
    with CaptureQueriesContext(connection) as few:
        measure_statuses(coalition, today=TODAY)
    for m in measures:
        save(team["data_lead"], m, [BLACK])
        add_value(m, "2024", 0.4, subgroup="Black")
    measures += [make_measure(coalition, subgroups=["Black"]) for _ in range(10)]
    for m in measures[3:]:
        save(team["data_lead"], m, [BLACK])
    with CaptureQueriesContext(connection) as many:
        found = measure_statuses(coalition, today=TODAY)
    assert len(many) == len(few) == 3
    assert all(len(found[m.pk].subgroup_statuses) == 1 for m in measures)


def test_the_subgroups_chart_draws_its_own_baseline_target_and_path(lead, measure):
    save(lead, measure, [BLACK])
    add_value(measure, "2023", 0.31, subgroup="Black")
    add_value(measure, "2024", 0.4)
    target = SubgroupTarget.objects.get(measure=measure)
    spec = charts.subgroup_chart_spec(measure, measure.values.all(), target)
    assert spec["target"] == {"baseline_year": 2022, "baseline": 0.3, "year": 2030, "value": 0.5}
    assert [p["year"] for p in spec["points"]] == [2023]
    assert spec["label"].endswith(": Black") and spec["benchmark"] == {}
    drawn = charts.charting.draw(spec)
    assert "<svg" in drawn.svg and drawn.table


def _form(rows: list[dict]) -> dict:
    data = {
        "action": "targets",
        "targets-TOTAL_FORMS": str(len(rows)),
        "targets-INITIAL_FORMS": str(len(rows)),
    }
    for i, row in enumerate(rows):
        data.update({f"targets-{i}-{k}": v for k, v in row.items()})
    return data


def test_the_page_sets_targets_per_subgroup_and_shows_their_status(client, lead, measure):
    client.force_login(lead.user)
    url = reverse("tracking:measure", args=[measure.coalition_id, measure.pk])
    page = client.get(url).content.decode()
    assert 'name="targets-0-subgroup" value="Black"' in page
    assert "Set each subgroup&#x27;s baseline and target" in page or "Set each subgroup" in page
    bad = client.post(url, _form([{**BLACK, "target_date": "2020"}, {"subgroup": "Hispanic"}]))
    text = bad.content.decode()
    assert "Nothing was saved" in text and "must come after the baseline date" in text
    assert 'value="2020"' in text  # the typed row stays, to fix
    assert not SubgroupTarget.objects.exists()
    done = client.post(url, _form([BLACK, {"subgroup": "Hispanic"}]))
    assert done.status_code == 302
    add_value(measure, str(dt.date.today().year - 1), 0.49, subgroup="Black")
    add_value(measure, str(dt.date.today().year - 1), 0.59)
    page = client.get(url).content.decode()
    assert "Subgroups with their own baseline and target" in page
    assert "30.0% on December 31, 2022" in page and "50.0% by December 31, 2030" in page
    assert "On track" in page and "straight path, from its baseline to its target" in page
    assert page.count("<svg") >= 2  # everyone's chart and Black's
    assert 'value="30%"' in page and 'value="2022"' in page  # typed back as a person types
    assert "Black: On track" in page  # next to everyone's status
    plan = client.get(reverse("map:measures", args=[measure.coalition_id])).content.decode()
    assert "Black: On track" in plan


def test_members_see_subgroup_statuses_but_cannot_set_targets(client, team, measure):
    save(team["data_lead"], measure, [BLACK])
    client.force_login(team["member"].user)
    url = reverse("tracking:measure", args=[measure.coalition_id, measure.pk])
    page = client.get(url).content.decode()
    assert "Subgroups with their own baseline and target" in page
    assert 'name="targets-0-subgroup"' not in page
    assert client.post(url, _form([BLACK])).status_code == 403


def test_api_reads_and_sets_subgroup_targets_all_or_nothing(api_client, team, measure):
    url = reverse("api:tracking-measure-subgroup-targets", args=[measure.coalition_id, measure.pk])
    api_client.force_authenticate(team["member"].user)
    assert api_client.get(url).json() == {"targets": [], "errors": []}
    assert api_client.put(url, {"targets": [BLACK]}, format="json").status_code == 403
    api_client.force_authenticate(team["data_lead"].user)
    bad = api_client.put(
        url,
        {
            "targets": [
                {
                    "subgroup": "Black",
                    "baseline_value": 0.3,
                    "baseline_date": "2022-12-31",
                    "target_value": 0.5,
                    "target_date": "2030-12-31",
                },
                {
                    "subgroup": "Hispanic",
                    "baseline_value": "lots",
                    "baseline_date": "2022",
                    "target_value": 0.5,
                    "target_date": "2030",
                },
            ]
        },
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["row"] == 2
    assert "baseline_value" in bad.json()["errors"][0]["errors"]
    assert not SubgroupTarget.objects.exists()
    shape = api_client.put(url, {"targets": [{"baseline_value": {"x": 1}}]}, format="json")
    assert shape.status_code == 400 and "subgroup" in shape.json()["errors"][0]["errors"]
    good = api_client.put(
        url,
        {
            "targets": [
                {
                    "subgroup": "Black",
                    "baseline_value": 0.3,
                    "baseline_date": "2022-12-31",
                    "target_value": 0.5,
                    "target_date": "2030-12-31",
                }
            ]
        },
        format="json",
    )
    assert good.status_code == 200, good.content
    (row,) = good.json()["targets"]
    assert row["subgroup"] == "Black" and row["baseline_text"] == "30.0%"
    assert row["target_date"] == "2030-12-31"
    add_value(measure, "2024", 0.45, subgroup="Black")
    values = reverse("api:tracking-measure-values", args=[measure.coalition_id, measure.pk])
    status = api_client.get(values).json()["status"]
    assert status["subgroup_statuses"][0]["subgroup"] == "Black"
    assert status["subgroup_statuses"][0]["status"] in Status.values


def test_the_openapi_schema_lists_the_subgroup_targets(api_client, team):
    api_client.force_authenticate(team["viewer"].user)
    schema = api_client.get(reverse("api:schema"), {"format": "json"}).content.decode()
    assert "/subgroup-targets/" in schema and '"SubgroupTargetRowRequest"' in schema
    assert "subgroup_statuses" in schema
