"""Entering values: many rows at once, pasted blocks, bad rows reported, nothing half-saved;
values from a local dataset; the page and the API (with a personal token)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.services import api_token_create
from coalitions.models import CoalitionEvent, EventKind
from core.models import JobStatus
from metrics.models import LocalDataset, LocalValue
from plans.tracking import services
from plans.tracking.models import TrackedValue, ValueSource
from tests.tracking.conftest import TODAY, add_value, make_goal


def add(member, owner, rows):
    return services.values_add(actor=member, owner=owner, rows=rows, today=TODAY)


def test_rows_are_saved_in_the_measures_unit_with_who_entered_them(member, measure):
    result = add(
        member,
        measure,
        [
            {"period": "2024", "value": "45%", "lower": "43", "upper": "47", "source": "ACS"},
            {"period": "2025-Q1", "value": "0.47"},  # a share typed as its fraction? no: 0.47%
            {"period": "2024", "value": "30", "subgroup": "black"},
        ],
    )
    assert result.problems == []
    saved = {(v.period, v.subgroup): v for v in TrackedValue.objects.filter(measure=measure)}
    assert saved[("2024", "")].value == pytest.approx(0.45)
    assert (saved[("2024", "")].lower, saved[("2024", "")].upper) == (0.43, 0.47)
    assert saved[("2024", "")].source_detail == "ACS"
    assert saved[("2024", "")].entered_by == member.user
    assert saved[("2025-Q1", "")].date == dt.date(2025, 3, 31)
    assert ("2024", "Black") in saved  # the measure's own spelling of the subgroup
    assert CoalitionEvent.objects.filter(kind=EventKind.VALUES_ENTERED).count() == 1


def test_bad_rows_are_listed_with_reasons_and_good_rows_saved(member, measure):
    add_value(measure, "2023", 0.41)
    result = add(
        member,
        measure,
        [
            {"period": "2024", "value": "45%"},
            {"period": "2024", "value": "46%"},  # duplicate of the row above
            {"period": "2023", "value": "41%"},  # duplicate of a saved value
            {"period": "2024", "value": "lots"},
            {"period": "1900", "value": "1%"},  # outside the measure's range
            {"period": "2031", "value": "1%"},  # in the future
            {"period": "2024", "value": "1%", "subgroup": "Martians"},
            {"period": "yesterday", "value": ""},
            {"period": "2022", "value": "40%", "lower": "41%", "upper": "50%"},
            {"period": "2022", "value": "40%", "lower": "39%"},
        ],
    )
    assert [v.period for v in result.saved] == ["2024"]
    reasons = {p.row: p.text for p in result.problems}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert "already a value for 2024" in reasons[2]
    assert "already a value for 2023" in reasons[3]
    assert "Value:" in reasons[4]
    assert "outside this measure's range" in reasons[5] and "December 31, 2026" in reasons[5]
    assert "outside this measure's range" in reasons[6]
    assert "no subgroup “Martians”" in reasons[7] and "Black, Hispanic" in reasons[7]
    assert "is not a period" in reasons[8] and "Give the value." in reasons[8]
    assert "between the lower and upper bounds" in reasons[9]
    assert "both bounds or neither" in reasons[10]
    assert TrackedValue.objects.filter(measure=measure).count() == 2  # nothing half-saved


def test_a_pasted_spreadsheet_block_is_read_by_columns():
    rows = services.paste_rows("Year\tValue\tSubgroup\n2023\t41%\n2024\t45%\tBlack\t40%\t50%\n")
    assert rows == [
        {"period": "2023", "value": "41%"},
        {"period": "2024", "value": "45%", "subgroup": "Black", "lower": "40%", "upper": "50%"},
    ]
    assert services.paste_rows("2023;41\n2024;45") == [
        {"period": "2023", "value": "41"},
        {"period": "2024", "value": "45"},
    ]
    assert services.paste_rows('2023,"1,200",,,,City survey') == [
        {
            "period": "2023",
            "value": "1,200",
            "subgroup": "",
            "lower": "",
            "upper": "",
            "source": "City survey",
        },
    ]


def test_viewers_cannot_enter_values(team, measure):
    with pytest.raises(PermissionDenied):
        add(team["viewer"], measure, [{"period": "2024", "value": "1"}])


def test_goal_values_use_the_goals_subgroup(member, coalition):
    goal = make_goal(coalition, subgroup="Hispanic", gap_target=-0.02)
    result = add(
        member,
        goal,
        [
            {"period": "2022", "value": "81%", "subgroup": "hispanic"},
            {"period": "2022", "value": "81%", "subgroup": "Black"},
        ],
    )
    assert [v.subgroup for v in result.saved] == ["Hispanic"]
    assert len(result.problems) == 1


def test_values_from_a_local_dataset_keep_values_typed_by_hand(member, coalition, measure):
    from metrics.models import Pillar, Predictor

    pillar = Pillar.objects.get_or_create(slug="p-test", defaults={"name": "P"})[0]
    predictor = Predictor.objects.get_or_create(
        slug="pr-test", defaults={"name": "Pr", "pillar": pillar}
    )[0]
    dataset = LocalDataset.objects.create(
        predictor=predictor,
        coalition=coalition,
        name="Bus riders survey",
        unit="share",
        status=JobStatus.SUCCEEDED,
        original_name="x.csv",
    )
    area = coalition.geography.name
    for year, value, group in (
        (2022, 0.4, ""),
        (2023, 0.42, ""),
        (2023, 0.3, "Black"),
        (2023, 0.2, "Asian"),
        (2024, 0.44, ""),
    ):
        LocalValue.objects.create(
            dataset=dataset, area=area, year=year, value=value, subgroup=group
        )
    LocalValue.objects.create(dataset=dataset, area="Elsewhere", year=2021, value=0.9)
    add(member, measure, [{"period": "2024", "value": "50%"}])
    copied, kept = services.values_from_dataset(actor=member, owner=measure, dataset=dataset)
    assert (copied, kept) == (3, 1)
    values = TrackedValue.objects.filter(measure=measure)
    assert sorted(values.values_list("period", "subgroup", "value", "source")) == [
        ("2022", "", 0.4, ValueSource.LOCAL),
        ("2023", "", 0.42, ValueSource.LOCAL),
        ("2023", "Black", 0.3, ValueSource.LOCAL),
        ("2024", "", 0.5, ValueSource.MANUAL),
    ]
    services.values_from_dataset(actor=member, owner=measure, dataset=dataset)  # again: same
    assert values.count() == 4
    measure.refresh_from_db()
    assert measure.local_dataset == dataset


def test_the_page_saves_good_rows_and_gives_back_the_bad(client, member, measure):
    client.force_login(member.user)
    url = reverse("tracking:measure", args=[measure.coalition_id, measure.pk])
    data = {
        "action": "rows",
        "rows-TOTAL_FORMS": "3",
        "rows-INITIAL_FORMS": "0",
        "rows-0-period": "2024",
        "rows-0-value": "46%",
        "rows-1-period": "2025",
        "rows-1-value": "many",
    }
    page = client.post(url, data).content.decode()
    assert "1 value saved." in page and "1 row was not saved" in page
    assert "Row 2:" in page and 'value="many"' in page  # the bad row stays, to fix
    assert TrackedValue.objects.filter(measure=measure).count() == 1
    pasted = client.post(url, {"action": "paste", "pasted": "2023\t41%\n2022\tnone"})
    assert "Row 2:" in pasted.content.decode()
    assert TrackedValue.objects.filter(measure=measure).count() == 2
    page = client.get(url).content.decode()
    assert "46.0%" in page and "On track" in page and "<svg" in page
    assert "straight path from the baseline to the target" in page


def test_the_measurement_plan_shows_status_and_latest_value(client, member, measure):
    add_value(measure, "2025", 0.55)
    client.force_login(member.user)
    page = client.get(reverse("map:measures", args=[measure.coalition_id])).content.decode()
    assert "55.0%" in page and "On track" in page


def test_api_bulk_create_with_a_token_reports_each_bad_row(api_client, member, measure):
    _token, key = api_token_create(user=member.user, name="City data team")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = reverse("api:tracking-measure-values", args=[measure.coalition_id, measure.pk])
    response = api_client.post(
        url,
        {
            "values": [
                {"period": "2024", "value": 0.45, "lower": 0.43, "upper": 0.47},
                {"period": 2025, "value": "47%"},
                {"period": "2024", "value": 0.5},
                {"period": "2023", "value": {"x": 1}},
            ]
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [v["value_text"] for v in body["saved"]] == ["45.0%", "47.0%"]
    assert [e["row"] for e in body["errors"]] == [3, 4]
    assert "already a value" in body["errors"][0]["errors"]["period"][0]
    listed = api_client.get(url).json()
    assert [v["period"] for v in listed["values"]] == ["2024", "2025"]
    assert listed["status"]["status"] in ("on_track", "off_track", "no_recent_data")
    value_id = listed["values"][0]["id"]
    gone = api_client.delete(
        reverse("api:tracking-value-detail", args=[measure.coalition_id, value_id])
    )
    assert gone.status_code == 204
    again = api_client.post(url, {"values": [{"period": "2025", "value": 1}]}, format="json")
    assert again.status_code == 400 and again.json()["saved"] == []


def test_api_refuses_viewers_and_outsiders(api_client, team, measure):
    url = reverse("api:tracking-measure-values", args=[measure.coalition_id, measure.pk])
    api_client.force_authenticate(team["viewer"].user)
    assert api_client.get(url).status_code == 200
    assert (
        api_client.post(
            url, {"values": [{"period": "2024", "value": 1}]}, format="json"
        ).status_code
        == 403
    )


def test_saving_a_measure_reads_its_text_as_numbers_and_guards_its_values(member, measure):
    from django.core.exceptions import ValidationError

    from plans.map.services import measure_save

    measure_save(measure=measure, actor=member, fields={"baseline": "42%", "target": "soon"})
    measure.refresh_from_db()
    assert measure.baseline_value == pytest.approx(0.42) and measure.target_value is None
    add_value(measure, "2024", 0.5, subgroup="Black")
    with pytest.raises(ValidationError, match="delete them to change it"):
        measure_save(measure=measure, actor=member, fields={"unit": "dollars"})
    with pytest.raises(ValidationError, match="Values are saved for Black"):
        measure_save(measure=measure, actor=member, fields={"subgroups": ["Hispanic"]})
    measure_save(measure=measure, actor=member, fields={"subgroups": ["Black", "Asian"]})
    measure.refresh_from_db()
    assert measure.subgroups == ["Black", "Asian"]


def test_api_reports_every_kind_of_bad_row_and_saves_the_good(api_client, member, measure):
    """The issue's bad input through the API: not a number for the unit, a date outside the
    measure's range, a duplicate period, a subgroup the measure does not have; the good rows
    of the block are saved, the bad ones reported by row with nothing half-saved."""
    add_value(measure, "2023", 0.41)
    _token, key = api_token_create(user=member.user, name="City data team")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = reverse("api:tracking-measure-values", args=[measure.coalition_id, measure.pk])
    response = api_client.post(
        url,
        {
            "values": [
                {"period": "2024", "value": "lots"},
                {"period": "1900", "value": 0.1},
                {"period": "2023", "value": 0.42},
                {"period": "2022", "value": 0.3, "subgroup": "Martians"},
                {"period": "2022", "value": 0.3, "lower": 0.35, "upper": 0.5},
                {"period": "2024", "value": "45%", "subgroup": "black"},
            ]
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(v["period"], v["subgroup"]) for v in body["saved"]] == [("2024", "Black")]
    errors = {
        e["row"]: " ".join(m for ms in e["errors"].values() for m in ms) for e in body["errors"]
    }
    assert sorted(errors) == [1, 2, 3, 4, 5]
    assert "Value:" in errors[1] or "number" in errors[1]
    assert "outside this measure's range" in errors[2]
    assert "already a value for 2023" in errors[3]
    assert "no subgroup “Martians”" in errors[4]
    assert "between the lower and upper bounds" in errors[5]
    assert TrackedValue.objects.filter(measure=measure).count() == 2  # nothing half-saved
